"""The list of briefings drafted earlier, to open one again."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.operations import BriefingSummary


def summary_line(s: BriefingSummary) -> str:
    try:
        when = datetime.fromisoformat(s.updated).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        when = s.updated
    claims = "1 claim" if s.claims == 1 else f"{s.claims} claims"
    extra = " · unfinished" if s.unfinished else ""
    return f"{s.topic}\n{s.template_name} · {claims} · saved {when}{extra}"


class BriefingPicker(QDialog):
    def __init__(
        self, summaries: list[BriefingSummary], current: str | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Open a briefing")
        self.resize(560, 420)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Briefings in this library, most recently saved first:"))
        self.list = QListWidget()
        self.list.setAlternatingRowColors(True)
        for s in summaries:
            item = QListWidgetItem(summary_line(s))
            item.setData(Qt.ItemDataRole.UserRole, s.id)
            self.list.addItem(item)
            if s.id == current:
                self.list.setCurrentItem(item)
        if self.list.currentRow() < 0 and self.list.count():
            self.list.setCurrentRow(0)
        self.list.itemDoubleClicked.connect(lambda _: self.accept())
        layout.addWidget(self.list, 1)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Open).setEnabled(bool(summaries))
        layout.addWidget(buttons)

    def chosen(self) -> str | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None
