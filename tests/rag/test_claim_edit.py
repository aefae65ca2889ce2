"""An edited claim is checked again, against the passages it cites, with the real checker."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from rag.briefs.briefing import Citation, Claim
from rag.checking.verdict import SupportCheck
from rag.core.types import Locator
from rag.drafting.claim_edit import (
    REMOVED_SOURCE,
    recheck_claim,
    restore_edit,
    show_edit,
    take_recheck,
)
from rag.indexing.library import Library


@pytest.fixture
def lib(demo_folder: Path):
    with Library.open(demo_folder) as library:
        yield library


def claim_citing(lib: Library, phrase: str) -> Claim:
    hit = next(h for h in lib.search(phrase, k=5) if phrase in " ".join(h.passage.text.split()))
    citation = Citation(
        passage_id=hit.passage.id,
        doc_id=hit.document.id,
        locator=hit.passage.locator,
        quote="",
        doc_title=hit.document.title,
        publisher=hit.document.publisher,
        published=hit.document.published,
    )
    return Claim("c1", "placeholder", [citation], SupportCheck.unchecked())


def test_an_edit_that_breaks_a_name_is_flagged_and_a_good_one_supported(lib: Library) -> None:
    claim = claim_citing(lib, "the first time the unreliable entity list")
    text = (
        "Lin Haoran said it was the first time the unreliable entity list had been used "
        "against an AI model developer."
    )
    good = recheck_claim(lib, claim, text)
    assert good.check.status == "supported" and good.edited
    assert "first time" in good.citations[0].quote
    other = recheck_claim(
        lib, claim, "Industry groups in Washington urged the administration to clarify how "
        "the rule treats subsidiaries of U.S. companies abroad.",
    )  # fmt: skip
    assert "Industry groups" in other.citations[0].quote  # the quote follows the new words
    bad = recheck_claim(lib, good, text.replace("Lin Haoran", "Wang Jianguo"))
    assert bad.check.status == "unsupported"
    assert bad.citations[0].passage_id == claim.citations[0].passage_id  # never moved


def test_a_claim_whose_source_was_removed_is_unsupported(lib: Library) -> None:
    claim = claim_citing(lib, "the first time the unreliable entity list")
    gone = Citation("nope:0", "nope", Locator(), "", "Removed", "", "")
    claim.citations.append(gone)
    checked = recheck_claim(lib, claim, "Lin Haoran called it a first for the entity list.")
    assert checked.check.status == "unsupported"
    assert checked.check.reasons[0] == REMOVED_SOURCE


def test_an_edit_is_shown_unchecked_then_takes_the_checkers_verdict(lib: Library) -> None:
    """The three steps a client takes (show, re-check, take): the verdict on screen is never
    one that was computed for other words."""
    claim = claim_citing(lib, "the first time the unreliable entity list")
    claim.check = SupportCheck("supported", lexical=0.9)  # the draft's verdict, for old words
    text = "Lin Haoran said it was the first time the unreliable entity list had been used."
    show_edit(claim, f"  {text.replace(' ', '   ')}\n")
    assert claim.text == text and claim.edited
    assert claim.check.status == "unchecked"  # the old verdict described other words

    checked = recheck_claim(lib, claim, claim.text)
    assert take_recheck(claim, checked)
    assert claim.check.status == "supported" and "first time" in claim.citations[0].quote


def test_a_stale_verdict_is_refused(lib: Library) -> None:
    """The analyst typed again (or undid) while the check ran: its answer is for other words."""
    claim = claim_citing(lib, "the first time the unreliable entity list")
    show_edit(claim, "Lin Haoran said it was the first time the unreliable entity list was used.")
    checked = recheck_claim(lib, claim, claim.text)
    show_edit(claim, "Wang Jianguo said it was the first time the entity list was used.")
    assert not take_recheck(claim, checked)
    assert claim.check.status == "unchecked" and claim.text.startswith("Wang Jianguo")


def test_undo_puts_back_words_verdict_and_quotes_together(lib: Library) -> None:
    claim = claim_citing(lib, "the first time the unreliable entity list")
    drafted = recheck_claim(
        lib, claim, "Lin Haoran said it was the first time the unreliable entity list was used."
    )
    drafted.edited = False
    live = copy.deepcopy(drafted)
    show_edit(live, "Wang Jianguo said it was the first time the entity list was used.")
    assert take_recheck(live, recheck_claim(lib, live, live.text))
    assert live.check.unsupported

    restore_edit(live, drafted)
    assert (live.text, live.edited, live.check, live.citations) == (
        drafted.text, False, drafted.check, drafted.citations,
    )  # fmt: skip
    live.citations[0].quote = "changed later"
    assert drafted.citations[0].quote != "changed later"  # the undo stack's copy is its own
