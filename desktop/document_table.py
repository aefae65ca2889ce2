"""The library's documents as a table: title, publisher, date, length, imported on.

Title, publisher and date are editable in place. The model never writes to the library
itself: it asks (``editRequested``) and the library controller applies the change once the
writer has saved it, so the table never shows an edit that did not happen.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)

from rag.core.types import Document
from rag.reading.readers.dates import normalize_date

Index = QModelIndex | QPersistentModelIndex

COLUMNS = ("Title", "Publisher", "Date", "Length", "Added")
TITLE, PUBLISHER, DATE, LENGTH, IMPORTED = range(len(COLUMNS))
EDITABLE = {TITLE: "title", PUBLISHER: "publisher", DATE: "published"}
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
DOC_ROLE = Qt.ItemDataRole.UserRole + 2

# Where the date came from: a date guessed from the first lines deserves a second look.
_DATE_SOURCES = {
    "metadata": "Date from the file's own details",
    "text": "Date found in the document's first lines: check it",
    "edited": "Date entered by hand",
}
_KIND_NAMES = {"pdf": "PDF", "docx": "Word", "html": "Web page", "txt": "Text", "md": "Markdown"}


def length_label(doc: Document) -> str:
    if doc.pages:
        return f"{doc.pages} page" if doc.pages == 1 else f"{doc.pages} pages"
    words = max(1, round(doc.chars / 6))
    if words >= 1000:
        return f"{words / 1000:.1f}k words"
    return f"{words} words"


def imported_label(iso: str, *, long: bool = False, today: date | None = None) -> str:
    """When a document was imported: "today", "12 Mar" this year, else the ISO date."""
    try:
        when = datetime.fromisoformat(iso).astimezone()
    except ValueError:
        return iso
    if long:
        return when.strftime("%Y-%m-%d %H:%M")
    today = today or date.today()
    if when.date() == today:
        return "today"
    if when.year == today.year:
        return f"{when.day} {when.strftime('%b')}"
    return when.strftime("%Y-%m-%d")


def parse_date(text: str) -> str | None:
    """What the analyst typed as a date, as ISO text; "" clears it; None if not a date."""
    text = text.strip()
    if not text:
        return ""
    return normalize_date(text) or None


class DocumentTableModel(QAbstractTableModel):
    editRequested = Signal(str, str, str)  # doc id, field, new value

    def __init__(self) -> None:
        super().__init__()
        self._docs: list[Document] = []

    # -- contents -----------------------------------------------------------------------------

    def set_documents(self, docs: list[Document]) -> None:
        self.beginResetModel()
        self._docs = list(docs)
        self.endResetModel()

    def documents(self) -> list[Document]:
        return list(self._docs)

    def upsert(self, doc: Document) -> None:
        for row, known in enumerate(self._docs):
            if known.id == doc.id:
                self._docs[row] = doc
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))
                return
        row = len(self._docs)
        self.beginInsertRows(QModelIndex(), row, row)
        self._docs.append(doc)
        self.endInsertRows()

    def remove(self, doc_id: str) -> None:
        for row, known in enumerate(self._docs):
            if known.id == doc_id:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._docs[row]
                self.endRemoveRows()
                return

    def document(self, doc_id: str) -> Document | None:
        return next((d for d in self._docs if d.id == doc_id), None)

    # -- QAbstractTableModel ------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._docs)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.column() in EDITABLE:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        doc = self._docs[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return self._text(doc, column, edit=role == Qt.ItemDataRole.EditRole)
        if role == SORT_ROLE:
            if column == LENGTH:
                return doc.chars
            return self._text(doc, column, edit=True).casefold()
        if role == DOC_ROLE:
            return doc
        if role == Qt.ItemDataRole.ToolTipRole:
            kind = _KIND_NAMES.get(doc.kind, doc.kind)
            lines = [doc.title, f"{kind} file: {doc.filename}"]
            if doc.author:
                lines.append(f"Author: {doc.author}")
            if doc.url:
                lines.append(f"Address: {doc.url}")
            if doc.published and doc.date_source in _DATE_SOURCES:
                lines.append(_DATE_SOURCES[doc.date_source])
            lines.append(
                f"{doc.passages} passages · imported {imported_label(doc.imported_at, long=True)}"
            )
            lines.append(f"id {doc.id[:12]}")
            if column in EDITABLE:
                lines.append("Double-click or press F2 to edit.")
            return "\n".join(lines)
        return None

    @staticmethod
    def _text(doc: Document, column: int, *, edit: bool) -> str:
        if column == TITLE:
            return doc.title
        if column == PUBLISHER:
            return doc.publisher
        if column == DATE:
            return doc.published
        if column == LENGTH:
            return length_label(doc)
        return doc.imported_at if edit else imported_label(doc.imported_at)

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or index.column() not in EDITABLE:
            return False
        doc = self._docs[index.row()]
        field = EDITABLE[index.column()]
        text = " ".join(str(value).split())
        if field == "title" and not text:
            return False
        if text == getattr(doc, field):
            return False
        self.editRequested.emit(doc.id, field, text)
        return False  # shown once saved: see LibraryController


class DocumentFilter(QSortFilterProxyModel):
    """Sorts by each column's natural order and keeps rows whose text contains the filter."""

    def __init__(self) -> None:
        super().__init__()
        self.setSortRole(SORT_ROLE)
        self.setFilterKeyColumn(-1)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def set_text(self, text: str) -> None:
        self.setFilterFixedString(text.strip())
