"""PDF via pypdf: one or more blocks per page, each carrying its 1-based page number.

pypdf raises many undocumented exceptions on damaged files; every call into it is wrapped so
that a bad file becomes a ReadError with a reason. We read under pypdf's default resource limits
(never a looser setting made elsewhere in the process) with the external JBIG2 decoder switched
off: pypdf would otherwise run the ``jbig2dec`` program, when installed, on any stream a PDF
declares as JBIG2, content streams included, so a hostile file could feed an outside program.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from io import BytesIO
from typing import TypeVar

from pypdf import Configuration, PasswordType, PdfReader, apply_configuration
from pypdf.errors import DependencyError, FileNotDecryptedError, LimitReachedError, PdfReadError

from rag.errors import ReadError
from rag.readers._common import clean, summarize
from rag.readers.dates import normalize_date
from rag.types import Block, DocumentMeta, Locator, ParsedDocument

log = logging.getLogger(__name__)
T = TypeVar("T")

NEEDS_PASSWORD = "encrypted PDF: a password is required to open it"
NO_TEXT_LAYER = "no text layer (scanned?)"
_HEADER_WINDOW = 1024  # the PDF spec allows junk before %PDF-; readers accept up to 1 KB

# A line that ends a sentence, and a line that starts a new paragraph or list item.
_SENTENCE_END = re.compile(r"[.!?:;\"”’)]\s*$")
_PARA_START = re.compile(r"^\s*(?:[A-Z0-9\"“‘(\[]|[•▪●◦–—-]\s)")
_BULLET = re.compile(r"^\s*[•▪●◦]\s")
_WORD = re.compile(r"[^\W\d_]+")
_LAST_WORD = re.compile(r"[^\W\d_]+$")
_FIRST_WORD = re.compile(r"[^\W\d_]+")
_PRODUCER_PREFIX = re.compile(r"^Microsoft (?:Word|PowerPoint|Excel) - ", re.I)
_FILE_NAME = re.compile(r"\.(?:docx?|pdf|pptx?|xlsx?|rtf|odt|txt|html?|indd)$", re.I)


# The defaults, never anything looser, and never an external program. pypdf takes its
# configuration from a context variable read at each decode, so it is applied around the
# whole read (threads start with a fresh context: a module-level setting would not reach them).
_SAFE_CONFIGURATION = Configuration(jbig2dec_binary=None)


def read_pdf(data: bytes) -> ParsedDocument:
    if b"%PDF-" not in data[:_HEADER_WINDOW]:
        raise ReadError("not a PDF file (no %PDF header)")
    with apply_configuration(_SAFE_CONFIGURATION):
        return _read(data)


def _read(data: bytes) -> ParsedDocument:
    reader = _open(data)
    page_count = _guard(lambda: len(reader.pages), "damaged PDF")
    blocks: list[Block] = []
    for number in range(1, page_count + 1):
        text = _page_text(reader, number)
        blocks.extend(Block(text=para, locator=Locator(page=number)) for para in _paragraphs(text))
    if not blocks:
        raise ReadError(NO_TEXT_LAYER)
    return ParsedDocument(kind="pdf", meta=_meta(reader), blocks=blocks, pages=page_count)


def _open(data: bytes) -> PdfReader:
    reader = _guard(lambda: PdfReader(BytesIO(data), strict=False), "damaged PDF")
    if _guard(lambda: reader.is_encrypted, "damaged PDF"):
        # Many PDFs are "encrypted" only to restrict printing: the empty user password opens them.
        result = _guard(lambda: reader.decrypt(""), "encrypted PDF could not be opened")
        if result == PasswordType.NOT_DECRYPTED:
            raise ReadError(NEEDS_PASSWORD)
    return reader


def _guard(call: Callable[[], T], what: str) -> T:
    """Run a pypdf call, turning whatever it raises into a ReadError that says ``what``."""
    try:
        return call()
    except ReadError:
        raise
    except FileNotDecryptedError as exc:
        raise ReadError(NEEDS_PASSWORD) from exc
    except DependencyError as exc:
        if "jbig2" in str(exc).lower():  # the decoder we switched off, asked for by the file
            raise ReadError(f"{what}: uses JBIG2 compression, not decoded for safety") from exc
        # AES-encrypted PDFs need the optional 'cryptography' package (pypdf[crypto]).
        raise ReadError(f"encrypted PDF needs a missing component: {exc}") from exc
    except LimitReachedError as exc:  # a decompression bomb, or a structure absurdly large
        limit = _pypdf_message(exc).split(". ")[0].rstrip(".")  # without pypdf's byte counts
        raise ReadError(
            f"{what}: over a safety limit ({limit}); the file may be a decompression bomb"
        ) from exc
    except PdfReadError as exc:
        raise ReadError(f"{what}: {_pypdf_message(exc)}") from exc
    except Exception as exc:
        log.debug("pypdf failed", exc_info=True)
        raise ReadError(f"{what}: {summarize(exc)}") from exc


def _pypdf_message(exc: Exception) -> str:
    """pypdf's own messages are readable; only the first line, and a reason if there is none."""
    message = " ".join(str(exc).split())
    if not message:
        return type(exc).__name__
    if "ended unexpectedly" in message or "EOF marker" in message:
        return f"the file is truncated ({message})"
    return message[:160]


