"""Drop running headers, footers and page numbers from the lines of a paged document.

A running title or "Page 3 of 15" printed on every page is not part of the text: left in, it
lands in the middle of every sentence that crosses a page break, and in every passage's
keywords. Only the first and last few lines of a page are candidates, and only lines shorter
than a full line of body text (a header rarely fills the measure; boilerplate prose does), so a
sentence repeated in the body is never touched.
"""

from __future__ import annotations

import re
from collections import Counter

__all__ = ["drop_running_lines"]

_EDGE = 3  # lines at the top and at the bottom of a page that may be headers or footers
_MOST = 0.5  # a line on more than this share of the pages is a running line
_MIN_PAGES = 3  # with fewer pages, repetition says nothing
_FULL_LINE = 0.85  # a line this share of the body's line length is running text, not a header

# "Page 3", "Page 3 of 15", "p. 3", "3 / 15", "- 3 -", "3": a page number on its own line.
_PAGE_NUMBER = re.compile(
    r"^\W*(?:page|p\.|pg\.?|seite|página)?\s*\d{1,4}(?:\s*(?:of|/|von|de)\s*\d{1,4})?\W*$",
    re.IGNORECASE,
)
_PAGE_WORD = re.compile(r"^\W*(?:page|p\.|pg\.?)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?\W*$", re.I)
_DIGITS = re.compile(r"\d+")


def drop_running_lines(pages: list[list[str]]) -> list[list[str]]:
    """``pages`` (each a list of lines) without page numbers and lines repeated on most pages."""
    running = _running(pages)
    out = []
    for lines in pages:
        edges = _edges(lines)
        kept = []
        for i, line in enumerate(lines):
            text = line.strip()
            if text and _PAGE_WORD.match(text):
                continue  # "Page 3 of 15" anywhere: never running text
            if (
                i in edges
                and text
                and (_PAGE_NUMBER.match(text) or (edges[i], _key(text)) in running)
            ):
                continue
            kept.append(line)
        out.append(kept)
    return out


def _running(pages: list[list[str]]) -> set[tuple[int, str]]:
    """(place, line) pairs found on most pages. The place (2nd line from the top, last line)
    counts too: a header stays where it is, while a short line of repeated prose moves."""
    if len(pages) < _MIN_PAGES:
        return set()
    lengths = sorted(len(line.strip()) for lines in pages for line in lines if line.strip())
    if not lengths:
        return set()
    full = lengths[(len(lengths) * 3) // 4]  # the upper quartile: a full line of body text
    seen: Counter[tuple[int, str]] = Counter()
    for lines in pages:
        seen.update(
            {
                (place, _key(lines[i]))
                for i, place in _edges(lines).items()
                if len(lines[i].strip()) < _FULL_LINE * full
            }
        )
    needed = max(_MIN_PAGES, _MOST * len(pages))
    return {pair for pair, count in seen.items() if count >= needed and count > _MOST * len(pages)}


def _edges(lines: list[str]) -> dict[int, int]:
    """Index of each of the first and last few non-empty lines -> its place: 0, 1, 2 from the
    top, -1, -2, -3 from the bottom (the top wins on a short page)."""
    filled = [i for i, line in enumerate(lines) if line.strip()]
    places = {i: -1 - n for n, i in enumerate(reversed(filled[-_EDGE:]))}
    places.update({i: n for n, i in enumerate(filled[:_EDGE])})
    return places


def _key(line: str) -> str:
    """A line as compared across pages: the page number in it does not count."""
    return " ".join(_DIGITS.sub("#", line.lower()).split())
