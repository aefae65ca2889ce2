"""The briefing and evidence panes, driven through the real window and the real drafting engine
over the demo library, with a model that replays known answers (the real small model has its
own test in test_window_real_model.py)."""

from __future__ import annotations

import json
import zipfile
from datetime import date
from html import unescape
from pathlib import Path

import pytest
from gui_helpers import BLACKLIST, OUTLOOK, TOPIC, Quoting, replay_model, sources_in
from PySide6.QtCore import Qt

from desktop.briefing_picker import BriefingPicker
from desktop.exporting import proposed_name
from desktop.theme import HIGHLIGHT
from rag.briefs.briefing import Claim
from rag.checking.verdict import GAP_REASON, SupportCheck

WAIT = 60_000
# An analyst's rewording of the blacklist claim, still said by the passage it cites.
EDITED = "China's commerce ministry placed 28 American companies on its unreliable entity list."


def quoting() -> dict[str, Quoting]:
    return {
        # The source's sentence runs to 42 words once "late on Friday" is written out as a
        # date: the claim says it in fewer, as a model does.
        "Key developments": Quoting(
            BLACKLIST,
            "28 American companies",
            saying="China has placed 28 American companies on its unreliable entity list, "
            "the commerce ministry said.",
        ),
        "Outlook": Quoting(OUTLOOK),
    }


@pytest.fixture
def ready(make_window, qtbot, quick_template):
    """A window on the demo library with the quick template chosen and a topic typed."""

    def make(answers=None, **model_options):
        answers = answers if answers is not None else quoting()
        model = replay_model(answers, **model_options)
        window = make_window(model_opener=lambda settings: model)
        with qtbot.waitSignal(window.library.importFinished, timeout=WAIT):
            window.import_demo()
        pane = window.briefing_pane
        pane.topic_edit.setText(TOPIC)
        pane.template_combo.setCurrentIndex(pane.template_combo.findData(quick_template))
        window.answers = answers
        return window

    return make


def draft(window, qtbot):
    with qtbot.waitSignal(window.briefing.draftFinished, timeout=WAIT) as done:
        qtbot.mouseClick(window.briefing_pane.draft_button, Qt.MouseButton.LeftButton)
    return done.args[0]


def stored_claims(path: Path, section: int) -> list[dict]:
    return json.loads(path.read_text("utf-8"))["sections"][section]["claims"]


def texts(window, key: str) -> list[str]:
    return [w.claim.text for w in window.briefing_pane.view.sections[key].claims]


