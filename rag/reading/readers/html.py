"""Saved web pages via the standard library's html.parser: the article's text, without chrome.

The parser is event-driven and our state is a flat stack plus counters, so pathological
nesting (100k nested divs) costs memory proportional to depth and never recursion. Unclosed
tags are handled the forgiving way browsers do: an end tag closes everything opened after
its matching start tag, and an end tag with no match is ignored.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser

from rag.core.types import Block, DocumentMeta, Locator, ParsedDocument
from rag.reading.readers._common import clean, decode_text
from rag.reading.readers.dates import normalize_date


def _tags(names: str) -> frozenset[str]:
    return frozenset(names.split())


# Chrome: never article text. <header> is chrome only outside an article (see _is_skipped).
_SKIP_TAGS = _tags(
    "script style noscript nav header footer aside form svg iframe button template select "
    "textarea dialog object canvas"
)
_SKIP_ROLES = frozenset(("navigation", "banner", "contentinfo"))
_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
# Elements whose start and end separate blocks of text. The ones that hold text (p, li, td,
# ...) become blocks; containers (div, section, ...) only separate them, so bare text in a div
# also becomes a block.
_BLOCK_TAGS = _HEADINGS | _tags(
    "p li blockquote pre td th figcaption dt dd caption summary address div section "
    "article main body html ul ol dl table thead tbody tfoot tr figure details hgroup "
    "center hr"
)
_CONTENT_ROOTS = ("article", "main")
_VOID_TAGS = _tags("area base br col embed hr img input link meta param source track wbr")
# Meta tags, best first, for each field.
_TITLE_META = ("og:title", "twitter:title", "dc.title", "dcterms.title")
_PUBLISHER_META = ("og:site_name", "application-name", "publisher", "dc.publisher")
_DATE_META = (
    "article:published_time",
    "date",
    "pubdate",
    "publishdate",
    "dc.date",
    "dc.date.issued",
    "dcterms.date",
    "dcterms.created",
    "datepublished",
    "sailthru.date",
    "article:modified_time",
)
_AUTHOR_META = ("author", "article:author", "dc.creator", "dcterms.creator", "byl")
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.I)
# Inline styles that hide text from the page's reader: not displayed, invisible, transparent,
# zero-sized, or pushed far off the page. White-on-white is not judged (the background may be
# dark); text hidden that way still meets the sanitizer and the citation checker.
_HIDDEN_STYLE = re.compile(
    r"""display\s*:\s*none|visibility\s*:\s*(?:hidden|collapse)|opacity\s*:\s*0*\.?0+\s*(?:;|$|!)
      | font-size\s*:\s*0*\.?0+\s*(?:px|pt|em|rem|%)?\s*(?:;|$|!)
      | (?:text-indent|left|top|margin-left)\s*:\s*-\s*\d{4,}
      | clip\s*:\s*rect\(\s*0[a-z]*\s*,?\s*0[a-z]*\s*,?\s*0[a-z]*\s*,?\s*0[a-z]*\s*\)""",
    re.I | re.X,
)
# Class and id selectors that a <style> block of the page hides (".sr-hide{display:none}"):
# collected before parsing, so elements using them are skipped like inline-hidden ones.
_SIMPLE_SELECTOR = re.compile(r"^\s*(?:[a-z0-9]*)([.#])([\w-]{1,100})\s*$", re.I)
_TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " · ", " :: ")


@dataclass
class _Open:
    """One open element on the parser's stack."""

    tag: str
    skip: bool = False
    root: int = 0  # id of the article/main this element opens, 0 if none


@dataclass
class _RawBlock:
    text: str
    heading: bool
    root: int  # innermost article/main the text stood in, 0 if none


