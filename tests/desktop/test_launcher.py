"""``briefdesk``: the window when there is a display, the command line otherwise."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from desktop import launcher

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, object]]:
    seen: list[tuple[str, object]] = []

    def fake_gui(**options: object) -> int:
        seen.append(("gui", options))
        return 0

    def fake_cli(argv: list[str]) -> int:
        seen.append(("cli", list(argv)))
        return 0

    monkeypatch.setattr("desktop.app.run_gui", fake_gui)
    monkeypatch.setattr("rag.cli.main.main", fake_cli)
    # A machine with every library Qt's X11 plugin needs (tests/desktop/test_xcb_check.py
    # covers one without them).
    monkeypatch.setattr("desktop.xcb_check.run_ldd", lambda path: "")
    return seen


@pytest.fixture
def display(monkeypatch: pytest.MonkeyPatch):
    def set_display(on: bool) -> None:
        monkeypatch.setattr(launcher.sys, "platform", "linux")
        for var in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
            monkeypatch.delenv(var, raising=False)
        if on:
            monkeypatch.setenv("DISPLAY", ":99")

    return set_display


def test_no_arguments_or_gui_open_the_window(calls, display) -> None:
    display(True)
    assert launcher.main([]) == 0
    assert launcher.main(["gui"]) == 0
    assert launcher.main(["gui", "--library", "/tmp/lib"]) == 0
    assert calls == [
        ("gui", {"library": None, "demo": False, "model_choice": None}),
        ("gui", {"library": None, "demo": False, "model_choice": None}),
        ("gui", {"library": Path("/tmp/lib"), "demo": False, "model_choice": None}),
    ]


def test_demo_opens_the_window_when_there_is_a_display(calls, display) -> None:
    display(True)
    launcher.main(["demo", "--model", "small"])
    assert calls == [("gui", {"library": None, "demo": True, "model_choice": "small"})]


def test_demo_without_a_display_drafts_to_word_on_the_command_line(calls, display) -> None:
    display(False)
    launcher.main(["demo", "--model", "small", "--library", "/tmp/lib"])
    assert calls == [("cli", ["--library", "/tmp/lib", "demo", "--model", "small"])]


def test_everything_else_is_the_command_line(calls, display) -> None:
    display(True)
    launcher.main(["search", "entity list", "-k", "3"])
    launcher.main(["demo", "--out", "x.docx"])  # options only the CLI knows
    launcher.main(["--help"])
    assert calls == [
        ("cli", ["search", "entity list", "-k", "3"]),
        ("cli", ["demo", "--out", "x.docx"]),
        ("cli", ["--help"]),
    ]


def test_what_counts_as_a_display(monkeypatch: pytest.MonkeyPatch, display) -> None:
    display(False)
    assert not launcher.has_display()
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    assert launcher.has_display()
    display(False)
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert launcher.has_display()
    for platform in ("darwin", "win32"):
        display(False)
        monkeypatch.setattr(launcher.sys, "platform", platform)
        assert launcher.has_display()


def test_python_m_desktop_runs_the_command_line() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "desktop", "--version"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("briefdesk ")


def test_the_command_line_never_imports_qt() -> None:
    code = (
        "import sys; import desktop.launcher, rag.cli.main; "
        "sys.exit(any(m.startswith(('PySide6', 'shiboken6')) for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, timeout=120)
    assert out.returncode == 0


def test_a_broken_qt_binding_is_refused_with_the_fix(
    monkeypatch: pytest.MonkeyPatch, calls, display, capsys
) -> None:
    from desktop import compat

    monkeypatch.setattr(compat.metadata, "version", lambda name: "6.12.0")
    monkeypatch.setattr(compat.sys, "version_info", (3, 11, 7))
    display(True)
    assert launcher.main([]) == 2
    assert calls == []  # no window was attempted
    err = capsys.readouterr().err
    assert "6.12.0" in err and "pip install" in err
    monkeypatch.setattr(compat.sys, "version_info", (3, 12, 1))
    assert compat.binding_problem() is None
