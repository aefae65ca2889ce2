"""The briefing pane's layout: what to draft (topic, template, Draft, Stop), the drafting
progress, and the briefing itself section by section. Layout only: ``BriefingController``
does the work."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop.briefing_widgets import SectionWidget
from desktop.theme import std_icon
from desktop.widgets import Banner, muted_label


class BriefingView(QScrollArea):
    """The sections of the briefing on screen, top to bottom, in reading order."""

    def __init__(self) -> None:
        super().__init__()
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        inner = QWidget()
        inner.setObjectName("briefingPage")
        self.setWidget(inner)
        self._layout = QVBoxLayout(inner)
        self._layout.setContentsMargins(4, 4, 12, 12)
        self._layout.setSpacing(2)
        self.empty = QLabel(
            "No briefing open.\n\nType a topic above, pick a template and press Draft "
            "(Ctrl+Enter).\nThe draft appears here claim by claim; click a claim or one of its "
            "numbers to see the passages it rests on."
        )
        self.empty.setObjectName("muted")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setContentsMargins(24, 60, 24, 24)
        self._layout.addWidget(self.empty)
        self._layout.addStretch(1)
        self.sections: dict[str, SectionWidget] = {}

    def clear(self) -> None:
        for widget in self.sections.values():
            self._layout.removeWidget(widget)
            widget.deleteLater()
        self.sections = {}
        self.empty.show()

    def add_section(self, widget: SectionWidget) -> None:
        self.empty.hide()
        self._layout.insertWidget(self._layout.count() - 1, widget)
        self.sections[widget.key] = widget


class BriefingPane(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.setMinimumWidth(380)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 8, 4, 8)
        layout.setSpacing(6)

        title = QLabel("Briefing")
        title.setObjectName("paneTitle")
        layout.addWidget(title)

        form = QGridLayout()
        form.setHorizontalSpacing(8)
        form.setVerticalSpacing(6)
        self.topic_edit = QLineEdit()
        self.topic_edit.setPlaceholderText("What should the briefing cover?")
        self.topic_edit.setToolTip(
            "The subject of the briefing, e.g. “China's response to U.S. controls on frontier "
            "AI models”. BriefDesk searches the library for it (Ctrl+T)."
        )
        self.topic_edit.setClearButtonEnabled(True)
        topic_label = QLabel("&Topic")
        topic_label.setBuddy(self.topic_edit)
        form.addWidget(topic_label, 0, 0)
        form.addWidget(self.topic_edit, 0, 1, 1, 3)
        self.template_combo = QComboBox()
        self.template_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.template_combo.setMinimumContentsLength(16)
        template_label = QLabel("Te&mplate")
        template_label.setBuddy(self.template_combo)
        form.addWidget(template_label, 1, 0)
        form.addWidget(self.template_combo, 1, 1)
        self.draft_button = QPushButton(std_icon("SP_MediaPlay"), "Draft")
        self.draft_button.setToolTip("Draft a new briefing on this topic (Ctrl+Enter)")
        self.draft_button.setDefault(True)
        self.stop_button = QPushButton(std_icon("SP_MediaStop"), "Stop")
        self.stop_button.setToolTip("Stop drafting now; what is drafted so far is kept (Esc)")
        self.stop_button.setEnabled(False)
        form.addWidget(self.draft_button, 1, 2)
        form.addWidget(self.stop_button, 1, 3)
        form.setColumnStretch(1, 1)
        layout.addLayout(form)

        self.banner = Banner()
        layout.addWidget(self.banner)

        self.progress_row = QWidget()
        progress = QHBoxLayout(self.progress_row)
        progress.setContentsMargins(0, 0, 0, 0)
        self.progress_label = QLabel()
        self.progress_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.progress.setFixedWidth(120)
        self.progress.setFixedHeight(8)
        progress.addWidget(self.progress_label, 1)
        progress.addWidget(self.progress)
        layout.addWidget(self.progress_row)
        self.progress_row.hide()

        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        layout.addWidget(line)

        self.title_row = QWidget()
        title_row = QHBoxLayout(self.title_row)
        title_row.setContentsMargins(0, 0, 0, 0)
        titles = QVBoxLayout()
        titles.setSpacing(0)
        self.briefing_title = QLabel()
        self.briefing_title.setObjectName("briefingTitle")
        self.briefing_title.setWordWrap(True)
        self.briefing_meta = muted_label()
        self.briefing_meta.setWordWrap(False)
        titles.addWidget(self.briefing_title)
        titles.addWidget(self.briefing_meta)
        title_row.addLayout(titles, 1)
        self.export_button = QPushButton(std_icon("SP_DialogSaveButton"), "Export to Word…")
        self.export_button.setToolTip("Write this briefing to a .docx file (Ctrl+E)")
        self.export_button.setEnabled(False)
        title_row.addWidget(self.export_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.title_row)
        self.title_row.hide()

        self.view = BriefingView()
        layout.addWidget(self.view, 1)

    def show_title(self, title: str, meta: str) -> None:
        self.briefing_title.setText(title)
        self.briefing_meta.setText(meta)
        self.title_row.setVisible(bool(title))

    def set_progress(self, text: str, value: int | None = None, total: int | None = None) -> None:
        """Show drafting progress; ``value=None`` with a total shows a busy bar."""
        self.progress_label.setText(text)
        if total is None:
            self.progress_row.setVisible(bool(text))
            self.progress.setRange(0, 0)
        else:
            self.progress.setRange(0, total)
            self.progress.setValue(value or 0)
            self.progress_row.show()

    def hide_progress(self) -> None:
        self.progress_row.hide()