def test_a_draft_streams_in_and_a_citation_shows_its_highlighted_passage(
    ready, qtbot, quiet_file_opening
) -> None:
    window = ready()
    seen_while_drafting: list[tuple[str, bool]] = []
    window.briefing.claimShown.connect(
        lambda cid: seen_while_drafting.append((cid, window.briefing.drafting))
    )
    briefing = draft(window, qtbot)
    blacklist = window.answers["Key developments"].claims[0]
    outlook_claim = window.answers["Outlook"].claims[0]

    # Claim by claim, while the draft was still running.
    assert len(seen_while_drafting) == 2 and all(running for _, running in seen_while_drafting)
    view = window.briefing_pane.view
    assert list(view.sections) == ["developments", "outlook"]
    assert texts(window, "developments") == [blacklist]
    assert texts(window, "outlook") == [outlook_claim]
    assert window.briefing_pane.briefing_title.text() == TOPIC
    assert "2 claims" in window.briefing_pane.briefing_meta.text()
    saved = json.loads(
        (window.library.folder / "briefings" / f"{briefing.id}.json").read_text("utf-8")
    )
    assert [c["text"] for s in saved["sections"] for c in s["claims"]] == [blacklist, outlook_claim]

    # Citation markers number the passages in reading order, as the export will.
    first = view.sections["developments"].claims[0]
    second = view.sections["outlook"].claims[0]
    assert [m.text() for m in first.markers] == ["1"]
    assert [m.text() for m in second.markers] == ["2"]
    citation = first.claim.citations[0]
    assert citation.doc_title in first.markers[0].toolTip()

    with qtbot.waitSignal(window.evidence.shown, timeout=WAIT):
        qtbot.mouseClick(first.markers[0], Qt.MouseButton.LeftButton)
    assert first.property("selected") is True
    assert first.markers[0].property("active") is True
    cards = window.evidence_pane.cards
    assert len(cards) == 1
    card = cards[0]
    assert citation.doc_title in card.heading.text() and card.heading.text().startswith("[1]")
    assert card.where.text() == " · ".join(
        x for x in (citation.publisher, citation.published, citation.locator.label()) if x
    )
    html = card.text.text()
    assert f"background-color:{HIGHLIGHT}" in html
    highlighted = html.split(f'background-color:{HIGHLIGHT}; color:#1a1a1a;">', 1)[1]
    # The pane highlights the source's whole sentence, in its own words ("late on Friday",
    # which drafting read as March 20, 2026).
    shown = " ".join(unescape(highlighted.split("</span>", 1)[0]).split())
    assert shown.startswith(blacklist.removesuffix(" said.")) and "late on Friday" in shown
    assert len(html) > len(citation.quote) + 100  # the whole passage, not only the quote
    assert window.evidence_pane.subject.text() == blacklist

    qtbot.mouseClick(card.open_button, Qt.MouseButton.LeftButton)
    doc = window.documents.document(citation.doc_id)
    assert quiet_file_opening == [Path(doc.stored_path)]

    # Selecting the other claim (a click on its text) shows its evidence instead.
    with qtbot.waitSignal(window.evidence.shown, timeout=WAIT):
        qtbot.mouseClick(second.text, Qt.MouseButton.LeftButton)
    assert first.property("selected") is False and second.property("selected") is True
    assert window.evidence_pane.cards[0].heading.text().startswith("[2]")


def test_unsupported_claims_are_flagged_and_thin_sections_say_so(ready, qtbot, monkeypatch) -> None:
    def wrong(messages, schema):
        found = [n for n, t in sources_in(messages).items() if BLACKLIST in t] or [1]
        claim = "China added 95 companies to its blacklist in 1999."
        return {"claims": [{"text": claim, "facts": found[:1]}]}

    # What the window shows of a claim that failed and of a section left empty: the engine
    # would otherwise state the cited facts in their sources' words (tests/rag/test_drafting.py)
    # and, by default, leave failed claims out.
    monkeypatch.setattr("rag.drafting.engine.quotable", lambda sentence: False)
    window = ready({"Key developments": wrong, "Outlook": {"claims": []}})
    window.settings.drafting.failed_claims = "mark"
    draft(window, qtbot)
    section = window.briefing_pane.view.sections["developments"]
    claim = section.claims[0]
    assert claim.claim.check.status == "unsupported"
    assert claim.property("check") == "unsupported"  # the style sheet colours it
    assert not claim.flag.pixmap().isNull()  # and it carries a warning icon
    tooltip = claim.flag.toolTip()
    assert tooltip.startswith("Unsupported") and "95" in tooltip
    assert section.chip.text() == "1 unsupported claim"
    outlook = window.briefing_pane.view.sections["outlook"]
    # Its facts were found but the model wrote nothing from them: the section says that,
    # not that the library lacks evidence.
    assert outlook.chip.text() == "No usable claim"
    assert "found, but the model drafted no usable claim" in outlook.note.text()
    with qtbot.waitSignal(window.evidence.shown, timeout=WAIT):
        qtbot.mouseClick(claim.text, Qt.MouseButton.LeftButton)
    assert window.evidence_pane.verdict.text().startswith("Unsupported")


def test_a_gap_is_shown_as_not_in_the_library_never_as_supported(ready, qtbot) -> None:
    window = ready({"Key developments": Quoting(BLACKLIST), "Outlook": Quoting(OUTLOOK)})
    briefing = draft(window, qtbot)
    gap = Claim("gap1", "The library does not establish what penalties apply.", [],
                SupportCheck.gap(GAP_REASON))  # fmt: skip
    briefing.section("outlook").claims.append(gap)
    briefing.save(window.library.folder / "briefings" / f"{briefing.id}.json")
    with qtbot.waitSignal(window.briefing.briefingShown, timeout=WAIT):
        window.briefing.open_briefing(briefing.id)
    shown = next(
        w for w in window.briefing_pane.view.sections["outlook"].claims if w.claim.id == "gap1"
    )
    assert shown.property("check") == "gap"  # the style sheet sets it apart
    assert shown.flag.pixmap().isNull()  # no warning: it is not a failed claim
    assert shown.flag.toolTip().startswith("A gap")
    assert "Supported" not in shown.flag.toolTip()


