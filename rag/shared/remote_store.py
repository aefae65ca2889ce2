"""A shared library's truth, kept on a Chroma server (``chroma run``) that a team shares.

Two collections per library, named after it:

    <name>-documents   one record per document: its fields as metadata, ``complete`` = True
    <name>-passages    one record per passage: vector, text, doc id, ordinal and locator;
                       also the dense index that search queries

Writes are safe for many clients at once because every id is deterministic: a document is the
SHA-256 of its file's bytes and a passage is ``<doc_id>:<ordinal>`` of a deterministic
chunking, so two clients importing the same file write the same records (upserts), never two
documents. A document's record is written only after all its passages, so a client that sees
the record can read every passage; passages whose record never came (an import killed halfway)
stay invisible and are overwritten by the next import of that file.

Chroma itself is reached through rag.indexing.vector_index, still the only module that
imports chromadb.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from rag.core.errors import BriefDeskError, LibraryError
from rag.core.server_address import ServerAddress, parse_server_url
from rag.core.types import Document, Locator, Passage
from rag.indexing.vector_index import VectorIndex, collection_for, http_client
from rag.models.embedding import Embedder

CHROMA_PORT = 8000  # what `chroma run` listens on unless told otherwise
PAGE = 1000  # records per request: keeps each HTTP answer small
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,40}[A-Za-z0-9]$")


def chroma_address(url: str) -> ServerAddress:
    try:
        return parse_server_url(url, CHROMA_PORT)
    except BriefDeskError as exc:
        raise LibraryError(f"The Chroma server address is not usable: {exc}") from None


def check_library_name(name: str) -> str:
    if not _NAME.match(name):
        raise LibraryError(
            f"{name!r} cannot name a shared library: use 3 to 42 letters, digits, dots, dashes "
            "or underscores, starting and ending with a letter or digit."
        )
    return name


def _unreachable(address: ServerAddress, exc: BaseException) -> LibraryError:
    reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
    return LibraryError(
        f"Cannot reach the Chroma server at {address.url} ({reason}). Is `chroma run` running "
        "there, and is this computer allowed to connect to it?"
    )


def _record_meta(doc: Document) -> dict[str, Any]:
    # Chroma metadata holds str, int, float and bool only: no None, no lists.
    return {
        "filename": doc.filename, "kind": doc.kind, "title": doc.title,
        "publisher": doc.publisher, "published": doc.published, "author": doc.author,
        "pages": -1 if doc.pages is None else doc.pages, "chars": doc.chars,
        "passages": doc.passages, "imported_at": doc.imported_at, "tags": json.dumps(doc.tags),
        "url": doc.url, "date_source": doc.date_source, "complete": True,
    }  # fmt: skip


def _document(doc_id: str, meta: dict[str, Any]) -> Document:
    pages = int(meta.get("pages", -1))
    return Document(
        id=doc_id,
        filename=str(meta.get("filename", "")),
        kind=str(meta.get("kind", "")),
        title=str(meta.get("title", "")),
        publisher=str(meta.get("publisher", "")),
        published=str(meta.get("published", "")),
        author=str(meta.get("author", "")),
        pages=None if pages < 0 else pages,
        chars=int(meta.get("chars", 0)),
        passages=int(meta.get("passages", 0)),
        imported_at=str(meta.get("imported_at", "")),
        stored_path="",  # the original file stays on the computer that imported it
        tags=list(json.loads(str(meta.get("tags", "[]")))),
        url=str(meta.get("url", "")),
        date_source=str(meta.get("date_source", "")),
    )


class ServerIndex(VectorIndex):
    """The passages collection as the dense index, its failures named like the store's."""

    def __init__(self, collection: Any, location: str, store: RemoteStore) -> None:
        super().__init__(collection, location)
        self._store = store

    def query(
        self, vector: np.ndarray, n: int, doc_ids: Sequence[str] | None = None
    ) -> list[tuple[str, float]]:
        return self._store._call("searching", super().query, vector=vector, n=n, doc_ids=doc_ids)

    def count(self) -> int:
        return int(self._store._call("counting passages", super().count))

    def upsert(self, ids: Sequence[str], doc_ids: Sequence[str], vectors: np.ndarray) -> None:
        self._store._call(
            "saving passages", super().upsert, ids=ids, doc_ids=doc_ids, vectors=vectors
        )

    def delete_document(self, doc_id: str) -> None:
        self._store._call("removing passages", super().delete_document, doc_id=doc_id)


