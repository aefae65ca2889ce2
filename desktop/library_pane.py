"""The library pane's layout: the documents table with its filter, the import panel, the
empty-library welcome, and the passage search. Layout only: ``LibraryController`` does the
work."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.document_table import COLUMNS, DATE, IMPORTED, LENGTH, PUBLISHER, TITLE
from desktop.import_panel import ImportPanel
from desktop.theme import std_icon
from desktop.widgets import Banner

CELL_PADDING = 10  # the cell's text margins (3 px a side in Fusion) and the grid line
HEADER_PADDING = 28  # the title's margins and the sort arrow
# The widest text each narrow column shows: ISO dates, lengths up to "9999 pages" or
# "99.9k words" (document_table.length_label).
WIDEST_TEXT = {DATE: "0000-00-00", LENGTH: "00.0k words", IMPORTED: "0000-00-00"}


class EmptyLibrary(QFrame):
    """What a new user sees instead of an empty table."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("emptyState")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 18, 18, 18)
        title = QLabel("Your library is empty")
        title.setObjectName("sectionTitle")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text = QLabel(
            "Drop PDF, Word, web page, text or Markdown files, or scanned pages (PNG, JPEG, "
            "TIFF), or whole folders, anywhere on this window, or use File ▸ Import. BriefDesk "
            "keeps a copy of each file and never "
            "sends anything anywhere."
        )
        text.setWordWrap(True)
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text.setObjectName("muted")
        self.import_button = QPushButton("Import files…")
        self.demo_button = QPushButton("Import the demo documents")
        self.demo_button.setToolTip(
            "Six short fictional articles, a client alert and a policy brief about AI export "
            "controls, in five formats: a quick way to try BriefDesk."
        )
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.demo_button)
        buttons.addStretch(1)
        layout.addStretch(1)
        layout.addWidget(title)
        layout.addWidget(text)
        layout.addLayout(buttons)
        layout.addStretch(1)


