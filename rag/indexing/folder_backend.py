"""A library kept in a folder on this computer: the SQLite store is the truth and Chroma, in
``index/gen-N/``, its rebuildable dense index.

Import commits a document to the store in one transaction, then upserts its vectors into
Chroma and marks it ``indexed``. Opening finishes any upsert a crash interrupted and checks the
index by searching for known passages; if the index cannot be opened or misses passages, a new
generation is built from the store (no file is read again) and the user is told.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from rag.core.crashpoints import crash_point
from rag.core.types import Document, Passage
from rag.indexing.store import Store
from rag.indexing.vector_index import VectorIndex, remove_folder
from rag.models.embedding import Embedder

OPEN_FLAG = "open_by_a_process"  # set while a process has the library open
HEALTH_SAMPLE = 24  # passages looked up by their own vector each time a library opens


def remove_orphan_copies(folder: Path, store: Store) -> None:
    """Copies left by an import killed between copying the file and committing it."""
    known = {Path(d.stored_path).name for d in store.documents()}
    for sub in (folder / "files").glob("*/*"):
        if sub.name not in known:
            sub.unlink(missing_ok=True)


class FolderBackend:
    """The ``StorageBackend`` of a library that lives in one folder on this computer."""

    def __init__(self, folder: Path, store: Store, embedder: Embedder) -> None:
        self.folder = folder
        self.store = store
        self.embedder = embedder
        self._index: VectorIndex | None = None

    @property
    def location(self) -> str:
        return str(self.folder)

    @property
    def index(self) -> VectorIndex:
        assert self._index is not None, "library is closed"
        return self._index

    def open(self) -> list[str]:
        remove_orphan_copies(self.folder, self.store)
        return self._open_index()

    def close(self) -> None:
        if self._index is not None:
            self.store.set_meta(OPEN_FLAG, "")  # closed cleanly: the index needs no rebuild
        self._index = None

    def refresh(self, *, force: bool = False) -> None:
        """Nothing to follow: the store in the folder is the truth."""

    # -- writes -------------------------------------------------------------------------------

    def existing(self, doc_id: str) -> Document | None:
        return self.store.document(doc_id)

    def save_document(self, doc: Document, passages: Sequence[Passage], matrix: np.ndarray) -> None:
        self.store.add_document(doc, passages, matrix)  # the commit point: all or nothing
        crash_point("import.committed")
        self.index.upsert([p.id for p in passages], [doc.id] * len(passages), matrix)
        self.store.mark_indexed([doc.id])
        crash_point("import.indexed")

    def update_document(
        self, doc: Document, changes: dict[str, object], date_source: str | None = None
    ) -> Document:
        return self.store.update_document(doc.id, date_source=date_source, **changes)

    def remove_document(self, doc: Document) -> None:
        self.store.mark_indexed([doc.id], indexed=False)
        self.index.delete_document(doc.id)
        self.store.remove_document(doc.id)
        Path(doc.stored_path).unlink(missing_ok=True)

    # -- the vector index ---------------------------------------------------------------------

    def _index_dir(self, generation: int) -> Path:
        return self.folder / "index" / f"gen-{generation}"

    def _open_index(self) -> list[str]:
        generation = int(self.store.get_meta("index_generation", "0") or 0)
        # A process killed while it held the library can leave Chroma's HNSW segment without
        # vectors its own metadata (and count) already has; a sample of passages may not catch
        # it. The store is the truth and re-inserting stored vectors needs no model, so after
        # an unclean stop the index is rebuilt.
        unclean = self.store.get_meta(OPEN_FLAG, "") == "1"
        self.store.set_meta(OPEN_FLAG, "1")
        notices = []
        problem = None
        if generation == 0:
            problem = "new library"
        else:
            try:
                index = VectorIndex.open_embedded(self._index_dir(generation), self.embedder)
                self._index = index
                self._sync_pending()
                problem = self._health_problem(index) or (
                    "BriefDesk was stopped while it had this library open" if unclean else None
                )
            except Exception as exc:  # chromadb raises many kinds; any of them means rebuild
                problem = f"{type(exc).__name__}: {exc}".splitlines()[0][:200]
        if problem:
            self._rebuild_index(generation + 1)
            if problem != "new library":
                notices.append(
                    "The search index was damaged and has been rebuilt from the library's own "
                    f"store; no document was lost. ({problem})"
                )
        self._remove_stale_generations()
        return notices

    def _sync_pending(self) -> None:
        """Finish the vector upserts of documents whose import was interrupted after commit."""
        assert self._index is not None
        pending = self.store.unindexed_document_ids()
        for doc_id in pending:
            self._index.delete_document(doc_id)
            ids, docs, vectors = self.store.embeddings_of([doc_id])
            if ids:
                self._index.upsert(ids, docs, vectors)
            crash_point("open.sync")
        if pending:
            self.store.mark_indexed(pending)

    def _health_problem(self, index: VectorIndex) -> str | None:
        """Why the index cannot be trusted, or None. Counting is not enough: a damaged HNSW
        segment can report the right count while searching only part of the vectors, so known
        passages are looked up by their own vectors."""
        expected = self.store.passage_count()
        actual = index.count()
        if actual != expected:
            return f"index holds {actual} passages, library {expected}"
        for pid, vector in self.store.sample_passages(HEALTH_SAMPLE):
            found = [i for i, _ in index.query(vector, 10)]
            if pid not in found:
                return f"passage {pid} cannot be found by its own vector"
        return None

    def _rebuild_index(self, generation: int) -> None:
        folder = self._index_dir(generation)
        remove_folder(folder)  # a rebuild killed halfway left this behind
        index = VectorIndex.open_embedded(folder, self.embedder)
        for ids, docs, vectors in self.store.iter_all_embeddings():
            index.upsert(ids, docs, vectors)
        self.store.set_meta("index_generation", str(generation))
        self.store.mark_indexed([d.id for d in self.store.documents()])
        self._index = index

    def _remove_stale_generations(self) -> None:
        current = self._index_dir(int(self.store.get_meta("index_generation", "0") or 0))
        root = self.folder / "index"
        for child in root.iterdir() if root.is_dir() else []:
            if child.is_dir() and child != current:
                remove_folder(child)
