"""Pages read by text recognition: what each yielded and what the analyst must be told.

Shared by the PDF reader (a page without a text layer) and the image reader (every frame).
A page recognised with low confidence is imported and flagged in the document's notes; a page
on which nothing was recognised is named there too. Nothing is dropped silently.
"""

from __future__ import annotations

from typing import Any

from rag.core.errors import ReadError
from rag.reading.readers.ocr import LOW_CONFIDENCE, OCR_DPI, RecognisedPage

__all__ = ["ScanNotes", "recognise_image", "recognise_pdf_page"]


class ScanNotes:
    """The recognised pages of one document, by 1-based page number."""

    def __init__(self, pdf_data: bytes | None = None) -> None:
        self._pdf_data = pdf_data
        self._pdf: Any = None
        self.confidence: dict[int, float] = {}
        self.blank: list[int] = []

    def record(self, number: int, page: RecognisedPage, *, expect_text: bool = True) -> list[str]:
        if page.confidence is None:
            if expect_text:
                self.blank.append(number)
        else:
            self.confidence[number] = page.confidence
        return page.lines

    def mean_confidence(self) -> float | None:
        if not self.confidence:
            return None
        return round(sum(self.confidence.values()) / len(self.confidence), 3)

    def low_pages(self) -> list[int]:
        return sorted(n for n, c in self.confidence.items() if c < LOW_CONFIDENCE)

    def notes(self) -> list[str]:
        notes = []
        if self.confidence:
            pages = _pages(sorted(self.confidence))
            notes.append(
                f"Text recognised from scanned images (OCR) on {pages}; mean confidence "
                f"{self.mean_confidence():.0%}."
            )
        low = self.low_pages()
        if low:
            notes.append(
                f"Low recognition confidence (below {LOW_CONFIDENCE:.0%}) on {_pages(low)}: "
                "check those pages against the original."
            )
        if self.blank:
            notes.append(f"No text found on the image of {_pages(self.blank)}.")
        return notes

    def pdfium(self) -> Any:
        if self._pdf is None:
            from rag.reading.readers.pdfium import Pdfium

            assert self._pdf_data is not None
            self._pdf = Pdfium(self._pdf_data)
        return self._pdf

    def close(self) -> None:
        if self._pdf is not None:
            self._pdf.close()
            self._pdf = None


def recognise_pdf_page(scans: ScanNotes, number: int, *, expect_text: bool = True) -> list[str]:
    """Draw PDF page ``number`` and recognise its text; the lines, recorded in ``scans``.
    A page that draws nothing at all is not recognised (a blank page costs no OCR)."""
    pdf = scans.pdfium()
    if pdf.is_empty(number - 1):
        return []
    image = pdf.render(number - 1, OCR_DPI)
    return scans.record(number, recognise_image(image), expect_text=expect_text)


def recognise_image(image: Any) -> RecognisedPage:
    try:
        from rag.reading.readers.ocr import recognise

        return recognise(image)
    except ImportError as exc:  # an install without the OCR parts: say so, per file
        raise ReadError("text recognition (OCR) is not installed, so scans cannot be read") from exc


def _pages(numbers: list[int]) -> str:
    """ "page 3", "pages 2, 5 and 7"; long runs shortened: "pages 1–40"."""
    if len(numbers) == 1:
        return f"page {numbers[0]}"
    runs: list[str] = []
    start = prev = numbers[0]
    for n in [*numbers[1:], None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        runs.append(str(start) if start == prev else f"{start}–{prev}")
        if n is not None:
            start = prev = n
    if len(runs) == 1:
        return f"pages {runs[0]}"
    return f"pages {', '.join(runs[:-1])} and {runs[-1]}"
