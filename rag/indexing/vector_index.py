"""The dense vector index over the library's passages, in Chroma. The only module that imports
chromadb.

Chroma holds only ids, vectors and each passage's document id: the text and the vectors themselves
live in the library's SQLite store (rag.indexing.store), from which this index can be rebuilt at any
time. Each rebuild writes a new "generation" folder, so a corrupted one is never reopened in the
same process (chromadb caches clients per path) and is deleted once the new one works.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

# chromadb's telemetry is off through Settings below; this keeps its posthog client quiet too.
logging.getLogger("chromadb.telemetry.product.posthog").setLevel(logging.CRITICAL)

import chromadb  # noqa: E402
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings  # noqa: E402
from chromadb.config import Settings as ChromaSettings  # noqa: E402

from rag.core.crashpoints import crash_point  # noqa: E402
from rag.models.embedding import MODEL_ID, Embedder  # noqa: E402

COLLECTION = "passages"


class OfflineEmbeddingFunction(EmbeddingFunction[Documents]):
    """Chroma's hook for embedding text, backed by our offline ONNX embedder.

    Passing it explicitly keeps Chroma from ever building its default function, which would try
    to download a model. BriefDesk hands Chroma precomputed vectors, so it is rarely called.
    """

    def __init__(self, embedder: Embedder | None) -> None:
        self._embedder = embedder

    def __call__(self, input: Documents) -> Embeddings:
        if self._embedder is None:
            raise RuntimeError("no embedder attached to this index")
        return list(self._embedder.embed(list(input)))

    @staticmethod
    def name() -> str:
        return "briefdesk-offline-minilm"

    def get_config(self) -> dict[str, Any]:
        return {"model": MODEL_ID}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> OfflineEmbeddingFunction:
        return OfflineEmbeddingFunction(None)

    def default_space(self) -> str:  # type: ignore[override]
        return "cosine"


def chroma_settings() -> ChromaSettings:
    return ChromaSettings(anonymized_telemetry=False, allow_reset=False)


class VectorIndex:
    """Vectors by passage id, searchable by cosine similarity."""

    def __init__(self, collection: Any, location: str) -> None:
        self._collection = collection
        self.location = location

    @classmethod
    def open_embedded(cls, folder: Path, embedder: Embedder | None) -> VectorIndex:
        folder.mkdir(parents=True, exist_ok=True)
        client = chromadb.PersistentClient(path=str(folder), settings=chroma_settings())
        return cls(collection_for(client, COLLECTION, embedder), str(folder))

    def upsert(self, ids: Sequence[str], doc_ids: Sequence[str], vectors: np.ndarray) -> None:
        for start in range(0, len(ids), 1000):
            end = start + 1000
            self._collection.upsert(
                ids=list(ids[start:end]),
                embeddings=vectors[start:end],
                metadatas=[{"doc_id": d} for d in doc_ids[start:end]],
            )
            crash_point("index.upsert")

    def delete_document(self, doc_id: str) -> None:
        self._collection.delete(where={"doc_id": doc_id})

    def count(self) -> int:
        return int(self._collection.count())

    def query(
        self, vector: np.ndarray, n: int, doc_ids: Sequence[str] | None = None
    ) -> list[tuple[str, float]]:
        """(passage id, cosine similarity), best first."""
        if doc_ids is not None and not doc_ids:
            return []
        where = None
        if doc_ids is not None:
            where = {"doc_id": {"$in": list(doc_ids)}}
        res = self._collection.query(
            query_embeddings=[vector], n_results=max(1, n), where=where, include=["distances"]
        )
        ids = res["ids"][0]
        dists = (res.get("distances") or [[1.0] * len(ids)])[0]
        return [(i, 1.0 - float(d)) for i, d in zip(ids, dists, strict=True)]


def http_client(host: str, port: int, ssl: bool) -> Any:
    """A client of a Chroma server (``chroma run``), checked with a heartbeat so that an
    unreachable server fails here, at once, rather than at the first read."""
    client = chromadb.HttpClient(host=host, port=port, ssl=ssl, settings=chroma_settings())
    client.heartbeat()
    return client


def collection_for(client: Any, name: str, embedder: Embedder | None) -> Any:
    return client.get_or_create_collection(
        name=name,
        embedding_function=OfflineEmbeddingFunction(embedder),
        configuration={"hnsw": {"space": "cosine"}},
    )


def remove_folder(folder: Path) -> None:
    """Delete an index generation. Best effort: a leftover folder is only wasted disk."""
    with contextlib.suppress(OSError):
        shutil.rmtree(folder)