class _PageParser(HTMLParser):
    """Collects text blocks and metadata in one pass."""

    def __init__(self, hidden_classes: frozenset[str] = frozenset(),
                 hidden_ids: frozenset[str] = frozenset()) -> None:  # fmt: skip
        super().__init__(convert_charrefs=True)
        self.hidden_classes = hidden_classes
        self.hidden_ids = hidden_ids
        self.blocks: list[_RawBlock] = []
        self.meta: dict[str, str] = {}
        self.title_tag = ""
        self.first_h1 = ""
        self.time_in_content = ""
        self.root_kinds: dict[int, str] = {}  # article/main id -> tag
        self.root_parents: dict[int, int] = {}  # article/main id -> enclosing one, 0 if none
        self._stack: list[_Open] = []
        self._open_counts: Counter[str] = Counter()
        self._skip_depth = 0
        self._heading_depth = 0
        self._roots: list[int] = []  # article/main elements currently open, innermost last
        self._in_title = False
        self._buffer: list[str] = []
        self._br_mark = -1  # buffer length at the last <br>, to spot "<br><br>" breaks

    # --- html.parser callbacks -------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name.lower(): value or "" for name, value in attrs}
        if tag == "meta":
            self._meta_tag(attributes)
        if self._skip_depth == 0 and tag == "time" and self._roots and not self.time_in_content:
            self.time_in_content = attributes.get("datetime", "")
        if tag == "br":
            self._line_break()
        elif tag in _BLOCK_TAGS:
            self._flush()
        if tag in _VOID_TAGS:
            return
        entry = _Open(tag, skip=self._is_skipped(tag, attributes))
        if entry.skip:
            self._skip_depth += 1
        if tag in _HEADINGS:
            self._heading_depth += 1
        if tag in _CONTENT_ROOTS:
            entry.root = len(self.root_kinds) + 1
            self.root_kinds[entry.root] = tag
            self.root_parents[entry.root] = self._roots[-1] if self._roots else 0
            self._roots.append(entry.root)
        # Only the page's own <title>: an <svg> carries <title> elements of its own.
        self._in_title = tag == "title" and self._skip_depth == 0 and not self.title_tag
        self._stack.append(entry)
        self._open_counts[tag] += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # "<div/>" opens nothing in HTML; only void elements matter here.
        if tag in _VOID_TAGS or tag == "meta":
            self.handle_starttag(tag, attrs)
        elif tag in _BLOCK_TAGS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCK_TAGS:
            self._flush()
        if self._open_counts[tag] == 0:
            return  # a stray end tag: browsers ignore it, so do we
        while self._stack:
            entry = self._stack.pop()
            self._close(entry)
            if entry.tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title_tag += data
        elif self._skip_depth == 0:
            self._buffer.append(data)

    def close(self) -> None:
        super().close()
        while self._stack:
            self._close(self._stack.pop())
        self._flush()

    # --- helpers ---------------------------------------------------------------------------

    def _close(self, entry: _Open) -> None:
        self._open_counts[entry.tag] -= 1
        if entry.skip:
            self._skip_depth -= 1
        if entry.tag in _HEADINGS:
            self._flush()
            self._heading_depth -= 1
        if entry.root:
            self._flush()
            self._roots.pop()
        if entry.tag == "title":
            self._in_title = False

    def _is_skipped(self, tag: str, attributes: dict[str, str]) -> bool:
        if "hidden" in attributes or attributes.get("aria-hidden", "").lower() == "true":
            return True
        # Text the reader of the page never saw (hidden by inline style) is a classic place for
        # instructions aimed at language models; it must not become evidence.
        if _HIDDEN_STYLE.search(attributes.get("style", "")):
            return True
        if self.hidden_classes.intersection(attributes.get("class", "").split()):
            return True
        if self.hidden_ids and attributes.get("id", "") in self.hidden_ids:
            return True
        if _SKIP_ROLES.intersection(attributes.get("role", "").lower().split()):
            return True
        if tag == "header":
            return not self._roots  # an article's own header holds its headline and byline
        return tag in _SKIP_TAGS

    def _line_break(self) -> None:
        """One <br> is a line break inside a paragraph; two in a row separate paragraphs."""
        if self._br_mark >= 0 and not "".join(self._buffer[self._br_mark :]).strip():
            self._flush()
        else:
            self._buffer.append(" ")
            self._br_mark = len(self._buffer)

    def _flush(self) -> None:
        self._br_mark = -1
        if not self._buffer:
            return
        text = clean("".join(self._buffer))
        self._buffer.clear()
        if not text:
            return
        heading = self._heading_depth > 0
        if heading and not self.first_h1 and self._open_counts["h1"]:
            self.first_h1 = text
        root = self._roots[-1] if self._roots else 0
        self.blocks.append(_RawBlock(text=text, heading=heading, root=root))

    def _meta_tag(self, attributes: dict[str, str]) -> None:
        key = (
            attributes.get("property") or attributes.get("name") or attributes.get("itemprop", "")
        ).lower()
        content = clean(attributes.get("content", ""))
        if key and content and key not in self.meta:
            self.meta[key] = content


def _hidden_selectors(data: bytes) -> tuple[frozenset[str], frozenset[str]]:
    """Classes and ids that the page's own style sheets hide (simple selectors only)."""
    classes: set[str] = set()
    ids: set[str] = set()
    head = data[:2_000_000].lower()  # style sheets stand near the top; find() keeps it linear
    at = head.find(b"<style")
    while at >= 0:
        end = head.find(b"</style", at)
        if end < 0:
            break
        css = data[head.find(b">", at, end) + 1 : end].decode("utf-8", "replace")
        at = head.find(b"<style", end)
        for rule in css.split("}"):  # "selectors { declarations" (nested blocks: ignored)
            selectors, _, declarations = rule.rpartition("{")
            if not _HIDDEN_STYLE.search(declarations[:4000]):
                continue
            for selector in selectors.split(",")[-200:]:
                m = _SIMPLE_SELECTOR.match(selector)
                if m:
                    (classes if m[1] == "." else ids).add(m[2])
    return frozenset(classes), frozenset(ids)


