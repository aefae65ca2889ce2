"""Relative dates in source text ("today", "on Friday", "next month") are written out against
the document's date: for the model, the checker and a quoted claim, never in the quote."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.briefs.briefing import Citation, Claim
from rag.checking.verdict import SupportCheck
from rag.core.types import Document, Hit, Locator, Passage
from rag.drafting.claim_edit import recheck_claim
from rag.drafting.facts import candidate_sentences
from rag.indexing.library import Library
from rag.reading.relative_dates import resolve_relative_dates


@pytest.mark.parametrize(
    ("text", "published", "resolved"),
    [
        # 3 March 2026 was a Tuesday.
        ("BIS today added 27 entities.", "2026-03-03", "BIS on March 3, 2026 added 27 entities."),
        ("Today, BIS added two firms.", "2026-03-03", "On March 3, 2026, BIS added two firms."),
        ("The list stands as of today.", "2026-03-03", "The list stands as of March 3, 2026."),
        ("It was signed yesterday.", "2026-03-03", "It was signed on March 2, 2026."),
        # A weekday in a report is the last one on or before the document's date ...
        (
            "China on Thursday added 18 firms.",
            "2026-03-13",
            "China on March 12, 2026 added 18 firms.",
        ),
        (
            "He said on Tuesday it was final.",
            "2026-03-03",
            "He said on March 3, 2026 it was final.",
        ),
        # ... and the next one in a sentence that looks ahead.
        (
            "The rules take effect on Monday.",
            "2026-03-13",
            "The rules take effect on March 16, 2026.",
        ),
        ("The rule applies from Monday.", "2026-03-13", "The rule applies from March 16, 2026."),
        ("It will take effect next month.", "2026-12-10", "It will take effect in January 2027."),
        ("Sales fell compared with last year.", "2026-03-13", "Sales fell compared with 2025."),
        ("Earlier this year it said so.", "2026-03-13", "Earlier in 2026 it said so."),
        # Already dated, or not a date the sentence puts an event on: unchanged.
        ("Permits are needed from Monday, July 14.", "2025-07-11", None),
        ("Monday's announcement surprised markets.", "2026-03-13", None),
        ("Last year's record stood.", "2026-03-13", None),
        ("Today's rule is long.", "2026-03-13", None),
        ("It said today.", "2026-03", None),  # the document's day is not known
        ("It said today.", "", None),
        ("It said tomorrow.", "9999-12-31", None),  # a date typed by hand: no overflow
        # Past or ahead is read in the weekday's own clause (13 March 2026 was a Friday).
        (
            "BIS said on Friday that the rule will take effect on Monday.",
            "2026-03-13",
            "BIS said on March 13, 2026 that the rule will take effect on March 16, 2026.",
        ),
        (
            "It said on Wednesday it will review the list.",
            "2026-03-13",
            "It said on March 11, 2026 it will review the list.",
        ),
        (
            "The rule, which took effect on Monday, will cover 140 firms.",
            "2026-03-18",
            "The rule, which took effect on March 16, 2026, will cover 140 firms.",
        ),
        (
            "BIS is expected to publish the rule on Monday.",
            "2026-03-13",
            "BIS is expected to publish the rule on March 16, 2026.",
        ),
        (
            "The United States will impose the curbs from Monday.",
            "2026-03-13",
            "The United States will impose the curbs from March 16, 2026.",
        ),
        (
            "Talks ran from Monday to Wednesday.",
            "2026-03-13",
            "Talks ran from March 9, 2026 to March 11, 2026.",
        ),
        # The date as the sentence's subject; a span, not a date; a name; a part of a day.
        ("Today marks a turning point.", "2026-03-13", "March 13, 2026 marks a turning point."),
        ("This year will be hard.", "2026-03-13", "2026 will be hard."),
        ("Prices rose over the last year.", "2026-03-13", None),
        ("This is the last month of the programme.", "2026-03-13", None),
        (
            "Shares of Friday Holdings fell on Friday.",
            "2026-03-13",
            "Shares of Friday Holdings fell on March 13, 2026.",
        ),
        ("The vote is on Monday morning.", "2026-03-13", None),
        ("It met on Monday and Tuesday.", "2026-03-13", None),
        # Already dated, or a speaker's own words.
        ("China acted on Friday (March 20).", "2026-03-21", None),
        ("The list, published today, March 13, is long.", "2026-03-13", None),
        (
            "“Today, we acted,” the minister said on Friday.",
            "2026-03-13",
            "“Today, we acted,” the minister said on March 13, 2026.",
        ),
        ("It told GlobalMarkets Today it would appeal.", "2026-03-13", None),
        (
            "*Today, the President signed the order.",
            "2026-03-13",
            "*On March 13, 2026, the President signed the order.",
        ),
        (
            "China acted. On Monday BIS replied.",
            "2026-03-13",
            "China acted. On March 9, 2026 BIS replied.",
        ),
    ],
)
def test_relative_dates_are_written_out(text: str, published: str, resolved: str | None) -> None:
    assert resolve_relative_dates(text, published) == (resolved or text)


def _hit(text: str, published: str) -> Hit:
    doc = Document(
        "w", "w.txt", "txt", "Wire", "Atlas News Agency", published, "", None, 0, 1, "", ""
    )
    return Hit(Passage("w:0", "w", 0, text, Locator(page=1)), doc, 1.0)


def test_a_fact_reads_the_date_and_its_citation_quotes_the_source() -> None:
    source = "The Bureau of Industry and Security today added 27 entities to the Entity List."
    [sentence] = candidate_sentences([_hit(source, "2026-03-03")])
    assert sentence.text == (
        "The Bureau of Industry and Security on March 3, 2026 added 27 entities to the Entity List."
    )
    assert sentence.cited == source


def test_an_edited_claim_stating_the_resolved_date_is_supported(demo_folder: Path) -> None:
    """The demo's Circuit Ledger story, dated Saturday 21 March 2026, says the ministry spoke
    "late on Friday". A claim saying "March 20, 2026" is checked against the story as
    drafting read it; a wrong date still fails."""
    with Library.open(demo_folder) as lib:
        phrase = "has placed 28 American companies"
        hit = next(h for h in lib.search(phrase, k=5) if phrase in " ".join(h.passage.text.split()))
        assert hit.document.published == "2026-03-21"
        cite = Citation(
            hit.passage.id, hit.document.id, hit.passage.locator, "", hit.document.title,
            hit.document.publisher, hit.document.published,
        )  # fmt: skip
        claim = Claim("c1", "placeholder", [cite], SupportCheck.unchecked())
        said = "China placed 28 American companies on its unreliable entity list on {}."
        right = recheck_claim(lib, claim, said.format("March 20, 2026"))
        assert right.check.status == "supported", right.check.reasons
        assert "on Friday" in right.citations[0].quote  # the quote is the source's words
        wrong = recheck_claim(lib, claim, said.format("March 13, 2026"))
        assert wrong.check.status != "supported"
