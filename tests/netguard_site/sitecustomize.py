"""Loaded by every Python process started with this folder on PYTHONPATH (tests/netguard.py):
any attempt to reach the network through Python's socket module is written to the file named
by BRIEFDESK_NET_LOG and then fails, as it would on a machine without a network."""

from __future__ import annotations

import errno
import os
import socket

_LOG = os.environ.get("BRIEFDESK_NET_LOG")


def _record(what: str, target: object) -> None:
    with open(_LOG, "a", encoding="utf-8") as log:  # type: ignore[arg-type]
        log.write(f"{os.getpid()} {what} {target!r}\n")


def _install() -> None:
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_sendto = socket.socket.sendto

    def local(sock: socket.socket) -> bool:
        return sock.family == getattr(socket, "AF_UNIX", object())

    def connect(self: socket.socket, address: object) -> None:
        if local(self):
            return real_connect(self, address)
        _record("connect", address)
        raise OSError(errno.ENETUNREACH, "network disabled by BriefDesk's offline test")

    def connect_ex(self: socket.socket, address: object) -> int:
        if local(self):
            return real_connect_ex(self, address)
        _record("connect", address)
        return errno.ENETUNREACH

    def sendto(self: socket.socket, data: bytes, *args: object) -> int:
        if local(self):
            return real_sendto(self, data, *args)
        _record("sendto", args[-1] if args else None)
        raise OSError(errno.ENETUNREACH, "network disabled by BriefDesk's offline test")

    def getaddrinfo(host: object, *args: object, **kwargs: object) -> list:
        _record("getaddrinfo", host)
        raise socket.gaierror(socket.EAI_NONAME, "name resolution disabled by the offline test")

    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
    socket.socket.sendto = sendto  # type: ignore[method-assign]
    socket.getaddrinfo = getaddrinfo  # type: ignore[assignment]


if _LOG:
    _install()
