"""Whether Qt's X11 platform plugin can load, checked before Qt is imported.

On a plain Linux desktop PySide6's wheel brings Qt but not the X11 helper libraries its xcb
plugin links against (libxcb-cursor0, libxcb-icccm4, ...). Qt then aborts the process with
"Could not load the Qt platform plugin "xcb" even though it was found", which tells an analyst
nothing about what to install. This module asks ``ldd`` which of the plugin's libraries are
missing (or, without ``ldd``, looks for the known ones by name) and names the packages that
provide them on Debian/Ubuntu and Fedora. It never imports Qt.
"""

from __future__ import annotations

import ctypes.util
import importlib.util
import os
import re
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

# What libqxcb.so and libQt6XcbQpa.so.6 of PySide6 6.x link against outside Qt itself (ldd
# on Debian 12), with the package that provides each: (Debian/Ubuntu, Fedora).
PACKAGES: dict[str, tuple[str, str]] = {
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor"),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil"),
    "libxcb-util.so.1": ("libxcb-util1", "xcb-util"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11"),
    "libxkbcommon.so.0": ("libxkbcommon0", "libxkbcommon"),
    "libxcb-randr.so.0": ("libxcb-randr0", "libxcb"),
    "libxcb-render.so.0": ("libxcb-render0", "libxcb"),
    "libxcb-shape.so.0": ("libxcb-shape0", "libxcb"),
    "libxcb-shm.so.0": ("libxcb-shm0", "libxcb"),
    "libxcb-sync.so.1": ("libxcb-sync1", "libxcb"),
    "libxcb-xfixes.so.0": ("libxcb-xfixes0", "libxcb"),
    "libxcb-xkb.so.1": ("libxcb-xkb1", "libxcb"),
    "libxcb.so.1": ("libxcb1", "libxcb"),
    "libX11-xcb.so.1": ("libx11-xcb1", "libX11-xcb"),
    "libX11.so.6": ("libx11-6", "libX11"),
    "libGL.so.1": ("libgl1", "libglvnd-glx"),
    "libEGL.so.1": ("libegl1", "libglvnd-egl"),
    "libfontconfig.so.1": ("libfontconfig1", "fontconfig"),
    "libfreetype.so.6": ("libfreetype6", "freetype"),
    "libdbus-1.so.3": ("libdbus-1-3", "dbus-libs"),
    "libglib-2.0.so.0": ("libglib2.0-0", "glib2"),
    "libgthread-2.0.so.0": ("libglib2.0-0", "glib2"),
}
PLUGIN = Path("Qt") / "plugins" / "platforms" / "libqxcb.so"
_NOT_FOUND = re.compile(r"^\s*(\S+)\s*=>\s*not found", re.MULTILINE)

Ldd = Callable[[Path], str | None]


def uses_xcb(environ: Mapping[str, str], platform: str = sys.platform) -> bool:
    """Whether Qt will load its X11 plugin: on Linux when told to (QT_QPA_PLATFORM=xcb), or
    when nothing is set but an X display (a Wayland session lets Qt use its Wayland plugin)."""
    if not platform.startswith("linux"):
        return False
    wanted = environ.get("QT_QPA_PLATFORM", "")
    if wanted:
        return wanted.split(";")[0].split(":")[0] == "xcb"
    return bool(environ.get("DISPLAY")) and not environ.get("WAYLAND_DISPLAY")


def plugin_path() -> Path | None:
    """PySide6's libqxcb.so, found without importing PySide6 (that would load Qt)."""
    spec = importlib.util.find_spec("PySide6")
    roots = list(spec.submodule_search_locations or []) if spec else []
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        roots.append(str(Path(frozen) / "PySide6"))
    for root in roots:
        candidate = Path(root) / PLUGIN
        if candidate.is_file():
            return candidate
    return None


def run_ldd(path: Path) -> str | None:
    """``ldd``'s report on ``path``; None when there is no ``ldd`` to ask."""
    try:
        done = subprocess.run(
            ["ldd", str(path)], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def missing_from_ldd(report: str) -> list[str]:
    """The libraries ``ldd`` could not find, once each, in its order."""
    return list(dict.fromkeys(_NOT_FOUND.findall(report)))


def missing_by_name(find: Callable[[str], str | None] = ctypes.util.find_library) -> list[str]:
    """Without ``ldd``: the known libraries the system's library cache does not list. Nothing,
    if the lookup cannot even find the C library: then it knows nothing, and a window that
    might well open is not refused on its word."""
    if find("c") is None:
        return []
    return [so for so in PACKAGES if find(so.removeprefix("lib").split(".so")[0]) is None]


def missing_libraries(plugin: Path, ldd: Ldd = run_ldd) -> list[str]:
    report = ldd(plugin)
    return missing_from_ldd(report) if report is not None else missing_by_name()


def install_commands(missing: list[str]) -> list[str]:
    """One command per family of distributions; sonames of unknown packages are named."""
    known = [PACKAGES[so] for so in missing if so in PACKAGES]
    debian = list(dict.fromkeys(deb for deb, _ in known))
    fedora = list(dict.fromkeys(fed for _, fed in known))
    lines = []
    if known:
        lines.append(f"  Debian/Ubuntu: sudo apt-get install {' '.join(debian)}")
        lines.append(f"  Fedora:        sudo dnf install {' '.join(fedora)}")
    unknown = [so for so in missing if so not in PACKAGES]
    if unknown:
        lines.append(f"  and the packages that provide: {', '.join(unknown)}")
    return lines


def xcb_problem(
    environ: Mapping[str, str] | None = None,
    plugin: Path | None = None,
    ldd: Ldd | None = None,
    platform: str | None = None,
) -> str | None:
    """Why the window cannot open on this X display, with the command that fixes it; None
    when it can (or when Qt will not use X11 here)."""
    environ = os.environ if environ is None else environ
    if not uses_xcb(environ, sys.platform if platform is None else platform):
        return None
    plugin = plugin or plugin_path()
    if plugin is None:
        return None  # no plugin to check: Qt's own message is the best there is
    missing = missing_libraries(plugin, ldd or run_ldd)
    if not missing:
        return None
    return "\n".join(
        [
            "Qt's X11 platform plugin needs system libraries that are not installed: "
            f"{', '.join(missing)}. Install them with:",
            *install_commands(missing),
            "Then start BriefDesk again. (Every command but the window works without them;"
            " see --help.)",
        ]
    )
