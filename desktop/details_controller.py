"""Reading documents again for their details (title, publisher, date, author, address) after an
update to BriefDesk's readers: progress and Cancel in the library's work panel, then the
details that read differently for the analyst to tick, applied as one edit that Undo takes
back."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QObject
from PySide6.QtGui import QUndoCommand, QUndoStack
from PySide6.QtWidgets import QWidget

from desktop.backend import Backend
from desktop.details_dialog import DetailsDialog
from desktop.library_controller import LibraryController
from desktop.status import StatusReporter
from desktop.workers import JobHandle
from rag.api import DetailChange, DetailsProgress, DetailsRead, Document

NOT_HERE = "its original is on the computer that imported it into the shared library"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def details_summary(found: DetailsRead) -> str:
    parts = [f"{_plural(found.read, 'document')} read"]
    if found.changes:
        parts.append(f"{_plural(len(found.changes), 'detail')} read differently")
    if found.failed:
        parts.append(f"{len(found.failed)} failed")
    if found.unavailable:
        parts.append(f"{len(found.unavailable)} not on this computer")
    text = ", ".join(parts)
    return f"Reading details cancelled: {text}" if found.cancelled else f"Details: {text}"


class DetailsController(QObject):
    def __init__(
        self,
        backend: Backend,
        library: LibraryController,
        status: StatusReporter,
        undo: QUndoStack,
        window: QWidget,
    ) -> None:
        super().__init__(window)
        self.backend = backend
        self.library = library
        self.status = status
        self.undo = undo
        self.panel = library.pane.import_panel
        self.job: JobHandle | None = None
        self.dialog: DetailsDialog | None = None
        self.panel.cancelRequested.connect(self._panel_cancel)

    @property
    def running(self) -> bool:
        return self.job is not None

    def read_again(self, docs: Sequence[Document] | None = None) -> None:
        """Read ``docs`` (every document when None) again and offer what reads differently."""
        if not self.library.is_open:
            self.status.error("The library is not open yet; try again in a moment.")
            return
        if self.running or self.library.importing:
            self.status.show("Wait for the documents being read to finish, then try again.")
            return
        ids = [d.id for d in docs] if docs else None
        what = _plural(len(docs), "document") if docs else "every document"
        self.panel.working(f"Reading details again: {what}")
        if self.backend.writer.busy:  # a draft, most likely: say so instead of looking stuck
            self.panel.step("Waiting for the current work to finish…", 0.0)
        self.job = self.backend.read_details_again(
            ids, on_event=self._progress, on_done=self._done, on_error=self._failed
        )
        self.job.finished.connect(self._ended)

    def _panel_cancel(self) -> None:
        # The panel's Cancel stops what it shows: an import waiting behind the reading shows
        # there instead, and its Cancel is the import's.
        if not self.library.importing:
            self.cancel()

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.panel.current.setText("Cancelling…")

    def _progress(self, event: object) -> None:
        # Files dropped meanwhile wait their turn in the same panel ("Import waiting").
        if not isinstance(event, DetailsProgress) or self.library.importing:
            return
        within = event.page / event.pages if event.pages else 0.0
        page = f" (reading page {event.page} of {event.pages})" if event.pages else ""
        self.panel.step(
            f"{event.index} of {event.total}: {event.title}{page}",
            (event.index - 1 + within) / max(event.total, 1),
        )

    def _done(self, found: DetailsRead) -> None:
        summary = details_summary(found)
        if not self.library.importing:  # else the panel is the waiting import's
            for doc, reason in found.failed:
                self.panel.add_outcome("failed", f"{doc.title}: {reason}", doc.filename)
            for doc in found.unavailable:
                self.panel.add_outcome("skipped", f"{doc.title}: {NOT_HERE}", doc.filename)
            self.panel.finished(summary)
            if not found.failed and not found.unavailable:
                self.panel.hide()  # nothing to act on there; the dialog or the status says it
        self.status.show(summary)
        if not found.changes:
            if not found.cancelled and found.read:
                self.status.show(f"{summary}: every detail reads as before.")
            return
        intro = (
            f"{_plural(len(found.changes), 'detail')} of "
            f"{_plural(len(found.by_document()), 'document')} read differently with this "
            "version of BriefDesk. Untick any you corrected by hand and want to keep; "
            "the ticked ones are applied (Undo takes them back)."
        )
        window = self.parent()
        self.dialog = DetailsDialog(
            found.changes, intro, window if isinstance(window, QWidget) else None
        )
        self.dialog.accepted.connect(self._accepted)
        self.dialog.open()

    def _accepted(self) -> None:
        if self.dialog is not None:
            self.apply(self.dialog.chosen())

    def _failed(self, message: str) -> None:
        self.panel.finished(f"Reading details stopped: {message}")
        self.status.error(message)

    def _ended(self) -> None:
        self.job = None

    def apply(self, changes: Sequence[DetailChange]) -> None:
        if changes:
            self.undo.push(ApplyDetails(self, list(changes)))

    def save(
        self,
        changes: dict[str, dict[str, str]],
        done: str,
        date_sources: dict[str, str] | None = None,
    ) -> None:
        def saved(result: tuple[list[Document], list[str]]) -> None:
            docs, gone = result
            self.library.upsert_documents(docs)
            note = f" ({_plural(len(gone), 'document')} no longer in the library)" if gone else ""
            self.status.show(f"{done}{note}.")

        self.backend.update_documents(
            changes, date_sources, on_done=saved, on_error=self.status.error
        )


class ApplyDetails(QUndoCommand):
    """The ticked details, applied together; Undo puts back what each document had."""

    def __init__(self, controller: DetailsController, changes: list[DetailChange]) -> None:
        super().__init__(f"apply {_plural(len(changes), 'detail')} read again")
        self.controller = controller
        self.n = len(changes)
        chosen = DetailsRead(changes=changes)
        self.new = chosen.by_document()
        # A date read from the file is applied as read; Undo empties it again (a document is
        # offered a date only when it has none).
        self.sources = chosen.date_sources()
        self.old: dict[str, dict[str, str]] = {}
        for change in changes:
            self.old.setdefault(change.doc_id, {})[change.field] = change.old

    def redo(self) -> None:
        self.controller.save(
            self.new, f"Applied {_plural(self.n, 'detail')} read again", self.sources
        )

    def undo(self) -> None:
        self.controller.save(self.old, f"Put back {_plural(self.n, 'detail')}")
