"""A library shared by a team on a Chroma server: the storage backend behind its ``Library``.

The truth is on the server (rag.shared.remote_store): document records and passages with their text,
locators and vectors. Each computer keeps a copy of it in an ordinary library store (SQLite:
``<data folder>/shared/<host>-<port>-<name>/``) so that keyword search (FTS5/BM25), passage
reads during drafting and the citation checker run locally and unchanged. The copy follows the
server: it is brought up to date when the library opens and, at most every
``REFRESH_SECONDS``, before listing documents or searching; documents removed on the server
leave it, new ones are fetched with their passages and vectors, edited fields are taken over.

Writes go to the server first, then to the copy: an import writes the passages, then the
document's record (which makes it visible to everyone), then the local copy. Dense search
queries the server's passages collection directly; passages of documents whose record is not
(yet) there are dropped because the local copy does not know them.

What stays on each computer: the original files (a copy of each file this computer imported,
for "open the original"), saved briefings, settings and models.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from rag.core import paths
from rag.core.errors import LibraryError
from rag.core.server_address import ServerAddress
from rag.core.settings import Settings
from rag.core.types import EDITABLE_FIELDS, Document, Passage, editable_changes
from rag.indexing.folder_backend import remove_orphan_copies
from rag.indexing.library import Library
from rag.indexing.store import Store
from rag.indexing.vector_index import VectorIndex
from rag.models.embedding import Embedder
from rag.shared.remote_store import RemoteStore, check_library_name, chroma_address

REFRESH_SECONDS = 2.0  # how stale the document list may be before it is read again
FETCH_BATCH = 32  # documents whose passages are fetched per round
_SHARED_KEY = "shared_library"  # in the copy's meta table: which server library it copies


def _editable(doc: Document) -> tuple[Any, ...]:
    return tuple(getattr(doc, f) for f in EDITABLE_FIELDS)


def open_shared_library(folder: Path | None, settings: Settings) -> Library:
    """The shared library the settings name (``library.server`` and ``library.name``), with
    this computer's copy in ``folder`` (default: one folder per server and library name)."""
    address = chroma_address(settings.library.server)
    name = check_library_name(settings.library.name)
    folder = Path(folder) if folder else paths.shared_library_dir(address.host, address.port, name)

    def backend(folder: Path, store: Store, embedder: Embedder) -> SharedBackend:
        return SharedBackend(folder, store, embedder, address, name)

    return Library.open(folder, settings=settings, backend=backend)


