"""BriefDesk's headless core: read, index and search documents; draft cited briefings.

Never imports Qt: the desktop app and the command line are two clients of this package.
The public API is what ``__all__`` lists. Names load lazily, so importing a light submodule
(a reader, the settings) does not pay for chromadb and onnxruntime.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "BriefDeskError": "rag.core.errors",
    "Cancelled": "rag.core.errors",
    "LibraryError": "rag.core.errors",
    "ModelMissingError": "rag.core.errors",
    "ReadError": "rag.core.errors",
    "Library": "rag.indexing.library",
    "Settings": "rag.core.settings",
    "load_settings": "rag.core.settings",
    "save_settings": "rag.core.settings",
    "CancelToken": "rag.core.types",
    "Document": "rag.core.types",
    "Hit": "rag.core.types",
    "Locator": "rag.core.types",
    "Passage": "rag.core.types",
}

__all__ = [
    "BriefDeskError", "CancelToken", "Cancelled", "Document", "Hit", "Library", "LibraryError",
    "Locator", "ModelMissingError", "Passage", "ReadError", "Settings", "__version__",
    "load_settings", "save_settings",
]  # fmt: skip

if TYPE_CHECKING:
    from rag.core.errors import (
        BriefDeskError,
        Cancelled,
        LibraryError,
        ModelMissingError,
        ReadError,
    )
    from rag.core.settings import Settings, load_settings, save_settings
    from rag.core.types import CancelToken, Document, Hit, Locator, Passage
    from rag.indexing.library import Library


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'rag' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
