"""The main window: three panes side by side (library, briefing, evidence), the menus, the
toolbar, the status bar and the shortcuts. It builds the controllers and connects them; each
controller gets only the widgets and services it works with."""

from __future__ import annotations

import copy
from pathlib import Path

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeyEvent, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QMainWindow,
    QMessageBox,
    QSizePolicy,
    QSplitter,
    QToolBar,
    QWidget,
)

from desktop import dialogs
from desktop.backend import Backend
from desktop.briefing_controller import BriefingController
from desktop.briefing_pane import BriefingPane
from desktop.briefing_picker import BriefingPicker
from desktop.details_controller import DetailsController
from desktop.document_table import DocumentFilter, DocumentTableModel
from desktop.drop_target import DropTarget
from desktop.evidence_controller import EvidenceController
from desktop.evidence_pane import EvidencePane
from desktop.exporting import ExportController
from desktop.library_controller import LibraryController
from desktop.library_pane import LibraryPane
from desktop.operations import LibraryOpened
from desktop.settings_dialog import SettingsDialog
from desktop.status import StatusReporter
from desktop.theme import app_icon, std_icon
from desktop.ui_state import UiState
from rag.api import (
    DEMO_TOPIC,
    Settings,
    __version__,
    demo_library_dir,
    load_settings,
    save_settings,
)

DEFAULT_SIZE = (1440, 880)
DEFAULT_SPLIT = [490, 540, 410]


