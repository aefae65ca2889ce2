"""A claim in the briefing pane shows all of its text, however many lines it wraps to."""

from __future__ import annotations

import pytest

from desktop.briefing_pane import BriefingView
from desktop.briefing_widgets import ClaimWidget, SectionWidget
from rag.api import Citation, Claim, Locator, Section, SupportCheck

LONG = (
    "China placed 28 American companies on its unreliable entity list, the commerce ministry "
    "said late on Friday, escalating a dispute that began when Washington moved to limit who "
    "outside the United States may use the most capable AI models."
)


@pytest.mark.parametrize("width", [420, 500, 700])
def test_a_long_claim_is_never_cut_off(qtbot, width: int) -> None:
    view = BriefingView()
    qtbot.addWidget(view)
    view.resize(width, 800)
    section = SectionWidget(Section("key", "Key developments", "claims", "done", []))
    view.add_section(section)
    citation = Citation("p:0", "d", Locator(page=1), "q", "A title", "Publisher", "2026-03-21")
    for n, text in enumerate([LONG[:60] + ".", LONG, LONG + " " + LONG[:80] + "."]):
        claim = Claim(f"c{n}", text, [citation], SupportCheck("supported"), corroboration=1)
        section.add_claim(ClaimWidget(claim, [1], editable=True))
    view.show()
    qtbot.waitExposed(view)
    qtbot.wait(50)
    for widget in section.claims:
        label = widget.text
        assert label.height() >= label.heightForWidth(label.width()), widget.claim.text
