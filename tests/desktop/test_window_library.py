"""The library pane: drop files on the window, watch them import, sort, filter, edit, remove,
undo, search. Real files, real library, real drag-and-drop events."""

from __future__ import annotations

from pathlib import Path

from filemakers import make_docx, make_html, make_pdf
from gui_helpers import DEMO, drag_leave, drag_over, drop, window_handle
from PySide6.QtCore import QEvent, QMimeData, QObject, QPoint, Qt
from PySide6.QtGui import QDragEnterEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

from desktop.document_table import COLUMNS, DATE, IMPORTED, LENGTH, TITLE
from desktop.drop_target import DropTarget
from rag.indexing.library import Library

WAIT = 60_000


def build_files(folder: Path) -> list[Path]:
    folder.mkdir()
    return [
        make_pdf(
            folder / "rule.pdf",
            [
                "The Commerce Department rule of 16 March 2026 restricts model weights.",
                "Page two: ECCN 4E091 covers the weights of frontier models.",
            ],
            title="Frontier model rule explained",
        ),
        make_docx(
            folder / "alert.docx",
            [("Heading 1", "Client alert"), ("Normal", "Allies may adopt similar controls.")],
            title="Client alert on allied controls",
        ),
        make_html(
            folder / "wire.html",
            "China blacklists 31 firms",
            "Meridian Wire",
            "2026-03-20",
            ["China added 31 U.S. companies to its unreliable entity list."],
        ),
    ]


