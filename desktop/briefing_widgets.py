"""A briefing's sections and claims as widgets: a claim with its citation markers and its
support flag, a section with its status and its Regenerate button. Layout and signals only;
``BriefingController`` decides what they mean."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.theme import set_state, std_icon
from rag.api import Citation, Claim, Section

STATUS_CHIPS = {
    "pending": ("Waiting", ""),
    "drafting": ("Drafting…", "busy"),
    "insufficient": ("Not enough evidence", "warn"),
    "unwritten": ("No usable claim", "warn"),
    "cancelled": ("Stopped", "warn"),
    "failed": ("Failed", "bad"),
    "interrupted": ("Interrupted", "warn"),
}


def citation_tooltip(number: int, c: Citation) -> str:
    where = ", ".join(x for x in (c.publisher, c.published, c.locator.label()) if x)
    head = f"[{number}] {c.doc_title}"
    return f"{head}\n{where}" if where else head


def sources_label(count: int) -> str:
    return "1 source" if count == 1 else f"{count} sources"


def check_tooltip(claim: Claim) -> str:
    check = claim.check
    if check.status == "unsupported":
        lines = ["Unsupported: the cited passages do not say this."]
    elif check.status == "reattributed":
        lines = [
            "Re-attributed: the passage first cited did not say this; the citation now "
            "points at the one that does."
        ]
    elif check.status == "gap":
        return (
            "A gap: BriefDesk looked for the answer among the library's facts about the topic "
            "and found none. Nothing can be cited for an absence."
        )
    elif check.status == "unchecked":
        return (
            "Your edit is being checked against its sources."
            if claim.edited
            else "Not checked against its sources."
        )
    else:
        return ""
    lines += [f"• {r}" for r in check.reasons]
    if claim.edited:
        lines.append("Edited by you; checked again against the same passages.")
    return "\n".join(lines)


class ClaimEditor(QWidget):
    """The claim's text being edited in place, with Save and Cancel."""

    saved = Signal(str)
    cancelled = Signal()

    def __init__(self, text: str) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.edit = QPlainTextEdit(text)
        self.edit.setTabChangesFocus(True)
        self.edit.setFixedHeight(max(60, min(140, 22 * (len(text) // 60 + 2))))
        self.edit.installEventFilter(self)
        layout.addWidget(self.edit)
        row = QHBoxLayout()
        hint = QLabel("Ctrl+Enter saves, Esc cancels")
        hint.setObjectName("muted")
        self.save_button = QPushButton("Save")
        self.save_button.setDefault(True)
        self.cancel_button = QPushButton("Cancel")
        row.addWidget(hint, 1)
        row.addWidget(self.cancel_button)
        row.addWidget(self.save_button)
        layout.addLayout(row)
        self.save_button.clicked.connect(self._save)
        self.cancel_button.clicked.connect(self.cancelled)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        # Esc and Ctrl+Enter belong to the editor while it has focus, not to the window's
        # Stop and Draft: claim them before any shortcut sees them.
        if event.type() in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
            key = event.key()  # type: ignore[attr-defined]
            ctrl = event.modifiers() & Qt.KeyboardModifier.ControlModifier  # type: ignore[attr-defined]
            saving = ctrl and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            if key == Qt.Key.Key_Escape or saving:
                event.accept()
                if event.type() == QEvent.Type.KeyPress:
                    self._save() if saving else self.cancelled.emit()
                return True
        return super().eventFilter(obj, event)

    def _save(self) -> None:
        self.saved.emit(" ".join(self.edit.toPlainText().split()))


class ClaimWidget(QFrame):
    """One claim: flag, text, citation markers. Click to select; markers show one passage."""

    selected = Signal(str)  # claim id
    markerClicked = Signal(str, int)  # claim id, index of the citation in the claim
    editRequested = Signal(str)
    deleteRequested = Signal(str)
    textEdited = Signal(str, str)  # claim id, new text

    def __init__(self, claim: Claim, numbers: list[int], editable: bool) -> None:
        super().__init__()
        self.setObjectName("claim")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        # At least as tall as its wrapped text needs: capped at its size hint ("Maximum"),
        # a claim of five lines or more was cut off at the top and bottom.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.claim = claim
        self.editable = editable
        self.editor: ClaimEditor | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 3, 4, 3)
        layout.setSpacing(6)

        self.flag = QLabel()
        self.flag.setFixedWidth(18)
        self.flag.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.flag)

        self.body = QVBoxLayout()
        self.body.setSpacing(2)
        self.text = QLabel()
        self.text.setObjectName("claimText")
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.body.addWidget(self.text)
        layout.addLayout(self.body, 1)

        self.markers_box = QHBoxLayout()
        self.markers_box.setSpacing(3)
        self.markers_box.setAlignment(Qt.AlignmentFlag.AlignTop)
        layout.addLayout(self.markers_box)
        # How many documents state what the claim says: wire copies of one report count each.
        self.sources_chip = QLabel()
        self.sources_chip.setObjectName("chip")
        self.sources_chip.setToolTip("How many documents in the library state this.")
        layout.addWidget(self.sources_chip, 0, Qt.AlignmentFlag.AlignTop)
        self.edited_chip = QLabel("edited")
        self.edited_chip.setObjectName("chip")
        self.edited_chip.setToolTip("You changed this claim's text.")
        layout.addWidget(self.edited_chip, 0, Qt.AlignmentFlag.AlignTop)
        self.markers: list[QToolButton] = []
        self.show_claim(claim, numbers)

        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._menu)

    # -- contents -----------------------------------------------------------------------------

    def show_claim(self, claim: Claim, numbers: list[int]) -> None:
        self.claim = claim
        self.text.setText(claim.text)
        status = claim.check.status
        set_state(self, "check", status)
        tip = check_tooltip(claim)
        if status == "unsupported":
            self.flag.setPixmap(std_icon("SP_MessageBoxWarning").pixmap(16, 16))
        elif status == "reattributed":
            self.flag.setPixmap(std_icon("SP_MessageBoxInformation").pixmap(16, 16))
        elif status == "unchecked":  # never shown as if it were supported
            self.flag.setPixmap(std_icon("SP_MessageBoxQuestion").pixmap(16, 16))
        else:
            self.flag.clear()
        self.flag.setToolTip(tip)
        self.text.setToolTip(tip)
        self.edited_chip.setVisible(claim.edited)
        self.sources_chip.setText(sources_label(claim.sources))
        self.sources_chip.setVisible(claim.sources > 0)
        self.set_numbers(numbers)

    def set_numbers(self, numbers: list[int]) -> None:
        for button in self.markers:
            self.markers_box.removeWidget(button)
            button.deleteLater()
        self.markers = []
        for index, (number, citation) in enumerate(
            zip(numbers, self.claim.citations, strict=False)
        ):
            button = QToolButton()
            button.setObjectName("marker")
            button.setText(str(number))
            button.setToolTip(citation_tooltip(number, citation) + "\nClick to see the passage.")
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            button.clicked.connect(
                lambda _=False, i=index: self.markerClicked.emit(self.claim.id, i)
            )
            self.markers_box.addWidget(button)
            self.markers.append(button)
        if not self.claim.citations:
            none = QToolButton()
            none.setObjectName("marker")
            none.setText("no source")
            none.setEnabled(False)
            self.markers_box.addWidget(none)
            self.markers.append(none)

    def set_selected(self, selected: bool, active_marker: int | None = None) -> None:
        set_state(self, "selected", selected)
        for index, button in enumerate(self.markers):
            set_state(button, "active", selected and index == active_marker)

    # -- editing ------------------------------------------------------------------------------

    def start_edit(self) -> None:
        if self.editor is not None or not self.editable:
            return
        self.editor = ClaimEditor(self.claim.text)
        self.text.hide()
        self.body.addWidget(self.editor)
        self.editor.saved.connect(self._save)
        self.editor.cancelled.connect(self.stop_edit)
        self.editor.edit.setFocus()
        self.editor.edit.selectAll()

    def stop_edit(self) -> None:
        if self.editor is not None:
            self.editor.deleteLater()
            self.body.removeWidget(self.editor)
            self.editor = None
            self.text.show()
            self.setFocus()

    def _save(self, text: str) -> None:
        if text and text != self.claim.text:
            self.textEdited.emit(self.claim.id, text)
        self.stop_edit()

    # -- input --------------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.setFocus()
            self.selected.emit(self.claim.id)
        super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if self.editable:
            self.editRequested.emit(self.claim.id)

    def keyPressEvent(self, event: object) -> None:
        key = event.key()  # type: ignore[attr-defined]
        if self.editor is None and self.editable and key == Qt.Key.Key_F2:
            self.editRequested.emit(self.claim.id)
        elif self.editor is None and self.editable and key == Qt.Key.Key_Delete:
            self.deleteRequested.emit(self.claim.id)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.selected.emit(self.claim.id)
        else:
            super().keyPressEvent(event)  # type: ignore[arg-type]

    def focusInEvent(self, event: object) -> None:
        super().focusInEvent(event)  # type: ignore[arg-type]
        self.selected.emit(self.claim.id)

    def _menu(self, pos: object) -> None:
        menu = QMenu(self)
        menu.addAction("Show evidence", lambda: self.selected.emit(self.claim.id))
        edit = menu.addAction("Edit text…\tF2", lambda: self.editRequested.emit(self.claim.id))
        delete = menu.addAction(
            std_icon("SP_TrashIcon"),
            "Delete claim\tDel",
            lambda: self.deleteRequested.emit(self.claim.id),
        )
        edit.setEnabled(self.editable)
        delete.setEnabled(self.editable)
        menu.exec(self.mapToGlobal(pos))  # type: ignore[arg-type]


class SectionWidget(QFrame):
    """A section: its title, its status, its claims (or why there are none)."""

    regenerateRequested = Signal(str)  # section key

    def __init__(self, section: Section) -> None:
        super().__init__()
        self.setObjectName("section")
        self.key = section.key
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 10)
        layout.setSpacing(4)
        head = QHBoxLayout()
        self.title = QLabel(section.title)
        self.title.setObjectName("sectionTitle")
        self.chip = QLabel()
        self.chip.setObjectName("chip")
        self.regenerate_button = QToolButton()
        self.regenerate_button.setIcon(std_icon("SP_BrowserReload"))
        self.regenerate_button.setText("Regenerate")
        self.regenerate_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.regenerate_button.setAutoRaise(True)
        self.regenerate_button.setToolTip(
            "Draft this section again from the library; the other sections stay as they are."
        )
        self.regenerate_button.clicked.connect(lambda: self.regenerateRequested.emit(self.key))
        head.addWidget(self.title)
        head.addWidget(self.chip)
        head.addStretch(1)
        head.addWidget(self.regenerate_button)
        layout.addLayout(head)
        self.claims_box = QVBoxLayout()
        self.claims_box.setSpacing(2)
        layout.addLayout(self.claims_box)
        self.note = QLabel()
        self.note.setObjectName("sectionNote")
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        self.claims: list[ClaimWidget] = []

    def set_status(self, status: str, unsupported: int = 0) -> None:
        text, tone = STATUS_CHIPS.get(status, ("", ""))
        if status == "done" and unsupported:
            text = "1 unsupported claim" if unsupported == 1 else f"{unsupported} unsupported"
            tone = "bad"
        self.chip.setText(text)
        self.chip.setVisible(bool(text))
        set_state(self.chip, "tone", tone)

    def set_note(self, note: str) -> None:
        self.note.setText(note)
        self.note.setVisible(bool(note))

    def clear_claims(self) -> None:
        for widget in self.claims:
            self.claims_box.removeWidget(widget)
            widget.deleteLater()
        self.claims = []

    def add_claim(self, widget: ClaimWidget) -> None:
        self.claims_box.addWidget(widget)
        self.claims.append(widget)
