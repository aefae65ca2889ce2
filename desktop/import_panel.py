"""The import panel: progress of the batch, a Cancel button, and each file's outcome as it
happens (failures in red with their one-line reason). Layout only; the library controller
feeds it."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
)

from desktop.theme import UNSUPPORTED, std_icon

SCALE = 1000
MAX_ROWS = 8  # progress bar resolution: files are split into their embedding batches

OUTCOME_ICONS = {
    "imported": "SP_DialogApplyButton",
    "duplicate": "SP_FileDialogInfoView",
    "failed": "SP_MessageBoxCritical",
    "skipped": "SP_MessageBoxInformation",
}


class ImportPanel(QFrame):
    cancelRequested = Signal()
    dismissRequested = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("importPanel")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(6)

        head = QHBoxLayout()
        self.title = QLabel("Importing")
        self.title.setObjectName("cardTitle")
        head.addWidget(self.title, 1)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop importing (Esc). Files already imported stay.")
        self.cancel_button.clicked.connect(self.cancelRequested)
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.dismissRequested)
        head.addWidget(self.cancel_button)
        head.addWidget(self.close_button)
        layout.addLayout(head)

        self.current = QLabel()
        self.current.setObjectName("muted")
        self.current.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.current)
        self.progress = QProgressBar()
        self.progress.setRange(0, SCALE)
        self.progress.setTextVisible(False)
        self.progress.setFixedHeight(8)
        layout.addWidget(self.progress)

        self.outcomes = QListWidget()
        self.outcomes.setAlternatingRowColors(True)
        self.outcomes.setWordWrap(True)
        self.outcomes.setUniformItemSizes(False)
        self.outcomes.setIconSize(QSize(16, 16))
        self._fit_outcomes()
        layout.addWidget(self.outcomes)
        self.hide()

    # -- states -------------------------------------------------------------------------------

    def waiting(self, what: str) -> None:
        """The writer is busy (a draft, most likely): say so instead of looking stuck."""
        self.outcomes.clear()
        self._fit_outcomes()
        self.title.setText("Import waiting")
        self.current.setText(f"{what} will import when the current work finishes.")
        self.progress.setRange(0, 0)
        self._running(True)
        self.show()

    def started(self, total: int, skipped: int) -> None:
        if self.isHidden() or self.title.text() == "Import waiting":
            self.outcomes.clear()  # else a batch dropped during another: keep both lists
            self._fit_outcomes()
        self.progress.setRange(0, SCALE)
        self.progress.setValue(0)
        files = "1 file" if total == 1 else f"{total} files"
        self.title.setText(f"Importing {files}")
        self.current.setText("")
        if skipped:
            self.add_outcome(
                "skipped",
                f"{skipped} other files in the folders skipped (not a type BriefDesk reads)",
                "",
            )
        self._running(True)
        self.show()

    def working(self, title: str) -> None:
        """Other long work on the library's documents (reading their details again) shows
        here too: its progress, Cancel, and its outcomes."""
        self.outcomes.clear()
        self._fit_outcomes()
        self.title.setText(title)
        self.current.setText("")
        self.progress.setRange(0, SCALE)
        self.progress.setValue(0)
        self._running(True)
        self.show()

    def step(self, current: str, fraction: float) -> None:
        self.current.setText(current)
        self.progress.setValue(round(min(max(fraction, 0.0), 1.0) * SCALE))

    def file_started(self, index: int, total: int, name: str) -> None:
        self.current.setText(f"{index} of {total}: {name}")
        self.progress.setValue(round((index - 1) / max(total, 1) * SCALE))

    def file_progress(
        self, index: int, total: int, name: str, stage: str, done: int, of: int
    ) -> None:
        within = done / of if of else 0.0
        step = f"reading page {done} of {of}" if stage == "reading" else stage
        self.current.setText(f"{index} of {total}: {name} ({step})")
        self.progress.setValue(round((index - 1 + 0.9 * within) / max(total, 1) * SCALE))

    def add_outcome(self, kind: str, text: str, tooltip: str) -> None:
        item = QListWidgetItem(std_icon(OUTCOME_ICONS[kind]), text)
        item.setData(Qt.ItemDataRole.UserRole, kind)
        if tooltip:
            item.setToolTip(tooltip)
        if kind == "failed":
            item.setForeground(QColor(UNSUPPORTED))
        self.outcomes.addItem(item)
        self._fit_outcomes()
        self.outcomes.scrollToBottom()

    def finished(self, summary: str) -> None:
        self.title.setText(summary)
        self.current.setText("")
        self.progress.setRange(0, SCALE)
        self.progress.setValue(SCALE)
        self._running(False)
        # Failures first: they are what the analyst has to act on.
        failed = [self.outcomes.item(i) for i in range(self.outcomes.count())]
        failed = [i for i in failed if i.data(Qt.ItemDataRole.UserRole) == "failed"]
        if failed:
            self.outcomes.scrollToItem(failed[0])

    def _fit_outcomes(self) -> None:
        """As tall as its lines, up to eight; then it scrolls."""
        rows = min(max(self.outcomes.count(), 1), MAX_ROWS)
        row = self.outcomes.sizeHintForRow(0) if self.outcomes.count() else 20
        self.outcomes.setFixedHeight(rows * row + 2 * self.outcomes.frameWidth() + 2)

    def _running(self, running: bool) -> None:
        self.cancel_button.setVisible(running)
        self.close_button.setVisible(not running)
        self.progress.setVisible(running)

    # -- for the controller and tests ---------------------------------------------------------

    def outcome_texts(self, kind: str | None = None) -> list[str]:
        items = [self.outcomes.item(i) for i in range(self.outcomes.count())]
        return [i.text() for i in items if kind is None or i.data(Qt.ItemDataRole.UserRole) == kind]
