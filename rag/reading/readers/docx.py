"""Word (.docx) via python-docx: paragraphs in body order, table cells included.

python-docx opens the package and resolves styles and core properties; the body is walked at
the XML level because python-docx's own paragraph API skips text in tracked insertions,
content controls and text boxes, all common in documents that went through review.
"""

from __future__ import annotations

import logging
import zipfile
import zlib
from collections.abc import Iterator
from io import BytesIO
from typing import Any
from xml.etree import ElementTree

import docx
from docx.document import Document as WordDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml.ns import qn
from docx.oxml.text.paragraph import CT_P
from lxml import etree

from rag.core.errors import ReadError
from rag.core.types import Block, DocumentMeta, Locator, ParsedDocument
from rag.reading.readers._common import clean, summarize
from rag.reading.readers.dates import normalize_date
from rag.reading.readers.metadata import split_byline

log = logging.getLogger(__name__)

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc files and password-protected .docx
_MAIN_PART = "word/document.xml"
_CORE_PART = "docProps/core.xml"
_APP_PART = "docProps/app.xml"
# python-docx inflates every part into memory; refuse zip bombs from the zip's directory,
# before anything is inflated. Python's zipfile never inflates past an entry's declared size
# (a lie fails the CRC check instead), so the declared sizes are safe to trust as upper bounds.
_MAX_UNPACKED_BYTES = 512 * 1024 * 1024
_MAX_ENTRIES = 10_000  # Word writes tens to a few hundred; thousands only with many images
# Real Word XML compresses 5-20:1 (repetitive tables up to ~100:1); deflate's ceiling is about
# 1030:1, which only a long run of one byte reaches. Small parts are exempt: a ratio means
# little there, and they cannot do harm.
_MAX_RATIO = 200
_RATIO_MIN_BYTES = 4 * 1024 * 1024
_EOCD = b"PK\x05\x06"  # end of central directory record
_MAX_APP_XML_BYTES = 1024 * 1024
_APP_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/extended-properties}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"

_P, _TXBX = qn("w:p"), qn("w:txbxContent")
# Elements whose children may hold paragraphs: tables, rows, cells, content controls, and the
# wrappers of tracked changes and custom XML.
_CONTAINERS = frozenset(
    qn(tag)
    for tag in (
        "w:tbl",
        "w:tr",
        "w:tc",
        "w:sdt",
        "w:sdtContent",
        "w:customXml",
        "w:ins",
        "w:moveTo",
        "w:smartTag",
    )
)
_R, _RPR, _RSTYLE, _STYLE = qn("w:r"), qn("w:rPr"), qn("w:rStyle"), qn("w:style")
_VANISH, _SPEC_VANISH, _SZ = qn("w:vanish"), qn("w:specVanish"), qn("w:sz")
_COLOR, _SHD, _HIGHLIGHT = qn("w:color"), qn("w:shd"), qn("w:highlight")
_TEXT_TAGS = {qn("w:t"): None, qn("w:tab"): " ", qn("w:br"): " ", qn("w:cr"): " "}
_TEXT_TAGS[qn("w:noBreakHyphen")] = "-"


def read_docx(data: bytes) -> ParsedDocument:
    parts = _check_package(data)
    document = _open(data)
    blocks = _blocks(document)
    meta = _meta(document, data, parts)
    if not meta.title:
        meta.title = next((b.text for b in blocks if b.is_heading), "")
    return ParsedDocument(kind="docx", meta=meta, blocks=blocks)


def _open(data: bytes) -> WordDocument:
    # python-docx parses every part with lxml parsers built with resolve_entities=False (and
    # lxml's defaults: no DTD loading, no network), so an external entity in a part is never
    # fetched; tests/rag/test_hostile.py holds it to that.
    try:
        return docx.Document(BytesIO(data))
    except ValueError as exc:
        if "is not a Word file" in str(exc):  # .docm/.dotx renamed: python-docx refuses them
            raise ReadError(
                "not a plain Word document (a template or macro-enabled file?): save it as .docx"
            ) from exc
        raise ReadError(f"damaged Word file: {summarize(exc)}") from exc
    except (zipfile.BadZipFile, zlib.error, EOFError, KeyError, etree.XMLSyntaxError) as exc:
        raise ReadError(f"damaged Word file: {summarize(exc)}") from exc
    except Exception as exc:
        raise ReadError(f"could not read Word file: {summarize(exc)}") from exc


def _check_package(data: bytes) -> set[str]:
    """The zip's part names, after checking that this is a .docx we can safely open."""
    if data.startswith(_OLE_MAGIC):
        raise ReadError(
            "not a .docx file: an old .doc or a password-protected Word file "
            "(save it as .docx without a password)"
        )
    declared = _declared_entry_count(data)
    if declared is not None and declared > _MAX_ENTRIES:
        # Checked before zipfile builds an object per entry: millions of tiny entries are a
        # bomb of their own.
        raise ReadError(_too_many_entries(declared))
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise ReadError("not a valid Word file (not a zip archive)") from None
    names = {info.filename for info in infos}
    if _MAIN_PART not in names:
        raise ReadError("not a valid Word file (no word/document.xml inside)")
    _check_directory(infos)
    return names


