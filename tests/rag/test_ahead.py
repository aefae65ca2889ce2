"""A section on what comes next is written first from the facts that look ahead."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.briefs.templates import get_template
from rag.core.demo import DEMO_TOPIC
from rag.drafting.ahead import looks_ahead
from rag.drafting.section_evidence import gather
from rag.indexing.library import Library

NOTICE_DATE = "2026-03-02"


@pytest.mark.parametrize(
    ("text", "ahead"),
    [
        ("The requirement takes effect on 16 April 2026.", True),
        ("The ministry will publish guidance on the procedure.", True),
        ("Officials expect neighbouring countries to adopt similar rules.", True),
        ("China may retaliate against the listed companies.", True),
        ("A consultation on model weights closes on 30 May.", True),
        ("Exporters are due to file their first reports in June.", True),
        ("BIS released the rule on September 15, 2025.", False),
        ("The United States on March 2, 2026 tightened its restrictions.", False),
        # A past tense before a date tells of the past, whatever year the date was read in.
        ("The rule took effect on 1 May.", False),
        ("Shares of chip traders fell 3% in May 2025.", False),
        ("The ministry first proposed the rule in November 2025.", False),
        # A prohibition in force, not a possibility.
        ("Listed companies may not import goods from China.", False),
    ],
)
def test_a_fact_looks_ahead_by_a_later_date_or_by_its_words(text: str, ahead: bool) -> None:
    assert looks_ahead(text, NOTICE_DATE) is ahead


def test_an_undated_document_looks_ahead_only_by_its_words() -> None:
    assert not looks_ahead("The requirement takes effect on 16 April 2026.", None)
    assert looks_ahead("The requirement will take effect in April.", "")


@pytest.mark.parametrize(
    ("template_id", "key"), [("situation-brief", "outlook"), ("timeline", "pending")]
)
def test_a_section_on_what_comes_next_is_given_what_looks_ahead_first(
    demo_folder: Path, template_id: str, key: str
) -> None:
    """Through the real reader, index and evidence gathering on the demo library: the
    outlook's search hints ("next steps expected timeline") find past events too (Larkspur
    withholding its models, the day's listings). The facts that look ahead come first, where
    the model writes from and the section's room is filled from; a past fact may follow, as
    one the briefing needs and no other section has room for."""
    template = get_template(template_id)
    assert template.section(key).ahead
    with Library.open(demo_folder) as library:
        evidence = gather(library, DEMO_TOPIC, template)
    facts = evidence.by_section[key]
    ahead = [looks_ahead(f.text, f.members[0].hit.document.published) for f in facts]
    assert ahead and ahead[0], [f.text for f in facts]
    assert ahead == sorted(ahead, reverse=True), [f.text for f in facts]
