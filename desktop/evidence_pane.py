"""The evidence pane's layout: the claim being checked, then one card per cited passage with
the supporting words highlighted, where the passage stands, and a button to open the file.
Layout only: ``EvidenceController`` fills it."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop.theme import set_state, std_icon
from desktop.widgets import muted_label

EMPTY_TEXT = (
    "Select a claim, or click one of its numbers, to see the passages it cites with the "
    "supporting words highlighted.\n\nClick a search result in the library pane to read "
    "that passage here."
)


class EvidenceCard(QFrame):
    openRequested = Signal(str)  # document id

    def __init__(self, heading: str, where: str, doc_id: str) -> None:
        super().__init__()
        self.setObjectName("card")
        self.doc_id = doc_id
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(4)
        self.heading = QLabel(heading)
        self.heading.setObjectName("cardTitle")
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.heading)
        self.where = muted_label(where)
        layout.addWidget(self.where)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.text)
        # Beside the highlight: the words above were recognised from an image, not read.
        self.scan = muted_label("")
        self.scan.hide()
        layout.addWidget(self.scan)
        self.note = QLabel()
        self.note.setObjectName("quoteMissing")
        self.note.setWordWrap(True)
        self.note.hide()
        layout.addWidget(self.note)
        row = QHBoxLayout()
        row.addStretch(1)
        self.open_button = QPushButton(std_icon("SP_FileLinkIcon"), "Open original")
        self.open_button.clicked.connect(lambda: self.openRequested.emit(self.doc_id))
        row.addWidget(self.open_button)
        layout.addLayout(row)

    def set_text(self, html: str) -> None:
        self.text.setText(html)

    def set_scan(self, text: str) -> None:
        self.scan.setText(text)
        self.scan.setVisible(bool(text))

    def set_note(self, note: str) -> None:
        self.note.setText(note)
        self.note.setVisible(bool(note))

    def set_focused(self, focused: bool) -> None:
        set_state(self, "focused", focused)


class EvidencePane(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.setMinimumWidth(300)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 8, 8, 8)
        layout.setSpacing(6)
        title = QLabel("Evidence")
        title.setObjectName("paneTitle")
        layout.addWidget(title)

        self.subject = QLabel()
        self.subject.setWordWrap(True)
        self.subject.setTextFormat(Qt.TextFormat.PlainText)
        self.subject.setStyleSheet("font-style: italic;")
        layout.addWidget(self.subject)
        self.verdict = QLabel()
        self.verdict.setObjectName("chip")
        layout.addWidget(self.verdict, 0, Qt.AlignmentFlag.AlignLeft)

        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        inner = QWidget()
        self._cards = QVBoxLayout(inner)
        self._cards.setContentsMargins(0, 0, 6, 0)
        self._cards.setSpacing(8)
        self.empty = muted_label(EMPTY_TEXT)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setContentsMargins(12, 60, 12, 12)
        self._cards.addWidget(self.empty)
        self._cards.addStretch(1)
        self.scroll.setWidget(inner)
        layout.addWidget(self.scroll, 1)
        self.cards: list[EvidenceCard] = []
        self.clear()

    def clear(self) -> None:
        for card in self.cards:
            self._cards.removeWidget(card)
            card.deleteLater()
        self.cards = []
        self.subject.hide()
        self.verdict.hide()
        self.empty.setText(EMPTY_TEXT)
        self.empty.show()

    def show_subject(self, text: str, verdict: str = "", tone: str = "") -> None:
        self.subject.setText(text)
        self.subject.setVisible(bool(text))
        self.verdict.setText(verdict)
        self.verdict.setVisible(bool(verdict))
        set_state(self.verdict, "tone", tone)

    def add_card(self, card: EvidenceCard) -> None:
        self.empty.hide()
        self._cards.insertWidget(self._cards.count() - 1, card)
        self.cards.append(card)

    def focus_card(self, index: int | None) -> None:
        for i, card in enumerate(self.cards):
            card.set_focused(i == index)
        if index is not None and 0 <= index < len(self.cards):
            self.scroll.ensureWidgetVisible(self.cards[index], 0, 8)
