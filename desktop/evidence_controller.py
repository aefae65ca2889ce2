"""Shows the evidence for a claim (every passage it cites, supporting words highlighted) or for
a search result, and opens the original file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from desktop.backend import Backend
from desktop.briefing_widgets import check_tooltip
from desktop.evidence_pane import EvidenceCard, EvidencePane
from desktop.highlight import highlighted_html
from desktop.library_controller import ORIGINAL_ELSEWHERE
from desktop.status import StatusReporter, open_path
from rag.api import LOW_CONFIDENCE, Citation, Claim, Document, Hit, Locator, Passage

VERDICTS = {
    "supported": ("Supported by the cited passages", "good"),
    "reattributed": ("Re-attributed to the passage that supports it", "warn"),
    "unsupported": ("Unsupported: the cited passages do not say this", "bad"),
    "unchecked": ("Not checked", ""),
    "gap": ("Not in the library: no source answers this question", ""),
}


def where_label(publisher: str, published: str, locator: str) -> str:
    return " · ".join(x for x in (publisher, published, locator) if x)


def scan_label(locator: Locator) -> str:
    """For text recognised from a scan: says so, with the page's confidence; else ""."""
    if locator.confidence is None:
        return ""
    text = f"Text recognised from a scan (confidence {locator.confidence:.0%})"
    if locator.confidence < LOW_CONFIDENCE:
        return text + ": low, check the words against the original"
    return text


class EvidenceController(QObject):
    shown = Signal()  # the pane has the passages it was asked for, text and all

    def __init__(
        self,
        backend: Backend,
        pane: EvidencePane,
        status: StatusReporter,
        document: Callable[[str], Document | None],
    ) -> None:
        super().__init__(pane)
        self.backend = backend
        self.pane = pane
        self.status = status
        self._document = document
        self._request = 0
        self.claim_id: str | None = None
        self.citations: list[Citation] = []

    def clear(self) -> None:
        self._request += 1
        self.claim_id = None
        self.citations = []
        self.pane.clear()

    def _show_subject(self, claim: Claim) -> None:
        verdict, tone = VERDICTS.get(claim.check.status, ("", ""))
        if claim.edited and claim.check.status != "unchecked":
            verdict += " (checked again after your edit)"
        elif claim.edited:
            verdict = "Checking your edit against the cited passages…"
        self.pane.show_subject(claim.text, verdict, tone)
        self.pane.verdict.setToolTip(check_tooltip(claim))

    def show_claim(self, claim: Claim, numbers: list[int], active: int | None = None) -> None:
        """Every passage ``claim`` cites, with the card of citation ``active`` in focus."""
        if self.claim_id == claim.id and self.citations == claim.citations and self.pane.cards:
            self._show_subject(claim)  # the text or its verdict may have changed (an edit)
            self.pane.focus_card(active)
            return
        self._request += 1
        request = self._request
        self.pane.clear()
        self.claim_id = claim.id
        self.citations = list(claim.citations)
        self._show_subject(claim)
        if not claim.citations:
            self.pane.empty.setText("This claim cites no passage.")
            self.pane.empty.show()
            self.shown.emit()
            return
        for number, citation in zip(numbers, claim.citations, strict=False):
            card = EvidenceCard(
                f"[{number}] {citation.doc_title}",
                where_label(citation.publisher, citation.published, citation.locator.label()),
                citation.doc_id,
            )
            html, _ = highlighted_html(citation.quote, citation.quote)
            card.set_text(html)
            card.set_scan(scan_label(citation.locator))
            self._setup_open(card, citation.locator.label())
            card.openRequested.connect(self.open_document)
            self.pane.add_card(card)
        self.pane.focus_card(active)
        self.backend.passages(
            [c.passage_id for c in claim.citations],
            on_done=lambda found: self._passages_arrived(request, found, active),
            on_error=self.status.error,
        )

    def _passages_arrived(
        self, request: int, found: dict[str, Passage | None], active: int | None
    ) -> None:
        if request != self._request:
            return  # the analyst has moved on to another claim
        for card, citation in zip(self.pane.cards, self.citations, strict=False):
            passage = found.get(citation.passage_id)
            if passage is None:
                card.set_note(
                    "This document is no longer in the library; the quote above is what the "
                    "citation recorded."
                )
                continue
            html, ok = highlighted_html(passage.text, citation.quote)
            card.set_text(html)
            if not ok:
                card.set_note("The quoted words were not found in this passage.")
        # Cards grew: keep the one asked for in view once the layout has settled.
        QTimer.singleShot(0, lambda: self.pane.focus_card(active))
        self.shown.emit()

    def show_hit(self, hit: Hit) -> None:
        """A search result: the passage and where it stands."""
        self._request += 1
        self.pane.clear()
        self.claim_id = None
        self.citations = []
        doc = hit.document
        self.pane.show_subject("Search result")
        card = EvidenceCard(
            doc.title,
            where_label(doc.publisher, doc.published, hit.passage.locator.label()),
            doc.id,
        )
        html, _ = highlighted_html(hit.passage.text, "")
        card.set_text(html)
        card.set_scan(scan_label(hit.passage.locator))
        self._setup_open(card, hit.passage.locator.label())
        card.openRequested.connect(self.open_document)
        self.pane.add_card(card)
        self.shown.emit()

    def _setup_open(self, card: EvidenceCard, locator: str) -> None:
        doc = self._document(card.doc_id)
        if doc is None:
            card.open_button.setEnabled(False)
            card.open_button.setToolTip("This document is no longer in the library.")
            return
        where = f"; the passage is at {locator}" if locator else ""
        card.open_button.setToolTip(
            f"Open {doc.filename} (the library's copy) in your system's viewer{where}."
        )

    def open_document(self, doc_id: str) -> None:
        doc = self._document(doc_id)
        if doc is None:
            self.status.error("That document is no longer in the library.")
            return
        if not doc.stored_path:
            self.status.show(ORIGINAL_ELSEWHERE.format(filename=doc.filename))
        elif not open_path(Path(doc.stored_path)):
            self.status.error(f"No application could open {doc.filename}.")
        else:
            self.status.show(f"Opened {doc.filename}.")
