"""Fusing dense and keyword rankings, and keeping one long document from taking every slot.

Pure functions over ids, so they are tested without an index.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

# The usual constant from Cormack et al. (2009): damps the weight of the very top ranks so that
# agreement between the two lists matters more than either list's first place.
RRF_K = 60


def rrf_fuse(rankings: Sequence[Sequence[str]], k: int = RRF_K) -> dict[str, float]:
    """Reciprocal-rank fusion: each list gives 1/(k + rank) to each id it ranks."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return scores


def diversify(
    ranked: Sequence[str], doc_of: Mapping[str, str], k: int, per_document: int
) -> list[str]:
    """The best ``k`` ids, at most ``per_document`` from any one document while others have
    candidates left; the cap is lifted only if the other documents run out."""
    chosen: list[str] = []
    taken: Counter[str] = Counter()
    held_back: list[str] = []
    for item in ranked:
        if len(chosen) >= k:
            break
        doc = doc_of[item]
        if taken[doc] < per_document:
            chosen.append(item)
            taken[doc] += 1
        else:
            held_back.append(item)
    for item in held_back:
        if len(chosen) >= k:
            break
        chosen.append(item)
    return chosen
