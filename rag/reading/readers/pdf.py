"""PDF via pypdf: one or more blocks per page, each carrying its 1-based page number.

A page without a text layer (a scan, or a page whose only text is invisible) is drawn by
PDFium and its text recognised (rag.reading.readers.ocr); its blocks carry the page's
recognition confidence. A file pypdf cannot open is given to PDFium, which rebuilds a broken
cross-reference table; the rebuilt copy is read the same way, with a note saying so. Running
headers, footers and page numbers are dropped from every page's lines before paragraphs are
formed (rag.reading.readers.running_lines).

pypdf raises many undocumented exceptions on damaged files; every call into it is wrapped so
that a bad file becomes a ReadError with a reason. We read under pypdf's default resource limits
(never a looser setting made elsewhere in the process) with the external JBIG2 decoder switched
off: pypdf would otherwise run the ``jbig2dec`` program, when installed, on any stream a PDF
declares as JBIG2, content streams included, so a hostile file could feed an outside program.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Generator, Iterator
from io import BytesIO
from typing import TypeVar

from pypdf import Configuration, PasswordType, PdfReader, apply_configuration
from pypdf.errors import DependencyError, FileNotDecryptedError, LimitReachedError, PdfReadError
from pypdf.generic import ArrayObject, ContentStream, NameObject, TextStringObject

from rag.core.errors import ReadError
from rag.core.types import Block, CancelToken, DocumentMeta, Locator, ParsedDocument, ReadProgress
from rag.reading.readers._common import clean, drain, summarize
from rag.reading.readers.dates import normalize_date
from rag.reading.readers.metadata import split_byline
from rag.reading.readers.running_lines import drop_running_lines
from rag.reading.readers.scans import ScanNotes, recognise_pdf_page

log = logging.getLogger(__name__)
T = TypeVar("T")

NEEDS_PASSWORD = "encrypted PDF: a password is required to open it"
NO_TEXT_LAYER = "no text found: no text layer, and none recognised on the page images"
REPAIRED = (
    "The file was damaged; PDFium repaired it to read it. Check the text against the original."
)
# A page with an image and less text than this is a scan with a stamp or a page number on it.
_STAMP_CHARS = 40
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
    return drain(read_pdf_steps(data))


def read_pdf_steps(
    data: bytes, cancel: CancelToken | None = None
) -> Generator[ReadProgress, None, ParsedDocument]:
    """Read a PDF page by page, yielding progress after each page; stops when cancelled."""
    if b"%PDF-" not in data[:_HEADER_WINDOW]:
        raise ReadError("not a PDF file (no %PDF header)")
    with apply_configuration(_SAFE_CONFIGURATION):
        try:
            return (yield from _read(data, cancel))
        except _Damaged as damaged:
            from rag.reading.readers.pdfium import repair

            repaired = repair(data)
            if repaired is None:
                raise ReadError(str(damaged)) from None
            try:
                document = yield from _read(repaired, cancel)
            except _Damaged:
                raise ReadError(str(damaged)) from None
            document.notes.insert(0, REPAIRED)
            return document


def _read(data: bytes, cancel: CancelToken | None) -> Generator[ReadProgress, None, ParsedDocument]:
    reader = _open(data)
    page_count = _guard(lambda: len(reader.pages), "damaged PDF")
    scans = ScanNotes(data)
    try:
        pages: list[list[str]] = []
        for number in range(1, page_count + 1):
            if cancel is not None:
                cancel.raise_if_cancelled()
            pages.append(_page_lines(reader, number, scans))
            yield ReadProgress(number, page_count)
    finally:
        scans.close()
    blocks: list[Block] = []
    for number, lines in enumerate(drop_running_lines(pages), start=1):
        locator = Locator(page=number, confidence=scans.confidence.get(number))
        text = "\n".join(lines)
        blocks.extend(Block(text=para, locator=locator) for para in _paragraphs(text))
    if not blocks:
        raise ReadError(NO_TEXT_LAYER)
    meta = _meta(reader)
    if not meta.title or not meta.publisher:
        title, issuer = first_page_details(reader)
        meta.title = meta.title or title
        meta.publisher = meta.publisher or issuer
    return ParsedDocument(
        kind="pdf", meta=meta, blocks=blocks, pages=page_count,
        ocr_confidence=scans.mean_confidence(), notes=scans.notes(),
    )  # fmt: skip


def _page_lines(reader: PdfReader, number: int, scans: ScanNotes) -> list[str]:
    """A page's printed lines: its text layer, or the text recognised on its image."""
    page = _guard(lambda: reader.pages[number - 1], f"damaged PDF: page {number} unreadable")
    text = _page_text(reader, number)
    scanned = _has_images(page)
    if len(clean(text)) >= _STAMP_CHARS or (clean(text) and not scanned):
        return text.splitlines()
    # Without an image the page may be blank, or its text drawn as shapes: worth a look, but
    # finding nothing there is no news for the analyst.
    return recognise_pdf_page(scans, number, expect_text=scanned)