class LibraryPane(QWidget):
    def __init__(self, model: QAbstractItemModel) -> None:
        super().__init__()
        self.setMinimumWidth(300)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 4, 8)
        layout.setSpacing(6)

        head = QHBoxLayout()
        title = QLabel("Library")
        title.setObjectName("paneTitle")
        self.count_label = QLabel()
        self.count_label.setObjectName("muted")
        head.addWidget(title)
        head.addWidget(self.count_label, 1)
        layout.addLayout(head)

        self.banner = Banner()
        layout.addWidget(self.banner)
        self.import_panel = ImportPanel()
        layout.addWidget(self.import_panel)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        layout.addWidget(self.splitter, 1)

        documents = QWidget()
        docs_layout = QVBoxLayout(documents)
        docs_layout.setContentsMargins(0, 0, 0, 0)
        docs_layout.setSpacing(4)
        self.filter_row = QWidget()
        row = QHBoxLayout(self.filter_row)
        row.setContentsMargins(0, 0, 0, 0)
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter by title, publisher or date")
        self.filter_edit.setClearButtonEnabled(True)
        self.remove_button = QPushButton(std_icon("SP_TrashIcon"), "Remove")
        self.remove_button.setToolTip("Remove the selected documents from the library (Del)")
        self.remove_button.setEnabled(False)
        row.addWidget(self.filter_edit, 1)
        row.addWidget(self.remove_button)
        docs_layout.addWidget(self.filter_row)

        self.empty_state = EmptyLibrary()
        docs_layout.addWidget(self.empty_state, 1)
        self.empty_state.hide()

        self.table = QTableView()
        self.table.setModel(model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(IMPORTED, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(TITLE, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(PUBLISHER, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(PUBLISHER, 86)
        # Widths from the font, not ResizeToContents: that mode asks the model for every row's
        # text, in Python, at each layout change (each imported file, the import panel folding
        # away), and was the GUI thread's longest stall while a draft ran (BENCHMARKS.md).
        cell, title = self.table.fontMetrics(), header.fontMetrics()
        for column, widest in WIDEST_TEXT.items():
            width = max(
                cell.horizontalAdvance(widest) + CELL_PADDING,
                title.horizontalAdvance(COLUMNS[column]) + HEADER_PADDING,
            )
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, width)
        header.setMinimumSectionSize(40)
        header.setHighlightSections(False)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        docs_layout.addWidget(self.table, 1)
        self.splitter.addWidget(documents)

        self.search_area = search = QWidget()
        search_layout = QVBoxLayout(search)
        search_layout.setContentsMargins(0, 4, 0, 0)
        search_layout.setSpacing(4)
        search_title = QLabel("Search passages")
        search_title.setObjectName("cardTitle")
        search_layout.addWidget(search_title)
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Words, names, numbers or a question (Ctrl+F)")
        self.search_edit.setClearButtonEnabled(True)
        search_layout.addWidget(self.search_edit)
        self.search_status = QLabel()
        self.search_status.setObjectName("muted")
        search_layout.addWidget(self.search_status)
        self.results = QListWidget()
        self.results.setItemDelegate(SearchResultDelegate(self.results))
        self.results.setAlternatingRowColors(True)
        self.results.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.results.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        search_layout.addWidget(self.results, 1)
        self.splitter.addWidget(search)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.show_results(False)

    def show_empty(self, empty: bool) -> None:
        self.empty_state.setVisible(empty)
        self.table.setVisible(not empty)
        self.filter_row.setVisible(not empty)
        self.search_area.setVisible(not empty)

    def show_results(self, shown: bool) -> None:
        """The results list takes room only while there is a search."""
        was_hidden = self.results.isHidden()
        self.results.setVisible(shown)
        self.search_status.setVisible(shown)
        if shown and was_hidden:
            total = sum(self.splitter.sizes())
            self.splitter.setSizes([total // 2, total - total // 2])


class SearchResultDelegate(QStyledItemDelegate):
    """A search result in three lines: the title, where it stands, the passage's start."""

    LINES = 4  # title, where, two lines of passage

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        height = option.fontMetrics.lineSpacing() * self.LINES + 10
        return QSize(option.rect.width(), height)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        title, where, text = (index.data(Qt.ItemDataRole.DisplayRole) or "\n\n").split("\n", 2)
        self.initStyleOption(option, index)
        style = option.widget.style() if option.widget else QApplication.style()
        option.text = ""
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        palette = option.palette
        ink = palette.highlightedText() if selected else palette.text()
        rect = option.rect.adjusted(6, 4, -6, -4)
        line = option.fontMetrics.lineSpacing()
        painter.save()
        bold = QFont(option.font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(ink.color())
        painter.drawText(
            rect.adjusted(0, 0, 0, -3 * line),
            Qt.TextFlag.TextSingleLine,
            QFontMetrics(bold).elidedText(title, Qt.TextElideMode.ElideRight, rect.width()),
        )
        painter.setFont(option.font)
        painter.setPen(ink.color() if selected else QColor("#667085"))
        painter.drawText(
            rect.adjusted(0, line, 0, -2 * line),
            Qt.TextFlag.TextSingleLine,
            option.fontMetrics.elidedText(where, Qt.TextElideMode.ElideRight, rect.width()),
        )
        painter.setPen(ink.color())
        for n, text_line in enumerate(wrap_lines(text, option.fontMetrics, rect.width(), 2)):
            painter.drawText(
                rect.adjusted(0, (2 + n) * line, 0, 0), Qt.TextFlag.TextSingleLine, text_line
            )
        painter.restore()


def wrap_lines(text: str, metrics: QFontMetrics, width: int, count: int) -> list[str]:
    """``text`` broken into at most ``count`` lines of ``width`` pixels, the last elided."""
    words = text.split()
    lines: list[str] = []
    while words and len(lines) < count - 1:
        line = words.pop(0)
        while words and metrics.horizontalAdvance(f"{line} {words[0]}") <= width:
            line = f"{line} {words.pop(0)}"
        lines.append(line)
    if words:
        lines.append(metrics.elidedText(" ".join(words), Qt.TextElideMode.ElideRight, width))
    return lines
