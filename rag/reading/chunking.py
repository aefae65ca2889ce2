"""Cut a document's blocks into passages of a few hundred tokens.

Passages end on paragraph or sentence boundaries and never cross a page, so that every
citation can name one page. A heading is glued to the text that follows it, because a heading
alone says nothing a claim could cite.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from rag.core.types import Block, Locator, Passage

# About 4 characters per token for English prose: 1,000 characters is ~250 tokens, which fits
# the embedding model's 256-token window and leaves room for several passages in a prompt.
TARGET_CHARS = 1000
MAX_CHARS = 1400

# A sentence ends after . ! ? or … and any closing quotes or brackets, which stay with it.
_SENTENCE_END = re.compile(r"(?<=[.!?…])([\"'”’)\]]*)\s+(?=[A-Z0-9\"'“‘(\[])")


@dataclass
class _Piece:
    text: str
    locator: Locator


# A full stop after these does not end a sentence ("Announcement No. 14", "the U.S. rule").
_ABBREVIATIONS = frozenset(
    "no nos art arts sec para fig vol p pp mr mrs ms dr prof st jr sr inc ltd co corp "
    "e.g i.e etc vs cf u.s u.k u.n e.u approx est jan feb mar apr jun jul aug sep sept oct "
    "nov dec".split()
)


def ends_on_abbreviation(text: str) -> bool:
    """Whether a full stop after ``text`` would end an abbreviation or an initial ("the U.S",
    "Dr", "J"), not a sentence."""
    last = text.rsplit(" ", 1)[-1].rstrip(".")
    return last.lower() in _ABBREVIATIONS or (len(last) == 1 and last.isupper())


def _raw_sentences(text: str) -> Iterator[str]:
    start = 0
    for m in _SENTENCE_END.finditer(text):
        yield text[start : m.end(1)]
        start = m.end()
    yield text[start:]


def split_sentences(text: str) -> list[str]:
    parts = [s.strip() for s in _raw_sentences(text) if s.strip()]
    merged: list[str] = []
    for part in parts:
        last_word = merged[-1].rsplit(" ", 1)[-1].rstrip(".").lower() if merged else ""
        if merged and merged[-1].endswith(".") and last_word in _ABBREVIATIONS:
            merged[-1] = f"{merged[-1]} {part}"
        else:
            merged.append(part)
    return merged


def _hard_split(text: str, limit: int) -> Iterator[str]:
    """Split text with no usable sentence ends at whitespace, at most ``limit`` characters each."""
    while len(text) > limit:
        cut = text.rfind(" ", 0, limit)
        cut = cut if cut > limit // 2 else limit
        yield text[:cut].strip()
        text = text[cut:].strip()
    if text:
        yield text


def _pieces(block: Block) -> Iterator[_Piece]:
    """A block as pieces no longer than MAX_CHARS, cut at sentences where possible."""
    if len(block.text) <= MAX_CHARS:
        yield _Piece(block.text, block.locator)
        return
    for sentence in split_sentences(block.text):
        for part in _hard_split(sentence, MAX_CHARS):
            yield _Piece(part, block.locator)


def chunk_blocks(doc_id: str, blocks: Iterable[Block]) -> list[Passage]:
    passages: list[Passage] = []
    buf: list[_Piece] = []
    pending_heading: _Piece | None = None

    def flush() -> None:
        if not buf:
            return
        text = "\n".join(p.text for p in buf)
        loc = buf[0].locator
        for p in buf[1:]:
            loc = loc.merge(p.locator)
        passages.append(Passage(f"{doc_id}:{len(passages)}", doc_id, len(passages), text, loc))
        buf.clear()

    def size() -> int:
        return sum(len(p.text) + 1 for p in buf)

    for block in blocks:
        if not block.text.strip():
            continue
        if buf and buf[-1].locator.page != block.locator.page:
            flush()
        if block.is_heading:
            flush()
            if pending_heading is not None and pending_heading.locator.page == block.locator.page:
                pending_heading = _Piece(
                    f"{pending_heading.text}\n{block.text}",
                    pending_heading.locator.merge(block.locator),
                )
            else:
                if pending_heading is not None:  # a heading at the foot of a page: keep it alone
                    buf.append(pending_heading)
                    flush()
                pending_heading = _Piece(block.text, block.locator)
            continue
        for piece in _pieces(block):
            if buf and size() + len(piece.text) > TARGET_CHARS:
                flush()
            if pending_heading is not None:
                if pending_heading.locator.page == piece.locator.page:
                    buf.append(pending_heading)
                else:
                    buf.append(pending_heading)
                    flush()
                pending_heading = None
            buf.append(piece)
    if pending_heading is not None:
        if buf and buf[-1].locator.page != pending_heading.locator.page:
            flush()
        buf.append(pending_heading)
    flush()
    return passages