def test_dropping_files_on_the_window_imports_them_and_explains_failures(
    make_window, qtbot, tmp_path: Path
) -> None:
    window = make_window()
    good = build_files(tmp_path / "in")
    broken = tmp_path / "in" / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 this is not really a PDF")
    overlay = window.drop.overlay

    assert drag_over(window, [*good, broken])
    assert overlay.isVisible() and overlay.count == 4
    drag_leave(window)
    qtbot.waitUntil(lambda: not overlay.isVisible())
    with qtbot.waitSignal(window.library.importFinished, timeout=WAIT) as finished:
        # Dropped on whatever widget is under the middle of the window: anywhere works.
        assert drop(window, [*good, broken], QPoint(window.width() // 2, 200))
    assert not overlay.isVisible()
    done = finished.args[0]
    assert len(done.imported) == 3 and len(done.failed) == 1

    titles = {window.documents.document(d.id).title for d in done.imported}
    assert titles == {
        "Frontier model rule explained",
        "Client alert on allied controls",
        "China blacklists 31 firms",
    }
    assert window.documents.rowCount() == 3
    pdf_row = next(
        r
        for r in range(3)
        if window.documents.index(r, TITLE).data() == "Frontier model rule explained"
    )
    assert window.documents.index(pdf_row, LENGTH).data() == "2 pages"

    panel = window.library_pane.import_panel
    failed = panel.outcome_texts("failed")
    assert len(failed) == 1 and failed[0].startswith("broken.pdf: ")
    reason = failed[0].removeprefix("broken.pdf: ")
    assert reason and "\n" not in reason and reason == done.failed[0][1]
    assert panel.outcome_texts("imported") == [
        "rule.pdf: imported",
        "alert.docx: imported",
        "wire.html: imported",
    ]
    assert "3 imported, 1 failed" in panel.title.text()
    assert window.library_pane.empty_state.isHidden()


def test_a_dropped_folder_imports_its_documents_once(make_window, qtbot) -> None:
    window = make_window()
    assert not window.library_pane.empty_state.isHidden()  # a new user is told what to do
    with qtbot.waitSignal(window.library.importFinished, timeout=WAIT) as first:
        drop(window, [DEMO])
    assert len(first.args[0].imported) == 6 and not first.args[0].failed
    with qtbot.waitSignal(window.library.importFinished, timeout=WAIT) as second:
        drop(window, [DEMO])
    assert len(second.args[0].duplicates) == 6 and not second.args[0].imported
    assert window.documents.rowCount() == 6
    assert len(window.library_pane.import_panel.outcome_texts("duplicate")) == 6


def test_the_narrow_columns_show_their_whole_text(make_window, qtbot) -> None:
    window = make_window()
    with qtbot.waitSignal(window.library.importFinished, timeout=WAIT):
        window.import_demo()
    table, proxy = window.library_pane.table, window.library.proxy
    header, metrics = table.horizontalHeader(), table.fontMetrics()
    for column in (DATE, LENGTH, IMPORTED):
        shown = [proxy.index(r, column).data() for r in range(proxy.rowCount())]
        widest = ["2026-12-31", "1234 pages", "12.3k words", "28 Sep", "today"]
        for text in shown + widest:
            assert metrics.horizontalAdvance(text) + 6 < header.sectionSize(column), text
        title = header.fontMetrics().horizontalAdvance(COLUMNS[column])
        assert title + 20 < header.sectionSize(column)  # room for the sort arrow


def centre_of(window, widget) -> QPoint:
    return widget.mapTo(window, widget.rect().center())


def test_a_drag_without_files_goes_to_the_widget_under_it(make_window) -> None:
    window = make_window()
    topic = window.briefing_pane.topic_edit
    mime = QMimeData()
    mime.setText("just some text")
    event = QDragEnterEvent(
        centre_of(window, topic),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(window_handle(window), event)
    assert event.isAccepted()  # by the line edit, which takes dropped text as it always did
    assert not window.drop.overlay.isVisible()


def test_files_dropped_on_a_text_box_are_imported_not_pasted(make_window, qtbot) -> None:
    window = make_window()
    search = window.library_pane.search_edit
    with qtbot.waitSignal(window.library.importFinished, timeout=WAIT) as finished:
        dropped = DEMO / "01_meridian_wire_china_blacklist.txt"
        assert drop(window, [dropped], centre_of(window, search))
    assert len(finished.args[0].imported) == 1
    assert search.text() == ""


def test_the_drop_target_sees_no_widget_events(make_window, qtbot, monkeypatch) -> None:
    """Each event it filters is a call into Python, which waits for the GIL while a worker runs
    Python: an application-wide filter made the GUI thread wait so on every widget event."""
    seen: list[str] = []
    original = DropTarget.eventFilter

    def counting(self: DropTarget, obj: QObject, event: QEvent) -> bool:
        seen.append(type(obj).__name__)
        return original(self, obj, event)

    monkeypatch.setattr(DropTarget, "eventFilter", counting)  # before the window binds it
    window = make_window()
    for widget in window.findChildren(QWidget):
        widget.update()
    qtbot.wait(100)
    drag_leave(window)  # a drag event does reach it
    assert seen and seen[-1] == "QWindow"
    assert all(name == "QWindow" for name in seen), sorted(set(seen))


def test_cancel_stops_an_import_between_files(make_window, qtbot, tmp_path: Path) -> None:
    window = make_window()
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(30):
        (folder / f"note-{i:02}.txt").write_text(
            f"Title: Note {i}\n\n" + f"Export control note number {i}. " * 200, encoding="utf-8"
        )
    panel = window.library_pane.import_panel
    with qtbot.waitSignal(window.library.importFinished, timeout=WAIT) as finished:
        drop(window, [folder])
        qtbot.waitUntil(lambda: len(panel.outcome_texts("imported")) >= 1, timeout=WAIT)
        assert window.stop_action.isEnabled()
        qtbot.keyClick(window, Qt.Key.Key_Escape)
    done = finished.args[0]
    assert done.cancelled
    assert 1 <= len(done.imported) < 30
    assert window.documents.rowCount() == len(done.imported)
    assert "cancelled" in panel.title.text().lower()


def test_documents_sort_filter_and_edit_in_place(make_window, qtbot, isolated_home: Path) -> None:
    window = make_window()
    with qtbot.waitSignal(window.library.importFinished, timeout=WAIT):
        window.import_demo()
    pane = window.library_pane
    table, proxy = pane.table, window.library.proxy

    table.sortByColumn(DATE, Qt.SortOrder.AscendingOrder)
    dates = [proxy.index(r, DATE).data() for r in range(proxy.rowCount())]
    assert [d for d in dates if d] == sorted(d for d in dates if d)

    qtbot.keyClicks(pane.filter_edit, "aldgate")
    assert proxy.rowCount() == 1
    index = proxy.index(0, TITLE)
    doc_id = proxy.data(index, Qt.ItemDataRole.UserRole + 2).id

    # Edit the title in place: the real editor, committed with Enter.
    table.setCurrentIndex(index)
    table.edit(index)
    editor = table.findChild(QLineEdit)
    assert editor is not None
    editor.setText("Anatomy of the controls (edited)")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: window.documents.document(doc_id).title == "Anatomy of the controls (edited)",
        timeout=WAIT,
    )
    # A date typed the way people write it is stored as ISO; nonsense is refused.
    date_index = proxy.index(0, DATE)
    assert proxy.setData(date_index, "21 March 2026") is False  # shown once saved
    qtbot.waitUntil(lambda: window.documents.document(doc_id).published == "2026-03-21")
    proxy.setData(date_index, "some day soon")
    assert "not a date" in window.status.message()
    assert window.documents.document(doc_id).published == "2026-03-21"

    pane.filter_edit.clear()
    assert proxy.rowCount() == 6
    window.close()
    with Library.open(isolated_home / "library") as lib:
        saved = lib.document(doc_id)
    assert (saved.title, saved.published) == ("Anatomy of the controls (edited)", "2026-03-21")


def test_remove_a_document_then_undo(make_window, qtbot) -> None:
    window = make_window()
    with qtbot.waitSignal(window.library.importFinished, timeout=WAIT):
        window.import_demo()
    pane, proxy = window.library_pane, window.library.proxy
    qtbot.keyClicks(pane.filter_edit, "Harrow")
    assert proxy.rowCount() == 1
    pane.table.selectRow(0)
    doc = window.library.selected_documents()[0]
    window.library.proxy.setData(proxy.index(0, TITLE), "Client alert, as I call it")
    qtbot.waitUntil(lambda: window.documents.document(doc.id).title == "Client alert, as I call it")

    pane.table.selectRow(0)
    pane.table.setFocus()
    qtbot.keyClick(pane.table, Qt.Key.Key_Delete)
    assert window.documents.document(doc.id) is None
    assert window.documents.rowCount() == 5
    assert "Removed" in window.status.message()
    qtbot.waitUntil(lambda: not window.backend.writer.busy, timeout=WAIT)
    assert not Path(doc.stored_path).exists()  # really gone from the library

    window.undo_action.trigger()
    qtbot.waitUntil(lambda: window.documents.document(doc.id) is not None, timeout=WAIT)
    restored = window.documents.document(doc.id)
    assert restored.title == "Client alert, as I call it"  # the analyst's edit came back too
    assert restored.publisher == doc.publisher and restored.published == doc.published
    assert window.documents.rowCount() == 6


def test_the_search_box_lists_matching_passages(make_window, qtbot) -> None:
    window = make_window()
    with qtbot.waitSignal(window.library.importFinished, timeout=WAIT):
        window.import_demo()
    pane = window.library_pane
    with qtbot.waitSignal(window.library.searchFinished, timeout=WAIT) as found:
        qtbot.keyClicks(pane.search_edit, "Which companies did China add to its blacklist?")
    query, hits = found.args
    assert query == "Which companies did China add to its blacklist?"
    assert hits and pane.results.count() == len(hits)
    assert any("blacklist" in h.passage.text.lower() for h in hits[:3])
    assert hits[0].document.title in pane.results.item(0).text()

    with qtbot.waitSignal(window.evidence.shown, timeout=WAIT):
        pane.results.setCurrentRow(0)
    card = window.evidence_pane.cards[0]
    assert hits[0].document.title in card.heading.text()
    assert hits[0].passage.text.split()[0] in card.text.text()


def test_document_details_say_where_the_date_came_from(qtbot) -> None:
    from PySide6.QtCore import Qt

    from desktop.document_table import DocumentTableModel
    from rag.core.types import Document

    def doc(source: str) -> Document:
        return Document(
            id=f"{source}0" * 8, filename="a.txt", kind="txt", title="A", publisher="Meridian Wire",
            published="2026-06-22", author="", pages=None, chars=600, passages=1,
            imported_at="2026-06-23T10:00:00+00:00", stored_path="", url="https://mw.example/a",
            date_source=source,
        )  # fmt: skip

    model = DocumentTableModel()
    model.set_documents([doc("text"), doc("metadata")])
    tip = model.data(model.index(0, DATE), Qt.ItemDataRole.ToolTipRole)
    assert "Date found in the document's first lines: check it" in tip
    assert "Address: https://mw.example/a" in tip
    tip = model.data(model.index(1, DATE), Qt.ItemDataRole.ToolTipRole)
    assert "Date from the file's own details" in tip
