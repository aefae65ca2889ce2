"""The briefing pane's logic: draft, stop, stream claims in, regenerate a section, edit or
delete claims (with undo), save every change, reopen past briefings, restore the last one.

The controller holds the one copy of the briefing the GUI shows. Drafting happens on the
writer thread on its own copy; every event brings a copy back, and the finished briefing
replaces the one on screen. Edits are saved through the writer too, in order with drafting.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from desktop.backend import Backend
from desktop.briefing_pane import BriefingPane
from desktop.briefing_widgets import ClaimWidget, SectionWidget
from desktop.model_status import model_problem, role_installed
from desktop.operations import UNFINISHED, BriefingSummary, DraftRequest, ModelLoading
from desktop.status import StatusReporter
from desktop.ui_state import UiState
from rag.api import (
    Briefing,
    Claim,
    ClaimAdded,
    DraftStarted,
    Section,
    SectionDone,
    SectionRevised,
    SectionStarted,
    Settings,
    Template,
    available_templates,
    restore_edit,
    show_edit,
    take_recheck,
    template_problems,
)


def briefing_summary(b: Briefing) -> str:
    claims = [c for s in b.sections for c in s.claims]
    unsupported = sum(c.check.unsupported for c in claims)
    parts = [b.template_name, "1 claim" if len(claims) == 1 else f"{len(claims)} claims"]
    if unsupported:
        parts.append(f"{unsupported} unsupported")
    try:
        saved = datetime.fromisoformat(b.updated).astimezone()
    except ValueError:
        saved = None
    if saved is not None and saved.date() == datetime.now().astimezone().date():
        parts.append(f"saved at {saved:%H:%M}")
    elif saved is not None:
        parts.append(f"saved {saved:%Y-%m-%d %H:%M}")
    return " · ".join(parts)


class BriefingController(QObject):
    briefingShown = Signal(object)  # Briefing | None
    draftStarted = Signal()
    claimShown = Signal(str)  # claim id
    draftFinished = Signal(object)  # Briefing
    saved = Signal()
    claimRechecked = Signal(str)  # claim id: an edited claim has its new verdict
    stateChanged = Signal()  # drafting started or ended, a briefing shown: actions follow
    settingsRequested = Signal()
    evidenceRequested = Signal(object, list, object)  # Claim, marker numbers, active index

    def __init__(
        self,
        backend: Backend,
        pane: BriefingPane,
        status: StatusReporter,
        undo: QUndoStack,
        settings: Callable[[], Settings],
        save_settings: Callable[[Settings], None],
        state: UiState,
    ) -> None:
        super().__init__(pane)
        self.backend = backend
        self.pane = pane
        self.status = status
        self.undo = undo
        self._settings = settings
        self._save_settings = save_settings
        self.state = state
        self.briefing: Briefing | None = None
        self.numbering: dict[str, int] = {}
        self.templates: list[Template] = []
        self._job = None
        self._drafting: set[str] | None = None  # sections being drafted; None when idle
        self._whole = False  # drafting a new briefing (not redrafting sections of this one)
        self._stopping = False
        self.selected: str | None = None
        self._active_marker: int | None = None
        self.library_ready = False
        self.has_documents = False

        pane.draft_button.clicked.connect(self.draft)
        pane.stop_button.clicked.connect(self.stop)
        pane.topic_edit.returnPressed.connect(self.draft)
        pane.template_combo.currentIndexChanged.connect(self._template_changed)
        self.load_templates()
        self._update_actions()

    # -- templates ----------------------------------------------------------------------------

    def load_templates(self) -> None:
        combo = self.pane.template_combo
        current = self.state.template_id or (combo.currentData() or "")
        self.templates = available_templates()
        combo.blockSignals(True)
        combo.clear()
        for t in self.templates:
            label = t.name if t.builtin else f"{t.name} (yours)"
            combo.addItem(label, t.id)
            sections = ", ".join(s.title for s in t.sections)
            tip = f"{t.purpose}\n\nSections: {sections}"
            combo.setItemData(combo.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
        index = combo.findData(current)
        combo.setCurrentIndex(max(index, 0))
        combo.blockSignals(False)
        problems = template_problems()
        if problems:
            self.pane.banner.show_message(
                "Some of your templates could not be read:\n" + "\n".join(problems),
                key="templates",
                tone="warn",
                buttons=[("OK", lambda: self.pane.banner.dismiss("templates"))],
            )

    def _template_changed(self) -> None:
        self.state.update(template_id=self.pane.template_combo.currentData() or "")

    # -- the library --------------------------------------------------------------------------

    def library_opened(self, summaries: list[BriefingSummary]) -> None:
        """Bring back what was on screen last time (the draft survives a crash: rag saved it
        after every claim)."""
        self.library_ready = True
        self._update_actions()
        self.check_model()
        ids = [s.id for s in summaries]
        wanted = self.state.last_briefing if self.state.last_briefing in ids else None
        wanted = wanted or (ids[0] if ids else None)
        if wanted:
            self.open_briefing(wanted)
        else:
            self.show_briefing(None)

    def set_documents(self, count: int) -> None:
        self.has_documents = count > 0
        self._update_actions()

    # -- the model ----------------------------------------------------------------------------

    def check_model(self) -> bool:
        """Say so, with the exact fix, when the drafting model is not installed."""
        problem = model_problem(self._settings()) if self.backend.model_from_settings else None
        if problem is None:
            self.pane.banner.dismiss("model")
            return True
        buttons: list[tuple[str, Callable[[], None]]] = []
        if self._settings().model.model != "small" and role_installed("small"):
            buttons.append(("Use the small model", self._use_small_model))
        buttons.append(("Settings…", self.settingsRequested.emit))
        text = problem.lead
        if problem.command:
            text = f"{text} Install it from a terminal with the command below. {problem.note}"
            text = text.strip()
        self.pane.banner.show_message(
            text, key="model", tone="warn", command=problem.command, buttons=buttons
        )
        return False

    def _use_small_model(self) -> None:
        settings = self._settings()
        settings.model.model = "small"
        self._save_settings(settings)
        self.check_model()
        self.status.show("Drafting with the small model: quick, but its drafts are rough.")

    # -- showing ------------------------------------------------------------------------------

    def show_briefing(self, briefing: Briefing | None) -> None:
        self.briefing = briefing
        self.selected = None
        self._active_marker = None
        if briefing is not None:
            self.pane.topic_edit.setText(briefing.topic)
            index = self.pane.template_combo.findData(briefing.template_id)
            if index >= 0:
                self.pane.template_combo.setCurrentIndex(index)
            if briefing.id != self.state.last_briefing:
                self.state.update(last_briefing=briefing.id)
        self._render()
        self._show_unfinished()
        self.briefingShown.emit(briefing)

    def _render(self) -> None:
        view = self.pane.view
        view.clear()
        b = self.briefing
        if b is None:
            self.pane.show_title("", "")
            self._update_actions()
            return
        self.numbering = {c.passage_id: n for n, c in enumerate(b.citations_in_order(), start=1)}
        for section in b.sections_in_reading_order():
            widget = SectionWidget(section)
            widget.regenerateRequested.connect(self.regenerate)
            view.add_section(widget)
            self._fill_section(widget, section)
        self._update_title()
        self._update_actions()

    def _fill_section(self, widget: SectionWidget, section: Section) -> None:
        widget.clear_claims()
        for claim in section.claims:
            widget.add_claim(self._claim_widget(claim))
        self._section_status(widget, section)

    def _section_status(self, widget: SectionWidget, section: Section) -> None:
        status = section.status
        running = self._drafting is not None and section.key in self._drafting
        if status in ("pending", "drafting") and not running:
            status = "interrupted"
        unsupported = sum(c.check.unsupported for c in section.claims)
        widget.set_status(status, unsupported)
        note = section.note
        if status == "interrupted":
            note = note or "Drafting stopped before this section was finished."
        elif status == "cancelled" and not section.claims:
            note = note or "Stopped before any claim was drafted. Regenerate to draft it."
        widget.set_note(note)
        widget.regenerate_button.setEnabled(self._drafting is None)

    def _claim_widget(self, claim: Claim) -> ClaimWidget:
        widget = ClaimWidget(claim, self._numbers(claim), editable=self._drafting is None)
        widget.selected.connect(lambda cid: self.select_claim(cid))
        widget.markerClicked.connect(self.select_claim)
        widget.editRequested.connect(self._edit_requested)
        widget.deleteRequested.connect(self.delete_claim)
        widget.textEdited.connect(self.edit_claim)
        if claim.id == self.selected:
            widget.set_selected(True, self._active_marker)
        return widget

    def _numbers(self, claim: Claim) -> list[int]:
        return [self.numbering.get(c.passage_id, 0) for c in claim.citations]

    def _renumber(self) -> None:
        """Citation numbers follow reading order, as in the export; a new claim can shift
        them, so every marker is refreshed."""
        if self.briefing is None:
            return
        numbering = {
            c.passage_id: n for n, c in enumerate(self.briefing.citations_in_order(), start=1)
        }
        if numbering == self.numbering:
            return
        self.numbering = numbering
        for widget in self.claim_widgets():
            widget.set_numbers(self._numbers(widget.claim))
            if widget.claim.id == self.selected:
                widget.set_selected(True, self._active_marker)

    def _update_title(self) -> None:
        b = self.briefing
        if b is None:
            self.pane.show_title("", "")
        else:
            drafting = " · drafting…" if self._drafting is not None else ""
            self.pane.show_title(b.title or b.topic, briefing_summary(b) + drafting)

    def _show_unfinished(self) -> None:
        b = self.briefing
        unfinished = [s for s in b.sections if s.status in UNFINISHED] if b else []
        if not unfinished or self._drafting is not None:
            self.pane.banner.dismiss("unfinished")
            return
        n = len(unfinished)
        what = "1 section was" if n == 1 else f"{n} sections were"
        self.pane.banner.show_message(
            f"{what} not finished: drafting was stopped, or BriefDesk was closed. The claims "
            "already drafted are kept.",
            key="unfinished",
            tone="info",
            buttons=[("Finish drafting", self.finish_unfinished)],
        )

    def claim_widgets(self) -> list[ClaimWidget]:
        return [w for s in self.pane.view.sections.values() for w in s.claims]

    def claim_widget(self, claim_id: str) -> ClaimWidget | None:
        return next((w for w in self.claim_widgets() if w.claim.id == claim_id), None)

    def _update_actions(self) -> None:
        busy = self._drafting is not None
        p = self.pane
        p.draft_button.setEnabled(not busy and self.library_ready and self.has_documents)
        p.draft_button.setToolTip(
            "Draft a new briefing on this topic (Ctrl+Enter)"
            if self.has_documents
            else "Import some documents first: a briefing is drafted from your library."
        )
        p.stop_button.setEnabled(busy and not self._stopping)
        p.export_button.setEnabled(not busy and self.briefing is not None)
        p.template_combo.setEnabled(not busy)
        self.stateChanged.emit()

    # -- opening ------------------------------------------------------------------------------

    def open_briefing(self, briefing_id: str) -> None:
        if self.drafting:
            return
        self.backend.load_briefing(
            briefing_id, on_done=self._opened_briefing, on_error=self.status.error
        )

    def _opened_briefing(self, briefing: Briefing) -> None:
        self.undo.clear()
        self.show_briefing(briefing)

    def new_briefing(self) -> None:
        if self.drafting:
            return
        self.undo.clear()
        self.pane.topic_edit.clear()
        self.show_briefing(None)
        self.pane.topic_edit.setFocus()

    # -- drafting -----------------------------------------------------------------------------

    @property
    def drafting(self) -> bool:
        return self._drafting is not None

    def draft(self) -> None:
        """Draft a new briefing on the topic with the chosen template."""
        if self.drafting or not self.library_ready:
            return
        topic = " ".join(self.pane.topic_edit.text().split())
        if not topic:
            self.status.error("Type a topic for the briefing first.")
            self.pane.topic_edit.setFocus()
            return
        if not self.has_documents:
            self.status.error("The library is empty: import some documents first.")
            return
        template_id = self.pane.template_combo.currentData()
        self._start(DraftRequest(topic, template_id, self._settings()), None)

    def regenerate(self, section_key: str) -> None:
        self._redraft([section_key])

    def finish_unfinished(self) -> None:
        if self.briefing is not None:
            self._redraft([s.key for s in self.briefing.sections if s.status in UNFINISHED])

    def _redraft(self, keys: list[str]) -> None:
        b = self.briefing
        if self.drafting or b is None or not keys:
            return
        request = DraftRequest(
            b.topic, b.template_id, self._settings(), briefing=copy.deepcopy(b), sections=keys
        )
        self._start(request, set(keys))

    def _start(self, request: DraftRequest, sections: set[str] | None) -> None:
        if not self.check_model():
            return
        self.pane.banner.dismiss("error")
        self._drafting = sections if sections is not None else set()
        self._whole = sections is None
        self._stopping = False
        self.undo.clear()
        self._set_editable(False)
        waiting = self.backend.writer.busy  # an import, most likely: drafts queue behind it
        self.pane.set_progress("Waiting for the import to finish…" if waiting else "Starting…")
        self._update_actions()
        self._update_title()
        self._job = self.backend.draft(
            request, on_event=self._event, on_done=self._done, on_error=self._failed
        )
        self._job.finished.connect(self._ended)
        self.draftStarted.emit()

    def stop(self) -> None:
        if self._job is not None and not self._stopping:
            self._stopping = True
            self._job.cancel()
            self.pane.set_progress("Stopping…")
            self._update_actions()

    def _event(self, event: object) -> None:
        match event:
            case ModelLoading():
                self.pane.set_progress("Loading the drafting model…")
            case DraftStarted(briefing=b, sources=n):
                if self._whole:
                    self._drafting = {s.key for s in b.sections}
                    self.show_briefing(b)
                else:
                    self.briefing = b
                    for key in self._drafting or ():
                        self._refresh_section(key)
                    self._renumber()
                what = "1 passage" if n == 1 else f"{n} passages"
                self.pane.set_progress(f"Drafting from {what} found in the library…", 0, 1)
            case SectionStarted(index=i, total=n, section=s):
                self._replace_section(s)
                widget = self.pane.view.sections.get(s.key)
                if widget is not None:
                    self.pane.view.ensureWidgetVisible(widget, 0, 40)
                self.pane.set_progress(f"Section {i} of {n}: {s.title}", i - 1, n)
            case ClaimAdded(section=head, claim=claim):
                self._add_claim(head.key, claim)
            case SectionDone(section=s):
                self._replace_section(s)
                self.pane.progress.setValue(self.pane.progress.value() + 1)
            case SectionRevised(section=s):
                self._replace_section(s)  # a claim there gave way to a fuller one

    def _replace_section(self, section: Section) -> None:
        if self.briefing is None:
            return
        sections = self.briefing.sections
        for i, known in enumerate(sections):
            if known.key == section.key:
                sections[i] = section
        self._refresh_section(section.key)
        self._renumber()
        self._update_title()

    def _refresh_section(self, key: str) -> None:
        widget = self.pane.view.sections.get(key)
        if widget is not None and self.briefing is not None:
            self._fill_section(widget, self.briefing.section(key))

    def _add_claim(self, key: str, claim: Claim) -> None:
        if self.briefing is None:
            return
        section = self.briefing.section(key)
        section.claims.append(claim)
        self._renumber()
        widget = self.pane.view.sections.get(key)
        if widget is not None:
            widget.add_claim(self._claim_widget(claim))
            self._section_status(widget, section)
        self._update_title()
        self.claimShown.emit(claim.id)

    def _done(self, briefing: Briefing) -> None:
        self._drafting = None
        self._job = None
        selected = self.selected
        self.show_briefing(briefing)
        if selected and self.claim_widget(selected) is not None:
            self.select_claim(selected, self._active_marker)
        stats = briefing.stats
        cancelled = stats.get("cancelled")
        summary = (
            f"{stats.get('claims', 0)} claims, {stats.get('unsupported', 0)} unsupported, "
            f"in {stats.get('seconds', 0):.0f} s"
        )
        self.status.show(
            ("Stopped; kept what was drafted: " if cancelled else "Drafted: ") + summary, 10
        )
        self.draftFinished.emit(briefing)

    def _failed(self, message: str) -> None:
        self.pane.banner.show_message(
            f"Drafting failed: {message}",
            key="error",
            tone="error",
            buttons=[("OK", lambda: self.pane.banner.dismiss("error"))],
        )
        self.status.error("Drafting failed.")
        self._drafting = None
        if self.briefing is not None:  # what rag saved before the failure
            self.open_briefing(self.briefing.id)

    def _ended(self) -> None:
        self._drafting = None
        self._job = None
        self._stopping = False
        self.pane.hide_progress()
        self._set_editable(True)
        self._update_actions()
        self._update_title()
        if self.briefing is not None:
            for widget in self.pane.view.sections.values():
                self._section_status(widget, self.briefing.section(widget.key))
        self._show_unfinished()

    def _set_editable(self, editable: bool) -> None:
        for widget in self.claim_widgets():
            widget.editable = editable
            if not editable:
                widget.stop_edit()
        for section in self.pane.view.sections.values():
            section.regenerate_button.setEnabled(editable)

    # -- selecting ----------------------------------------------------------------------------

    def select_claim(self, claim_id: str, marker: int | None = None) -> None:
        widget = self.claim_widget(claim_id)
        if widget is None:
            return
        if self.selected != claim_id:
            previous = self.claim_widget(self.selected) if self.selected else None
            if previous is not None:
                previous.set_selected(False)
        elif marker is None:
            marker = self._active_marker
        self.selected = claim_id
        self._active_marker = marker
        widget.set_selected(True, marker)
        self.evidenceRequested.emit(widget.claim, self._numbers(widget.claim), marker)

    # -- editing ------------------------------------------------------------------------------

    def _edit_requested(self, claim_id: str) -> None:
        widget = self.claim_widget(claim_id)
        if widget is not None and not self.drafting:
            widget.start_edit()

    def edit_claim(self, claim_id: str, text: str) -> None:
        found = self._find(claim_id)
        if found is None or self.drafting:
            return
        _, claim = found
        self.undo.push(EditClaim(self, claim, text))

    def delete_claim(self, claim_id: str) -> None:
        found = self._find(claim_id)
        if found is None or self.drafting:
            return
        section, claim = found
        self.undo.push(DeleteClaim(self, section.key, section.claims.index(claim), claim))

    def _find(self, claim_id: str) -> tuple[Section, Claim] | None:
        if self.briefing is None:
            return None
        for section in self.briefing.sections:
            for claim in section.claims:
                if claim.id == claim_id:
                    return section, claim
        return None

    def apply_edit(self, briefing_id: str, claim_id: str, text: str) -> None:
        """Show the analyst's text at once, unchecked, and check it again on the reader."""
        found = self._find(claim_id) if self._is_current(briefing_id) else None
        if found is None:
            return
        _, claim = found
        show_edit(claim, text)
        self._claim_changed(claim)
        self.backend.recheck_claim(
            claim,
            text,
            on_done=lambda checked: self._rechecked(briefing_id, checked),
            on_error=self.status.error,
        )

    def _rechecked(self, briefing_id: str, checked: Claim) -> None:
        found = self._find(checked.id) if self._is_current(briefing_id) else None
        if found is None or not take_recheck(found[1], checked):
            return  # undone or edited again meanwhile: a newer check is on its way
        claim = found[1]
        self._claim_changed(claim)
        self.claimRechecked.emit(claim.id)

    def restore_claim(self, briefing_id: str, old: Claim) -> None:
        """Put back a claim's text, verdict and quotes as they were (undo of an edit)."""
        found = self._find(old.id) if self._is_current(briefing_id) else None
        if found is None:
            return
        claim = found[1]
        restore_edit(claim, old)
        self._claim_changed(claim)

    def _claim_changed(self, claim: Claim) -> None:
        widget = self.claim_widget(claim.id)
        if widget is not None:
            widget.show_claim(claim, self._numbers(claim))
        if self.selected == claim.id:
            self.select_claim(claim.id, self._active_marker)
        self.save()

    def remove_claim(self, briefing_id: str, claim_id: str) -> None:
        found = self._find(claim_id) if self._is_current(briefing_id) else None
        if found is None:
            return
        section, claim = found
        section.claims.remove(claim)
        if self.selected == claim_id:
            self.selected = None
        self._refresh_section(section.key)
        self._renumber()
        self._update_title()
        self.save()

    def insert_claim(self, briefing_id: str, key: str, index: int, claim: Claim) -> None:
        if not self._is_current(briefing_id) or self.briefing is None:
            return
        section = self.briefing.section(key)
        section.claims.insert(min(index, len(section.claims)), claim)
        self._refresh_section(key)
        self._renumber()
        self._update_title()
        self.save()

    def _is_current(self, briefing_id: str) -> bool:
        return self.briefing is not None and self.briefing.id == briefing_id and not self.drafting

    def save(self) -> None:
        """Save the briefing as it is on screen (the writer saves it in order with drafts)."""
        if self.briefing is None:
            return
        snapshot = copy.deepcopy(self.briefing)

        def saved(updated: str) -> None:
            if self.briefing is not None and self.briefing.id == snapshot.id:
                self.briefing.updated = updated
                self._update_title()
            self.saved.emit()

        self.backend.save_briefing(snapshot, on_done=saved, on_error=self.status.error)


class EditClaim(QUndoCommand):
    def __init__(self, controller: BriefingController, claim: Claim, text: str) -> None:
        super().__init__("edit a claim")
        assert controller.briefing is not None
        self.controller, self.briefing_id, self.claim_id = (
            controller,
            controller.briefing.id,
            claim.id,
        )
        self.old = copy.deepcopy(claim)  # text, verdict and quotes, all put back on undo
        self.new = text

    def redo(self) -> None:
        self.controller.apply_edit(self.briefing_id, self.claim_id, self.new)

    def undo(self) -> None:
        self.controller.restore_claim(self.briefing_id, self.old)


class DeleteClaim(QUndoCommand):
    def __init__(self, controller: BriefingController, key: str, index: int, claim: Claim) -> None:
        super().__init__("delete a claim")
        assert controller.briefing is not None
        self.controller, self.briefing_id = controller, controller.briefing.id
        self.key, self.index, self.claim = key, index, claim

    def redo(self) -> None:
        self.controller.remove_claim(self.briefing_id, self.claim.id)

    def undo(self) -> None:
        self.controller.insert_claim(self.briefing_id, self.key, self.index, self.claim)
