"""Fusing the keyword and dense rankings by their scores, with boosts for what the question
insists on.

Reciprocal-rank fusion with equal weights threw the scores away: a passage ranked tenth by
both lists beat the keyword list's clear first. Here each list's score is normalised against
its own best (BM25 divided by the top BM25; cosine above a floor divided by the top cosine
above that floor) and the two are weighted, keyword first; a passage holding the question's
hard terms (figures, codes, names, acronyms in any of their forms), its word pairs, or its
year gains on top. Weights were tuned on the tuning half of the evaluation questions only
(bench/phase_search.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rag.search.query import Query, normalise

# The usual constant from Cormack et al. (2009); kept for the benchmark's comparison with the
# fusion BriefDesk shipped first.
RRF_K = 60


@dataclass(frozen=True)
class Weights:
    """Tuned with bench/tune_search.py on the tune split of eval/retrieval.json (100
    questions; the 60 test questions were written afterwards by someone who never saw this
    code, and measured once). ``names`` tuned to 0.0 at no gain over 0.3 (the same recall and
    MRR within 0.001); 0.3 is what lets an acronym in the question lift the passage that
    spells it out when another shares more of the question's plain words."""

    keyword: float = 0.8  # stemmed BM25 ("restrictions" meets "restricted")
    keyword_exact: float = 0.3  # exact-word BM25 beside it: the words as the analyst wrote them
    dense: float = 0.8
    dense_floor: float = 0.0  # cosine at or below which a passage gets nothing from dense
    exact: float = 0.8  # all of the question's figures, codes, dates and quoted phrases present
    names: float = 0.3  # all of its names, acronyms (in any of their forms) and months present
    pairs: float = 0.6  # all adjacent word pairs present
    year: float = 0.5  # published in, or mentions, a year the question names


WEIGHTS = Weights()


@dataclass(frozen=True)
class Candidate:
    """A passage either list found, with what fusion needs to know about it."""

    id: str
    bm25: float  # 0.0 when the keyword search did not return it
    similarity: float  # cosine to the query
    text: str  # the passage with its document's title
    published: str = ""  # the document's publication date, ISO, possibly partial
    bm25_exact: float = 0.0  # BM25 over the exact words; 0.0 when not searched or not found


def rrf_fuse(rankings: Sequence[Sequence[str]], k: int = RRF_K) -> dict[str, float]:
    """Reciprocal-rank fusion: each list gives 1/(k + rank) to each id it ranks."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return scores


def _share(found: int, total: int) -> float:
    return found / total if total else 0.0


def year_matches(query: Query, candidate: Candidate, normalised_text: str) -> bool:
    return any(
        candidate.published.startswith(y) or f" {y} " in normalised_text for y in query.years
    )


def fuse(
    query: Query, candidates: Sequence[Candidate], weights: Weights | None = None
) -> dict[str, float]:
    """Each candidate's fused score; higher is better. ``weights`` default to WEIGHTS as it
    is at the call (the tuning script sets it)."""
    weights = weights or WEIGHTS
    if not candidates:
        return {}
    top_bm25 = max(c.bm25 for c in candidates)
    top_exact = max(c.bm25_exact for c in candidates)
    top_dense = max(c.similarity for c in candidates) - weights.dense_floor
    exact = [t for t in query.hard_terms if t.exact]
    names = [t for t in query.hard_terms if not t.exact]
    scores: dict[str, float] = {}
    for c in candidates:
        score = weights.keyword * (c.bm25 / top_bm25 if top_bm25 > 0 else 0.0)
        if top_exact > 0:
            score += weights.keyword_exact * c.bm25_exact / top_exact
        if top_dense > 0:
            score += weights.dense * max(0.0, c.similarity - weights.dense_floor) / top_dense
        if query.hard_terms or query.pairs or query.years:
            text = normalise(c.text)
            for weight, terms in ((weights.exact, exact), (weights.names, names)):
                found = sum(t.found_in(text, c.published) for t in terms)
                score += weight * _share(found, len(terms))
            pairs = sum(f" {p} " in text for p in query.pairs)
            score += weights.pairs * _share(pairs, len(query.pairs))
            if query.years and year_matches(query, c, text):
                score += weights.year
        scores[c.id] = score
    return scores
