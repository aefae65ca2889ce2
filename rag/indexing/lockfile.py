"""One process at a time writes a library: Chroma's embedded store is not safe to share."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

from rag.core.errors import LibraryError


class LibraryLock:
    """An exclusive lock on a file; the operating system releases it if the process dies."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._fh = open(path, "a+b")  # noqa: SIM115 - held for the lock's lifetime
        try:
            _lock(self._fh.fileno())
        except OSError:
            self._fh.close()
            raise LibraryError(
                f"The library at {path.parent} is open in another BriefDesk window or command. "
                "Close it and try again."
            ) from None
        self._fh.seek(0)
        self._fh.truncate()
        self._fh.write(str(os.getpid()).encode())
        self._fh.flush()

    def release(self) -> None:
        if not self._fh.closed:
            _unlock(self._fh.fileno())
            self._fh.close()


if sys.platform == "win32":
    import msvcrt

    def _lock(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

    def _unlock(fd: int) -> None:
        with contextlib.suppress(OSError):
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
