"""The library pane's logic: opening the library, importing, editing and removing documents
(with undo), filtering, and searching passages."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import QListWidgetItem

from desktop.backend import Backend
from desktop.document_table import DOC_ROLE, DocumentFilter, DocumentTableModel, parse_date
from desktop.library_pane import LibraryPane
from desktop.operations import LibraryOpened, RemovedDocument
from desktop.status import StatusReporter, open_path
from desktop.workers import JobHandle
from rag.api import (
    Document,
    FileDuplicate,
    FileFailed,
    FileImported,
    FileProgress,
    FileStarted,
    Hit,
    ImportFinished,
    ImportStarted,
    Settings,
)

SEARCH_DELAY_MS = 300
FOLD_AFTER_MS = 12_000
SEARCH_RESULTS = 12
FIELD_NAMES = {"title": "title", "publisher": "publisher", "published": "date"}

# Shared libraries keep each original file on the computer that imported it.
ORIGINAL_ELSEWHERE = (
    "The original of {filename} is on the computer that imported it into the shared library."
)


def import_summary(done: ImportFinished) -> str:
    parts = [f"{len(done.imported)} imported"]
    if done.duplicates:
        parts.append(f"{len(done.duplicates)} already in the library")
    if done.failed:
        parts.append(f"{len(done.failed)} failed")
    text = ", ".join(parts)
    return f"Import cancelled: {text}" if done.cancelled else f"Import finished: {text}"


class LibraryController(QObject):
    opened = Signal(object)  # LibraryOpened
    openFailed = Signal(str)
    importFinished = Signal(object)  # rag.reading.ingest.ImportFinished
    documentsChanged = Signal(list)  # list[Document]
    searchFinished = Signal(str, list)  # query, hits
    passageChosen = Signal(object)  # Hit
    importingChanged = Signal(bool)

    def __init__(
        self,
        backend: Backend,
        pane: LibraryPane,
        model: DocumentTableModel,
        status: StatusReporter,
        undo: QUndoStack,
    ) -> None:
        super().__init__(pane)
        self.backend = backend
        self.pane = pane
        self.model = model
        self.status = status
        self.undo = undo
        self.folder: Path | None = None
        self.is_open = False
        self._import_jobs: list[JobHandle] = []
        self._search_job = None
        self._query = ""
        self._hits: list[Hit] = []

        proxy = pane.table.model()
        assert isinstance(proxy, DocumentFilter)
        self.proxy = proxy
        pane.filter_edit.textChanged.connect(proxy.set_text)
        model.editRequested.connect(self._edit_requested)
        pane.table.selectionModel().selectionChanged.connect(self._selection_changed)
        pane.remove_button.clicked.connect(self.remove_selected)
        pane.import_panel.cancelRequested.connect(self.cancel_import)
        pane.import_panel.dismissRequested.connect(pane.import_panel.hide)
        # A clean import folds its panel away after a while; failures stay until dismissed.
        self._fold_panel = QTimer(self, singleShot=True, interval=FOLD_AFTER_MS)
        self._fold_panel.timeout.connect(pane.import_panel.hide)
        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._run_search)
        pane.search_edit.textChanged.connect(lambda _: self._search_timer.start())
        pane.search_edit.returnPressed.connect(self._run_search)
        pane.results.currentItemChanged.connect(self._result_chosen)
        pane.results.itemClicked.connect(self._result_chosen)

        self.remove_action = QAction("Remove from library", pane.table)
        self.remove_action.setShortcut(QKeySequence.StandardKey.Delete)
        self.remove_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.remove_action.triggered.connect(self.remove_selected)
        self.open_action = QAction("Open original file", pane.table)
        self.open_action.triggered.connect(self.open_selected)
        pane.table.addAction(self.open_action)
        pane.table.addAction(self.remove_action)
        pane.table.doubleClicked.connect(self._double_clicked)

    # -- opening ------------------------------------------------------------------------------

    def open(self, folder: Path | None, settings: Settings) -> None:
        self.is_open = False
        self.pane.count_label.setText("opening…")
        self.backend.open_library(
            folder, settings, on_done=self._opened, on_error=self._open_failed
        )

    def _opened(self, result: LibraryOpened) -> None:
        self.is_open = True
        self.folder = result.folder
        self.pane.banner.dismiss("open-failed")
        if result.notices:
            self.pane.banner.show_message(
                "\n".join(result.notices),
                key="notice",
                tone="info",
                buttons=[("OK", lambda: self.pane.banner.dismiss("notice"))],
            )
        self._set_documents(result.documents)
        where = result.location or str(result.folder)
        self.status.library_label.setText(f"Library: {where}")
        self.status.library_label.setToolTip(where)
        self.opened.emit(result)

    def _open_failed(self, message: str) -> None:
        self.pane.count_label.setText("")
        self.pane.banner.show_message(
            f"The library could not be opened. {message}",
            key="open-failed",
            tone="error",
            buttons=[("Try again", lambda: self.openFailed.emit("retry"))],
        )
        self.openFailed.emit(message)

    def _set_documents(self, docs: Sequence[Document]) -> None:
        self.model.set_documents(list(docs))
        self._documents_changed()

    def _documents_changed(self) -> None:
        docs = self.model.documents()
        n = len(docs)
        self.pane.count_label.setText("1 document" if n == 1 else f"{n} documents")
        self.pane.show_empty(n == 0)
        self.documentsChanged.emit(docs)

    # -- import -------------------------------------------------------------------------------

    def import_paths(self, paths: Sequence[Path]) -> None:
        paths = [Path(p) for p in paths]
        if not paths:
            return
        if not self.is_open:
            self.status.error("The library is not open yet; try again in a moment.")
            return
        if self.backend.writer.busy and not self._import_jobs:
            what = paths[0].name if len(paths) == 1 else f"{len(paths)} items"
            self.pane.import_panel.waiting(what)
        job = self.backend.import_paths(
            paths,
            on_event=self._import_event,
            on_done=self._import_done,
            on_error=self._import_failed,
        )
        self._import_jobs.append(job)
        job.finished.connect(self._import_job_ended)
        self.importingChanged.emit(True)

    def cancel_import(self) -> None:
        for job in self._import_jobs:
            job.cancel()
        if self._import_jobs:
            self.pane.import_panel.current.setText("Cancelling…")

    @property
    def importing(self) -> bool:
        return bool(self._import_jobs)

    def _import_event(self, event: object) -> None:
        panel = self.pane.import_panel
        match event:
            case ImportStarted(total=total, skipped=skipped):
                panel.started(total, skipped)
            case FileStarted(index=i, total=n, path=path):
                panel.file_started(i, n, path.name)
            case FileProgress(index=i, total=n, path=path, stage=stage, done=done, of=of):
                panel.file_progress(i, n, path.name, stage, done, of)
            case FileImported(path=path, document=doc):
                panel.add_outcome("imported", f"{path.name}: imported", doc.title)
                self.model.upsert(doc)
                self._documents_changed()
            case FileDuplicate(path=path, document=doc):
                panel.add_outcome(
                    "duplicate",
                    f"{path.name}: already in the library",
                    f"Same content as “{doc.title}”, imported {doc.imported_at[:10]}",
                )
            case FileFailed(path=path, reason=reason):
                panel.add_outcome("failed", f"{path.name}: {reason}", str(path))

    def _import_done(self, done: ImportFinished) -> None:
        summary = import_summary(done)
        self.pane.import_panel.finished(summary)
        self.status.show(summary)
        if not done.failed and not self._import_jobs[1:]:
            self._fold_panel.start()
        self.importFinished.emit(done)

    def _import_failed(self, message: str) -> None:
        self.pane.import_panel.finished(f"Import stopped: {message}")
        self.status.error(message)

    def _import_job_ended(self) -> None:
        ended = [job for job in self._import_jobs if job.done]
        self._import_jobs = [job for job in self._import_jobs if not job.done]
        if (
            any(job.cancelled for job in ended)
            and not self.pane.import_panel.cancel_button.isHidden()
        ):
            self.pane.import_panel.finished("Import cancelled")
        if not self._import_jobs:
            self.importingChanged.emit(False)

    # -- editing ------------------------------------------------------------------------------

    def _edit_requested(self, doc_id: str, field: str, value: str) -> None:
        doc = self.model.document(doc_id)
        if doc is None:
            return
        if field == "published":
            parsed = parse_date(value)
            if parsed is None:
                self.status.error(
                    f"“{value}” is not a date BriefDesk understands; try 2026-03-21, "
                    "21 March 2026 or March 2026."
                )
                return
            value = parsed
        self.undo.push(EditDocument(self, doc, field, getattr(doc, field), value))

    def apply_edit(self, doc_id: str, field: str, value: str) -> None:
        def saved(doc: Document) -> None:
            self.model.upsert(doc)
            self.documentsChanged.emit(self.model.documents())
            self.status.show(f"Saved the {FIELD_NAMES[field]} of “{doc.title}”.")

        self.backend.update_document(
            doc_id, {field: value}, on_done=saved, on_error=self.status.error
        )

    def upsert_documents(self, docs: Sequence[Document]) -> None:
        """Documents saved by other work (details read again): shown as saved."""
        for doc in docs:
            self.model.upsert(doc)
        if docs:
            self._documents_changed()

    # -- removing -----------------------------------------------------------------------------

    def selected_documents(self) -> list[Document]:
        rows = self.pane.table.selectionModel().selectedRows()
        return [self.proxy.data(index, DOC_ROLE) for index in rows]

    def _selection_changed(self) -> None:
        self.pane.remove_button.setEnabled(bool(self.selected_documents()))

    def remove_selected(self) -> None:
        docs = self.selected_documents()
        if docs:
            self.undo.push(RemoveDocuments(self, docs))

    def remove(self, docs: Sequence[Document], removed: list[RemovedDocument]) -> None:
        for doc in docs:
            self.model.remove(doc.id)  # at once: the analyst sees the result of the keypress
        self._documents_changed()

        def failed(message: str) -> None:
            # Put back whatever the library still has.
            self.backend.documents(on_done=self._set_documents)
            self.status.error(message)

        self.backend.remove_documents([d.id for d in docs], removed, on_error=failed)
        what = f"“{docs[0].title}”" if len(docs) == 1 else f"{len(docs)} documents"
        self.status.show(f"Removed {what} from the library. Undo with Ctrl+Z.", 12)

    def restore(self, removed: list[RemovedDocument]) -> None:
        def restored(docs: list[Document]) -> None:
            for doc in docs:
                self.model.upsert(doc)
            self._documents_changed()
            what = f"“{docs[0].title}”" if len(docs) == 1 else f"{len(docs)} documents"
            self.status.show(f"Restored {what}.")

        self.backend.restore_documents(removed, on_done=restored, on_error=self.status.error)

    # -- opening the original -----------------------------------------------------------------

    def open_selected(self) -> None:
        for doc in self.selected_documents()[:5]:
            self._open_original(doc)

    def _double_clicked(self, index: QModelIndex) -> None:
        if not index.flags() & Qt.ItemFlag.ItemIsEditable:
            self._open_original(self.proxy.data(index, DOC_ROLE))

    def _open_original(self, doc: Document) -> None:
        if not doc.stored_path:
            self.status.show(ORIGINAL_ELSEWHERE.format(filename=doc.filename))
        else:
            open_path(Path(doc.stored_path))

    # -- search -------------------------------------------------------------------------------

    def search(self, query: str) -> None:
        self.pane.search_edit.setText(query)
        self._run_search()

    def _run_search(self) -> None:
        self._search_timer.stop()
        query = self.pane.search_edit.text().strip()
        self._query = query
        if not query:
            self.pane.results.clear()
            self.pane.search_status.setText("")
            self.pane.show_results(False)
            return
        if not self.is_open:
            return
        self.pane.search_status.setText("Searching…")
        self.pane.show_results(True)
        self.backend.search(
            query, SEARCH_RESULTS, on_done=self._search_done, on_error=self.status.error
        )

    def _search_done(self, result: tuple[str, list[Hit]]) -> None:
        query, hits = result
        if query != self._query:
            return  # the analyst typed on; a newer search is on its way
        self._hits = hits
        results = self.pane.results
        results.clear()
        for hit in hits:
            doc = hit.document
            where = ", ".join(
                x for x in (doc.publisher, doc.published, hit.passage.locator.label()) if x
            )
            snippet = " ".join(hit.passage.text.split())
            if len(snippet) > 180:
                snippet = snippet[:180].rsplit(" ", 1)[0] + "…"
            item = QListWidgetItem(f"{doc.title}\n{where}\n{snippet}")
            item.setToolTip(hit.citation_label())
            item.setData(Qt.ItemDataRole.UserRole, hit)
            results.addItem(item)
        n = len(hits)
        self.pane.search_status.setText(
            "No passage matches." if not n else "1 passage" if n == 1 else f"{n} passages"
        )
        self.searchFinished.emit(query, hits)

    def _result_chosen(self, item: QListWidgetItem | None, *_: object) -> None:
        if item is not None:
            self.passageChosen.emit(item.data(Qt.ItemDataRole.UserRole))


class EditDocument(QUndoCommand):
    def __init__(
        self, controller: LibraryController, doc: Document, field: str, old: str, new: str
    ) -> None:
        super().__init__(f"edit the {FIELD_NAMES[field]} of “{doc.title[:40]}”")
        self.controller, self.doc_id, self.field = controller, doc.id, field
        self.old, self.new = old, new

    def redo(self) -> None:
        self.controller.apply_edit(self.doc_id, self.field, self.new)

    def undo(self) -> None:
        self.controller.apply_edit(self.doc_id, self.field, self.old)


class RemoveDocuments(QUndoCommand):
    def __init__(self, controller: LibraryController, docs: list[Document]) -> None:
        what = f"“{docs[0].title[:40]}”" if len(docs) == 1 else f"{len(docs)} documents"
        super().__init__(f"remove {what}")
        self.controller, self.docs = controller, docs
        self.removed: list[RemovedDocument] = []

    def redo(self) -> None:
        self.controller.remove(self.docs, self.removed)

    def undo(self) -> None:
        self.controller.restore(self.removed)