def _check_directory(infos: list[zipfile.ZipInfo]) -> None:
    """Refuse a zip bomb from what the directory declares, before inflating any part."""
    if len(infos) > _MAX_ENTRIES:
        raise ReadError(_too_many_entries(len(infos)))
    limit_mb = _MAX_UNPACKED_BYTES // (1024 * 1024)
    for info in infos:
        if info.flag_bits & 0x1:
            raise ReadError(
                "not a .docx file: its parts are encrypted (save it as .docx without a password)"
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            # Word only writes these two; bzip2/LZMA are inflated by zipfile without an
            # output bound, so they are refused rather than trusted.
            raise ReadError(f"damaged Word file: part {info.filename!r} uses unusual compression")
        if info.file_size > _MAX_UNPACKED_BYTES:
            raise ReadError(
                f"Word file part {info.filename!r} would unpack to "
                f"{info.file_size / 1024**2:,.0f} MB (over {limit_mb} MB): "
                "the file may be a decompression bomb"
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size >= _RATIO_MIN_BYTES and ratio > _MAX_RATIO:
            raise ReadError(
                f"Word file part {info.filename!r} is compressed {ratio:,.0f} to 1, "
                "far beyond real documents: the file may be a decompression bomb"
            )
    if sum(info.file_size for info in infos) > _MAX_UNPACKED_BYTES:
        raise ReadError(f"Word file too large when unpacked (over {limit_mb} MB)")


def _declared_entry_count(data: bytes) -> int | None:
    """The entry count in the end-of-central-directory record, or None if not found.

    The record is the last 22 bytes plus a comment of up to 64 KB. 0xFFFF means "see the
    Zip64 record"; that case is left to zipfile and the checks on its entry list.
    """
    tail = data[-(22 + 0xFFFF) :]
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) - at < 22:
        return None
    count = int.from_bytes(tail[at + 10 : at + 12], "little")
    return None if count == 0xFFFF else count


def _too_many_entries(count: int) -> str:
    return (
        f"Word file has {count:,} parts inside (over {_MAX_ENTRIES:,}): "
        "the file may be a decompression bomb"
    )


def _blocks(document: WordDocument) -> list[Block]:
    blocks: list[Block] = []
    heading: str | None = None
    style_names: dict[str | None, str] = {}
    hidden_styles = _hidden_styles(document)
    for p in _paragraphs(document.element.body):
        if p.style in hidden_styles:
            continue
        text = clean(_paragraph_text(p, hidden_styles))
        if not text:
            continue
        is_heading = _is_heading(_style_name(document, p, style_names))
        if is_heading:
            heading = text
        n = len(blocks) + 1
        locator = Locator(para_start=n, para_end=n, heading=heading)
        blocks.append(Block(text=text, locator=locator, is_heading=is_heading))
    return blocks


def _paragraphs(body: Any) -> Iterator[Any]:
    """Every w:p in reading order, descending into containers without recursion.

    A text box's paragraphs follow the paragraph that anchors it.
    """
    stack: list[Iterator[Any]] = [iter(body)]
    while stack:
        element = next(stack[-1], None)
        if element is None:
            stack.pop()
        elif element.tag == _P:
            yield element
            boxes = [box for box in element.iter(_TXBX) if _owner(box, element)]
            if boxes:
                stack.append(child for box in boxes for child in box)
        elif element.tag in _CONTAINERS:
            stack.append(iter(element))


def _owner(node: Any, paragraph: Any) -> bool:
    """True if ``node`` belongs to ``paragraph`` itself: not to a nested paragraph (a text box
    inside it) nor to an mc:Fallback copy, which repeats the text of the mc:Choice beside it."""
    parent = node.getparent()
    while parent is not None and parent is not paragraph:
        if parent.tag in (_P, _MC_FALLBACK):
            return False
        parent = parent.getparent()
    return parent is paragraph


def _paragraph_text(p: Any, hidden_styles: frozenset[str] = frozenset()) -> str:
    # w:delText (tracked deletions) and w:instrText (field codes) are deliberately not read,
    # nor is text the reader of the document never sees (see _hides).
    pieces: list[str] = []
    for node in p.iter(*_TEXT_TAGS):
        if not _owner(node, p):
            continue
        run = node.getparent()
        if run is not None and run.tag == _R and _run_hidden(run, hidden_styles):
            continue
        fixed = _TEXT_TAGS[node.tag]
        pieces.append(node.text or "" if fixed is None else fixed)
    return "".join(pieces)


def _on(flag: Any) -> bool:
    """A WordprocessingML on/off property: present and not switched off."""
    return flag is not None and flag.get(qn("w:val"), "true").lower() not in ("0", "false", "off")


def _hides(rpr: Any) -> bool:
    """Whether run properties make text invisible to the document's reader: hidden
    ("vanish"), white on no fill or highlight, or one point or smaller. Text like this is a
    classic carrier of instructions aimed at language models."""
    if rpr is None:
        return False
    if _on(rpr.find(_VANISH)) or _on(rpr.find(_SPEC_VANISH)):
        return True
    size = (rpr.find(_SZ).get(qn("w:val")) or "") if rpr.find(_SZ) is not None else ""
    if size.isdigit() and int(size) <= 2:  # half-points: one point or less
        return True
    color = rpr.find(_COLOR)
    if color is None:
        return False
    white = (color.get(qn("w:val")) or "").upper() in ("FFFFFF", "WHITE") or (
        color.get(qn("w:themeColor")) or ""
    ).lower() in ("background1", "bg1")
    shading = rpr.find(_SHD)
    filled = shading is not None and (shading.get(qn("w:fill")) or "auto").upper() not in (
        "AUTO",
        "FFFFFF",
        "",
    )
    highlighted = rpr.find(_HIGHLIGHT) is not None
    return white and not filled and not highlighted


def _hidden_styles(document: WordDocument) -> frozenset[str]:
    """Ids of paragraph and character styles whose text is hidden, through their base styles."""
    try:
        styles = document.styles.element
    except Exception:
        return frozenset()
    base: dict[str, str] = {}
    own: dict[str, bool] = {}
    for style in styles.iterchildren(_STYLE):
        if style.get(qn("w:type")) not in ("paragraph", "character"):
            continue  # table styles pair white text with a dark fill of their own
        sid = style.get(qn("w:styleId")) or ""
        own[sid] = _hides(style.find(_RPR))
        based = style.find(qn("w:basedOn"))
        if based is not None:
            base[sid] = based.get(qn("w:val")) or ""
    hidden = set()
    for sid in own:
        seen, current = set(), sid
        while current in own and current not in seen:  # a loop of basedOn ends here
            if own[current]:
                hidden.add(sid)
                break
            seen.add(current)
            current = base.get(current, "")
    return frozenset(hidden)


def _run_hidden(run: Any, hidden_styles: frozenset[str]) -> bool:
    rpr = run.find(_RPR)
    if _hides(rpr):
        return True
    if rpr is not None and hidden_styles:
        style = rpr.find(_RSTYLE)
        return style is not None and style.get(qn("w:val")) in hidden_styles
    return False


def _style_name(document: WordDocument, p: CT_P, cache: dict[str | None, str]) -> str:
    style_id = p.style  # None means the default paragraph style
    if style_id not in cache:
        try:
            cache[style_id] = document.part.get_style(style_id, WD_STYLE_TYPE.PARAGRAPH).name or ""
        except Exception:  # a broken style reference only costs us the heading flag
            cache[style_id] = ""
    return cache[style_id]


def _is_heading(style_name: str) -> bool:
    name = style_name.lower()
    return name.startswith(("heading", "title"))


def _meta(document: WordDocument, data: bytes, parts: set[str]) -> DocumentMeta:
    meta = DocumentMeta()
    # python-docx invents default core properties (title "Word Document", today's date) when
    # the part is missing; only trust them when the file has its own.
    if _CORE_PART in parts:
        try:
            props = document.core_properties
            meta.title = clean(props.title or "")
            meta.author = clean(props.author or "")
            meta.published = normalize_date(props.created or props.modified)
        except Exception:  # metadata is optional; a malformed core.xml must not lose the text
            log.debug("unreadable DOCX core properties", exc_info=True)
    # Word writes whatever its user typed as author, often "Name, Firm": the firm publishes,
    # the person wrote ("According to Eleanor Vance, Harrow & Vance LLP" reads as two names).
    people, organisation = split_byline(meta.author)
    meta.publisher = _company(data, parts) or organisation or meta.author
    meta.author = people or meta.author
    return meta


def _company(data: bytes, parts: set[str]) -> str:
    """<Company> from docProps/app.xml: the organisation that wrote the document."""
    if _APP_PART not in parts:
        return ""
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            if archive.getinfo(_APP_PART).file_size > _MAX_APP_XML_BYTES:
                return ""
            # expat fetches no external entity (it reports it as undefined) and caps
            # entity expansion (billion laughs) since 2.4.1.
            root = ElementTree.fromstring(archive.read(_APP_PART))
    except Exception:
        log.debug("unreadable docProps/app.xml", exc_info=True)
        return ""
    node = root.find(f"{_APP_NS}Company")
    return clean(node.text or "") if node is not None else ""
