"""Checking a claim again after the analyst rewrote it.

An edited claim keeps the passages it cites (the analyst's choice; they are never silently
moved), but its verdict and its quotes are recomputed for the new words, so "supported" on
screen and in the export always describes the text that is there.

A client edits in three steps, none of which sets a verdict itself: ``show_edit`` puts the new
words in at once, unchecked (the old verdict described other words); ``recheck_claim`` runs the
checker, off the GUI thread; ``take_recheck`` applies its verdict and quotes only if the claim
still says what was checked. ``restore_edit`` undoes an edit: words, verdict and quotes together.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import TYPE_CHECKING

from rag.briefs.briefing import Claim
from rag.checking.checker import best_quote, check_claim
from rag.checking.verdict import SupportCheck
from rag.core.types import Document, Passage
from rag.drafting.repeats import DATED
from rag.reading.relative_dates import resolve_relative_dates

if TYPE_CHECKING:
    from rag.indexing.library import Library

REMOVED_SOURCE = "a cited document is no longer in the library"


def _as_typed(text: str) -> str:
    """The words as checked and stored: runs of white space are one space."""
    return " ".join(text.split())


def show_edit(claim: Claim, text: str) -> None:
    """Put the analyst's words into ``claim`` at once, marked edited and unchecked until
    ``recheck_claim``'s answer arrives (its old verdict and quotes described other words)."""
    claim.text, claim.edited, claim.check = _as_typed(text), True, SupportCheck.unchecked()


def take_recheck(claim: Claim, checked: Claim) -> bool:
    """Give ``claim`` the verdict and quotes of ``checked`` (``recheck_claim``'s answer for
    it) if it still says what was checked. False, and nothing changed, if the analyst has
    edited or undone it meanwhile: the answer for its present words is still to come."""
    if claim.text != checked.text:
        return False
    claim.check, claim.citations = checked.check, checked.citations
    return True


def restore_edit(claim: Claim, old: Claim) -> None:
    """Put back ``claim`` as ``old`` was (undo of an edit): its words, whether it was edited,
    its verdict and its quotes together, so no verdict is ever shown beside other words."""
    restored = copy.deepcopy(old)  # ``old`` stays the undo stack's, untouched by later edits
    claim.text, claim.edited = restored.text, restored.edited
    claim.check, claim.citations = restored.check, restored.citations


def recheck_claim(library: Library, claim: Claim, text: str) -> Claim:
    """``claim`` with ``text``, marked edited, its quotes re-picked and its check re-run
    against the passages it cites."""
    text = _as_typed(text)
    ids = [c.passage_id for c in claim.citations]
    passages = library.store.passages_by_ids(ids)
    vectors = library.store.embeddings_by_ids(ids)
    # The passages as drafting read them: "today" written out against the document's date,
    # so an edit keeping the drafted "on March 3, 2026" is still supported.
    documents = library.store.documents_by_ids({p.doc_id for p in passages.values()})
    pool = {
        pid: (_dated(passages[pid], documents), vectors[pid])
        for pid in ids
        if pid in passages and pid in vectors
    }
    # A timeline entry's leading date ("2026-03-16 — ...") is the event's, from its facts; the
    # sentence after it is what is checked, as when it was drafted.
    said = DATED.sub("", text)
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


def _dated(passage: Passage, documents: dict[str, Document]) -> Passage:
    doc = documents.get(passage.doc_id)
    if doc is None:
        return passage
    return replace(passage, text=resolve_relative_dates(passage.text, doc.published))


__all__ = ["REMOVED_SOURCE", "recheck_claim", "restore_edit", "show_edit", "take_recheck"]
