"""The details that read differently when documents were read again: one row per change (the
document, which detail, now, read again), each ticked by default. Only the ticked ones are
applied. Layout only; the details controller opens it and applies what it returns."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from rag.api import DetailChange

DETAIL_NAMES = {
    "title": "Title",
    "publisher": "Publisher",
    "published": "Date",
    "author": "Author",
    "url": "Address",
}
EMPTY = "(none)"


class DetailsDialog(QDialog):
    def __init__(
        self, changes: Sequence[DetailChange], intro: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Details read again")
        self.resize(860, 420)
        layout = QVBoxLayout(self)
        text = QLabel(intro)
        text.setWordWrap(True)
        layout.addWidget(text)

        self.tree = QTreeWidget()
        self.tree.setColumnCount(4)
        self.tree.setHeaderLabels(["Document", "Detail", "Now", "Read again"])
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self._changes = list(changes)
        for change in self._changes:
            item = QTreeWidgetItem(
                [change.title, DETAIL_NAMES.get(change.field, change.field),
                 change.old or EMPTY, change.new]
            )  # fmt: skip
            item.setCheckState(0, Qt.CheckState.Checked)
            item.setToolTip(0, change.title)
            for column, value in ((2, change.old), (3, change.new)):
                item.setToolTip(column, value)
            self.tree.addTopLevelItem(item)
        layout.addWidget(self.tree, 1)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.apply_button = buttons.addButton(
            "Apply Ticked", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.apply_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.tree.itemChanged.connect(lambda *_: self._ticked_changed())
        layout.addWidget(buttons)

    def _ticked_changed(self) -> None:
        self.apply_button.setEnabled(bool(self.chosen()))

    def set_ticked(self, row: int, ticked: bool) -> None:
        state = Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked
        self.tree.topLevelItem(row).setCheckState(0, state)

    def chosen(self) -> list[DetailChange]:
        """The changes still ticked, in the order listed."""
        return [
            change
            for row, change in enumerate(self._changes)
            if self.tree.topLevelItem(row).checkState(0) == Qt.CheckState.Checked
        ]
