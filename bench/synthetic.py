"""Generated passages for the search benchmark: seed sentences recombined, with vectors made
from the real embeddings of those sentences, so 100k passages need no 100k embedding calls.

Each passage is 3-6 seed sentences; its vector is the normalised mean of their embeddings plus
a little noise. Text and vector therefore agree about what a passage is about, as in a real
library, and nearby passages share words, as real ones do.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from rag.models.embedding import Embedder

DOC_SIZE = 100  # passages per generated document
NOISE = 0.02


@dataclass
class Pool:
    sentences: list[str]
    vectors: np.ndarray  # one unit vector per sentence


def make_pool(embedder: Embedder, sentences: list[str]) -> Pool:
    return Pool(sentences, embedder.embed(sentences))


def generate(pool: Pool, count: int, seed: int) -> Iterator[tuple[list[str], np.ndarray]]:
    """``count`` passages in documents of DOC_SIZE: (texts, vectors) per document."""
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    n = len(pool.sentences)
    dims = pool.vectors.shape[1]
    made = 0
    while made < count:
        size = min(DOC_SIZE, count - made)
        picks = [rng.sample(range(n), rng.randint(3, 6)) for _ in range(size)]
        texts = [" ".join(pool.sentences[i] for i in p) for p in picks]
        vecs = np.stack([pool.vectors[p].mean(axis=0) for p in picks])
        vecs += nrng.normal(0.0, NOISE, (size, dims)).astype(np.float32)
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
        made += size
        yield texts, vecs.astype(np.float32)
