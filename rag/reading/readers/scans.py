"""Pages read by text recognition: what each yielded and what the analyst must be told.

Shared by the PDF reader (a page without a text layer) and the image reader (every frame).
A page recognised with low confidence is imported and flagged in the document's notes; a page
on which nothing was recognised is named there too. Nothing is dropped silently.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from rag.core.errors import ReadError
from rag.core.types import ReadProgress
from rag.reading.readers.ocr import LOW_CONFIDENCE, OCR_DPI, PAGES_AT_ONCE, RecognisedPage

__all__ = ["PageQueue", "ScanNotes", "recognise_image", "render_pdf_page"]


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


def render_pdf_page(scans: ScanNotes, number: int) -> Any:
    """PDF page ``number`` drawn for recognition, or None when it draws nothing at all (a
    blank page costs no OCR)."""
    pdf = scans.pdfium()
    if pdf.is_empty(number - 1):
        return None
    return pdf.render(number - 1, OCR_DPI)


class PageQueue:
    """A document's pages in order, page images recognised ``PAGES_AT_ONCE`` at a time.

    Recognising one page with both cores wastes much of the second one (a text line is too
    small a job to split well), so the OCR engine runs one thread per call and two pages are
    read side by side: measured 1.93 s a page against 2.2-2.8 s one at a time on 2 cores. The
    reader stays a generator: progress is yielded page by page, in page order, and a cancelled
    or failed read waits only for the pages already being read (at most ``PAGES_AT_ONCE``).
    PDFium, which is not thread-safe, is only ever called by the reader's own thread.
    """

    def __init__(self, scans: ScanNotes, total: int) -> None:
        self.scans = scans
        self.total = total
        self.pages: list[list[str]] = []
        self._queue: deque[tuple[int, list[str] | Future[RecognisedPage], bool]] = deque()
        self._pool: ThreadPoolExecutor | None = None

    def text(self, number: int, lines: list[str]) -> Iterator[ReadProgress]:
        """A page that needs no recognition."""
        self._queue.append((number, lines, False))
        return self._ready(wait=False)

    def image(self, number: int, image: Any, *, expect_text: bool = True) -> Iterator[ReadProgress]:
        """A page image to recognise; ``image`` None is a page that draws nothing."""
        if image is None:
            self._queue.append((number, [], False))
        else:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(PAGES_AT_ONCE, thread_name_prefix="ocr")
            self._queue.append((number, self._pool.submit(recognise_image, image), expect_text))
        return self._ready(wait=False)

    def finish(self) -> Iterator[ReadProgress]:
        return self._ready(wait=True)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def _ready(self, *, wait: bool) -> Iterator[ReadProgress]:
        while self._queue:
            number, page, expect_text = self._queue[0]
            busy = sum(isinstance(p, Future) for _, p, _ in self._queue)
            if isinstance(page, Future) and not page.done() and not wait and busy < PAGES_AT_ONCE:
                return
            self._queue.popleft()
            if isinstance(page, Future):
                lines = self.scans.record(number, page.result(), expect_text=expect_text)
            else:
                lines = page
            self.pages.append(lines)
            yield ReadProgress(number, self.total)


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
