"""Start the desktop app: the QApplication, the backend's threads, the main window."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from desktop import theme
from desktop.backend import Backend
from desktop.main_window import MainWindow
from desktop.operations import ModelOpener
from rag.core.paths import APP_NAME
from rag.models.local import preload_runtime


def application(argv: list[str] | None = None) -> QApplication:
    """The running QApplication, created (and styled) if there is none yet."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv if argv is not None else sys.argv[:1])
        app.setApplicationName(APP_NAME)
        app.setApplicationDisplayName(APP_NAME)
        app.setOrganizationName(APP_NAME)
        app.setDesktopFileName("briefdesk")
    assert isinstance(app, QApplication)
    theme.apply(app)
    return app


def create_window(
    *, library: Path | None = None, demo: bool = False, model_opener: ModelOpener | None = None
) -> MainWindow:
    """A main window with its own backend threads, opening its library in the background.
    Closing the window stops the threads."""
    # Before the window exists: importing the model runtime later, on the writer thread,
    # stalled the GUI thread for ~0.3 s when the first draft started.
    preload_runtime()
    backend = Backend(model_opener)
    window = MainWindow(backend, library=library, demo=demo)
    backend.setParent(window)
    window.start()
    return window


def run_gui(
    *, library: Path | None = None, demo: bool = False, model_choice: str | None = None
) -> int:
    app = application()
    opener = None
    if model_choice:
        from desktop.operations import open_model_by_choice

        opener = open_model_by_choice(model_choice)
    window = create_window(library=library, demo=demo, model_opener=opener)
    window.show()
    _close_on_signals(window)
    return app.exec()


def _close_on_signals(window: MainWindow) -> None:
    """Ctrl+C in the terminal, or a polite kill, closes the window the normal way: work is
    cancelled, threads are joined, the draft is saved."""

    def close(*_: object) -> None:
        window.close()

    for name in ("SIGINT", "SIGTERM"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), close)
    # Python runs signal handlers only when it gets control: give it control now and then.
    timer = QTimer(window, interval=250)
    timer.timeout.connect(lambda: None)
    timer.start()
