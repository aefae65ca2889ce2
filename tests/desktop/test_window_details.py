"""Reading documents again for their details, in the window: a library imported by an older
BriefDesk gets today's reading as ticked proposals; the analyst unticks what they corrected by
hand, applies the rest, and Undo takes it back. Real files, real library, real worker."""

from __future__ import annotations

from pathlib import Path

from filemakers import make_docx
from PySide6.QtCore import Qt

from desktop.details_controller import details_summary
from rag.api import DetailsRead

WAIT = 60_000


def _files(folder: Path) -> list[Path]:
    folder.mkdir()
    article = folder / "okafor.txt"
    article.write_text(
        "Uneven Allies\n\n"
        "Tradewinds Review · Commentary · By Dana Okafor · 12 March 2026\n\n"
        "Washington's partners have not matched its chip controls.\n",
        encoding="utf-8",
    )
    alert = make_docx(
        folder / "alert.docx",
        [("Heading 1", "Model weights rule"), ("Normal", "The rule took effect on 16 March.")],
        title="Model weights rule",
        author="Eleanor Vance, Harrow & Vance LLP",
    )
    return [article, alert]


def _import(window, qtbot, paths: list[Path]) -> dict[str, str]:
    with qtbot.waitSignal(window.library.importFinished, timeout=WAIT) as finished:
        window.library.import_paths(paths)
    return {d.filename: d.id for d in finished.args[0].imported}


def _set(window, qtbot, changes: dict[str, dict[str, str]]) -> None:
    """What an older BriefDesk's readers gave these documents."""
    saved: list[object] = []
    window.backend.update_documents(changes, on_done=saved.append)
    qtbot.waitUntil(lambda: bool(saved), timeout=WAIT)
    window.library.upsert_documents(saved[0][0])


def _doc(window, doc_id: str):
    return window.documents.document(doc_id)


def test_details_read_again_are_ticked_applied_and_undone(
    make_window, qtbot, tmp_path: Path
) -> None:
    window = make_window()
    ids = _import(window, qtbot, _files(tmp_path / "in"))
    article, alert = ids["okafor.txt"], ids["alert.docx"]
    _set(
        window,
        qtbot,
        {
            article: {"publisher": "", "author": "", "published": ""},
            alert: {"publisher": "", "author": "Eleanor Vance, Harrow & Vance LLP"},
        },
    )

    window.details_action.trigger()  # nothing selected: every document
    qtbot.waitUntil(lambda: window.details.dialog is not None, timeout=WAIT)
    dialog = window.details.dialog
    qtbot.waitUntil(dialog.isVisible)
    rows = [
        tuple(dialog.tree.topLevelItem(r).text(c) for c in range(4))
        for r in range(dialog.tree.topLevelItemCount())
    ]
    assert ("Uneven Allies", "Publisher", "(none)", "Tradewinds Review") in rows
    assert ("Uneven Allies", "Author", "(none)", "Dana Okafor") in rows
    assert ("Uneven Allies", "Date", "(none)", "2026-03-12") in rows
    assert ("Model weights rule", "Publisher", "(none)", "Harrow & Vance LLP") in rows
    author_row = rows.index(
        ("Model weights rule", "Author", "Eleanor Vance, Harrow & Vance LLP", "Eleanor Vance")
    )
    assert all(
        dialog.tree.topLevelItem(r).checkState(0) == Qt.CheckState.Checked for r in range(len(rows))
    )
    # Nothing changes before the analyst applies.
    assert _doc(window, article).publisher == ""

    # Say the analyst typed the alert's author that way and wants to keep it.
    dialog.set_ticked(author_row, False)
    dialog.apply_button.click()
    qtbot.waitUntil(lambda: _doc(window, article).publisher == "Tradewinds Review", timeout=WAIT)
    qtbot.waitUntil(lambda: _doc(window, alert).publisher == "Harrow & Vance LLP", timeout=WAIT)
    assert _doc(window, article).author == "Dana Okafor"
    # A date read from the file is kept as read, not shown as one the analyst set.
    assert (_doc(window, article).published, _doc(window, article).date_source) == (
        "2026-03-12",
        "text",
    )
    assert _doc(window, alert).author == "Eleanor Vance, Harrow & Vance LLP"
    assert "Applied 4 details read again" in window.status.message()

    window.undo.undo()
    qtbot.waitUntil(lambda: _doc(window, article).publisher == "", timeout=WAIT)
    qtbot.waitUntil(lambda: _doc(window, alert).publisher == "", timeout=WAIT)
    assert _doc(window, article).author == ""
    assert _doc(window, article).published == ""
    window.undo.redo()
    qtbot.waitUntil(lambda: _doc(window, alert).publisher == "Harrow & Vance LLP", timeout=WAIT)