def _page_text(reader: PdfReader, number: int) -> str:
    # A page that cannot be read fails the whole file: silently dropping it would leave the
    # analyst trusting an index with a hole in it.
    page = _guard(lambda: reader.pages[number - 1], f"damaged PDF: page {number} unreadable")
    text = _guard(page.extract_text, f"damaged PDF: page {number} unreadable")
    return text if isinstance(text, str) else ""


def _paragraphs(text: str) -> Iterator[str]:
    """Split a page's extracted text into paragraphs.

    pypdf gives one line per printed line and rarely keeps blank lines, so besides blank lines
    we break after a sentence-ending line that stops well short of the column width (the last
    line of a paragraph), after a short line without punctuation (a heading), and before a
    bullet.
    """
    lines = [line.strip() for line in text.splitlines()]
    width = _typical_width(lines)
    vocabulary = frozenset(_WORD.findall(text.lower()))
    current: list[str] = []
    for line in lines:
        if not line:
            yield from _flush(current, vocabulary)
            continue
        if current and (_BULLET.match(line) or _ends_paragraph(current[-1], line, width)):
            yield from _flush(current, vocabulary)
        current.append(line)
    yield from _flush(current, vocabulary)


def _typical_width(lines: list[str]) -> int:
    """The length of a full line: the upper quartile, which ignores short last lines."""
    lengths = sorted(len(line) for line in lines if line)
    return lengths[(len(lengths) * 3) // 4] if len(lengths) >= 3 else 0


def _ends_paragraph(previous: str, line: str, width: int) -> bool:
    if not width or not _PARA_START.match(line):
        return False
    if len(previous) < 0.6 * width:
        return True
    return len(previous) < 0.85 * width and bool(_SENTENCE_END.search(previous))


def _flush(lines: list[str], vocabulary: frozenset[str]) -> Iterator[str]:
    if lines:
        text = clean(_join_lines(lines, vocabulary))
        lines.clear()
        if text:
            yield text


def _join_lines(lines: list[str], vocabulary: frozenset[str]) -> str:
    """Join printed lines, undoing end-of-line hyphenation ("inter-" + "national").

    A hyphen at a line end is either the typesetter's (drop it) or part of a compound such as
    "state-sponsored" or "U.S.-China" (keep it). Without a dictionary, the page itself decides:
    the hyphen goes only if the joined word also appears unbroken on the page.
    """
    out = lines[0]
    for line in lines[1:]:
        if len(out) > 1 and out.endswith("-") and not out[-2].isspace():
            head = _LAST_WORD.search(out[:-1])
            tail = _FIRST_WORD.match(line)
            joined = (head[0] + tail[0]).lower() if head and tail else ""
            out = out[:-1] + line if joined in vocabulary else out + line
        else:
            out = f"{out} {line}"
    return out


def _meta(reader: PdfReader) -> DocumentMeta:
    try:
        info = reader.metadata
        raw = {key: info.get(key) for key in ("/Title", "/Author", "/CreationDate")} if info else {}
    except Exception:  # metadata is optional: a broken Info dictionary must not lose the text
        log.debug("unreadable PDF metadata", exc_info=True)
        raw = {}
    title = _useful_title(_meta_text(raw.get("/Title")))
    author = _meta_text(raw.get("/Author"))
    return DocumentMeta(
        title=title,
        author=author,
        publisher=author,  # PDFs have no publisher field; the author is usually the organisation
        published=normalize_date(_meta_text(raw.get("/CreationDate"))),
    )


def _meta_text(value: object) -> str:
    try:
        value = value.get_object()  # type: ignore[attr-defined]
    except AttributeError:
        pass
    except Exception:
        return ""
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    return clean(value) if isinstance(value, str) else ""


def _useful_title(title: str) -> str:
    """Drop the titles that PDF producers write by default: a file name, "Untitled"."""
    title = _PRODUCER_PREFIX.sub("", title)
    if _FILE_NAME.search(title) or title.lower() in ("untitled", "title", "document"):
        return ""
    return title
