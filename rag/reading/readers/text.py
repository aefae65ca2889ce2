"""Plain text and Markdown: paragraphs with their line ranges, and metadata from header lines.

Saved articles come in two shapes: hard-wrapped text with blank lines between paragraphs, and
one long line per paragraph with no blank lines at all (copied from a browser). Both give one
block per paragraph. Line numbers are those of the original file, 1-based.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from rag.core.types import Block, DocumentMeta, Locator, ParsedDocument
from rag.reading.chunking import split_sentences
from rag.reading.readers._common import clean, decode_text
from rag.reading.readers.dates import normalize_date

MAX_TITLE_CHARS = 120
_LONG_LINE = 120  # hard-wrapped text stays well under this; a longer line is a whole paragraph
_HEADING_MAX_CHARS = 80
_END_PUNCT = tuple(".,;:!?…\"'”’)*")

# "Title: ...", "Source: ...": a block of these at the top describes the document.
_HEADER = re.compile(
    r"^\s*(title|source|publisher|date|published|author|by|url|link)\s*:\s*(\S.*?)\s*$", re.I
)
_HEADER_FIELDS = {
    "title": "title",
    "source": "publisher",
    "publisher": "publisher",
    "date": "published",
    "published": "published",
    "author": "author",
    "by": "author",
    "url": "url",
    "link": "url",
}
_FRONT_MATTER_FIELDS = {
    "title": "title",
    "date": "published",
    "published": "published",
    "pubdate": "published",
    "author": "author",
    "authors": "author",
    "publisher": "publisher",
    "source": "publisher",
    "site": "publisher",
    "url": "url",
    "link": "url",
}
_LIST_ITEM = re.compile(r"^\s*(?:[-*+•]|\d{1,3}[.)])\s+")

# Markdown syntax, matched line by line.
_MD_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_MD_ATX = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
_MD_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_MD_RULE = re.compile(r"^\s{0,3}([-*_])(?:\s*\1){2,}\s*$")
_MD_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
_MD_REF_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*\S+")
_MD_QUOTE = re.compile(r"^\s{0,3}>\s?")

# Markdown inline markup, removed in this order (images before links: "![a](b)" holds "[a](b)").
# Every span is bounded (_SPAN characters): with "(.+?)" a paragraph of unclosed "**" or "["
# makes each opener scan to the end of the paragraph, quadratic in its length (a 20 kB line
# took seconds, a 1 MB one would take hours). Real emphasis and link text are far shorter.
_SPAN = 300  # characters of emphasis, link text or a code span
_URL = 2000
_LINK_TARGET = rf"(?:\([^)]{{0,{_URL}}}\)|\[[^\]]{{0,{_SPAN}}}\])"  # "(url)" or "[ref]"
_MD_INLINE: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"<!--.{{0,{_SPAN}}}?-->"), ""),
    (re.compile(rf"!\[[^\]]{{0,{_SPAN}}}\]{_LINK_TARGET}"), ""),
    (re.compile(rf"\[([^\]]{{1,{_SPAN}}})\]{_LINK_TARGET}"), r"\1"),
    (re.compile(rf"<((?:https?|mailto):[^>\s]{{1,{_URL}}})>"), r"\1"),
    (re.compile(r"<br\s*/?>", re.I), " "),
    (re.compile(rf"</?[A-Za-z][A-Za-z0-9-]{{0,40}}(?:\s[^<>]{{0,{_SPAN}}})?/?>"), ""),
    (re.compile(rf"(\*\*|__)(?=\S)(.{{1,{_SPAN}}}?)(?<=\S)\1"), r"\2"),
    (re.compile(rf"~~(?=\S)(.{{1,{_SPAN}}}?)(?<=\S)~~"), r"\1"),
    (re.compile(rf"(?<![\w*])\*(?=\S)(.{{1,{_SPAN}}}?)(?<=\S)\*(?![\w*])"), r"\1"),
    (re.compile(rf"(?<![\w_])_(?=\S)(.{{1,{_SPAN}}}?)(?<=\S)_(?![\w_])"), r"\1"),
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])"), r"\1"),
]
_MD_CODE_SPAN = re.compile(rf"(`{{1,16}})(?!`)(.{{1,{_SPAN}}}?)(?<!`)\1(?!`)")


@dataclass
class _Segment:
    """Consecutive lines that make one block. ``first`` is a 0-based line index."""

    first: int
    lines: list[str] = field(default_factory=list)
    heading: bool = False
    level: int = 0  # Markdown heading level, 0 for body text
    code: bool = False

    @property
    def last(self) -> int:
        return self.first + len(self.lines) - 1


def read_text(data: bytes, *, markdown: bool) -> ParsedDocument:
    """Read a .txt (``markdown=False``) or .md file."""
    lines = _split_lines(decode_text(data))
    meta = DocumentMeta()
    start = _read_front_matter(lines, meta) if markdown else 0
    start = _read_header_lines(lines, start, meta)
    segments = _markdown_segments(lines, start) if markdown else _plain_segments(lines, start)
    segments = [piece for seg in segments for piece in _split_unwrapped(seg)]
    if not markdown and segments:
        segments[:1] = _split_title_line(segments[0])
    blocks = [block for seg in segments if (block := _to_block(seg, markdown)) is not None]
    if not markdown:
        blocks = _mark_plain_headings(blocks)
    if not meta.title and markdown:
        meta.title = _markdown_title(segments) or _plain_title(blocks)
    elif not meta.title:
        meta.title = _plain_title(blocks)
        if meta.title:
            blocks[0] = Block(blocks[0].text, blocks[0].locator, is_heading=True)
    if not meta.title and blocks:
        meta.title = _first_sentence_title(blocks[0].text)
    return ParsedDocument(kind="md" if markdown else "txt", meta=meta, blocks=blocks)


def _split_lines(text: str) -> list[str]:
    # Form feeds are page breaks in old text files: treat them as a paragraph break.
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n").split("\n")


def _read_front_matter(lines: list[str], meta: DocumentMeta) -> int:
    """YAML front matter (``---`` ... ``---``) at the very top of a Markdown file."""
    if not lines or lines[0].strip() != "---":
        return 0
    for end in range(1, min(len(lines), 200)):
        if lines[end].strip() in ("---", "..."):
            break
    else:
        return 0
    for line in lines[1:end]:
        key, sep, value = line.partition(":")
        target = _FRONT_MATTER_FIELDS.get(key.strip().lower())
        value = value.strip().strip("[]").strip().strip("\"'")
        if sep and target and value:
            _set_meta(meta, target, value)
    return end + 1


def _read_header_lines(lines: list[str], start: int, meta: DocumentMeta) -> int:
    """Leading ``Title:``/``Source:``/``Date:``/``Author:`` lines set metadata, not body text."""
    i = start
    while i < len(lines) and not lines[i].strip():
        i += 1
    first = i
    found: list[tuple[str, str]] = []
    while i < len(lines) and (m := _HEADER.match(lines[i])):
        found.append((m[1].lower(), m[2]))
        i += 1
    # A lone "URL:" line is not a header block; it needs at least one other field we know.
    if not any(_HEADER_FIELDS.get(key) not in (None, "url") for key, _ in found):
        return first
    for key, value in found:
        if key in _HEADER_FIELDS:
            _set_meta(meta, _HEADER_FIELDS[key], value)
    return i


def _set_meta(meta: DocumentMeta, target: str, value: str) -> None:
    if getattr(meta, target):  # the first value wins, e.g. "Date:" before "Published:"
        return
    setattr(meta, target, normalize_date(value) if target == "published" else clean(value))


def _plain_segments(lines: list[str], start: int) -> list[_Segment]:
    """Runs of non-blank lines; a list item starts a new segment."""
    segments: list[_Segment] = []
    current: _Segment | None = None
    for i in range(start, len(lines)):
        line = lines[i]
        if not line.strip():
            current = None
            continue
        if current is None or _LIST_ITEM.match(line):
            current = _Segment(first=i)
            segments.append(current)
        current.lines.append(line)
    return segments


def _markdown_segments(lines: list[str], start: int) -> list[_Segment]:
    """Segments of a Markdown file: paragraphs, headings, list items, code blocks."""
    segments: list[_Segment] = []
    current: _Segment | None = None
    fence: str | None = None
    for i in range(start, len(lines)):
        line = lines[i]
        if fence is not None:
            if line.strip().startswith(fence):
                fence, current = None, None
            else:
                if current is None:
                    current = _Segment(first=i, code=True)
                    segments.append(current)
                current.lines.append(line)
            continue
        if m := _MD_FENCE.match(line):
            fence, current = m[1], None
            continue
        if m := _MD_ATX.match(line):
            segments.append(_Segment(first=i, lines=[m[2]], heading=True, level=len(m[1])))
            current = None
            continue
        if current is not None and not current.heading and _MD_SETEXT.match(line):
            current.heading = True
            current.level = 1 if line.strip().startswith("=") else 2
            current = None
            continue
        if not line.strip() or _MD_RULE.match(line) or _MD_TABLE_RULE.match(line):
            # A table's |---| row is markup between rows of the same table: keep the table whole.
            if not (line.strip() and _MD_TABLE_RULE.match(line) and current is not None):
                current = None
            continue
        if _MD_REF_DEF.match(line):
            continue
        line = _MD_QUOTE.sub("", line)
        if _LIST_ITEM.match(line):
            line = _LIST_ITEM.sub("", line, count=1)
            current = None
        if current is None:
            current = _Segment(first=i)
            segments.append(current)
        current.lines.append(_table_row(line))
    return segments


def _table_row(line: str) -> str:
    stripped = line.strip()
    if stripped.startswith("|") and stripped.endswith("|") and len(stripped) > 1:
        return " | ".join(cell.strip() for cell in stripped[1:-1].split("|"))
    return line


def _split_unwrapped(segment: _Segment) -> Iterator[_Segment]:
    """Split a segment whose lines are whole paragraphs (text pasted from a web page)."""
    lines = segment.lines
    long_lines = sum(len(line) > _LONG_LINE for line in lines)
    if segment.heading or segment.code or len(lines) < 2 or long_lines < 0.3 * len(lines):
        yield segment
        return
    piece: _Segment | None = None
    for offset, line in enumerate(lines):
        in_table = line.lstrip().startswith("|")
        if piece is not None and in_table and piece.lines[-1].lstrip().startswith("|"):
            piece.lines.append(line)  # table rows stay together so each row keeps its header
            continue
        piece = _Segment(first=segment.first + offset, lines=[line])
        yield piece


def _split_title_line(segment: _Segment) -> list[_Segment]:
    """A title typed directly above a hard-wrapped paragraph, with no blank line between.

    It is recognised by being clearly shorter than the lines under it, so that the first line
    of an ordinary wrapped paragraph is not mistaken for one.
    """
    if len(segment.lines) == 2:
        # A title over a one-line standfirst or byline ("Harborview Times - Asia desk"): two
        # short lines, neither a sentence, are two blocks.
        a, b = (line.strip() for line in segment.lines)
        if all(0 < len(x) <= _HEADING_MAX_CHARS and not x.endswith(_END_PUNCT) for x in (a, b)):
            return [_Segment(segment.first, [a]), _Segment(segment.first + 1, [b])]
        return [segment]
    if len(segment.lines) < 3:
        return [segment]
    first, rest = segment.lines[0].strip(), segment.lines[1:]
    full_width = sorted(len(line) for line in rest)[len(rest) // 2]
    if not first or len(first) > 0.6 * full_width or first.endswith(_END_PUNCT):
        return [segment]
    return [_Segment(first=segment.first, lines=[first]), _Segment(segment.first + 1, rest)]


def _to_block(segment: _Segment, markdown: bool) -> Block | None:
    raw = "\n".join(segment.lines)
    text = clean(raw if segment.code or not markdown else _strip_inline_markdown(raw))
    if not text:
        return None
    locator = Locator(line_start=segment.first + 1, line_end=segment.last + 1)
    return Block(text=text, locator=locator, is_heading=segment.heading)


def _strip_inline_markdown(text: str) -> str:
    """Remove emphasis, links and images, leaving code spans untouched (``__init__`` stays)."""
    parts: list[str] = []
    pos = 0
    for m in _MD_CODE_SPAN.finditer(text):
        parts.append(_strip_markup(text[pos : m.start()]))
        parts.append(m[2])
        pos = m.end()
    parts.append(_strip_markup(text[pos:]))
    return "".join(parts)


def _strip_markup(text: str) -> str:
    for pattern, replacement in _MD_INLINE:
        text = pattern.sub(replacement, text)
    return text


def _looks_like_heading(text: str) -> bool:
    """A short line with no closing punctuation that starts like a title."""
    return (
        len(text) <= _HEADING_MAX_CHARS
        and not text.endswith(_END_PUNCT)
        and (text[0].isupper() or text[0].isdigit())
        and any(ch.isalpha() for ch in text)
    )


def _mark_plain_headings(blocks: list[Block]) -> list[Block]:
    """In plain text, a one-line heading-like block followed by a real paragraph is a heading.

    Requiring a paragraph after it keeps runs of short lines (captions, sign-offs, lists of
    names) from all turning into headings.
    """
    marked = list(blocks)
    for i, block in enumerate(blocks[:-1]):
        one_line = block.locator.line_start == block.locator.line_end
        nxt = blocks[i + 1].text
        if one_line and _looks_like_heading(block.text) and not _looks_like_heading(nxt):
            marked[i] = Block(block.text, block.locator, is_heading=True)
    return marked


def _plain_title(blocks: list[Block]) -> str:
    """The first line is the title when it stands alone, is short and is not a sentence."""
    if not blocks:
        return ""
    first = blocks[0]
    if first.locator.line_start != first.locator.line_end:
        return ""
    text = first.text
    if len(text) > MAX_TITLE_CHARS or text.endswith(".") or not any(c.isalpha() for c in text):
        return ""
    return text


def _first_sentence_title(text: str) -> str:
    """For text that starts straight into prose: its first sentence, shortened at a word. Said
    better than a file name like "000_450aebd553e015ee" would say it."""
    # split_sentences knows abbreviations: "Japan joins U.S. in ..." is one sentence.
    sentence = (split_sentences(text) or [text])[0].strip()
    if len(sentence) <= MAX_TITLE_CHARS:
        return sentence.rstrip(".")
    cut = sentence[: MAX_TITLE_CHARS - 1].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-—") + "…"


def _markdown_title(segments: list[_Segment]) -> str:
    """The first level-1 heading ("# Title" or a "===" underline)."""
    for seg in segments:
        if seg.level == 1:
            return clean(_strip_inline_markdown(" ".join(seg.lines)))
    return ""
