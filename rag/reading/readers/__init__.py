"""Read a file into blocks of text with locators: the first step of importing a document.

``read_document`` is the entry point; ``read_document_steps`` is the same read as a generator
that yields a ReadProgress after each page of a paged file (PDFs, images), for files whose
pages take seconds each to recognise. Either returns a ParsedDocument with at least one block
or raises ReadError with a one-line reason written for the analyst (the caller puts the file
name in front). No other exception escapes (but Cancelled, when the caller's token is set):
parsers of untrusted files fail in many undocumented ways, and one broken file must never stop
a batch import.
"""

from __future__ import annotations

import logging
import stat
from collections.abc import Callable, Generator
from pathlib import Path

from rag.core.errors import Cancelled, ReadError
from rag.core.types import CancelToken, ParsedDocument, ReadProgress
from rag.reading.readers._common import drain, summarize
from rag.reading.readers.metadata import finish_meta

__all__ = ["DEFAULT_MAX_BYTES", "SUPPORTED_EXTENSIONS", "read_document", "read_document_steps"]

log = logging.getLogger(__name__)

SUPPORTED_EXTENSIONS: dict[str, str] = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".txt": "txt",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    # Scans: read by text recognition (OCR), one page per image or TIFF frame.
    ".png": "image",
    ".jpg": "image",
    ".jpeg": "image",
    ".tif": "image",
    ".tiff": "image",
}
DEFAULT_MAX_BYTES = 200 * 1024 * 1024

_KIND_LABELS = {
    "pdf": "PDF",
    "docx": "Word file",
    "html": "web page",
    "txt": "text file",
    "md": "Markdown file",
    "image": "image",
}
NO_TEXT = "no text found in document"


def read_document(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> ParsedDocument:
    """Read ``path`` into a ParsedDocument, or raise ReadError saying why it cannot be read."""
    return drain(read_document_steps(path, max_bytes=max_bytes))


def read_document_steps(
    path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES, cancel: CancelToken | None = None
) -> Generator[ReadProgress, None, ParsedDocument]:
    """``read_document`` page by page: yields progress, checks ``cancel`` between pages."""
    path = Path(path)
    kind = _check_file(path, max_bytes)
    data = _read_bytes(path, max_bytes)
    if len(data) > max_bytes:  # the file grew since we looked at its size
        raise ReadError(_too_big(len(data), max_bytes))
    try:
        document = yield from _parser(kind)(data, cancel)
    except (ReadError, Cancelled):
        raise
    except Exception as exc:  # parser bugs, RecursionError, MemoryError: all one bad file
        log.debug("reader for %s failed", kind, exc_info=True)
        raise ReadError(f"could not read {_KIND_LABELS[kind]}: {summarize(exc)}") from exc
    if not document.blocks:
        raise ReadError(NO_TEXT)
    finish_meta(document.meta, document.blocks)
    return document


def _check_file(path: Path, max_bytes: int) -> str:
    """Cheap checks, in the order a user would want to hear about them; returns the kind."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise ReadError("file not found") from None
    except OSError as exc:
        raise ReadError(f"cannot open file: {exc.strerror or summarize(exc)}") from None
    if stat.S_ISDIR(info.st_mode):
        raise ReadError("is a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise ReadError("not a regular file")
    kind = SUPPORTED_EXTENSIONS.get(path.suffix.lower())
    if kind is None:
        raise ReadError(_unsupported(path.suffix))
    if info.st_size == 0:
        raise ReadError("empty file (0 bytes)")
    if info.st_size > max_bytes:
        raise ReadError(_too_big(info.st_size, max_bytes))
    return kind


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(max_bytes + 1)
    except PermissionError:
        raise ReadError("permission denied") from None
    except OSError as exc:
        raise ReadError(f"cannot read file: {exc.strerror or summarize(exc)}") from None


_Steps = Generator[ReadProgress, None, ParsedDocument]
_Reader = Callable[[bytes, CancelToken | None], _Steps]


def _parser(kind: str) -> _Reader:
    # Imported on demand: pypdf and python-docx are slow to import and most batches are one
    # or two kinds of file.
    if kind == "pdf":
        from rag.reading.readers.pdf import read_pdf_steps

        return read_pdf_steps
    if kind == "image":
        from rag.reading.readers.image import read_image_steps

        return read_image_steps
    if kind == "docx":
        from rag.reading.readers.docx import read_docx

        return _whole(read_docx)
    if kind == "html":
        from rag.reading.readers.html import read_html

        return _whole(read_html)
    from rag.reading.readers.text import read_text

    markdown = kind == "md"
    return _whole(lambda data: read_text(data, markdown=markdown))


def _whole(read: Callable[[bytes], ParsedDocument]) -> _Reader:
    """A reader that reads the file in one go, as a generator without progress."""

    def steps(data: bytes, cancel: CancelToken | None) -> _Steps:
        return read(data)
        yield  # pragma: no cover - makes this a generator

    return steps


def _unsupported(suffix: str) -> str:
    # Grouped by format, the usual spelling first: ".htm, .html, .md, .markdown".
    by_format = sorted(
        SUPPORTED_EXTENSIONS, key=lambda ext: (SUPPORTED_EXTENSIONS[ext], len(ext), ext)
    )
    supported = ", ".join(by_format)
    if not suffix:
        return f"unsupported file type: no extension (supported: {supported})"
    return f"unsupported file type '{suffix.lower()}' (supported: {supported})"


def _too_big(size: int, limit: int) -> str:
    shown, cap = _human_size(size, limit), _human_size(limit, limit)
    if shown == cap:  # just over the limit: rounding would hide the difference
        shown, cap = f"{size:,} bytes", f"{limit:,} byte"
    return f"file is {shown}, over the {cap} limit"


def _human_size(n: int, limit: int) -> str:
    """``n`` in the unit that suits ``limit``, so that both read alike: 250 MB vs 200 MB."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if limit >= factor:
            value = n / factor
            return f"{value:.0f} {unit}" if value >= 10 else f"{value:.1f} {unit}"
    return f"{n:,} bytes" if n != limit else f"{n:,} byte"
