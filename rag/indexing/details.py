"""Reading a library's documents again for their details: title, publisher, date, author, address.

A document's details are read once, at import, by the readers of that day. When the readers
learn more (a publisher on the line under a headline, a Word file's "Name, Firm" author), the
documents already in a library keep what they were given, and importing the file again is
refused as a duplicate. ``read_details_again`` reads each document's stored copy with today's
readers and lists what would change; nothing is written here. The caller shows the list and
applies what the analyst accepts through ``Library.update_document``, the same path as an edit
by hand (so it can be undone the same way).

The passages are not read again: only the details. A date is proposed only for a document
that has none: one it has was read then or set by the analyst, and either is kept.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rag.core.errors import Cancelled, ReadError
from rag.core.types import CancelToken, Document, DocumentMeta
from rag.reading.isolation import read_isolated_steps, relay_pages

# The details read again, in the order they are listed.
DETAIL_FIELDS = ("title", "publisher", "published", "author", "url")


@dataclass(frozen=True, slots=True)
class DetailChange:
    """One detail of one document that reads differently today."""

    doc_id: str
    title: str  # the document's title now, to name it by
    field: str  # one of DETAIL_FIELDS
    old: str
    new: str
    source: str = ""  # for a date: where the reading found it ("metadata" or "text")


@dataclass(frozen=True, slots=True)
class DetailsProgress:
    """Reading the ``index``-th document of ``total`` (1-based); ``page`` of ``pages`` when the
    reader reports pages (a scan is recognised page by page again)."""

    index: int
    total: int
    title: str
    page: int = 0
    pages: int = 0


@dataclass
class DetailsRead:
    """What reading again found. ``changes`` are proposals: nothing has been written."""

    changes: list[DetailChange] = field(default_factory=list)
    read: int = 0  # documents read
    failed: list[tuple[Document, str]] = field(default_factory=list)  # and why
    unavailable: list[Document] = field(default_factory=list)  # no copy on this computer
    cancelled: bool = False

    def by_document(self) -> dict[str, dict[str, str]]:
        """The changes as ``Library.update_document`` takes them: doc id -> field -> value."""
        grouped: dict[str, dict[str, str]] = {}
        for change in self.changes:
            grouped.setdefault(change.doc_id, {})[change.field] = change.new
        return grouped

    def date_sources(self) -> dict[str, str]:
        """Where each proposed date was read, by document: applied with it, so that a date
        read from the file is not shown as one the analyst set."""
        return {c.doc_id: c.source for c in self.changes if c.field == "published"}


def detail_changes(doc: Document, meta: DocumentMeta) -> list[DetailChange]:
    """The details ``meta`` (a fresh reading of ``doc``'s file) gives differently.

    A detail read empty today is never proposed: an empty reading says the reader found
    nothing, not that the document has no publisher (the analyst may have typed it). A
    title read empty falls back to the file's name, as at import, which only the first
    import gives; so an empty title is no change either. A date is proposed only where the
    document has none."""
    changes = []
    for name in DETAIL_FIELDS:
        new = " ".join(getattr(meta, name).split())
        old = getattr(doc, name)
        if not new or new == old or (name == "published" and old):
            continue
        source = meta.date_source if name == "published" else ""
        changes.append(DetailChange(doc.id, doc.title, name, old, new, source))
    return changes


def read_details_again(
    docs: Sequence[Document],
    *,
    max_bytes: int,
    timeout: float,
    memory_mb: int,
    cancel: CancelToken | None = None,
) -> Iterator[DetailsProgress | DetailsRead]:
    """Read the stored copy of each of ``docs`` in the isolated reader, within the limits an
    import has (``Library.read_details_again`` passes its own), yielding progress; the last
    event is a ``DetailsRead``. A file that cannot be read is listed with its reason and the
    rest go on; a cancel stops between (or within) files and ends with what was found."""
    cancel = cancel or CancelToken()
    found = DetailsRead()
    for index, doc in enumerate(docs, start=1):
        if cancel.cancelled:
            found.cancelled = True
            break
        yield DetailsProgress(index, len(docs), doc.title)
        stored = Path(doc.stored_path) if doc.stored_path else None
        if stored is None or not stored.is_file():
            # A shared library keeps each original on the computer that imported it.
            found.unavailable.append(doc)
            continue
        try:
            steps = read_isolated_steps(
                stored, max_bytes=max_bytes, timeout=timeout, memory_mb=memory_mb, cancel=cancel
            )
            at = functools.partial(DetailsProgress, index, len(docs), doc.title)
            parsed = yield from relay_pages(steps, at)
        except Cancelled:
            found.cancelled = True
            break
        except ReadError as exc:
            found.failed.append((doc, str(exc)))
            continue
        found.read += 1
        found.changes += detail_changes(doc, parsed.meta)
    yield found
