"""Drop files or folders anywhere on the window: the overlay shown while dragging, and the
event filter that pulls the local paths out of the drag and hands them on.

The filter sits on the window's ``QWindow``: every drag over the window reaches it there first,
before Qt hands the drag to whatever child is under the cursor (a line edit would happily take
a file's path as text). Only drags that carry local files are taken; everything else goes where
it always went.

Not on the application: an application-wide filter written in Python runs for every event of
every widget, and each call waits for the GIL while a worker thread runs Python (a native
profile of ``python -m bench --only gui`` showed the GUI thread waiting there during imports
and drafts; BENCHMARKS.md).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QMimeData, QObject, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent, QFont, QPainter, QPen
from PySide6.QtWidgets import QWidget

from desktop.theme import app_icon


def local_paths(mime: QMimeData | None) -> list[Path]:
    """The local files and folders a drag carries, in order; [] if it carries none."""
    if mime is None or not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]


class DropOverlay(QWidget):
    """Covers the window while files are dragged over it and says what dropping will do."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setObjectName("dropOverlay")
        self.count = 0
        self.hide()

    def show_for(self, count: int) -> None:
        self.count = count
        parent = self.parentWidget()
        assert parent is not None
        self.setGeometry(parent.rect())
        self.raise_()
        self.show()
        self.update()

    def paintEvent(self, event: object) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor(20, 40, 70, 150))
        box = QRectF(self.rect()).adjusted(24, 24, -24, -24)
        painter.setBrush(QColor(255, 255, 255, 245))
        painter.setPen(QPen(QColor("#1f5fa8"), 3, Qt.PenStyle.DashLine))
        painter.drawRoundedRect(box, 18, 18)
        icon = app_icon().pixmap(72, 72)
        painter.drawPixmap(int(box.center().x()) - 36, int(box.center().y()) - 130, icon)
        painter.setPen(QColor("#1c3557"))
        title = QFont(self.font())
        title.setPointSizeF(title.pointSizeF() * 1.8)
        title.setBold(True)
        painter.setFont(title)
        what = "1 item" if self.count == 1 else f"{self.count} items"
        painter.drawText(
            box.adjusted(0, 0, 0, -40),
            Qt.AlignmentFlag.AlignCenter,
            f"Drop to import {what} into the library",
        )
        painter.setFont(self.font())
        painter.setPen(QColor("#3d4f66"))
        painter.drawText(
            box.adjusted(0, 50, 0, 0),
            Qt.AlignmentFlag.AlignCenter,
            "PDF, Word, saved web pages, text and Markdown files; folders are searched too",
        )


_DRAG_EVENTS = (
    QEvent.Type.DragEnter,
    QEvent.Type.DragMove,
    QEvent.Type.DragLeave,
    QEvent.Type.Drop,
)


class DropTarget(QObject):
    """Accepts drags of local files over ``window`` and emits the dropped paths."""

    pathsDropped = Signal(list)

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.overlay = DropOverlay(window)
        self.enabled = True
        window.winId()  # creates the window's QWindow now, so the filter can sit on it
        handle = window.windowHandle()
        assert handle is not None
        handle.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        kind = event.type()  # the window's own events only: it filters nothing else
        if kind not in _DRAG_EVENTS:
            return False
        if kind == QEvent.Type.DragLeave:
            self.overlay.hide()
            return False
        assert isinstance(event, QDragEnterEvent | QDropEvent)
        paths = local_paths(event.mimeData())
        if not paths or not self.enabled:
            return False
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        if kind == QEvent.Type.Drop:
            self.overlay.hide()
            self.pathsDropped.emit(paths)
        elif not self.overlay.isVisible() or self.overlay.count != len(paths):
            self.overlay.show_for(len(paths))
        return True  # taken here: no child under the cursor sees a drag of files
