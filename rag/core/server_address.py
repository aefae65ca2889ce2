"""Addresses of the servers BriefDesk can use (a Chroma server, a model server), as typed by
people in settings or on the command line: ``http://host:port``, ``host:port`` or ``host``."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from rag.core.errors import BriefDeskError


@dataclass(frozen=True)
class ServerAddress:
    url: str  # normalised (scheme, host, port; no trailing slash): what messages show
    host: str
    port: int
    ssl: bool


def parse_server_url(url: str, default_port: int) -> ServerAddress:
    """The address in ``url``; BriefDeskError if it is not one."""
    text = url.strip()
    if "://" not in text:
        text = "http://" + text
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path.strip("/"):
        raise BriefDeskError(f"{url!r} is not a server address; write it as http://HOST:PORT.")
    try:
        port = parts.port or default_port
    except ValueError:
        raise BriefDeskError(f"{url!r} has an invalid port number.") from None
    host = parts.hostname
    shown_host = f"[{host}]" if ":" in host else host
    return ServerAddress(
        f"{parts.scheme}://{shown_host}:{port}", host, port, parts.scheme == "https"
    )
