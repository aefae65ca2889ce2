"""Export to Word in one click: propose "<topic> <date>.docx" in the folder used last, write it
on the reader thread, then offer to open the file or its folder."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from desktop import dialogs
from desktop.backend import Backend
from desktop.status import StatusReporter
from desktop.ui_state import UiState
from rag.api import Briefing, Settings

MAX_NAME = 80
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def proposed_name(topic: str, day: date | None = None) -> str:
    """A file name safe on Windows, macOS and Linux: the topic, then the date."""
    name = " ".join(_UNSAFE.sub(" ", topic).split()).strip(" .")
    if len(name) > MAX_NAME:
        name = name[:MAX_NAME].rsplit(" ", 1)[0]
    name = name or "Briefing"
    return f"{name} {(day or date.today()).isoformat()}.docx"


def default_folder() -> Path:
    documents = Path.home() / "Documents"
    return documents if documents.is_dir() else Path.home()


class ExportController(QObject):
    exported = Signal(object)  # Path
    failed = Signal(str)

    def __init__(
        self,
        backend: Backend,
        parent: QWidget,
        status: StatusReporter,
        settings: Callable[[], Settings],
        state: UiState,
    ) -> None:
        super().__init__(parent)
        self.backend = backend
        self._parent = parent
        self.status = status
        self._settings = settings
        self.state = state

    def export(self, briefing: Briefing | None) -> None:
        if briefing is None:
            self.status.error("There is no briefing to export.")
            return
        folder = Path(self.state.export_folder) if self.state.export_folder else None
        if folder is None or not folder.is_dir():
            folder = default_folder()
        path = dialogs.ask_save_path(self._parent, folder / proposed_name(briefing.topic))
        if path is None:
            return
        self.state.update(export_folder=str(path.parent))
        self.status.show(f"Writing {path.name}…")
        snapshot = copy.deepcopy(briefing)  # the analyst may edit on while it is written
        self.backend.export(
            snapshot, path, self._settings(), on_done=self._done, on_error=self._failed
        )

    def _done(self, path: Path) -> None:
        self.status.offer_file(path, f"Exported “{path.name}”.")
        self.exported.emit(path)

    def _failed(self, message: str) -> None:
        self.status.error(f"Export failed: {message}")
        self.failed.emit(message)
