"""A search given the query's embedding finds what the same search finds embedding it itself."""

from __future__ import annotations

from pathlib import Path

from rag.indexing.library import Library


def test_search_with_a_precomputed_vector_is_the_same_search(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text(
        "Title: Blacklist\n\nChina added 28 U.S. companies to its unreliable entity list.\n\n"
        "The Commerce Department restricted exports of frontier model weights.\n",
        encoding="utf-8",
    )
    (docs / "b.txt").write_text(
        "Title: Weather\n\nRain is expected across the region on Tuesday afternoon.\n",
        encoding="utf-8",
    )
    with Library.open(tmp_path / "lib") as lib:
        for _ in lib.import_paths([docs]):
            pass
        queries = ["Which companies did China blacklist?", "rain on Tuesday"]
        vectors = lib.embedder.embed(queries)
        for query, vector in zip(queries, vectors, strict=True):
            plain = lib.search(query, 3)
            given = lib.search(query, 3, vector=vector)
            assert [h.passage.id for h in given] == [h.passage.id for h in plain]
            assert [h.dense_rank for h in given] == [h.dense_rank for h in plain]
        assert lib.search("rain on Tuesday", 1, vector=vectors[1])[0].document.title == "Weather"
