"""The window on a shared library (a real ``chroma run`` on 127.0.0.1): it lists what another
client imported, imports into it, says where a colleague's original is, removes for everyone,
and moves to another library when the settings change."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from servers import chroma_server

from desktop.document_table import DOC_ROLE
from rag.core.settings import Settings, load_settings, save_settings
from rag.opening import open_library

WAIT = 60_000


def test_the_window_opens_a_shared_library_and_follows_settings(
    make_window, qtbot, quiet_file_opening: list[Path], seeds_dir: Path, tmp_path: Path
) -> None:
    seeds = sorted(seeds_dir.iterdir())
    with chroma_server(tmp_path / "chroma") as chroma:
        other = Settings()
        other.library.server, other.library.name = chroma.url, "team"
        with open_library(tmp_path / "colleague", settings=other) as lib:
            list(lib.import_paths(seeds[:2]))  # a colleague's import, from their computer

        settings = load_settings()
        settings.library.server, settings.library.name = chroma.url, "team"
        save_settings(settings)
        window = make_window()
        assert window.documents.rowCount() == 2
        assert chroma.url in window.windowTitle() and "team" in window.windowTitle()
        assert chroma.url in window.status.library_label.text()

        with qtbot.waitSignal(window.library.importFinished, timeout=WAIT) as finished:
            window.library.import_paths(seeds[1:3])
        done = finished.args[0]
        assert len(done.imported) == 1 and len(done.duplicates) == 1
        qtbot.waitUntil(lambda: window.documents.rowCount() == 3, timeout=WAIT)

        # A colleague's document: its original is on their computer, so opening it says so
        # and its removal cannot be undone from here (the undo says why).
        pane, proxy = window.library_pane, window.library.proxy
        theirs = next(
            r for r in range(proxy.rowCount())
            if not proxy.data(proxy.index(r, 0), DOC_ROLE).stored_path
        )  # fmt: skip
        pane.table.selectRow(theirs)
        doc = window.library.selected_documents()[0]
        window.library.open_selected()
        assert not quiet_file_opening and "computer that imported it" in window.status.message()
        pane.table.setFocus()
        qtbot.keyClick(pane.table, Qt.Key.Key_Delete)
        qtbot.waitUntil(lambda: not window.backend.writer.busy, timeout=WAIT)
        with open_library(tmp_path / "colleague", settings=other) as lib:
            assert doc.id not in {d.id for d in lib.documents()}  # removed for everyone
        window.undo_action.trigger()
        qtbot.waitUntil(lambda: "cannot be restored here" in window.status.message(), timeout=WAIT)

        # Another library on the same server: the window reopens on it (empty).
        changed = load_settings()
        changed.library.name = "other-team"
        window.apply_settings(changed)
        qtbot.waitUntil(
            lambda: window.library.is_open and "other-team" in window.windowTitle(), timeout=WAIT
        )
        qtbot.waitUntil(lambda: window.documents.rowCount() == 0, timeout=WAIT)
