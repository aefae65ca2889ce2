"""The window on a plain Linux desktop: missing X11 libraries are named with the command that
installs them, instead of Qt aborting with "Could not load the Qt platform plugin xcb"."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from desktop import launcher, xcb_check

ROOT = Path(__file__).resolve().parents[2]

# ldd's report on PySide6 6.x's libqxcb.so on a Debian 12 desktop without the xcb-util
# libraries (shortened: Qt's own libraries and libc's are left out).
LDD_MISSING = """\
\tlinux-vdso.so.1 (0x00007ffd3a5f2000)
\tlibQt6XcbQpa.so.6 => /opt/v/PySide6/Qt/plugins/platforms/../../lib/libQt6XcbQpa.so.6 (0x7f0)
\tlibxkbcommon-x11.so.0 => not found
\tlibxcb-cursor.so.0 => not found
\tlibxcb-icccm.so.4 => not found
\tlibxcb-util.so.1 => /lib/x86_64-linux-gnu/libxcb-util.so.1 (0x00007f9a1c2a0000)
\tlibxcb-keysyms.so.1 => not found
\tlibxcb-randr.so.0 => /lib/x86_64-linux-gnu/libxcb-randr.so.0 (0x00007f9a1c280000)
\tlibxcb-icccm.so.4 => not found
\tlibxcb.so.1 => /lib/x86_64-linux-gnu/libxcb.so.1 (0x00007f9a1c250000)
\tlibxcb-keysyms.so.1 => not found
\tlibfoo-extra.so.2 => not found
\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f9a1b800000)
"""
LDD_COMPLETE = "\n".join(line for line in LDD_MISSING.splitlines() if "not found" not in line)
X_DISPLAY = {"DISPLAY": ":0"}


def test_the_missing_libraries_are_read_from_ldd_once_each() -> None:
    assert xcb_check.missing_from_ldd(LDD_MISSING) == [
        "libxkbcommon-x11.so.0",
        "libxcb-cursor.so.0",
        "libxcb-icccm.so.4",
        "libxcb-keysyms.so.1",
        "libfoo-extra.so.2",
    ]
    assert xcb_check.missing_from_ldd(LDD_COMPLETE) == []


def test_the_problem_names_each_library_and_the_command_for_each_distribution(
    tmp_path: Path,
) -> None:
    plugin = tmp_path / "libqxcb.so"
    plugin.write_bytes(b"")
    asked: list[Path] = []

    def fake_ldd(path: Path) -> str:
        asked.append(path)
        return LDD_MISSING

    problem = xcb_check.xcb_problem(X_DISPLAY, plugin, fake_ldd, platform="linux")
    assert asked == [plugin]
    assert problem is not None
    lines = problem.splitlines()
    assert "libxcb-cursor.so.0" in lines[0] and "libfoo-extra.so.2" in lines[0]
    assert (
        "  Debian/Ubuntu: sudo apt-get install libxkbcommon-x11-0 libxcb-cursor0 "
        "libxcb-icccm4 libxcb-keysyms1"
    ) in lines
    assert (
        "  Fedora:        sudo dnf install libxkbcommon-x11 xcb-util-cursor xcb-util-wm "
        "xcb-util-keysyms"
    ) in lines
    assert "  and the packages that provide: libfoo-extra.so.2" in lines
    # Everything there: no problem, and the window opens as before.
    assert xcb_check.xcb_problem(X_DISPLAY, plugin, lambda _: LDD_COMPLETE, "linux") is None


def test_without_ldd_the_known_libraries_are_looked_up_by_name(tmp_path: Path) -> None:
    present = {"c", "xcb-cursor", "xcb", "X11"}
    found = xcb_check.missing_by_name(lambda name: f"lib{name}.so" if name in present else None)
    assert "libxcb-icccm.so.4" in found and "libxkbcommon-x11.so.0" in found
    assert not {"libxcb-cursor.so.0", "libxcb.so.1", "libX11.so.6"} & set(found)
    # A lookup that finds nothing at all (not even libc) is no evidence: no refusal on it.
    assert xcb_check.missing_by_name(lambda name: None) == []


@pytest.mark.parametrize(
    ("environ", "platform", "checked"),
    [
        ({"DISPLAY": ":0"}, "linux", True),
        ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb"}, "linux", True),
        ({"QT_QPA_PLATFORM": "xcb:nograb"}, "linux", True),
        ({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}, "linux", False),  # Qt uses Wayland
        ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"}, "linux", False),
        ({"WAYLAND_DISPLAY": "wayland-0", "QT_QPA_PLATFORM": "wayland"}, "linux", False),
        ({"DISPLAY": ":0"}, "darwin", False),
        ({}, "linux", False),
    ],
)
def test_only_an_x11_session_on_linux_is_checked(
    environ: dict[str, str], platform: str, checked: bool
) -> None:
    assert xcb_check.uses_xcb(environ, platform) is checked
    calls: list[Path] = []
    xcb_check.xcb_problem(
        environ, Path("/nonexistent/libqxcb.so"), lambda p: calls.append(p) or LDD_MISSING,
        platform=platform,
    )  # fmt: skip
    assert bool(calls) is checked


def test_the_launcher_says_what_to_install_instead_of_opening_a_window(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    opened: list[object] = []
    monkeypatch.setattr("desktop.app.run_gui", lambda **kw: opened.append(kw) or 0)
    plugin = tmp_path / "libqxcb.so"
    plugin.write_bytes(b"")
    monkeypatch.setattr(xcb_check, "plugin_path", lambda: plugin)
    monkeypatch.setattr(xcb_check, "run_ldd", lambda path: LDD_MISSING)
    monkeypatch.setattr(launcher.sys, "platform", "linux")
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("DISPLAY", ":0")
    assert launcher.main(["gui"]) == 2
    assert opened == []
    err = capsys.readouterr().err
    assert err.startswith("briefdesk: cannot open the window.")
    assert "sudo apt-get install libxkbcommon-x11-0 libxcb-cursor0" in err
    assert "sudo dnf install libxkbcommon-x11 xcb-util-cursor" in err
    # The command line does not need X11 and is not held up by it.
    monkeypatch.setattr("rag.cli.main.main", lambda argv: 0)
    assert launcher.main(["list"]) == 0


# --- for real, under Xvfb ---------------------------------------------------------------------


def _under_xvfb(*command: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
    env.update(BRIEFDESK_HOME=str(home), PYTHONPATH=str(ROOT))
    return subprocess.run(
        ["xvfb-run", "-a", *command], env=env, capture_output=True, text=True, timeout=300
    )


@pytest.mark.slow
@pytest.mark.skipif(
    not sys.platform.startswith("linux") or shutil.which("xvfb-run") is None,
    reason="needs Linux and Xvfb (apt-get install xvfb)",
)
def test_under_xvfb_the_verdict_matches_whether_qt_can_start(tmp_path: Path) -> None:
    """On this machine's real X server: the check says "fine" exactly when Qt's xcb plugin
    loads, and when it does not, ``briefdesk gui`` explains instead of aborting."""
    verdict = _under_xvfb(
        sys.executable, "-c",
        "from desktop.xcb_check import xcb_problem; print(xcb_problem() or 'OK')",
        home=tmp_path,
    )  # fmt: skip
    assert verdict.returncode == 0, verdict.stderr
    qt = _under_xvfb(
        sys.executable, "-c",
        "from PySide6.QtGui import QGuiApplication; app = QGuiApplication(['probe']); "
        "print(app.platformName())",
        home=tmp_path,
    )  # fmt: skip
    can_start = qt.returncode == 0 and qt.stdout.strip() == "xcb"
    assert (verdict.stdout.strip() == "OK") is can_start, (verdict.stdout, qt.stderr[-500:])
    if not can_start:
        gui = _under_xvfb(sys.executable, "-m", "desktop", "gui", home=tmp_path)
        assert gui.returncode == 2, gui.stderr[-2000:]
        assert "sudo apt-get install" in gui.stderr and "sudo dnf install" in gui.stderr
        assert "Could not load the Qt platform plugin" not in gui.stderr
