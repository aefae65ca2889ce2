"""The offline embedder: the same vectors as Chroma's own class, whatever the batching."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from rag.models.embedding import Embedder
from rag.models.provision import embedding_model_dir

TEXTS = [
    "BIS added 14 entities to the Entity List.",
    "China's Ministry of Commerce placed 28 American companies on its unreliable entity "
    "list on 4 March 2026, citing national security, in a move analysts read as retaliation "
    "for the U.S. rule restricting access to frontier model weights. " * 3,
    "Export controls.",
    "The rule takes effect on 16 March 2026; comments are due by 1 May. " * 9,
]


def test_vectors_match_chromas_own_class_padded_to_256(tmp_path: Path) -> None:
    from bench.stock_chroma import stock_embedding_function  # the repository root is on the path

    model_dir = embedding_model_dir()
    ours = Embedder(model_dir).embed(TEXTS)
    stock = np.array(stock_embedding_function(model_dir, tmp_path)(TEXTS))
    assert ours.shape == stock.shape == (len(TEXTS), 384)
    # Padding is masked out of the attention and the pooling: only rounding differs.
    assert np.allclose(ours, stock, atol=2e-3), np.abs(ours - stock).max()


def test_batch_size_and_order_do_not_change_a_vector() -> None:
    model_dir = embedding_model_dir()
    one_by_one = np.stack([Embedder(model_dir, batch_size=1).embed_one(t) for t in TEXTS])
    batched = Embedder(model_dir, batch_size=3).embed(TEXTS[::-1])[::-1]
    assert np.allclose(one_by_one, batched, atol=2e-3)
    assert np.allclose(np.linalg.norm(batched, axis=1), 1.0, atol=1e-5)