def read_html(data: bytes) -> ParsedDocument:
    parser = _PageParser(*_hidden_selectors(data))
    parser.feed(decode_text(data, declared=_declared_charset(data)))
    parser.close()
    chosen = _main_content(parser)
    blocks: list[Block] = []
    heading: str | None = None
    for raw in chosen:
        if raw.heading:
            heading = raw.text
        n = len(blocks) + 1
        locator = Locator(para_start=n, para_end=n, heading=heading)
        blocks.append(Block(text=raw.text, locator=locator, is_heading=raw.heading))
    return ParsedDocument(kind="html", meta=_meta(parser), blocks=blocks)


def _declared_charset(data: bytes) -> str | None:
    """The charset a <meta> tag declares in the first 4 KB (HTTP headers are not saved)."""
    m = _CHARSET.search(data[:4096])
    if not m:
        return None
    name = m[1].decode("ascii").lower()
    if name.startswith("utf-16"):
        return None  # a UTF-16 page declared in ASCII bytes is a lie; browsers use UTF-8
    if name in ("iso-8859-1", "latin1", "latin-1", "us-ascii", "ascii"):
        return "cp1252"  # what browsers do: real-world "Latin-1" pages are Windows-1252
    return name


def _main_content(parser: _PageParser) -> list[_RawBlock]:
    """Prefer the article (or main) text when the page marks it; otherwise keep everything.

    Listing pages wrap each teaser in its own <article>, so we keep every article that is at
    least a quarter the size of the largest, and fall back to the whole page when the marked
    content is a small part of it (a comment box marked as an article, say).
    """
    total = sum(len(b.text) for b in parser.blocks)
    for kind in _CONTENT_ROOTS:
        outermost = _outermost(parser, kind)
        sizes: Counter[int] = Counter()
        for block in parser.blocks:
            if outermost[block.root]:
                sizes[outermost[block.root]] += len(block.text)
        if not sizes:
            continue
        largest = max(sizes.values())
        keep = {root for root, size in sizes.items() if size >= 0.25 * largest}
        chosen = [b for b in parser.blocks if outermost[b.root] in keep]
        if sum(len(b.text) for b in chosen) >= 0.2 * total:
            return chosen
    return parser.blocks


def _outermost(parser: _PageParser, kind: str) -> dict[int, int]:
    """For each article/main id (and 0), the outermost enclosing element of ``kind``, or 0.

    Ids grow in document order, so a parent is always settled before its children: one pass,
    whatever the nesting depth.
    """
    result = {0: 0}
    for root in sorted(parser.root_kinds):
        inherited = result[parser.root_parents[root]]
        result[root] = inherited or (root if parser.root_kinds[root] == kind else 0)
    return result


def _meta(parser: _PageParser) -> DocumentMeta:
    meta = parser.meta
    publisher = _first(meta, _PUBLISHER_META, skip_urls=True)
    title = _first(meta, _TITLE_META) or _strip_site(clean(parser.title_tag), publisher)
    published = ""
    for value in [*(meta.get(k, "") for k in _DATE_META), parser.time_in_content]:
        published = normalize_date(value)
        if published:
            break
    author = _first(meta, _AUTHOR_META, skip_urls=True)
    url = next((v for k in _URL_META if (v := meta.get(k, "")).startswith("http")), "")
    return DocumentMeta(
        title=title or parser.first_h1,
        publisher=publisher,
        published=published,
        author=author,
        url=url,
    )


# Where a saved page says it was published: Open Graph and Twitter cards.
_URL_META = ("og:url", "twitter:url", "url")


def _first(meta: dict[str, str], keys: tuple[str, ...], *, skip_urls: bool = False) -> str:
    for key in keys:
        value = meta.get(key, "")
        if value and not (skip_urls and value.startswith(("http://", "https://", "@"))):
            return value
    return ""


def _strip_site(title: str, site: str) -> str:
    """'Headline | Site' -> 'Headline' when we know the site's name."""
    if site:
        for sep in _TITLE_SEPARATORS:
            suffix = f"{sep}{site}"
            if title.endswith(suffix) and len(title) > len(suffix):
                return title[: -len(suffix)]
    return title
