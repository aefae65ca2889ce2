"""Qt binding versions known not to work, checked before any window is opened.

PySide6/shiboken6 6.12.0 return ``None``, ``True`` and ``False`` from C++ calls without taking
a reference, which is harmless from Python 3.12 on (those objects are immortal there) but on
Python 3.11 drops their reference counts by one per call: the process aborts ("deallocating
None") after a few thousand calls, i.e. within seconds of using the window. Checked with the
installed distribution's metadata, so that this module never imports Qt.
"""

from __future__ import annotations

import sys
from importlib import metadata

BROKEN_ON_PY311 = ("6.12.0",)


def binding_problem() -> str | None:
    """Why the installed Qt binding cannot run the app, or None if it can."""
    try:
        version = metadata.version("shiboken6")
    except metadata.PackageNotFoundError:
        return "PySide6 is not installed. Install BriefDesk with: pip install -e ."
    if tuple(sys.version_info[:2]) < (3, 12) and version in BROKEN_ON_PY311:
        python = ".".join(str(n) for n in sys.version_info[:2])
        return (
            f"PySide6 {version} crashes on Python {python} (it miscounts references to "
            "None). Install another "
            "version with: pip install 'pyside6-essentials!=6.12.0' 'shiboken6!=6.12.0', "
            "or use Python 3.12 or newer."
        )
    return None
