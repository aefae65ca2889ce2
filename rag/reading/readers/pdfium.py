"""PDFium (pypdfium2): page images for text recognition, and a second opinion on damaged PDFs.

PDFium is the PDF engine of Chrome. It is far more forgiving than pypdf with a broken file (a
missing ``startxref``, a cross-reference table that points at the wrong offsets): it rebuilds
the table by scanning the file. ``repair`` asks it to do that and write the file out again, so
that the repaired copy goes through the same reader as every other PDF (with its filter for
invisible text; PDFium's own text extraction would return that text too).

Not thread-safe (PDFium is one global library): used only in the single-threaded reader worker.
"""

from __future__ import annotations

import io
import logging
from typing import Any

from rag.core.errors import ReadError
from rag.reading.readers._common import summarize

__all__ = ["Pdfium", "repair"]

log = logging.getLogger(__name__)

_MAX_PIXELS = (
    40_000_000  # a 200-dpi A0 poster is 46 MP; a page larger than this is rendered smaller
)


class Pdfium:
    """One PDF opened with PDFium, for rendering its pages."""

    def __init__(self, data: bytes) -> None:
        self._pdf = _open(data)

    def __len__(self) -> int:
        return len(self._pdf)

    def is_empty(self, index: int) -> bool:
        """Whether page ``index`` (0-based) draws nothing at all: no text, image or path."""
        try:
            return next(iter(self._pdf[index].get_objects()), None) is None
        except Exception:
            log.debug("PDFium could not list page %d's objects", index + 1, exc_info=True)
            return False

    def render(self, index: int, dpi: int) -> Any:
        """Page ``index`` (0-based) as a greyscale PIL image at ``dpi``, or smaller if huge."""
        try:
            page = self._pdf[index]
            width, height = page.get_size()  # points
            scale = dpi / 72
            pixels = width * scale * height * scale
            if pixels > _MAX_PIXELS:
                scale *= (_MAX_PIXELS / pixels) ** 0.5
            bitmap = page.render(scale=scale, grayscale=True)
            return bitmap.to_pil()
        except ReadError:
            raise
        except MemoryError:
            raise
        except Exception as exc:
            log.debug("PDFium could not render page %d", index + 1, exc_info=True)
            raise ReadError(f"damaged PDF: page {index + 1} could not be drawn") from exc

    def close(self) -> None:
        try:
            self._pdf.close()
        except Exception:
            log.debug("PDFium close failed", exc_info=True)


def repair(data: bytes) -> bytes | None:
    """The PDF as PDFium rebuilds it, or None when PDFium cannot open it either."""
    try:
        pdf = _open(data)
    except ReadError:
        return None
    try:
        if len(pdf) == 0:
            return None
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()
    except Exception:
        log.debug("PDFium could not rewrite the file", exc_info=True)
        return None
    finally:
        pdf.close()


def _open(data: bytes) -> Any:
    try:
        import pypdfium2 as pdfium
    except ImportError as exc:
        raise ReadError("the PDF engine for scanned pages (pypdfium2) is not installed") from exc
    try:
        return pdfium.PdfDocument(data)
    except Exception as exc:
        log.debug("PDFium could not open the file", exc_info=True)
        raise ReadError(f"damaged PDF: {summarize(exc)}") from exc
