"""Keyword search in a large library skips words most passages hold; counts stay exact."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from rag.core.types import Document, Locator, Passage
from rag.indexing.store import COMMON_WORD_MIN_PASSAGES, Store


def _add(store: Store, doc_id: str, texts: list[str]) -> None:
    passages = [
        Passage(f"{doc_id}:{i}", doc_id, i, t, Locator(page=1)) for i, t in enumerate(texts)
    ]
    doc = Document(
        id=doc_id, filename=f"{doc_id}.txt", kind="txt", title="Report", publisher="",
        published="", author="", pages=None, chars=sum(map(len, texts)), passages=len(texts),
        imported_at="2026-03-01T00:00:00", stored_path="",
    )  # fmt: skip
    store.add_document(doc, passages, np.zeros((len(texts), 384), dtype=np.float32))


def test_words_in_most_passages_are_skipped_and_rare_ones_rank(tmp_path: Path) -> None:
    store = Store(tmp_path / "library.sqlite3")
    n = COMMON_WORD_MIN_PASSAGES + 200
    texts = [f"Export controls update number {i} on chips." for i in range(n)]
    texts[7] = "Export controls on items under ECCN 3A090 were tightened."
    texts[900] = "Export of 3A090 chips to Malaysia needs a licence; 3A090 again."
    _add(store, "big", texts)
    assert store.passage_count() == n

    hits = store.keyword_search("export controls on 3A090", 50)
    # "export" and "controls" are in every passage: only the rare code decides, so the two
    # passages that hold it are all that match, the one holding it twice first.
    assert hits == ["big:900", "big:7"]
    # A query of only common words still finds passages.
    assert len(store.keyword_search("export controls", 10)) == 10


def test_a_small_library_keeps_every_word(tmp_path: Path) -> None:
    store = Store(tmp_path / "library.sqlite3")
    _add(store, "small", ["Export controls on chips.", "Export of 3A090 items.", "Weather."])
    assert set(store.keyword_search("export 3A090", 10)) == {"small:0", "small:1"}


def test_the_cached_passage_count_follows_adds_and_removals(tmp_path: Path) -> None:
    store = Store(tmp_path / "library.sqlite3")
    assert store.passage_count() == 0
    _add(store, "a", ["one", "two"])
    assert store.passage_count() == 2
    _add(store, "b", ["three"])
    assert store.passage_count() == 3
    store.remove_document("a")
    assert store.passage_count() == 1


def test_word_counts_are_forgotten_when_passages_change(tmp_path: Path) -> None:
    store = Store(tmp_path / "library.sqlite3")
    n = COMMON_WORD_MIN_PASSAGES + 10
    _add(store, "a", [f"Chip report {i}." for i in range(n)])
    _add(store, "b", ["A licence for 3A090 chips.", "Another 3A090 licence."])
    # "licence" is rare: kept, and it matches only b's passages anyway.
    assert set(store.keyword_search("licence 3A090", 50)) == {"b:0", "b:1"}
    _add(store, "c", [f"Licence note {i}." for i in range(2 * n)])
    # Now most passages hold "licence": it is skipped, so only the code decides. A count
    # remembered from before the write would keep it and return 50 licence notes.
    assert set(store.keyword_search("licence 3A090", 50)) == {"b:0", "b:1"}
    store.remove_document("b")
    assert store.keyword_search("3A090", 50) == []