class RemoteStore:
    """The documents and passages of one shared library on one Chroma server."""

    def __init__(self, address: ServerAddress, name: str, client: Any, embedder: Embedder):
        self.address = address
        self.name = name
        self._client = client
        try:
            self._documents = collection_for(client, f"{name}-documents", None)
            passages = collection_for(client, f"{name}-passages", embedder)
        except Exception as exc:
            raise _unreachable(address, exc) from None
        self._passages = passages
        self.index = ServerIndex(passages, f"{address.url}/{name}", self)

    @classmethod
    def connect(cls, url: str, name: str, embedder: Embedder) -> RemoteStore:
        address = chroma_address(url)
        check_library_name(name)
        try:
            client = http_client(address.host, address.port, address.ssl)
        except Exception as exc:  # connection refused, DNS, timeouts, a non-Chroma server...
            raise _unreachable(address, exc) from None
        return cls(address, name, client, embedder)

    @property
    def location(self) -> str:
        return f"{self.address.url} (library {self.name!r})"

    def _call(self, what: str, fn: Any, /, **kwargs: Any) -> Any:
        """Every request goes through here so that a server gone away is reported with its
        address and what was being done, not as a chromadb traceback."""
        try:
            return fn(**kwargs)
        except Exception as exc:
            raise LibraryError(
                f"The Chroma server at {self.address.url} failed while {what}: "
                f"{str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__}"
            ) from None

    # -- reading ------------------------------------------------------------------------------

    def documents(self) -> dict[str, Document]:
        """Every complete document, by id."""
        out: dict[str, Document] = {}
        offset = 0
        while True:
            got = self._call(
                "listing documents", self._documents.get,
                where={"complete": True}, include=["metadatas"], limit=PAGE, offset=offset,
            )  # fmt: skip
            for doc_id, meta in zip(got["ids"], got["metadatas"] or [], strict=True):
                out[doc_id] = _document(doc_id, dict(meta or {}))
            if len(got["ids"]) < PAGE:
                return out
            offset += PAGE

    def document(self, doc_id: str) -> Document | None:
        got = self._call(
            "looking up a document", self._documents.get, ids=[doc_id], include=["metadatas"]
        )
        for found, meta in zip(got["ids"], got["metadatas"] or [], strict=True):
            if found == doc_id and meta and meta.get("complete") is True:
                return _document(doc_id, dict(meta))
        return None

    def passages_of(self, doc_ids: Sequence[str]) -> tuple[list[Passage], np.ndarray]:
        """The passages of these documents (in id order per document) with their vectors."""
        passages: list[Passage] = []
        vectors: list[np.ndarray] = []
        ids = list(doc_ids)
        if not ids:
            return [], np.zeros((0, 0), np.float32)
        where: dict[str, Any] = {"doc_id": ids[0]} if len(ids) == 1 else {"doc_id": {"$in": ids}}
        offset = 0
        while True:
            got = self._call(
                "reading passages", self._passages.get,
                where=where, include=["documents", "metadatas", "embeddings"],
                limit=PAGE, offset=offset,
            )  # fmt: skip
            metas = got["metadatas"] or []
            for pid, text, meta, vec in zip(
                got["ids"], got["documents"], metas, got["embeddings"], strict=True
            ):
                passages.append(
                    Passage(
                        id=pid,
                        doc_id=str(meta["doc_id"]),
                        ordinal=int(meta["ordinal"]),
                        text=text or "",
                        locator=Locator.from_dict(json.loads(str(meta["locator"]))),
                    )
                )
                vectors.append(np.asarray(vec, dtype=np.float32))
            if len(got["ids"]) < PAGE:
                break
            offset += PAGE
        order = sorted(
            range(len(passages)), key=lambda i: (passages[i].doc_id, passages[i].ordinal)
        )
        matrix = np.vstack([vectors[i] for i in order]) if order else np.zeros((0, 0), np.float32)
        return [passages[i] for i in order], matrix

    # -- writing ------------------------------------------------------------------------------

    def put_document(self, doc: Document, passages: Sequence[Passage], vectors: np.ndarray) -> None:
        """Write the passages, then the record that makes the document visible."""
        for start in range(0, len(passages), PAGE):
            part = passages[start : start + PAGE]
            self._call(
                "saving passages", self._passages.upsert,
                ids=[p.id for p in part],
                embeddings=np.ascontiguousarray(vectors[start : start + PAGE], dtype=np.float32),
                documents=[p.text for p in part],
                metadatas=[
                    {"doc_id": p.doc_id, "ordinal": p.ordinal,
                     "locator": json.dumps(p.locator.to_dict())}
                    for p in part
                ],
            )  # fmt: skip
        # The record's vector is the document's mean passage vector: Chroma wants one, and it
        # is a fair summary of the document should anyone search documents one day.
        mean = np.asarray(vectors, dtype=np.float32).mean(axis=0)
        mean /= max(float(np.linalg.norm(mean)), 1e-12)
        self._call(
            "saving the document record", self._documents.upsert,
            ids=[doc.id], embeddings=mean[None, :], metadatas=[_record_meta(doc)],
        )  # fmt: skip

    def update_document(self, doc: Document) -> None:
        """Replace a complete document's editable fields (the last editor wins)."""
        self._call(
            "saving the document's details", self._documents.update,
            ids=[doc.id], metadatas=[_record_meta(doc)],
        )  # fmt: skip

    def remove_document(self, doc_id: str) -> None:
        """The record goes first, so no client sees a document whose passages are going."""
        self._call("removing a document", self._documents.delete, ids=[doc_id])
        self._call("removing passages", self._passages.delete, where={"doc_id": doc_id})

    def counts(self) -> tuple[int, int]:
        """(document records, passage records) as the server holds them, complete or not."""
        return (
            int(self._call("counting", self._documents.count)),
            int(self._call("counting", self._passages.count)),
        )