def test_regenerating_a_section_changes_only_that_section(ready, qtbot) -> None:
    # The first outlook quotes one passage, the regenerated one another.
    outlook = Quoting(OUTLOOK)
    later = Quoting("Industry groups in Washington urged", "mostly in China", avoid=outlook.claims)
    calls = [later, outlook]
    window = ready(
        {"Key developments": Quoting(BLACKLIST), "Outlook": lambda m, s: calls.pop()(m, s)}
    )
    first = draft(window, qtbot)
    before = first.section("developments").to_dict()
    kept = texts(window, "developments")
    assert texts(window, "outlook") == outlook.claims

    view = window.briefing_pane.view
    with qtbot.waitSignal(window.briefing.draftFinished, timeout=WAIT) as done:
        qtbot.mouseClick(view.sections["outlook"].regenerate_button, Qt.MouseButton.LeftButton)
        assert not view.sections["developments"].regenerate_button.isEnabled()
    after = done.args[0]
    assert after.id == first.id
    assert after.section("developments").to_dict() == before
    # Redrafted from other facts: the model's new claim, or (when its wording fails the check)
    # the section's lead fact in its source's words; never the first outlook again.
    regenerated = texts(window, "outlook")
    assert regenerated and regenerated != outlook.claims
    assert regenerated == [c.text for c in after.section("outlook").claims]
    assert later.claims  # the model was asked again
    assert texts(window, "developments") == kept
    markers = [m.text() for s in view.sections.values() for c in s.claims for m in c.markers]
    assert markers == ["1", "2"]