class SharedBackend:
    """The ``StorageBackend`` of a library whose documents live on a Chroma server; see the
    module docstring."""

    def __init__(
        self, folder: Path, store: Store, embedder: Embedder, address: ServerAddress, name: str
    ) -> None:
        self.folder = folder
        self.store = store
        self.embedder = embedder
        self._address = address
        self._name = name
        self._remote: RemoteStore | None = None
        self._connected = False
        self._refresh_lock = threading.Lock()
        self._refreshed_at = 0.0

    def open(self) -> list[str]:
        self._claim_folder(f"{self._address.url}/{self._name}")
        self._remote = RemoteStore.connect(self._address.url, self._name, self.embedder)
        self._connected = True
        self.refresh(force=True)
        remove_orphan_copies(self.folder, self.store)
        return []

    def close(self) -> None:
        self._connected = False  # the HTTP client holds nothing on the server to release

    def _claim_folder(self, key: str) -> None:
        """Refuse a folder that holds another library: following the server would delete
        every document the server does not have."""
        owner = self.store.get_meta(_SHARED_KEY)
        if owner == key:
            return
        if owner is not None or self.store.documents():
            raise LibraryError(
                f"The folder {self.folder} already holds "
                + ("a library of its own" if owner is None else f"a copy of {owner}")
                + ". Choose another folder for this computer's copy of the shared library, "
                "or leave the folder empty to use the default one."
            )
        self.store.set_meta(_SHARED_KEY, key)

    @property
    def remote(self) -> RemoteStore:
        """The library's records on the server."""
        assert self._remote is not None, "not connected yet"
        return self._remote

    @property
    def location(self) -> str:
        return self.remote.location

    @property
    def index(self) -> VectorIndex:
        assert self._connected, "library is closed"
        return self.remote.index

    # -- following the server -----------------------------------------------------------------

    def refresh(self, *, force: bool = False) -> None:
        """Bring this computer's copy up to date with the server (documents added, removed or
        edited by anyone). Skipped if done less than ``REFRESH_SECONDS`` ago."""
        with self._refresh_lock:
            if not force and time.monotonic() - self._refreshed_at < REFRESH_SECONDS:
                return
            remote = self.remote.documents()
            local = {d.id: d for d in self.store.documents()}
            for doc_id in local.keys() - remote.keys():
                self._drop_local(local[doc_id])
            for doc_id, doc in remote.items():
                if doc_id in local and _editable(local[doc_id]) != _editable(doc):
                    changes = {f: getattr(doc, f) for f in EDITABLE_FIELDS}
                    self.store.update_document(doc_id, date_source=doc.date_source, **changes)
            new = [doc_id for doc_id in remote if doc_id not in local]
            for start in range(0, len(new), FETCH_BATCH):
                batch = new[start : start + FETCH_BATCH]
                passages, vectors = self.remote.passages_of(batch)
                for doc_id in batch:
                    rows = [i for i, p in enumerate(passages) if p.doc_id == doc_id]
                    if len(rows) != remote[doc_id].passages:
                        continue  # being rewritten or removed right now: the next refresh sees
                    self._add_local(remote[doc_id], [passages[i] for i in rows], vectors[rows])
            self._refreshed_at = time.monotonic()

    def _local_copy(self, doc: Document) -> Path:
        suffix = Path(doc.filename).suffix.lower()
        return self.folder / "files" / doc.id[:2] / f"{doc.id}{suffix}"

    def _add_local(self, doc: Document, passages: list[Passage], vectors: np.ndarray) -> None:
        """Put a document into this computer's copy, unless it is there already."""
        if self.store.document(doc.id) is not None:
            return
        kept = self._local_copy(doc)
        doc = dataclasses.replace(doc, stored_path=str(kept) if kept.is_file() else "")
        self.store.add_document(doc, passages, vectors)
        self.store.mark_indexed([doc.id])  # its vectors are on the server already

    def _drop_local(self, doc: Document) -> None:
        self.store.remove_document(doc.id)
        if doc.stored_path:
            Path(doc.stored_path).unlink(missing_ok=True)

    # -- writes: the server first, then this computer's copy ---------------------------------

    def update_document(
        self, doc: Document, changes: dict[str, object], date_source: str | None = None
    ) -> Document:
        values = editable_changes(changes)
        remote_values = dict(values)
        if "published" in values:
            if date_source is None:
                date_source = "edited" if values["published"] else ""
            remote_values["date_source"] = date_source
        self.remote.update_document(dataclasses.replace(doc, **remote_values))
        with self._refresh_lock:
            return self.store.update_document(doc.id, date_source=date_source, **values)

    def remove_document(self, doc: Document) -> None:
        self.remote.remove_document(doc.id)  # the record first: no one sees it half removed
        with self._refresh_lock:
            self._drop_local(doc)

    def existing(self, doc_id: str) -> Document | None:
        """Already on the server (imported by anyone)? Then it is a duplicate here too."""
        doc = self.store.document(doc_id)
        if doc is not None:
            return doc
        if self.remote.document(doc_id) is None:
            return None
        self.refresh(force=True)
        return self.store.document(doc_id)

    def save_document(self, doc: Document, passages: Sequence[Passage], matrix: np.ndarray) -> None:
        try:
            self.remote.put_document(dataclasses.replace(doc, stored_path=""), passages, matrix)
        except Exception:
            Path(doc.stored_path).unlink(missing_ok=True)  # nothing refers to it now
            raise
        with self._refresh_lock:
            self._add_local(doc, list(passages), matrix)
