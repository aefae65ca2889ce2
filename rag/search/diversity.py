"""Choosing the final passages from the fused ranking: relevant, and not saying the same thing
twice.

Maximal marginal relevance (Carbonell and Goldstein, 1998) over the passages' own embeddings:
each next passage is the one whose fused score, less its similarity to the passages already
chosen, is highest. A long rule can therefore supply several of the top passages when they
answer different parts of a question, where a fixed cap per document pushed the answer out;
near-copies (the same wire story in two outlets, a passage repeated in a summary) give way to
something new.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np

REDUNDANCY = 0.35  # how much similarity to a chosen passage costs, in fused-score units
SAME_DOCUMENT = 0.05  # extra cost per passage a document already has beyond ``per_document``


def mmr(
    ranked: Sequence[str],
    scores: Mapping[str, float],
    vectors: Mapping[str, np.ndarray],
    doc_of: Mapping[str, str],
    k: int,
    *,
    per_document: int = 2,
    redundancy: float | None = None,
    same_document: float | None = None,
) -> list[str]:
    """The ``k`` ids chosen greedily by score less redundancy. A document holding
    ``per_document`` chosen passages pays ``same_document`` more for each further one: a
    preference for breadth, not a cap. Unset costs are the module's (REDUNDANCY,
    SAME_DOCUMENT) as they are at the call."""
    redundancy = REDUNDANCY if redundancy is None else redundancy
    same_document = SAME_DOCUMENT if same_document is None else same_document
    pool = [i for i in ranked if i in vectors]
    if not pool or k <= 0:
        return []
    matrix = np.vstack([vectors[i] for i in pool]).astype(np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    matrix = matrix / np.where(norms > 0, norms, 1.0)
    relevance = np.array([scores[i] for i in pool], dtype=np.float32)
    closest = np.zeros(len(pool), dtype=np.float32)  # similarity to the nearest chosen one
    taken: Counter[str] = Counter()
    open_ = np.ones(len(pool), dtype=bool)
    chosen: list[str] = []
    while len(chosen) < k and open_.any():
        crowded = np.array(
            [max(0, taken[doc_of[i]] - per_document + 1) for i in pool], dtype=np.float32
        )
        value = relevance - redundancy * closest - same_document * crowded
        value[~open_] = -np.inf
        best = int(np.argmax(value))
        chosen.append(pool[best])
        open_[best] = False
        taken[doc_of[pool[best]]] += 1
        closest = np.maximum(closest, matrix @ matrix[best])
    return chosen


def cap_per_document(
    ranked: Sequence[str], doc_of: Mapping[str, str], k: int, per_document: int
) -> list[str]:
    """The best ``k`` ids, at most ``per_document`` from any one document while others have
    candidates left (the diversity BriefDesk shipped first; the benchmark compares with it)."""
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
