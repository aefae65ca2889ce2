"""The frozen app's entry point (packaging/briefdesk_main.py), run from source: the clear
messages it gives instead of tracebacks, the read worker it must start as, and the window it
shows and closes for the smoke test."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from rag.core import paths
from rag.core.errors import ReadError
from rag.reading import isolation

ENTRY = Path(__file__).resolve().parents[2] / "packaging" / "briefdesk_main.py"
ROOT = ENTRY.parents[1]


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        ([], "gui"),
        (["--library", "/tmp/lib"], "gui"),
        (["--model", "small", "demo"], "demo"),
        (["--library", "import", "import", "a.pdf"], "import"),
        (["models", "list"], "models"),
        (["--version"], "gui"),
    ],
)
def test_command_of(entry: ModuleType, argv: list[str], command: str) -> None:
    assert entry.command_of(argv) == command


def test_nothing_to_say_when_all_is_there(entry: ModuleType) -> None:
    assert entry.preflight(["import", "x.pdf"]) is None
    assert entry.preflight([]) is None


def test_missing_models_say_where_it_looked_and_what_to_do(
    entry: ModuleType, frozen: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    problem = entry.preflight(["import", "x.pdf"])
    assert problem is not None
    assert "cannot find its models" in problem
    assert str(frozen / "_internal" / "models") in problem
    assert str(paths.data_home() / "models") in problem
    assert "BriefDesk-models" in problem and "--from-wheels" in problem
    # Commands that need no model, and help, still work.
    assert entry.preflight(["models", "list"]) is None
    assert entry.preflight(["templates"]) is None
    assert entry.preflight(["import", "--help"]) is None

    assert entry.main(["import", str(tmp_path)]) == entry.EXIT_PROBLEM
    err = capsys.readouterr().err
    assert "cannot find its models" in err and "Traceback" not in err


def test_models_given_by_the_environment_are_named(
    entry: ModuleType, frozen: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRIEFDESK_MODELS_DIR", str(tmp_path / "my models"))
    problem = entry.preflight(["search", "x"])
    assert problem is not None and str(tmp_path / "my models") in problem


def test_a_data_folder_that_cannot_be_written(
    entry: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("BRIEFDESK_HOME", str(blocker / "briefdesk"))  # root cannot write here
    assert entry.main(["list"]) == entry.EXIT_PROBLEM
    err = capsys.readouterr().err
    assert f"cannot write to its data folder {blocker / 'briefdesk'}" in err
    assert "BRIEFDESK_HOME" in err and "Traceback" not in err


def test_file_system_errors_become_one_paragraph(entry: ModuleType) -> None:
    read_only = OSError(errno.EROFS, "Read-only file system", "/data/settings.json")
    text = entry.os_error_message(read_only)
    assert text.startswith("BriefDesk could not use /data/settings.json: Read-only file system.")
    assert "BRIEFDESK_HOME" in text
    full = entry.os_error_message(OSError(errno.ENOSPC, "No space left on device"))
    assert "disk is full" in full


def test_an_unexpected_error_is_logged_not_shown(
    entry: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))

    def broken(argv: list[str]) -> int:
        raise ValueError("something no one expected")

    monkeypatch.setattr("desktop.launcher.main", broken)
    assert entry.main(["list"]) == entry.EXIT_CRASH
    err = capsys.readouterr().err
    assert "unexpected error (ValueError: something no one expected)" in err
    assert "Traceback" not in err
    [log] = tmp_path.glob("briefdesk-crash-*.log")
    assert "Traceback" in log.read_text() and "something no one expected" in log.read_text()


def test_the_read_worker_starts_from_the_entry_point(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A frozen app's worker is the app itself with a flag: here the entry script with it."""
    isolation.shutdown_workers()
    monkeypatch.setattr(
        isolation, "worker_command", lambda: [sys.executable, str(ENTRY), isolation.WORKER_FLAG]
    )
    note = tmp_path / "Заметка — note.txt"
    note.write_text("Title: Entity list\n\nThe rule adds 28 firms to the entity list.\n")
    try:
        document = isolation.read_isolated(note, max_bytes=1 << 20)
        assert "28 firms" in " ".join(block.text for block in document.blocks)
        with pytest.raises(ReadError):
            isolation.read_isolated(tmp_path / "missing.txt", max_bytes=1 << 20)
    finally:
        isolation.shutdown_workers()


@pytest.mark.slow
def test_the_window_shows_and_quits_cleanly(tmp_path: Path) -> None:
    """What the smoke test asks of the frozen app, from source: shown, captured, closed."""
    shot = tmp_path / "window.png"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "QT_QPA_PLATFORM": "offscreen",
        "BRIEFDESK_QUIT_AFTER_MS": "1500",
        "BRIEFDESK_SCREENSHOT": str(shot),
    }
    done = subprocess.run(
        [sys.executable, str(ENTRY)], env=env, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr
    assert "main window shown: 'BriefDesk" in done.stderr
    assert shot.stat().st_size > 1000
    assert "Traceback" not in done.stderr
