"""Which library to open: the one in a folder on this computer, or a shared library on a
Chroma server, as the settings say.

This sits above both kinds so that neither knows the other: rag.indexing holds the ``Library``
and its folder backend, rag.shared the server backend, and only this module chooses.
"""

from __future__ import annotations

from pathlib import Path

from rag.core.settings import Settings, load_settings
from rag.indexing.library import Library
from rag.shared.backend import open_shared_library


def open_library(folder: Path | None = None, settings: Settings | None = None) -> Library:
    """Open the library ``settings`` names (default: the saved settings).

    With ``settings.library.server`` empty, the library in ``folder`` (default: the settings'
    library folder); otherwise the shared library ``settings.library.name`` on that server,
    with this computer's copy of it in ``folder`` (default: one per server and name in the
    data folder). Close it when done, or use it as a context manager."""
    settings = settings or load_settings()
    if settings.library.server:
        return open_shared_library(folder, settings)
    return Library.open(folder, settings=settings)


__all__ = ["open_library"]
