"""The domain's data: what a file becomes once read, and what the library hands back.

Glossary (docs/architecture.md has the full one):
- Document: one imported file, identified by the SHA-256 of its bytes.
- Block: a run of text as the reader found it (a paragraph, a heading), with its Locator.
- Passage: a chunk of a document's text, a few hundred tokens, never crossing a page.
- Locator: where in the original file a block or passage stands (page, paragraphs, lines).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Locator:
    """Where text stands in its file. Which fields are set depends on the format.

    PDF: ``page`` (1-based). DOCX/HTML: ``para_start``..``para_end`` (1-based block numbers)
    and the nearest ``heading``. TXT/Markdown: ``line_start``..``line_end`` (1-based).
    """

    page: int | None = None
    para_start: int | None = None
    para_end: int | None = None
    line_start: int | None = None
    line_end: int | None = None
    heading: str | None = None

    def label(self) -> str:
        """A short human label, e.g. ``p. 3``, ``¶ 4–6``, ``lines 10–24``."""
        if self.page is not None:
            return f"p. {self.page}"
        if self.para_start is not None:
            return _span("¶", self.para_start, self.para_end)
        if self.line_start is not None:
            return _span("line", self.line_start, self.line_end, plural="lines")
        return ""

    def merge(self, other: Locator) -> Locator:
        """The smallest locator that covers both (used when blocks join into one passage)."""

        def lo(a: int | None, b: int | None) -> int | None:
            return b if a is None else a if b is None else min(a, b)

        def hi(a: int | None, b: int | None) -> int | None:
            return b if a is None else a if b is None else max(a, b)

        return Locator(
            page=self.page if self.page is not None else other.page,
            para_start=lo(self.para_start, other.para_start),
            para_end=hi(self.para_end, other.para_end),
            line_start=lo(self.line_start, other.line_start),
            line_end=hi(self.line_end, other.line_end),
            heading=self.heading or other.heading,
        )

    def to_dict(self) -> dict[str, int | str]:
        return {k: v for k in self.__slots__ if (v := getattr(self, k)) is not None}

    @classmethod
    def from_dict(cls, data: dict[str, int | str]) -> Locator:
        return cls(**{k: data[k] for k in cls.__slots__ if k in data})  # type: ignore[arg-type]


def _span(word: str, start: int, end: int | None, plural: str | None = None) -> str:
    if end is None or end == start:
        return f"{word} {start}"
    return f"{plural or word} {start}–{end}"


@dataclass(frozen=True, slots=True)
class Block:
    """A run of text as the reader found it, with where it stands."""

    text: str
    locator: Locator
    is_heading: bool = False


@dataclass(slots=True)
class DocumentMeta:
    """What the file says about itself. Every field may be empty and is editable later."""

    title: str = ""
    publisher: str = ""
    published: str = ""  # ISO date (YYYY-MM-DD, or YYYY-MM / YYYY when that is all we know)
    author: str = ""
    url: str = ""  # where the document was published, when the file says so
    date_source: str = ""  # "metadata" (a field of the file) or "text" (its first lines)


@dataclass(slots=True)
class ParsedDocument:
    """A file read into blocks of text. Produced by ``rag.reading.readers.read_document``."""

    kind: str  # "pdf", "docx", "html", "txt", "md"
    meta: DocumentMeta
    blocks: list[Block]
    pages: int | None = None  # PDFs only


@dataclass(frozen=True, slots=True)
class Passage:
    """A chunk of one document's text with where it stands. ``id`` is stable: ``<doc_id>:<n>``."""

    id: str
    doc_id: str
    ordinal: int
    text: str
    locator: Locator


@dataclass(slots=True)
class Document:
    """A document as the library lists it."""

    id: str  # SHA-256 of the file's bytes
    filename: str
    kind: str
    title: str
    publisher: str
    published: str
    author: str
    pages: int | None
    chars: int
    passages: int
    imported_at: str  # ISO timestamp, UTC
    stored_path: str  # the library's own copy of the file
    tags: list[str] = field(default_factory=list)
    url: str = ""  # where the document was published, when the file says so
    date_source: str = ""  # "metadata", "text" (found in its first lines) or "edited"


# What the analyst may change about a document; the rest is the file's own.
EDITABLE_FIELDS = ("title", "publisher", "published", "author", "tags", "url")


def editable_changes(changes: Mapping[str, object]) -> dict[str, object]:
    """``changes`` to a Document's editable fields, the text fields as ``str`` (tags as given).

    Raises ValueError naming any field that may not be edited. The folder library and the
    shared one both go through here, so they accept and store the same edits."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {', '.join(sorted(unknown))}")
    return {k: v if k == "tags" else str(v) for k, v in changes.items()}


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result: a passage, the document it belongs to, and how it was found."""

    passage: Passage
    document: Document
    score: float  # fused score; higher is better
    dense_rank: int | None = None  # 1-based rank in the dense list, None if absent
    keyword_rank: int | None = None  # 1-based rank in the keyword list, None if absent
    similarity: float | None = None  # cosine similarity to the query, None if not in dense list

    def citation_label(self) -> str:
        """``Title (Publisher, date), p. 3`` — the one place a hit is rendered as a reference."""
        doc = self.document
        extra = ", ".join(x for x in (doc.publisher, doc.published) if x)
        head = f"{doc.title} ({extra})" if extra else doc.title
        loc = self.passage.locator.label()
        return f"{head}, {loc}" if loc else head


class CancelToken:
    """A flag that long work checks between steps. Thread-safe; set from any thread."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            from rag.core.errors import Cancelled

            raise Cancelled("cancelled")
