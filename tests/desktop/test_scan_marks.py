"""A document read by OCR is marked as such where the analyst looks: the table and evidence."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop.document_table import LENGTH, TITLE, DocumentTableModel
from desktop.evidence_controller import scan_label
from desktop.evidence_pane import EvidenceCard
from rag.core.types import Document, Locator


def _doc(ocr_confidence: float | None, notes: list[str]) -> Document:
    return Document(
        id="a" * 64, filename="fax.pdf", kind="pdf", title="Ministry fax", publisher="",
        published="", author="", pages=2, chars=900, passages=2,
        imported_at="2026-03-01T10:00:00+00:00", stored_path="",
        ocr_confidence=ocr_confidence, notes=notes,
    )  # fmt: skip


def test_table_marks_ocr_documents_with_their_confidence_and_flags(qapp: object) -> None:
    low = "Low recognition confidence (below 80%) on page 2: check those pages."
    model = DocumentTableModel()
    model.set_documents([_doc(0.91, [low]), _doc(None, [])])
    assert model.data(model.index(0, LENGTH)) == "2 pages · OCR"
    assert model.data(model.index(1, LENGTH)) == "2 pages"
    tooltip = model.data(model.index(0, TITLE), Qt.ItemDataRole.ToolTipRole)
    assert "OCR" in tooltip and "91%" in tooltip and low in tooltip
    assert "OCR" not in model.data(model.index(1, TITLE), Qt.ItemDataRole.ToolTipRole)


def test_evidence_card_says_text_was_recognised_from_a_scan(qapp: object) -> None:
    card = EvidenceCard("[1] Ministry fax", "p. 2", "a" * 64)
    card.set_scan(scan_label(Locator(page=2, confidence=0.62)))
    assert card.scan.isVisibleTo(card)
    assert card.scan.text().startswith("Text recognised from a scan (confidence 62%)")
    assert "check" in card.scan.text()
    card.set_scan(scan_label(Locator(page=2)))  # a text layer: nothing to say
    assert not card.scan.isVisibleTo(card)