def test_edit_and_delete_claims_save_at_once_and_undo(ready, qtbot) -> None:
    window = ready()
    briefing = draft(window, qtbot)
    blacklist = window.answers["Key developments"].claims[0]
    outlook_claim = window.answers["Outlook"].claims[0]
    path = window.library.folder / "briefings" / f"{briefing.id}.json"
    view = window.briefing_pane.view
    claim = view.sections["developments"].claims[0]

    qtbot.mouseDClick(claim.text, Qt.MouseButton.LeftButton)
    assert claim.editor is not None
    claim.editor.edit.setPlainText(EDITED)
    with qtbot.waitSignal(window.briefing.saved, timeout=WAIT):
        # Ctrl+Enter saves the claim; it does not start a new draft.
        qtbot.keyClick(claim.editor.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert not window.briefing.drafting
    claim = view.sections["developments"].claims[0]
    assert claim.claim.text == EDITED
    assert claim.claim.edited and not claim.edited_chip.isHidden()
    # The edit is checked again against the passage it cites, on the reader thread.
    qtbot.waitUntil(lambda: claim.claim.check.status != "unchecked", timeout=WAIT)
    assert claim.claim.check.status == "supported"
    qtbot.waitUntil(lambda: stored_claims(path, 0)[0]["check"]["status"] == "supported")
    stored = json.loads(path.read_text("utf-8"))["sections"]
    assert stored[0]["claims"][0]["text"] == EDITED
    assert stored[0]["claims"][0]["edited"] is True

    # A wrong figure typed in is flagged; undo puts back the text and the verdict.
    window.briefing.edit_claim(claim.claim.id, EDITED.replace("28", "45"))
    claim = view.sections["developments"].claims[0]
    qtbot.waitUntil(lambda: claim.claim.check.status != "unchecked", timeout=WAIT)
    assert claim.claim.check.status == "unsupported" and "45" in claim.claim.check.missing_terms
    window.undo_action.trigger()
    claim = view.sections["developments"].claims[0]
    assert claim.claim.text == EDITED and claim.claim.check.status == "supported"
    qtbot.waitUntil(lambda: stored_claims(path, 0)[0]["text"] == EDITED, timeout=WAIT)

    outlook = view.sections["outlook"].claims[0]
    outlook.setFocus()
    qtbot.keyClick(outlook, Qt.Key.Key_Delete)
    assert texts(window, "outlook") == []
    qtbot.waitUntil(lambda: stored_claims(path, 1) == [], timeout=WAIT)

    window.undo_action.trigger()
    assert texts(window, "outlook") == [outlook_claim]
    qtbot.waitUntil(lambda: len(stored_claims(path, 1)) == 1, timeout=WAIT)
    window.undo_action.trigger()
    assert texts(window, "developments") == [blacklist]
    qtbot.waitUntil(lambda: stored_claims(path, 0)[0]["text"] == blacklist, timeout=WAIT)
    assert stored_claims(path, 0)[0]["edited"] is False

    # Esc leaves the editor without saving.
    claim = view.sections["developments"].claims[0]
    claim.setFocus()
    qtbot.keyClick(claim, Qt.Key.Key_F2)
    assert claim.editor is not None
    claim.editor.edit.setPlainText("Not kept.")
    qtbot.keyClick(claim.editor.edit, Qt.Key.Key_Escape)
    assert claim.editor is None and texts(window, "developments") == [blacklist]


def test_export_writes_a_word_file_that_reopens(
    ready, qtbot, monkeypatch, tmp_path: Path, quiet_file_opening
) -> None:
    import docx

    window = ready()
    briefing = draft(window, qtbot)
    asked: list[Path] = []
    target = tmp_path / "out" / proposed_name(TOPIC)
    target.parent.mkdir()

    def save_dialog(parent, proposed: Path) -> Path:
        asked.append(proposed)
        return target

    monkeypatch.setattr("desktop.dialogs.ask_save_path", save_dialog)
    with qtbot.waitSignal(window.exporter.exported, timeout=WAIT):
        qtbot.mouseClick(window.briefing_pane.export_button, Qt.MouseButton.LeftButton)
    assert asked[0].name == f"{TOPIC} {date.today().isoformat()}.docx"
    document = docx.Document(str(target))
    body = "\n".join(p.text for p in document.paragraphs)
    assert TOPIC in body
    assert window.answers["Key developments"].claims[0].rstrip(".") in body
    cited = briefing.section("developments").claims[0].citations[0]
    with zipfile.ZipFile(target) as z:
        assert cited.doc_title.encode() in z.read("word/footnotes.xml")

    # The status bar offers to open the file or its folder; the next export starts there.
    assert window.status.offered == target
    qtbot.mouseClick(window.status.open_file_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.status.open_folder_button, Qt.MouseButton.LeftButton)
    assert quiet_file_opening == [target, target.parent]
    with qtbot.waitSignal(window.exporter.exported, timeout=WAIT):
        window.export_action.trigger()
    assert asked[1].parent == target.parent
    assert briefing.topic == TOPIC


def test_a_past_briefing_can_be_reopened(ready, qtbot) -> None:
    window = ready()
    first = draft(window, qtbot)
    window.briefing_pane.topic_edit.setText("Allied responses to the frontier model rule")
    second = draft(window, qtbot)
    assert second.id != first.id
    assert window.briefing_pane.briefing_title.text().startswith("Allied responses")

    with qtbot.waitCallback(timeout=WAIT) as listed:
        window.backend.briefings(on_done=listed)
    summaries = listed.args[0]
    # Most recently saved first; two drafts within a second may come either way.
    assert {s.id for s in summaries} == {second.id, first.id}
    picker = BriefingPicker(summaries, second.id, window)
    assert picker.chosen() == second.id  # the one on screen is preselected
    picker.list.setCurrentRow([s.id for s in summaries].index(first.id))
    assert picker.chosen() == first.id
    assert TOPIC in picker.list.item(picker.list.currentRow()).text()
    picker.deleteLater()

    with qtbot.waitSignal(window.briefing.briefingShown, timeout=WAIT):
        window.briefing.open_briefing(first.id)
    assert window.briefing.briefing.id == first.id
    assert window.briefing_pane.topic_edit.text() == TOPIC
    assert texts(window, "developments") == [c.text for c in first.section("developments").claims]
