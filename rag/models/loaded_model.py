"""One loaded model per process, reused while its file and settings stay the same.

Only one model stays loaded: two multi-gigabyte models do not fit an 8-16 GB laptop.
"""

from __future__ import annotations

import threading
from pathlib import Path

from rag.models.cpu import physical_cores
from rag.models.gguf import read_gguf_info
from rag.models.local import LocalModel, default_n_ctx

__all__ = ["get_model", "unload_model"]

_cache_lock = threading.Lock()
_cached: LocalModel | None = None
_cached_key: tuple[object, ...] | None = None


def get_model(
    path: Path | str, n_ctx: int | None = None, n_threads: int | None = None
) -> LocalModel:
    """The loaded model for ``path``, loading it only if the file or the settings changed.

    Loading another model first unloads the current one, which waits for a running call:
    cancel it first if the user is waiting.
    """
    global _cached, _cached_key
    path = Path(path)
    with _cache_lock:
        info = read_gguf_info(path)  # ModelMissingError / BriefDeskError before anything else
        stat = info.path.stat()
        key = (
            info.path,
            stat.st_size,
            stat.st_mtime_ns,
            n_ctx or default_n_ctx(info),
            n_threads or physical_cores(),
        )
        if _cached is not None and _cached_key == key:
            return _cached
        _unload_locked()
        _cached = LocalModel(path, n_ctx=key[3], n_threads=key[4])  # type: ignore[arg-type]
        _cached_key = key
        return _cached


def unload_model() -> None:
    """Free the cached model, if any (waits for a running call to finish)."""
    with _cache_lock:
        _unload_locked()


def _unload_locked() -> None:
    global _cached, _cached_key
    model, _cached, _cached_key = _cached, None, None
    if model is not None:
        model.close()
