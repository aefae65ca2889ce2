"""A library: the documents an analyst imported, searchable offline.

On disk (``<library>/``)::

    library.sqlite3   documents, passages, embeddings, keyword index (rag.indexing.store)
    files/            a copy of each imported file, named by its SHA-256
    index/gen-N/      the Chroma vector index of a folder library (rag.indexing.folder_backend)
    .lock             held while a process has the library open

``Library`` reads, chunks and embeds files, searches, and hands every write to its storage
backend (rag.indexing.backend): the folder itself, or a shared library on a Chroma server whose
local copy the store then is. Import is all-or-nothing per document either way.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import stat
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from rag.core.atomic import atomic_write
from rag.core.crashpoints import crash_point
from rag.core.errors import Cancelled, LibraryError, ReadError
from rag.core.settings import Settings, load_settings
from rag.core.types import CancelToken, Document, Hit, Passage
from rag.indexing.backend import BackendFactory, StorageBackend
from rag.indexing.details import DetailsProgress, DetailsRead, read_details_again
from rag.indexing.folder_backend import FolderBackend
from rag.indexing.lockfile import LibraryLock
from rag.indexing.store import Store
from rag.indexing.vector_index import VectorIndex
from rag.models import provision
from rag.models.embedding import Embedder, get_embedder
from rag.reading.chunking import chunk_blocks
from rag.reading.ingest import (
    FileDuplicate,
    FileFailed,
    FileImported,
    FileProgress,
    FileStarted,
    ImportEvent,
    ImportFinished,
    ImportStarted,
    expand_paths,
)
from rag.reading.isolation import (
    DEFAULT_MEMORY_MB,
    DEFAULT_TIMEOUT_S,
    read_isolated_steps,
    relay_pages,
)
from rag.reading.readers import DEFAULT_MAX_BYTES
from rag.search import fusion
from rag.search.diversity import cap_per_document, mmr
from rag.search.fusion import Candidate, fuse
from rag.search.query import parse as parse_query

CANDIDATES = 50  # how deep each of the dense and keyword lists goes before fusion
EMBED_BATCH = 64


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _sha256_if_plain_file(path: Path, max_bytes: int) -> str | None:
    """The file's SHA-256 if it is a regular file within the size limit, else None (the reader
    then says what is wrong with it). Opened without blocking: a named pipe must not hang us."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    with open(fd, "rb") as fh:
        info = os.fstat(fh.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_size > max_bytes:
            return None
        h = hashlib.sha256()
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
        return h.hexdigest()


def _fallback_title(path: Path) -> str:
    return path.stem.replace("_", " ").replace("-", " ").strip() or path.name


_Method = TypeVar("_Method", bound=Callable[..., Any])


def _fresh(method: _Method) -> _Method:
    """Reads that answer from the local store bring it up to date first (a shared library's
    copy follows its server; a folder library has nothing to follow)."""

    @functools.wraps(method)
    def wrapper(self: Library, *args: Any, **kwargs: Any) -> Any:
        self.backend.refresh()
        return method(self, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


class Library:
    """Open with ``rag.api.open_library`` (a folder or a shared library, as the settings say)
    or ``Library.open(folder)`` (a folder); close when done (or use it as a context manager)."""

    def __init__(self, folder: Path, store: Store, embedder: Embedder, lock: LibraryLock):
        self.folder = folder
        self.store = store
        self.embedder = embedder
        self._lock = lock
        self._backend: StorageBackend | None = None
        self.notices: list[str] = []  # things the user should be told about this opening
        self.max_bytes = DEFAULT_MAX_BYTES
        self.read_timeout_s = DEFAULT_TIMEOUT_S
        self.read_memory_mb = DEFAULT_MEMORY_MB

    # -- opening and closing ------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        folder: Path | None = None,
        *,
        settings: Settings | None = None,
        backend: BackendFactory | None = None,
    ) -> Library:
        """Open the library in ``folder`` (default: the settings' library folder), kept by
        ``backend`` (default: the folder itself). ``rag.opening.open_library`` passes the
        shared-library backend when the settings name a Chroma server; asked to open such
        settings without it, this refuses rather than open a different, local library."""
        settings = settings or load_settings()
        if backend is None and settings.library.server:
            raise LibraryError(
                "The settings name a shared library on a Chroma server: open it with "
                "rag.api.open_library, which connects to the server."
            )
        lib = cls._open_folder(Path(folder) if folder else settings.library_dir(), settings)
        lib._backend = (backend or FolderBackend)(lib.folder, lib.store, lib.embedder)
        try:
            lib.notices.extend(lib._backend.open())
        except Exception:
            lib.close()
            raise
        return lib

    @classmethod
    def _open_folder(cls, folder: Path, settings: Settings) -> Library:
        """The folder, its lock and its store, with the import limits from settings."""
        try:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "files").mkdir(exist_ok=True)
        except OSError as exc:
            raise LibraryError(
                f"Cannot create the library folder {folder}: {exc.strerror}"
            ) from None
        if not os.access(folder, os.W_OK):
            raise LibraryError(f"The library folder {folder} is read-only.")
        embedder = get_embedder(provision.embedding_model_dir())
        lock = LibraryLock(folder / ".lock")
        try:
            store = Store(folder / "library.sqlite3")
        except Exception:
            lock.release()
            raise
        lib = cls(folder, store, embedder, lock)
        lib.max_bytes = settings.library.max_file_mb * 1024 * 1024
        lib.read_timeout_s = float(settings.library.read_timeout_s)
        lib.read_memory_mb = settings.library.read_memory_mb
        return lib

    def close(self) -> None:
        if self._backend is not None:
            self._backend.close()  # kept: a closed library still says where it was
        self.store.close()
        self._lock.release()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def backend(self) -> StorageBackend:
        assert self._backend is not None, "library is not open"
        return self._backend

    @property
    def location(self) -> str:
        """Where the library is, for people: its folder, or its server and name."""
        return self.backend.location

    @property
    def index(self) -> VectorIndex:
        return self.backend.index

    def refresh(self, *, force: bool = False) -> None:
        """Bring the local store up to date with the library's truth (documents others added,
        edited or removed in a shared library); listing and search do it every few seconds."""
        self.backend.refresh(force=force)

    # -- documents ----------------------------------------------------------------------------

    @_fresh
    def documents(self) -> list[Document]:
        return self.store.documents()

    def document(self, doc_id: str) -> Document:
        doc = self.store.document(doc_id) or self._by_prefix(doc_id)
        if doc is None:
            raise LibraryError(f"No document with id {doc_id!r} in this library.")
        return doc

    def _by_prefix(self, prefix: str) -> Document | None:
        """Users type the first characters of an id, as with git."""
        if len(prefix) < 4:
            return None
        matches = [d for d in self.store.documents() if d.id.startswith(prefix.lower())]
        if len(matches) > 1:
            raise LibraryError(f"{prefix!r} matches {len(matches)} documents; give more of the id.")
        return matches[0] if matches else None

    def passages(self, doc_id: str) -> list[Passage]:
        return self.store.passages_of(self.document(doc_id).id)

    def passage(self, passage_id: str) -> Passage | None:
        return self.store.passages_by_ids([passage_id]).get(passage_id)

    def update_document(
        self, doc_id: str, *, date_source: str | None = None, **changes: object
    ) -> Document:
        """Edit title, publisher, published (ISO date), author or tags. A new date counts as
        the analyst's ("edited") unless ``date_source`` says where it was read."""
        return self.backend.update_document(self.document(doc_id), changes, date_source)

    def read_details_again(
        self, doc_ids: Sequence[str] | None = None, cancel: CancelToken | None = None
    ) -> Iterator[DetailsProgress | DetailsRead]:
        """Read documents' stored copies again with today's readers and propose the details
        (title, publisher, a missing date, author, address) that read differently; the last
        event is a ``DetailsRead``. Nothing is written: apply what is accepted with
        ``update_document`` (a date with its ``date_source``)."""
        docs = self.documents()
        if doc_ids is not None:
            wanted = set(doc_ids)
            docs = [d for d in docs if d.id in wanted]
        return read_details_again(
            docs,
            max_bytes=self.max_bytes,
            timeout=self.read_timeout_s,
            memory_mb=self.read_memory_mb,
            cancel=cancel,
        )

    def remove_document(self, doc_id: str) -> Document:
        """Remove a document and every trace of it: rows, vectors, keywords, the stored copy."""
        doc = self.document(doc_id)
        self.backend.remove_document(doc)
        return doc

    # -- import -------------------------------------------------------------------------------

    def import_paths(
        self, paths: Iterable[Path], cancel: CancelToken | None = None
    ) -> Iterator[ImportEvent]:
        """Import files and folders, yielding an event per step. Stops between steps when
        ``cancel`` is set; the file in progress is then not imported at all."""
        cancel = cancel or CancelToken()
        expanded = expand_paths(paths)
        total = len(expanded.files)
        yield ImportStarted(total, expanded.skipped)
        finished = ImportFinished(skipped=expanded.skipped)
        for index, path in enumerate(expanded.files, start=1):
            if cancel.cancelled:
                break
            yield FileStarted(index, total, path)
            try:
                event = yield from self._import_one(path, index, total, cancel)
            except Cancelled:
                break
            if isinstance(event, FileImported):
                finished.imported.append(event.document)
            elif isinstance(event, FileDuplicate):
                finished.duplicates.append(path)
            else:
                finished.failed.append((path, event.reason))
            yield event
        yield ImportFinished(
            finished.imported, finished.duplicates, finished.failed, finished.skipped,
            cancelled=cancel.cancelled,
        )  # fmt: skip

    def _import_one(
        self, path: Path, index: int, total: int, cancel: CancelToken
    ) -> Iterator[ImportEvent]:
        def failed(reason: str) -> FileFailed:
            return FileFailed(index, total, path, reason)

        try:
            # A file already in the library is known by its bytes alone: it is not parsed
            # again (re-importing a folder after an interrupted import costs seconds, not
            # minutes).
            known = _sha256_if_plain_file(path, self.max_bytes)
            existing = self.backend.existing(known) if known else None
            if existing is not None:
                return FileDuplicate(index, total, path, existing)
            # In a worker process, within limits: a hostile file costs itself, not the app.
            # A scan reports each page it has recognised (seconds each).
            steps = read_isolated_steps(
                path,
                max_bytes=self.max_bytes,
                timeout=self.read_timeout_s,
                memory_mb=self.read_memory_mb,
                cancel=cancel,
            )
            at = functools.partial(FileProgress, index, total, path, "reading")
            parsed = yield from relay_pages(steps, at)
            doc_id = known or _sha256(path)
            crash_point("import.read")
        except ReadError as exc:
            return failed(str(exc))
        except OSError as exc:
            return failed(f"cannot read file: {exc.strerror or exc}")
        existing = None if known else self.backend.existing(doc_id)
        if existing is not None:
            return FileDuplicate(index, total, path, existing)
        passages = chunk_blocks(doc_id, parsed.blocks)
        if not passages:
            return failed("no text found in document")
        cancel.raise_if_cancelled()

        vectors = []
        for start in range(0, len(passages), EMBED_BATCH):
            cancel.raise_if_cancelled()
            yield FileProgress(index, total, path, "embedding", start, len(passages))
            vectors.append(
                self.embedder.embed([p.text for p in passages[start : start + EMBED_BATCH]])
            )
            crash_point("import.embed")
        cancel.raise_if_cancelled()
        yield FileProgress(index, total, path, "saving", len(passages), len(passages))

        stored = self.folder / "files" / doc_id[:2] / f"{doc_id}{path.suffix.lower()}"
        with open(path, "rb") as src, atomic_write(stored) as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
            crash_point("import.copy")  # a temporary file, left for the next open to remove
        meta = parsed.meta
        doc = Document(
            id=doc_id,
            filename=path.name,
            kind=parsed.kind,
            title=meta.title.strip() or _fallback_title(path),
            publisher=meta.publisher.strip(),
            published=meta.published.strip(),
            author=meta.author.strip(),
            url=meta.url.strip(),
            date_source=meta.date_source,
            ocr_confidence=parsed.ocr_confidence,
            notes=list(parsed.notes),
            pages=parsed.pages,
            chars=sum(len(p.text) for p in passages),
            passages=len(passages),
            imported_at=_now(),
            stored_path=str(stored),
        )
        self.backend.save_document(doc, passages, np.vstack(vectors))
        return FileImported(index, total, path, doc)

    # -- search -------------------------------------------------------------------------------

    @_fresh
    def search(
        self,
        query: str,
        k: int = 8,
        *,
        doc_ids: Sequence[str] | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
        per_document: int | None = None,
        vector: np.ndarray | None = None,
    ) -> list[Hit]:
        """Hybrid search. Dense (Chroma), stemmed and exact keyword (FTS5/BM25) candidates are fused
        by their normalised scores with boosts for the question's hard terms, word pairs and
        year (rag.search.fusion), then chosen by maximal marginal relevance over the passages'
        embeddings (rag.search.diversity), so that one long document can supply most of the
        ``k`` when it is what answers while near-copies give way. ``per_document`` caps one
        document's share while others have passages left (no cap unless given). ``vector`` is
        the query's embedding when the caller has it already (embedding many queries in one
        call is faster)."""
        query = query.strip()
        if not query:
            return []
        allowed: list[str] | None = list(doc_ids) if doc_ids is not None else None
        if date_from or date_to:
            dated = set(self.store.document_ids_published_between(date_from, date_to))
            allowed = [d for d in (allowed if allowed is not None else dated) if d in dated]
        if vector is None:
            vector = self.embedder.embed_one(query)
        asked = parse_query(query)
        dense = self.index.query(vector, CANDIDATES, allowed)
        keyword = self.store.keyword_scores(
            asked.words, CANDIDATES, allowed, phrases=asked.phrases, stemmed=True
        )
        exact: list[tuple[str, float]] = []
        if fusion.WEIGHTS.keyword_exact > 0:  # as it is at the call: the tuning script sets it
            exact = self.store.keyword_scores(
                asked.words, CANDIDATES, allowed, phrases=asked.phrases
            )
        ids = list(dict.fromkeys([pid for pid, _ in [*keyword, *exact, *dense]]))
        passages = self.store.passages_by_ids(ids)
        vectors = self.store.embeddings_by_ids([pid for pid in ids if pid in passages])
        ids = [pid for pid in ids if pid in vectors]  # a passage removed since the index saw it
        docs = self.store.documents_by_ids(passages[pid].doc_id for pid in ids)
        bm25, bm25_exact = dict(keyword), dict(exact)
        unit = vector / (float(np.linalg.norm(vector)) or 1.0)
        candidates = [
            Candidate(
                id=pid,
                bm25=bm25.get(pid, 0.0),
                similarity=float(vectors[pid] @ unit)
                / (float(np.linalg.norm(vectors[pid])) or 1.0),
                text=f"{docs[passages[pid].doc_id].title}\n{passages[pid].text}",
                published=docs[passages[pid].doc_id].published,
                bm25_exact=bm25_exact.get(pid, 0.0),
            )
            for pid in ids
        ]
        scores = fuse(asked, candidates)
        ranked = sorted(scores, key=lambda pid: -scores[pid])
        if per_document is None:
            chosen = mmr(ranked, scores, vectors, k)
        else:
            chosen = cap_per_document(
                mmr(ranked, scores, vectors, len(ranked)),
                {pid: passages[pid].doc_id for pid in ranked}, k, per_document,
            )  # fmt: skip
        dense_rank = {pid: r for r, (pid, _) in enumerate(dense, start=1)}
        keyword_rank = {pid: r for r, (pid, _) in enumerate(keyword, start=1)}
        similarity = dict(dense)
        return [
            Hit(
                passage=passages[pid],
                document=docs[passages[pid].doc_id],
                score=scores[pid],
                dense_rank=dense_rank.get(pid),
                keyword_rank=keyword_rank.get(pid),
                similarity=similarity.get(pid),
            )
            for pid in chosen
        ]
