"""What the window remembers between runs: geometry, pane sizes, the briefing last open, the
folder last exported to. A small JSON file in the data folder (``BRIEFDESK_HOME`` moves it),
so tests and a second data folder never share it. Settings that change results live in
``rag.core.settings``, not here."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from rag.api import data_home

FILE_NAME = "desktop.json"


@dataclass
class UiState:
    geometry: str = ""  # QMainWindow.saveGeometry(), base64
    window_state: str = ""  # QMainWindow.saveState(), base64
    splitter: list[int] = field(default_factory=list)
    last_briefing: str = ""  # id of the briefing on screen when the app last ran
    export_folder: str = ""
    import_folder: str = ""
    template_id: str = ""

    @classmethod
    def path(cls) -> Path:
        return data_home() / FILE_NAME

    @classmethod
    def load(cls) -> UiState:
        try:
            data = json.loads(cls.path().read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls()
        if not isinstance(data, dict):
            return cls()
        state = cls()
        for f in fields(cls):
            value = data.get(f.name)
            if isinstance(value, type(getattr(state, f.name))):
                setattr(state, f.name, value)
        return state

    def save(self) -> None:
        # No fsync: this runs on the GUI thread, and a lost window size is no loss.
        path = self.path()
        tmp = path.with_name(f".{path.name}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps(asdict(self), indent=1), encoding="utf-8")
            os.replace(tmp, path)
        except OSError:
            pass  # remembering the window's size is never worth an error message

    def update(self, **changes: Any) -> None:
        for key, value in changes.items():
            setattr(self, key, value)
        self.save()
