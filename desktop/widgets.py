"""Small widgets shared by the panes."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.theme import set_state, std_icon

_TONE_ICONS = {
    "warn": "SP_MessageBoxWarning",
    "error": "SP_MessageBoxCritical",
    "info": "SP_MessageBoxInformation",
}


class Banner(QFrame):
    """A message across a pane, with an optional command to copy and buttons; hidden until
    ``show_message``. One banner shows one message; a new message replaces the last."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.key = ""
        outer = QHBoxLayout(self)
        outer.setContentsMargins(10, 8, 10, 8)
        outer.setSpacing(10)
        self._icon = QLabel()
        self._icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        outer.addWidget(self._icon)
        body = QVBoxLayout()
        body.setSpacing(6)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        body.addWidget(self.text)
        command_row = QHBoxLayout()
        self.command = QLabel()
        self.command.setObjectName("command")
        self.command.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.copy_button = QPushButton("Copy command")
        self.copy_button.clicked.connect(self._copy)
        command_row.addWidget(self.command)
        command_row.addWidget(self.copy_button)
        command_row.addStretch(1)
        body.addLayout(command_row)
        self._buttons = QHBoxLayout()
        self._buttons.addStretch(1)
        body.addLayout(self._buttons)
        outer.addLayout(body, 1)
        self._command_widgets = (self.command, self.copy_button)
        self.hide()

    def show_message(
        self,
        text: str,
        *,
        key: str = "",
        tone: str = "warn",
        command: str = "",
        buttons: list[tuple[str, Callable[[], None]]] | None = None,
    ) -> None:
        self.key = key
        set_state(self, "tone", tone)
        icon = std_icon(_TONE_ICONS.get(tone, "SP_MessageBoxInformation"))
        self._icon.setPixmap(icon.pixmap(22, 22))
        self.text.setText(text)
        self.command.setText(command)
        for widget in self._command_widgets:
            widget.setVisible(bool(command))
        while self._buttons.count() > 1:
            item = self._buttons.takeAt(1)
            if item.widget() is not None:
                item.widget().deleteLater()
        for label, action in buttons or []:
            button = QPushButton(label)
            button.clicked.connect(action)
            self._buttons.addWidget(button)
        self.show()

    def button_labels(self) -> list[str]:
        return [
            w.text()
            for i in range(1, self._buttons.count())
            if isinstance(w := self._buttons.itemAt(i).widget(), QPushButton)
        ]

    def click(self, label: str) -> None:
        """Press the banner's button labelled ``label`` (keyboard users and tests)."""
        for i in range(1, self._buttons.count()):
            widget = self._buttons.itemAt(i).widget()
            if isinstance(widget, QPushButton) and widget.text() == label:
                widget.click()
                return
        raise KeyError(label)

    def dismiss(self, key: str | None = None) -> None:
        """Hide the banner (only if it shows ``key``, when given)."""
        if key is None or self.key == key:
            self.key = ""
            self.hide()

    def _copy(self) -> None:
        QGuiApplication.clipboard().setText(self.command.text())
        self.copy_button.setText("Copied")


def muted_label(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setObjectName("muted")
    label.setWordWrap(True)
    return label
