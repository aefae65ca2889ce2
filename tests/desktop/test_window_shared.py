"""The window on a shared library (a real ``chroma run`` on 127.0.0.1): it lists what another
client imported, imports into it, and moves to another library when the settings change."""

from __future__ import annotations

from pathlib import Path

from servers import chroma_server

from rag.library import Library
from rag.settings import Settings, load_settings, save_settings

WAIT = 60_000


def test_the_window_opens_a_shared_library_and_follows_settings(
    make_window, qtbot, seeds_dir: Path, tmp_path: Path
) -> None:
    seeds = sorted(seeds_dir.iterdir())
    with chroma_server(tmp_path / "chroma") as chroma:
        other = Settings()
        other.library.server, other.library.name = chroma.url, "team"
        with Library.open(tmp_path / "colleague", settings=other) as lib:
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

        # Another library on the same server: the window reopens on it (empty).
        changed = load_settings()
        changed.library.name = "other-team"
        window.apply_settings(changed)
        qtbot.waitUntil(
            lambda: window.library.is_open and "other-team" in window.windowTitle(), timeout=WAIT
        )
        qtbot.waitUntil(lambda: window.documents.rowCount() == 0, timeout=WAIT)
