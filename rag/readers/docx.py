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

from rag.errors import ReadError
from rag.readers._common import clean, summarize
from rag.readers.dates import normalize_date
from rag.types import Block, DocumentMeta, Locator, ParsedDocument

log = logging.getLogger(__name__)

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc files and password-protected .docx
_MAIN_PART = "word/document.xml"
_CORE_PART = "docProps/core.xml"
_APP_PART = "docProps/app.xml"
# python-docx loads the whole body into memory; refuse zip bombs before it tries.
_MAX_UNPACKED_BYTES = 512 * 1024 * 1024
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
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise ReadError("not a valid Word file (not a zip archive)") from None
    names = {info.filename for info in infos}
    if _MAIN_PART not in names:
        raise ReadError("not a valid Word file (no word/document.xml inside)")
    if sum(info.file_size for info in infos) > _MAX_UNPACKED_BYTES:
        raise ReadError("Word file too large when unpacked (over 512 MB)")
    return names


def _blocks(document: WordDocument) -> list[Block]:
    blocks: list[Block] = []
    heading: str | None = None
    style_names: dict[str | None, str] = {}
    for p in _paragraphs(document.element.body):
        text = clean(_paragraph_text(p))
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


def _paragraph_text(p: Any) -> str:
    # w:delText (tracked deletions) and w:instrText (field codes) are deliberately not read.
    pieces: list[str] = []
    for node in p.iter(*_TEXT_TAGS):
        if not _owner(node, p):
            continue
        fixed = _TEXT_TAGS[node.tag]
        pieces.append(node.text or "" if fixed is None else fixed)
    return "".join(pieces)


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
    meta.publisher = _company(data, parts) or meta.author
    return meta


def _company(data: bytes, parts: set[str]) -> str:
    """<Company> from docProps/app.xml: the organisation that wrote the document."""
    if _APP_PART not in parts:
        return ""
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            if archive.getinfo(_APP_PART).file_size > _MAX_APP_XML_BYTES:
                return ""
            root = ElementTree.fromstring(archive.read(_APP_PART))
    except Exception:
        log.debug("unreadable docProps/app.xml", exc_info=True)
        return ""
    node = root.find(f"{_APP_NS}Company")
    return clean(node.text or "") if node is not None else ""
