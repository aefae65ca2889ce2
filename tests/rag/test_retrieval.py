from __future__ import annotations

from rag.indexing.store import fts_query
from rag.search.diversity import cap_per_document
from rag.search.fusion import rrf_fuse


def test_rrf_rewards_agreement_between_lists() -> None:
    scores = rrf_fuse([["a", "b", "c"], ["c", "b", "d"]])
    ranked = sorted(scores, key=lambda i: -scores[i])
    assert ranked[0] == "b" or ranked[0] == "c"
    assert scores["b"] > scores["a"] and scores["c"] > scores["d"]


def test_cap_per_document_while_others_have_candidates() -> None:
    ranked = ["a1", "a2", "a3", "a4", "b1", "c1"]
    doc_of = {i: i[0] for i in ranked}
    assert cap_per_document(ranked, doc_of, 4, per_document=2) == ["a1", "a2", "b1", "c1"]


def test_cap_per_document_is_lifted_when_others_run_out() -> None:
    ranked = ["a1", "a2", "a3", "b1"]
    doc_of = {i: i[0] for i in ranked}
    assert cap_per_document(ranked, doc_of, 4, per_document=1) == ["a1", "b1", "a2", "a3"]


def test_fts_query_quotes_codes_and_operators() -> None:
    assert fts_query('ECCN 3A090 OR "NEAR"') == '"eccn" OR "3a090" OR "near"'
    assert fts_query("Which companies did China add?") == '"companies" OR "china" OR "add"'
    assert fts_query("who is it") == '"who" OR "is" OR "it"'
    assert fts_query("  ,;  ") == ""
