"""Where a library keeps its documents besides its own folder: the seam between ``Library``
and its storage.

Every library has a folder on this computer with a lock and a SQLite store (passages, vectors,
the FTS5 keyword index), which search, drafting and the checker read. What differs is where the
truth lives and what the dense index is:

- a folder library (rag.indexing.folder_backend): the store is the truth, Chroma in the folder
  the dense index;
- a shared library (rag.shared.backend): the truth and the dense index are on a Chroma server,
  and the store is this computer's copy of it, which the backend keeps up to date.

``Library`` holds one backend and sends it every write; the choice between them is made above
both, by ``rag.opening.open_library``, so that this package never knows about servers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from rag.core.types import Document, Passage
from rag.indexing.store import Store
from rag.indexing.vector_index import VectorIndex
from rag.models.embedding import Embedder


class StorageBackend(Protocol):
    """What a ``Library`` asks of its storage. Documents reach it already resolved (their
    full id, by ``Library.document``)."""

    @property
    def location(self) -> str:
        """Where the library is, for people: its folder, or its server and name."""
        ...

    @property
    def index(self) -> VectorIndex:
        """The dense index that search queries."""
        ...

    def open(self) -> list[str]:
        """Make the library usable; returns what the user should be told about this opening
        (an index rebuilt, say). Raises if it cannot be opened."""
        ...

    def close(self) -> None: ...

    def refresh(self, *, force: bool = False) -> None:
        """Bring the local store up to date before it is read (no-op where it is the truth)."""
        ...

    def existing(self, doc_id: str) -> Document | None:
        """The document with this id if the library already holds it (import skips it)."""
        ...

    def save_document(self, doc: Document, passages: Sequence[Passage], matrix: np.ndarray) -> None:
        """Store a newly imported document: all of it or, if this raises, none of it."""
        ...

    def update_document(
        self, doc: Document, changes: dict[str, object], date_source: str | None = None
    ) -> Document:
        """Edit ``changes`` (EDITABLE_FIELDS). A new date is the analyst's ("edited") unless
        ``date_source`` says where it was read ("text", "metadata")."""
        ...

    def remove_document(self, doc: Document) -> None:
        """Remove every trace of the document (its stored copy included)."""
        ...


# Builds a library's backend over its folder, store and embedder (opened by Library.open).
BackendFactory = Callable[[Path, Store, Embedder], StorageBackend]