def _open(data: bytes) -> PdfReader:
    reader = _guard(lambda: PdfReader(BytesIO(data), strict=False), "damaged PDF")
    if _guard(lambda: reader.is_encrypted, "damaged PDF"):
        # Many PDFs are "encrypted" only to restrict printing: the empty user password opens them.
        result = _guard(lambda: reader.decrypt(""), "encrypted PDF could not be opened")
        if result == PasswordType.NOT_DECRYPTED:
            raise ReadError(NEEDS_PASSWORD)
    return reader


class _Damaged(ReadError):
    """pypdf could not make sense of the file's structure: PDFium may still read it."""


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
        raise _Damaged(f"{what}: {_pypdf_message(exc)}") from exc
    except MemoryError:  # the memory limit, not the file's structure: no second attempt
        raise
    except Exception as exc:
        log.debug("pypdf failed", exc_info=True)
        raise _Damaged(f"{what}: {summarize(exc)}") from exc


def _pypdf_message(exc: Exception) -> str:
    """pypdf's own messages are readable; only the first line, and a reason if there is none."""
    message = summarize(exc)
    if "ended unexpectedly" in message or "EOF marker" in message:
        return f"the file is truncated ({message})"
    return message[:160]


def _page_text(reader: PdfReader, number: int) -> str:
    # A page that cannot be read fails the whole file: silently dropping it would leave the
    # analyst trusting an index with a hole in it.
    page = _guard(lambda: reader.pages[number - 1], f"damaged PDF: page {number} unreadable")
    drop_invisible_text(page, reader)
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
    # PDFs have no publisher field: the organisation in the author field is the publisher.
    people, organisation = split_byline(_meta_text(raw.get("/Author")))
    return DocumentMeta(
        title=title,
        author=people or organisation,
        publisher=organisation,
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
    """Drop the titles that PDF producers write by default or by mistake: a file name,
    "Untitled", a bracketed placeholder ("[unlinked for publication]")."""
    title = _PRODUCER_PREFIX.sub("", title).strip()
    if (
        _FILE_NAME.search(title)
        or title.lower() in ("untitled", "title", "document", "slide 1", "page 1")
        or _PLACEHOLDER.fullmatch(title)
        or _FILE_STEM.fullmatch(title)
    ):
        return ""
    return title


# "[unlinked for publication]", "<title>", "(no title)": a template's placeholder.
_PLACEHOLDER = re.compile(r"\s*[\[<({].*[\]>)}]\s*")
# "01_bis_framework_for_ai_diffusion", "report-final-v2": a file name, not a title.
_FILE_STEM = re.compile(r"[\w.-]*[_][\w.-]*|[a-z0-9]+(?:-[a-z0-9]+){2,}")

# -- details from the first page ----------------------------------------------------------------
#
# When the Info dictionary has no usable title, a reader of the PDF sees one on the first page:
# in a Federal Register document, the block above "AGENCY:"; elsewhere, the largest text.

_AGENCY = re.compile(r"^\s*AGENCY:\s*(?P<body>.+)$", re.M)
_FR_NOISE = re.compile(
    r"^\s*(?:\[|RIN\b|Docket|Federal Register|\d+\s+CFR|[A-Z]+\s+\d+\s*$|Vol\.|BILLING CODE)",
    re.I,
)
_TITLE_MAX_CHARS = 200


def first_page_details(reader: PdfReader) -> tuple[str, str]:
    """(title, issuing body) as the first page shows them; "" for what it does not show."""
    try:
        page = reader.pages[0]
        runs: list[tuple[float, str]] = []

        def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
            # The size a reader sees: the font size scaled by the text and page matrices.
            scale = abs(tm[3] * cm[3]) or abs(tm[0] * cm[0]) or 1.0
            if text.strip():
                runs.append((round(float(size) * scale, 1), text))

        plain = page.extract_text(visitor_text=visit) or ""
    except Exception:  # details are a nicety: a page that defeats them keeps its text
        log.debug("first-page details unreadable", exc_info=True)
        return "", ""
    title, issuer = _federal_register_block(plain)
    return title or _largest_text(runs), issuer


def _federal_register_block(text: str) -> tuple[str, str]:
    m = _AGENCY.search(text)
    if not m:
        return "", ""
    issuer = m["body"].split(",")[0].strip().rstrip(".")
    above = [line.strip() for line in text[: m.start()].splitlines() if line.strip()]
    title_lines: list[str] = []
    for line in reversed(above):
        if _FR_NOISE.match(line) or line.isupper():  # the agency's name, a part heading
            break
        title_lines.insert(0, line)
        if sum(len(x) for x in title_lines) > _TITLE_MAX_CHARS:
            break
    title = clean(" ".join(title_lines))
    fits = len(title.split()) >= 2 and len(title) <= _TITLE_MAX_CHARS
    return (title if fits else ""), issuer


def _largest_text(runs: list[tuple[float, str]]) -> str:
    """The text set in the page's largest type, if it reads like a title."""
    if not runs:
        return ""
    biggest = max(size for size, _ in runs)
    body = sorted(size for size, _ in runs)[len(runs) // 2]
    if biggest < body * 1.15:  # no text stands out: the page has no title to take
        return ""
    # The first stretch set in that size: a later heading of the same size is not the title.
    start = next(i for i, (size, _) in enumerate(runs) if size >= biggest - 0.5)
    stretch = []
    for size, text in runs[start:]:
        if size < biggest - 0.5:
            break
        stretch.append(text)
    title = clean(" ".join(stretch))
    if len(title.split()) < 2 or len(title) > _TITLE_MAX_CHARS:
        return ""
    return title


# --- invisible text ------------------------------------------------------------------------
#
# Text a reader of the page never sees is a classic carrier of instructions aimed at language
# models: white text on the white page, text a fraction of a point high, text in render mode 3
# ("invisible"; also how OCR layers lie under scanned images, so on a page with an image that
# text is kept: it is the page's only text layer). Such text is blanked in the page's content
# stream before extraction. White text is kept where it starts on a dark filled rectangle
# drawn before it (a table header, a banner). Not handled: text inside form XObjects, text
# covered by shapes drawn after it, text placed off the page, white text on a dark image.

_MIN_VISIBLE_PT = 1.0
_WHITE = 0.95  # luminance at or above which a fill counts as white
_DARK = 0.75  # a filled shape below this luminance makes white text on it readable
_SHOW_TEXT = (b"Tj", b"TJ", b"'", b'"')
_FILL_PATH = (b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*")
_END_PATH = (*_FILL_PATH, b"S", b"s", b"n")
_IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def drop_invisible_text(page: object, reader: PdfReader) -> int:
    """Blank the text-showing operations that draw invisible text; returns how many.

    Any failure leaves the page as it was: this filter must never make a readable PDF fail.
    """
    try:
        contents = page.get_contents()  # type: ignore[attr-defined]
        if contents is None:
            return 0
        stream = ContentStream(contents, reader)
        operations = stream.operations
        blanked = _PageState(scanned=_has_images(page)).blank_invisible(operations)
        if blanked:
            stream.operations = operations
            page[NameObject("/Contents")] = stream  # type: ignore[index]
        return blanked
    except Exception:
        log.debug("could not filter invisible text", exc_info=True)
        return 0


def _has_images(page: object) -> bool:
    try:
        xobjects = page["/Resources"].get_object().get("/XObject")  # type: ignore[index]
        if xobjects is None:
            return False
        return any(
            x.get_object().get("/Subtype") == "/Image" for x in xobjects.get_object().values()
        )
    except Exception:
        return False


def _numbers(operands: list) -> list[float]:
    out = []
    for value in operands:
        try:
            out.append(float(value))
        except (TypeError, ValueError):
            return []
    return out


def _luminance(components: list[float], space: str) -> float | None:
    """How light a fill colour is (0 black .. 1 white), None when unknown (patterns, ...)."""
    if len(components) == 4 or space == "/DeviceCMYK":
        if len(components) != 4:
            return None
        c, m, y, k = components
        r, g, b = ((1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k))
        return 0.299 * r + 0.587 * g + 0.114 * b
    if len(components) == 3:
        r, g, b = components
        return 0.299 * r + 0.587 * g + 0.114 * b
    if len(components) == 1:
        return components[0]
    return None


def _multiply(m: tuple[float, ...], n: tuple[float, ...]) -> tuple[float, ...]:
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (
        a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2,
        e * a2 + f * c2 + e2, e * b2 + f * d2 + f2,
    )  # fmt: skip


def _point(m: tuple[float, ...], x: float, y: float) -> tuple[float, float]:
    return (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])


class _PageState:
    """Just enough of the PDF graphics and text state to tell what a reader can see."""

    def __init__(self, *, scanned: bool) -> None:
        self.scanned = scanned
        self.graphics: dict = {
            "ctm": _IDENTITY, "fill": 0.0, "space": "/DeviceGray", "render": 0, "size": 12.0,
            "leading": 0.0,
        }  # fmt: skip
        self.stack: list[dict] = []
        self.tm = self.tlm = _IDENTITY
        self.rects: list[tuple[float, float, float, float]] = []  # pending path rectangles
        self.dark: list[tuple[float, float, float, float]] = []  # filled dark areas (device)

    def blank_invisible(self, operations: list) -> int:
        blanked = 0
        for index, (operands, operator) in enumerate(operations):
            if operator in _SHOW_TEXT:
                if operator in (b"'", b'"'):
                    self._next_line()
                if self._invisible():
                    operations[index] = (_blank_operands(operands, operator), operator)
                    blanked += 1
            else:
                self._apply(operator, operands)
        return blanked

    def _apply(self, op: bytes, operands: list) -> None:
        g = self.graphics
        nums = _numbers(operands)
        if op == b"q":
            self.stack.append(dict(g))
        elif op == b"Q":
            if self.stack:
                self.graphics = self.stack.pop()
        elif op == b"cm" and len(nums) == 6:
            g["ctm"] = _multiply(tuple(nums), g["ctm"])
        elif op == b"BT":
            self.tm = self.tlm = _IDENTITY
        elif op == b"Tm" and len(nums) == 6:
            self.tm = self.tlm = tuple(nums)
        elif op in (b"Td", b"TD") and len(nums) == 2:
            if op == b"TD":
                g["leading"] = -nums[1]
            self.tm = self.tlm = _multiply((1.0, 0.0, 0.0, 1.0, nums[0], nums[1]), self.tlm)
        elif op == b"T*":
            self._next_line()
        elif op == b"TL" and nums:
            g["leading"] = nums[0]
        elif op == b"Tf" and len(operands) == 2 and _numbers(operands[1:]):
            g["size"] = _numbers(operands[1:])[0]
        elif op == b"Tr" and nums:
            g["render"] = int(nums[0])
        elif op in (b"g", b"rg", b"k"):
            g["space"] = {b"g": "/DeviceGray", b"rg": "/DeviceRGB", b"k": "/DeviceCMYK"}[op]
            g["fill"] = _luminance(nums, g["space"])
        elif op == b"cs" and operands:
            g["space"], g["fill"] = str(operands[0]), 0.0  # a new space starts out black
        elif op in (b"sc", b"scn"):
            g["fill"] = _luminance(nums, g["space"])
        elif op == b"re" and len(nums) == 4:
            self.rects.append(tuple(nums))
        elif op in _END_PATH:
            fill = g["fill"]
            if op in _FILL_PATH and fill is not None and fill < _DARK:
                for x, y, w, h in self.rects:
                    corners = [_point(g["ctm"], x + dx, y + dy) for dx in (0, w) for dy in (0, h)]
                    xs, ys = [c[0] for c in corners], [c[1] for c in corners]
                    self.dark.append((min(xs), min(ys), max(xs), max(ys)))
            self.rects = []

    def _next_line(self) -> None:
        leading = self.graphics["leading"]
        self.tm = self.tlm = _multiply((1.0, 0.0, 0.0, 1.0, 0.0, -leading), self.tlm)

    def _invisible(self) -> bool:
        g = self.graphics
        if g["render"] in (3, 7):
            return not self.scanned  # an OCR layer under a scanned page image is its real text
        m = _multiply(self.tm, g["ctm"])
        scale = abs(m[0] * m[3] - m[1] * m[2]) ** 0.5
        if abs(g["size"]) * scale < _MIN_VISIBLE_PT:
            return True
        white = g["fill"] is not None and g["fill"] >= _WHITE
        if not white or g["render"] not in (0, 2, 4, 6):  # modes 1 and 5 only stroke
            return False
        x, y = m[4], m[5]
        return not any(
            x0 - 2 <= x <= x1 + 2 and y0 - 2 <= y <= y1 + 2 for x0, y0, x1, y1 in self.dark
        )


def _blank_operands(operands: list, operator: bytes) -> list:
    if operator == b"TJ":
        return [ArrayObject()]
    if operator == b'"':
        return [*operands[:2], TextStringObject("")]
    return [TextStringObject("")]
