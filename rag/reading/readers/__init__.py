"""Read a file into blocks of text with locators: the first step of importing a document.

``read_document`` is the only entry point. It either returns a ParsedDocument with at least one
block or raises ReadError with a one-line reason written for the analyst (the caller puts the
file name in front). No other exception escapes: parsers of untrusted files fail in many
undocumented ways, and one broken file must never stop a batch import.
"""

from __future__ import annotations

import logging
import stat
from collections.abc import Callable
from pathlib import Path

from rag.core.errors import ReadError
from rag.core.types import ParsedDocument
from rag.reading.readers._common import summarize
from rag.reading.readers.metadata import finish_meta

__all__ = ["DEFAULT_MAX_BYTES", "SUPPORTED_EXTENSIONS", "read_document"]

log = logging.getLogger(__name__)

SUPPORTED_EXTENSIONS: dict[str, str] = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".txt": "txt",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
}
DEFAULT_MAX_BYTES = 200 * 1024 * 1024

_KIND_LABELS = {
    "pdf": "PDF",
    "docx": "Word file",
    "html": "web page",
    "txt": "text file",
    "md": "Markdown file",
}
NO_TEXT = "no text found in document"


def read_document(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> ParsedDocument:
    """Read ``path`` into a ParsedDocument, or raise ReadError saying why it cannot be read."""
    path = Path(path)
    kind = _check_file(path, max_bytes)
    data = _read_bytes(path, max_bytes)
    if len(data) > max_bytes:  # the file grew since we looked at its size
        raise ReadError(_too_big(len(data), max_bytes))
    try:
        document = _parser(kind)(data)
    except ReadError:
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


def _parser(kind: str) -> Callable[[bytes], ParsedDocument]:
    # Imported on demand: pypdf and python-docx are slow to import and most batches are one
    # or two kinds of file.
    if kind == "pdf":
        from rag.reading.readers.pdf import read_pdf

        return read_pdf
    if kind == "docx":
        from rag.reading.readers.docx import read_docx

        return read_docx
    if kind == "html":
        from rag.reading.readers.html import read_html

        return read_html
    from rag.reading.readers.text import read_text

    markdown = kind == "md"
    return lambda data: read_text(data, markdown=markdown)


def _unsupported(suffix: str) -> str:
    # Grouped by format, the usual spelling first: ".htm, .html, .md, .markdown".
    by_format = sorted(SUPPORTED_EXTENSIONS, key=lambda ext: (SUPPORTED_EXTENSIONS[ext], len(ext)))
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
