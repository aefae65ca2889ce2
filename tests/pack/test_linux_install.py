"""packaging/linux/install.sh on a stand-in app folder: menu entry, icons, command, removal."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINUX = ROOT / "packaging" / "linux"

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux only")


@pytest.fixture
def app(tmp_path: Path) -> Path:
    """A folder laid out like dist/BriefDesk, under a path that needs quoting in Exec=."""
    folder = tmp_path / 'Apps $HOME "q" 100% — 简报' / "BriefDesk"
    icons = folder / "_internal" / "assets" / "icons"
    shutil.copytree(ROOT / "assets" / "icons", icons)
    exe = folder / "BriefDesk"
    exe.write_text('#!/bin/sh\necho frozen-app "$@"\n')
    exe.chmod(0o755)
    for name in ("briefdesk.desktop", "install.sh"):
        shutil.copy2(LINUX / name, folder / name)
    return folder


def run(script: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ["PATH"], "HOME": str(home)}
    return subprocess.run(
        ["sh", str(script), *args], env=env, capture_output=True, text=True, timeout=60
    )


def test_install_and_uninstall(app: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    done = run(app / "install.sh", home)
    assert done.returncode == 0, done.stderr
    entry = (home / ".local/share/applications/briefdesk.desktop").read_text()
    # Inside the quotes: $ " escaped (with the string-level backslash doubled), % doubled.
    quoted = str(app / "BriefDesk").replace("$", "\\\\$").replace('"', '\\\\"').replace("%", "%%")
    assert f'Exec="{quoted}"' in entry.splitlines()
    assert "Icon=briefdesk" in entry and entry.startswith("[Desktop Entry]")
    for size in (16, 32, 64, 128, 256):
        assert (home / f".local/share/icons/hicolor/{size}x{size}/apps/briefdesk.png").is_file()
    command = home / ".local/bin/briefdesk"
    assert subprocess.run([command, "--version"], capture_output=True, text=True).stdout == (
        "frozen-app --version\n"
    )

    done = run(app / "install.sh", home, "--uninstall")
    assert done.returncode == 0, done.stderr
    assert not command.exists() and not command.is_symlink()
    assert not (home / ".local/share/applications/briefdesk.desktop").exists()
    assert not list((home / ".local/share/icons").rglob("briefdesk.*"))


def test_install_outside_an_app_folder_says_so(tmp_path: Path) -> None:
    lonely = tmp_path / "install.sh"
    shutil.copy2(LINUX / "install.sh", lonely)
    done = run(lonely, tmp_path)
    assert done.returncode == 2
    assert "run this script from the BriefDesk folder" in done.stderr


def test_install_names_the_system_libraries_the_window_lacks(app: Path, tmp_path: Path) -> None:
    """A plain desktop without the X11 helper libraries is told what to install (here ldd is a
    stand-in that reports two of them missing)."""
    platforms = app / "_internal" / "PySide6" / "Qt" / "plugins" / "platforms"
    platforms.mkdir(parents=True)
    (platforms / "libqxcb.so").write_bytes(b"")
    tools = tmp_path / "bin"
    tools.mkdir()
    (tools / "ldd").write_text(
        "#!/bin/sh\n"
        "printf '\\tlibxcb-icccm.so.4 => not found\\n\\tlibxcb.so.1 => /lib/libxcb.so.1\\n'\n"
        "printf '\\tlibxcb-keysyms.so.1 => not found\\n\\tlibxcb-icccm.so.4 => not found\\n'\n"
    )
    (tools / "ldd").chmod(0o755)
    home = tmp_path / "home"
    home.mkdir()
    env = {"PATH": f"{tools}{os.pathsep}{os.environ['PATH']}", "HOME": str(home)}
    done = subprocess.run(
        ["sh", str(app / "install.sh")], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert any("not installed: libxcb-icccm.so.4 libxcb-keysyms.so.1" in line for line in lines), (
        done.stdout
    )
    assert any(
        line.startswith("  Debian/Ubuntu: sudo apt-get install libxcb-cursor0 libxcb-icccm4")
        for line in lines
    )
    fedora = "  Fedora:        sudo dnf install xcb-util-cursor"
    assert any(line.startswith(fedora) for line in lines)
    # With every library there (the real ldd on an empty file finds nothing missing), silence.
    quiet = run(app / "install.sh", home)
    assert "not installed" not in quiet.stdout
