"""Checking a claim again after the analyst rewrote it.

An edited claim keeps the passages it cites (the analyst's choice; they are never silently
moved), but its verdict and its quotes are recomputed for the new words, so "supported" on
screen and in the export always describes the text that is there.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from rag.briefs.briefing import Claim
from rag.checking.checker import best_quote, check_claim

if TYPE_CHECKING:
    from rag.indexing.library import Library

REMOVED_SOURCE = "a cited document is no longer in the library"
_DATED = re.compile(r"^\d{4}(?:-\d{2}){0,2} — ")


def recheck_claim(library: Library, claim: Claim, text: str) -> Claim:
    """``claim`` with ``text``, marked edited, its quotes re-picked and its check re-run
    against the passages it cites."""
    text = " ".join(text.split())
    ids = [c.passage_id for c in claim.citations]
    passages = library.store.passages_by_ids(ids)
    vectors = library.store.embeddings_by_ids(ids)
    pool = {pid: (passages[pid], vectors[pid]) for pid in ids if pid in passages and pid in vectors}
    # A timeline entry's leading date ("2026-03-16 — ...") is the event's, from its facts; the
    # sentence after it is what is checked, as when it was drafted.
    said = _DATED.sub("", text)
    result = check_claim(said, library.embedder.embed_one(said), list(pool), pool)
    check = result.check
    if check.status == "reattributed":  # another of its own citations carries it
        check = replace(check, status="supported")
    if len(pool) < len(dict.fromkeys(ids)):
        check = replace(check, status="unsupported", reasons=[REMOVED_SOURCE, *check.reasons])
    citations = [
        replace(c, quote=best_quote(said, passages[c.passage_id].text))
        if c.passage_id in pool
        else c
        for c in claim.citations
    ]
    return replace(claim, text=text, citations=citations, check=check, edited=True)


__all__ = ["REMOVED_SOURCE", "recheck_claim"]