class MainWindow(QMainWindow):
    def __init__(
        self, backend: Backend, *, library: Path | None = None, demo: bool = False
    ) -> None:
        super().__init__()
        self.backend = backend
        self.settings = load_settings()
        self.state = UiState.load()
        self._library_override = library
        self._demo = demo
        self._closing = False
        self.setWindowTitle("BriefDesk")
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)

        self.undo = QUndoStack(self)
        self.status = StatusReporter(self.statusBar())
        self.documents = DocumentTableModel()
        proxy = DocumentFilter()
        proxy.setSourceModel(self.documents)

        self.library_pane = LibraryPane(proxy)
        self.briefing_pane = BriefingPane()
        self.evidence_pane = EvidencePane()
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        for pane in (self.library_pane, self.briefing_pane, self.evidence_pane):
            self.splitter.addWidget(pane)
        self.splitter.setStretchFactor(1, 1)
        self.setCentralWidget(self.splitter)

        self.library = LibraryController(
            backend, self.library_pane, self.documents, self.status, self.undo
        )
        self.evidence = EvidenceController(
            backend, self.evidence_pane, self.status, self.documents.document
        )
        self.briefing = BriefingController(
            backend,
            self.briefing_pane,
            self.status,
            self.undo,
            lambda: copy.deepcopy(self.settings),
            self.apply_settings,
            self.state,
        )
        self.exporter = ExportController(
            backend, self, self.status, lambda: copy.deepcopy(self.settings), self.state
        )
        self.details = DetailsController(backend, self.library, self.status, self.undo, self)
        self.drop = DropTarget(self)
        self._connect()
        self._build_actions()
        self._restore_layout()

    # -- wiring -------------------------------------------------------------------------------

    def _connect(self) -> None:
        lib, brief, ev = self.library, self.briefing, self.evidence
        self.drop.pathsDropped.connect(lib.import_paths)
        lib.opened.connect(self._library_opened)
        lib.openFailed.connect(self._library_open_failed)
        lib.documentsChanged.connect(lambda docs: brief.set_documents(len(docs)))
        lib.passageChosen.connect(ev.show_hit)
        brief.evidenceRequested.connect(ev.show_claim)
        brief.briefingShown.connect(lambda _: ev.clear())
        brief.settingsRequested.connect(self.open_settings)
        pane = self.library_pane
        pane.empty_state.import_button.clicked.connect(self.ask_import_files)
        pane.empty_state.demo_button.clicked.connect(self.import_demo)
        self.briefing_pane.export_button.clicked.connect(self.export)

    def _build_actions(self) -> None:
        def action(
            text: str, slot: object, shortcut: object = None, icon: str = "", tip: str = ""
        ) -> QAction:
            act = QAction(text, self)
            if icon:
                act.setIcon(std_icon(icon))
            if shortcut is not None:
                act.setShortcut(QKeySequence(shortcut))
            if tip:
                act.setStatusTip(tip)
                act.setToolTip(tip)
            act.triggered.connect(slot)
            self.addAction(act)
            return act

        k = QKeySequence.StandardKey
        self.import_action = action(
            "&Import Files…",
            self.ask_import_files,
            "Ctrl+I",
            "SP_DialogOpenButton",
            "Import documents into the library (or drop them on the window)",
        )
        self.import_folder_action = action(
            "Import &Folder…", self.ask_import_folder, "Ctrl+Shift+I", "SP_DirOpenIcon"
        )
        self.demo_action = action("Import the &Demo Documents", self.import_demo)
        self.details_action = action(
            "Read Document &Details Again",
            self.read_details_again,
            None,
            "",
            "Read the selected documents (or all) again for their title, publisher, author, date",
        )
        self.library_pane.table.addAction(self.details_action)
        self.new_action = action("&New Briefing", self.briefing.new_briefing, k.New, "SP_FileIcon")
        self.open_action = action(
            "&Open Briefing…",
            self.ask_open_briefing,
            k.Open,
            "SP_DirOpenIcon",
            "Open a briefing drafted earlier",
        )
        self.export_action = action(
            "&Export to Word…",
            self.export,
            "Ctrl+E",
            "SP_DialogSaveButton",
            "Write the briefing to a Word file",
        )
        self.settings_action = action(
            "&Settings…",
            self.open_settings,
            k.Preferences,
            "SP_FileDialogDetailedView",
            "Model, threads, context, author, marking, citations, library folder",
        )
        if self.settings_action.shortcut().isEmpty():
            self.settings_action.setShortcut(QKeySequence("Ctrl+,"))
        self.quit_action = action("&Quit", self.close, k.Quit)
        self.draft_action = action(
            "&Draft",
            self.briefing.draft,
            "Ctrl+Return",
            "SP_MediaPlay",
            "Draft a briefing on the topic with the chosen template",
        )
        # Esc is handled in keyPressEvent, not as a shortcut: an editor that has the focus
        # (a table cell, a claim) must get its Esc first.
        self.stop_action = action(
            "&Stop\tEsc",
            self.stop,
            None,
            "SP_MediaStop",
            "Stop drafting or importing; what is done is kept",
        )
        self.find_action = action("&Search Passages", self._focus_search, k.Find)
        self.filter_action = action("&Filter Documents", self._focus_filter, "Ctrl+L")
        self.topic_action = action("Edit &Topic", self._focus_topic, "Ctrl+T")
        self.undo_action = self.undo.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(k.Undo)
        self.redo_action = self.undo.createRedoAction(self, "&Redo")
        self.redo_action.setShortcut(k.Redo)
        self.addActions([self.undo_action, self.redo_action])
        about = action("&About BriefDesk", self.about)
        keys = action("&Keyboard Shortcuts", self.show_shortcuts, k.HelpContents)

        menu = self.menuBar()
        file = menu.addMenu("&File")
        file.addActions([self.import_action, self.import_folder_action, self.demo_action])
        file.addAction(self.details_action)
        file.addSeparator()
        file.addActions([self.new_action, self.open_action, self.export_action])
        file.addSeparator()
        file.addAction(self.settings_action)
        file.addSeparator()
        file.addAction(self.quit_action)
        edit = menu.addMenu("&Edit")
        edit.addActions([self.undo_action, self.redo_action])
        edit.addSeparator()
        edit.addActions([self.find_action, self.filter_action, self.topic_action])
        briefing = menu.addMenu("&Briefing")
        briefing.addActions([self.draft_action, self.stop_action])
        briefing.addSeparator()
        briefing.addActions([self.new_action, self.open_action, self.export_action])
        help_menu = menu.addMenu("&Help")
        help_menu.addActions([keys, about])

        bar = QToolBar("Main")
        bar.setObjectName("mainToolbar")
        bar.setMovable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        bar.addAction(self.import_action)
        bar.addSeparator()
        bar.addActions([self.new_action, self.open_action, self.export_action])
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        bar.addWidget(spacer)
        bar.addAction(self.settings_action)
        self.addToolBar(bar)
        self.toolbar = bar
        for act, text in (
            (self.import_action, "Import"),
            (self.open_action, "Open"),
            (self.export_action, "Export"),
            (self.settings_action, "Settings"),
            (self.new_action, "New"),
        ):
            act.setIconText(text)

        # Actions mirror the state of the pane buttons they stand for.
        self.briefing.stateChanged.connect(self._sync_actions)
        self.library.importingChanged.connect(self._sync_actions)
        self.undo.canUndoChanged.connect(self._sync_actions)
        self.undo.canRedoChanged.connect(self._sync_actions)
        self._sync_actions()

    def _sync_actions(self) -> None:
        p = self.briefing_pane
        self.draft_action.setEnabled(p.draft_button.isEnabled())
        self.stop_action.setEnabled(p.stop_button.isEnabled() or self.library.importing)
        self.export_action.setEnabled(p.export_button.isEnabled())
        self.open_action.setEnabled(self.briefing.library_ready and not self.briefing.drafting)
        self.new_action.setEnabled(not self.briefing.drafting)
        can_edit = not self.briefing.drafting
        self.undo_action.setEnabled(can_edit and self.undo.canUndo())
        self.redo_action.setEnabled(can_edit and self.undo.canRedo())

    # -- layout memory ------------------------------------------------------------------------

    def _restore_layout(self) -> None:
        if self.state.geometry:
            self.restoreGeometry(QByteArray.fromBase64(self.state.geometry.encode()))
        else:
            self.resize(*DEFAULT_SIZE)
        sizes = self.state.splitter
        self.splitter.setSizes(sizes if len(sizes) == 3 and all(sizes) else DEFAULT_SPLIT)

    def _remember_layout(self) -> None:
        self.state.geometry = bytes(self.saveGeometry().toBase64().data()).decode()
        self.state.splitter = self.splitter.sizes()
        self.state.save()

    # -- starting -----------------------------------------------------------------------------

    def start(self) -> None:
        """Open the library (on the writer thread); the window is usable meanwhile."""
        # A library folder named at launch is a folder library; a shared library set in
        # settings keeps its local copy in the data folder instead.
        folder = None if self.settings.library.server else self._library_override
        self.library.open(folder, copy.deepcopy(self.settings))

    def _library_opened(self, result: LibraryOpened) -> None:
        self.setWindowTitle(f"BriefDesk — {result.location or result.folder}")
        self.briefing.library_opened(result.briefings)
        if self._demo:
            self._demo = False
            if not result.briefings:
                self.briefing_pane.topic_edit.setText(DEMO_TOPIC)
            self.import_demo()  # documents already there are reported as such, not doubled

    def _library_open_failed(self, message: str) -> None:
        if message == "retry":
            self.start()

    # -- commands -----------------------------------------------------------------------------

    def ask_import_files(self) -> None:
        paths = dialogs.ask_import_files(self, self.state.import_folder or str(Path.home()))
        if paths:
            self.state.update(import_folder=str(paths[0].parent))
            self.library.import_paths(paths)

    def ask_import_folder(self) -> None:
        folder = dialogs.ask_import_folder(self, self.state.import_folder or str(Path.home()))
        if folder is not None:
            self.state.update(import_folder=str(folder.parent))
            self.library.import_paths([folder])

    def import_demo(self) -> None:
        self.library.import_paths([demo_library_dir()])
        if not self.briefing_pane.topic_edit.text():
            self.briefing_pane.topic_edit.setText(DEMO_TOPIC)

    def ask_open_briefing(self) -> None:
        current = self.briefing.briefing.id if self.briefing.briefing else None

        def listed(summaries: list) -> None:
            picker = BriefingPicker(summaries, current, self)
            if picker.exec() and picker.chosen():
                self.briefing.open_briefing(picker.chosen())

        self.backend.briefings(on_done=listed, on_error=self.status.error)

    def export(self) -> None:
        self.exporter.export(self.briefing.briefing)

    def read_details_again(self) -> None:
        """The selected documents, or every document when none is selected."""
        self.details.read_again(self.library.selected_documents() or None)

    def stop(self) -> None:
        """Esc: stop the work that is running (an import dropped during a reading of details
        waits behind it, and runs once the reading stops)."""
        if self.briefing.drafting:
            self.briefing.stop()
        elif self.details.running:
            self.details.cancel()
        elif self.library.importing:
            self.library.cancel_import()

    def open_settings(self) -> None:
        def describe(path: Path, done: object) -> None:
            self.backend.model_info(path, on_done=done, on_error=done)

        dialog = SettingsDialog(self.settings, describe, self)
        if dialog.exec():
            self.apply_settings(dialog.settings())

    def apply_settings(self, settings: Settings) -> None:
        old = self.settings
        self.settings = settings
        save_settings(settings)
        self.briefing.check_model()
        moved = settings.library_location() != old.library_location()
        # A folder named at launch stays open while only the folder setting changes.
        servers = settings.library.server or old.library.server
        if moved and (self._library_override is None or servers):
            where = settings.library.server or self._library_override or settings.library_dir()
            self.status.show(f"Opening the library at {where}…")
            self.evidence.clear()
            self.briefing.show_briefing(None)
            self.start()
        else:
            self.status.show("Settings saved.")

    def _focus_search(self) -> None:
        self.library_pane.search_edit.setFocus()
        self.library_pane.search_edit.selectAll()

    def _focus_filter(self) -> None:
        self.library_pane.filter_edit.setFocus()
        self.library_pane.filter_edit.selectAll()

    def _focus_topic(self) -> None:
        self.briefing_pane.topic_edit.setFocus()
        self.briefing_pane.topic_edit.selectAll()

    def about(self) -> None:
        QMessageBox.about(
            self,
            "About BriefDesk",
            f"<b>BriefDesk {__version__}</b><p>Drafts cited briefings from your own documents, "
            "on your own machine. Nothing leaves this computer.</p>",
        )

    def show_shortcuts(self) -> None:
        rows = [
            ("Ctrl+I", "Import files"),
            ("Ctrl+Shift+I", "Import a folder"),
            ("Ctrl+Enter", "Draft"),
            ("Esc", "Stop drafting or importing"),
            ("Ctrl+E", "Export to Word"),
            ("Ctrl+O", "Open a briefing"),
            ("Ctrl+N", "New briefing"),
            ("Ctrl+T", "Edit the topic"),
            ("Ctrl+F", "Search passages"),
            ("Ctrl+L", "Filter documents"),
            ("F2", "Edit the selected claim or cell"),
            ("Del", "Delete the selected claim or document"),
            ("Ctrl+Z / Ctrl+Shift+Z", "Undo / redo"),
            ("Ctrl+,", "Settings"),
        ]
        table = "".join(f"<tr><td><b>{k}</b></td><td>&nbsp;&nbsp;{v}</td></tr>" for k, v in rows)
        QMessageBox.information(self, "Keyboard shortcuts", f"<table>{table}</table>")

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self.stop_action.isEnabled():
            self.stop()
            event.accept()
            return
        super().keyPressEvent(event)

    # -- closing ------------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._closing:
            self._closing = True
            self._remember_layout()
            self.hide()  # the threads may take a moment to stop: do not look frozen meanwhile
            self.backend.shutdown()
        event.accept()