def test_a_broken_copy_is_named_and_the_rest_are_read(make_window, qtbot, tmp_path: Path) -> None:
    window = make_window()
    ids = _import(window, qtbot, _files(tmp_path / "in"))
    article, alert = ids["okafor.txt"], ids["alert.docx"]
    _set(window, qtbot, {article: {"publisher": ""}})
    Path(_doc(window, alert).stored_path).write_bytes(b"PK\x03\x04 no longer a Word file")

    window.library.pane.table.selectAll()
    window.details_action.trigger()
    qtbot.waitUntil(lambda: window.details.dialog is not None, timeout=WAIT)
    dialog = window.details.dialog
    assert [c.field for c in dialog.chosen()] == ["publisher"]
    panel = window.library.pane.import_panel
    assert panel.isVisible()
    failed = panel.outcome_texts("failed")
    assert len(failed) == 1 and failed[0].startswith("Model weights rule: ")
    assert panel.title.text() == "Details: 1 document read, 1 detail read differently, 1 failed"
    dialog.reject()
    assert _doc(window, article).publisher == ""


def test_every_detail_as_before_says_so(make_window, qtbot, tmp_path: Path) -> None:
    window = make_window()
    _import(window, qtbot, _files(tmp_path / "in"))
    window.details_action.trigger()
    qtbot.waitUntil(lambda: not window.details.running, timeout=WAIT)
    qtbot.waitUntil(lambda: "every detail reads as before" in window.status.message())
    assert window.details.dialog is None
    assert not window.library.pane.import_panel.isVisible()


def test_the_summary_counts_what_happened() -> None:
    assert details_summary(DetailsRead(read=1)) == "Details: 1 document read"
    assert (
        details_summary(DetailsRead(read=3, cancelled=True))
        == "Reading details cancelled: 3 documents read"
    )


def test_a_long_reading_can_be_cancelled_and_files_dropped_meanwhile_wait_their_turn(
    make_window, qtbot, tmp_path: Path
) -> None:
    """A scan or a long PDF takes a while to read again: Esc stops it (nothing changes), and
    an import asked for meanwhile waits in the same panel, then runs."""
    from filemakers import make_pdf, slow_pdf

    window = make_window()
    folder = tmp_path / "in"
    folder.mkdir()
    ids = _import(window, qtbot, [make_pdf(folder / "rule.pdf", ["The rule of 16 March."])])
    (doc_id,) = ids.values()
    # Its stored copy now takes tens of seconds to read.
    Path(_doc(window, doc_id).stored_path).write_bytes(slow_pdf(tmp_path / "slow.pdf").read_bytes())

    window.details_action.trigger()
    panel = window.library.pane.import_panel
    qtbot.waitUntil(lambda: panel.current.text().startswith("1 of 1"), timeout=WAIT)
    assert window.details.running and panel.cancel_button.isVisible()
    window.library.import_paths([_files(tmp_path / "more")[0]])
    assert panel.title.text() == "Import waiting"

    window.stop()  # Esc: the import is only waiting, so the reading is what stops
    qtbot.waitUntil(lambda: not window.details.running, timeout=WAIT)
    qtbot.waitUntil(lambda: not window.library.importing, timeout=WAIT)
    assert window.details.dialog is None
    assert panel.title.text().startswith("Import finished: 1 imported")
    assert window.documents.rowCount() == 2
    assert _doc(window, doc_id).title == "rule"  # the reading changed nothing


def test_the_panels_cancel_stops_what_it_shows(make_window, qtbot, tmp_path: Path) -> None:
    from filemakers import make_pdf, slow_pdf

    window = make_window()
    folder = tmp_path / "in"
    folder.mkdir()
    ids = _import(window, qtbot, [make_pdf(folder / "rule.pdf", ["The rule of 16 March."])])
    (doc_id,) = ids.values()
    slow = slow_pdf(tmp_path / "slow.pdf").read_bytes()
    Path(_doc(window, doc_id).stored_path).write_bytes(slow)
    panel = window.library.pane.import_panel

    window.details_action.trigger()
    qtbot.waitUntil(lambda: panel.current.text().startswith("1 of 1"), timeout=WAIT)
    panel.cancel_button.click()
    qtbot.waitUntil(lambda: not window.details.running, timeout=WAIT)
    assert panel.title.text().startswith("Reading details cancelled")
    assert window.details.dialog is None
