"""The status bar: short messages, errors, and after an export the offer to open the file."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QStatusBar, QWidget

OFFER_SECONDS = 60


def open_path(path: Path) -> bool:
    """Open a file or folder with the system's viewer (patched in tests)."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


class StatusReporter(QObject):
    def __init__(self, bar: QStatusBar) -> None:
        super().__init__(bar)
        self._bar = bar
        self._offer = QWidget()
        row = QHBoxLayout(self._offer)
        row.setContentsMargins(0, 0, 0, 0)
        self._offer_label = QLabel()
        self.open_file_button = QPushButton("Open file")
        self.open_folder_button = QPushButton("Show in folder")
        for button in (self.open_file_button, self.open_folder_button):
            button.setFlat(True)
            button.setCursor(Qt.CursorShape.PointingHandCursor)
        row.addWidget(self._offer_label)
        row.addWidget(self.open_file_button)
        row.addWidget(self.open_folder_button)
        bar.addWidget(self._offer, 1)
        self._offer.hide()
        self._offered: Path | None = None
        self.open_file_button.clicked.connect(lambda: self._open(file=True))
        self.open_folder_button.clicked.connect(lambda: self._open(file=False))
        self._expire = QTimer(self, singleShot=True, interval=OFFER_SECONDS * 1000)
        self._expire.timeout.connect(self._hide_offer)
        self.library_label = QLabel()
        self.library_label.setObjectName("muted")
        bar.addPermanentWidget(self.library_label)

    def show(self, text: str, seconds: int = 6) -> None:
        self._hide_offer()
        self._bar.showMessage(text, seconds * 1000)

    def error(self, text: str) -> None:
        self._hide_offer()
        self._bar.showMessage(f"⚠ {text}", 15000)

    def message(self) -> str:
        return (
            self._offer_label.text() if not self._offer.isHidden() else self._bar.currentMessage()
        )

    def offer_file(self, path: Path, text: str) -> None:
        """Say ``text`` and offer to open ``path`` or the folder holding it."""
        self._bar.clearMessage()
        self._offered = path
        self._offer_label.setText(text)
        self._offer_label.setToolTip(str(path))
        self._offer.show()
        self._expire.start()

    @property
    def offered(self) -> Path | None:
        return self._offered if not self._offer.isHidden() else None

    def _open(self, *, file: bool) -> None:
        if self._offered is not None:
            open_path(self._offered if file else self._offered.parent)

    def _hide_offer(self) -> None:
        self._offer.hide()
        self._offered = None
