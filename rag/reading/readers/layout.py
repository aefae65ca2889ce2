"""Reading order for recognised text: boxes on a page become lines, columns and paragraphs.

OCR gives boxes of text in no useful order. A reader reads a two-column page down the left
column, then down the right; a heading that spans both columns comes before (or between) them.
So: boxes side by side at the same height join into line segments; an empty vertical strip
between segments (a gutter) separates columns; a segment crossing a gutter (a wide heading)
starts a new band of the page, read before what follows it. Within a column, lines go top to
bottom, and a vertical gap wider than a line's height starts a paragraph (a blank line).

Pure geometry: no OCR engine, no images. Coordinates are pixels, y grows downwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median

__all__ = ["TextBox", "reading_order"]

_SAME_LINE_OVERLAP = 0.5  # share of the shorter box's height that must overlap
_WORD_GAP = 1.5  # a gap wider than this many line heights splits a line into segments
_GUTTER_MIN = 1.0  # a column gutter is at least this many line heights wide
_PARAGRAPH_GAP = 0.9  # a vertical gap of this many line heights between lines: a new paragraph
_WIDE = 0.6  # a segment this share of the text width is no evidence about columns


@dataclass(frozen=True, slots=True)
class TextBox:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    score: float = 1.0

    @property
    def height(self) -> float:
        return max(1.0, self.y1 - self.y0)


def reading_order(boxes: list[TextBox]) -> list[str]:
    """The page's text as lines in reading order, "" between paragraphs, columns and bands."""
    boxes = [b for b in boxes if b.text.strip()]
    if not boxes:
        return []
    unit = median(b.height for b in boxes)
    segments = _segments(boxes, unit)
    gutters = _gutters(segments, unit)
    out: list[str] = []
    for band in _bands(segments, gutters):
        for column in _columns(band, gutters):
            if out and out[-1]:
                out.append("")
            out.extend(_column_lines(column, unit))
    while out and not out[-1]:
        out.pop()
    return out


def _rows(boxes: list[TextBox]) -> list[list[TextBox]]:
    """Boxes grouped by vertical overlap, top to bottom, each row left to right."""
    rows: list[list[TextBox]] = []
    spans: list[tuple[float, float]] = []
    for box in sorted(boxes, key=lambda b: (b.y0 + b.y1) / 2):
        for i, (top, bottom) in enumerate(spans):
            overlap = min(bottom, box.y1) - max(top, box.y0)
            shorter = min(bottom - top, box.height)
            if overlap >= _SAME_LINE_OVERLAP * shorter:
                rows[i].append(box)
                spans[i] = (min(top, box.y0), max(bottom, box.y1))
                break
        else:
            rows.append([box])
            spans.append((box.y0, box.y1))
    order = sorted(range(len(rows)), key=lambda i: spans[i][0])
    return [sorted(rows[i], key=lambda b: b.x0) for i in order]


def _segments(boxes: list[TextBox], unit: float) -> list[TextBox]:
    """Each row cut where a wide horizontal gap separates its boxes, each piece one box."""
    segments: list[TextBox] = []
    for row in _rows(boxes):
        piece = [row[0]]
        for box in row[1:]:
            if box.x0 - piece[-1].x1 > _WORD_GAP * unit:
                segments.append(_join(piece))
                piece = []
            piece.append(box)
        segments.append(_join(piece))
    return segments


def _join(boxes: list[TextBox]) -> TextBox:
    chars = sum(len(b.text) for b in boxes) or 1
    return TextBox(
        x0=min(b.x0 for b in boxes),
        y0=min(b.y0 for b in boxes),
        x1=max(b.x1 for b in boxes),
        y1=max(b.y1 for b in boxes),
        text=" ".join(b.text.strip() for b in boxes),
        score=sum(b.score * len(b.text) for b in boxes) / chars,
    )


def _gutters(segments: list[TextBox], unit: float) -> list[tuple[float, float]]:
    """Vertical strips between columns: covered by no narrow segment, with text either side."""
    left, right = min(s.x0 for s in segments), max(s.x1 for s in segments)
    narrow = sorted(
        ((s.x0, s.x1) for s in segments if s.x1 - s.x0 < _WIDE * (right - left)),
        key=lambda span: span[0],
    )
    if len(narrow) < 4:  # a handful of short lines is not a column layout
        return []
    gaps: list[tuple[float, float]] = []
    reach = narrow[0][1]
    for x0, x1 in narrow[1:]:
        if x0 - reach >= _GUTTER_MIN * unit:
            gaps.append((reach, x0))
        reach = max(reach, x1)
    # A real gutter has a good share of the text on each side, not one stray word.
    return [
        (g0, g1)
        for g0, g1 in gaps
        if sum(1 for s in segments if s.x1 <= g0) >= 2
        and sum(1 for s in segments if s.x0 >= g1) >= 2
    ]


def _crosses(segment: TextBox, gutters: list[tuple[float, float]]) -> bool:
    return any(segment.x0 < g0 and segment.x1 > g1 for g0, g1 in gutters)


def _bands(segments: list[TextBox], gutters: list[tuple[float, float]]) -> list[list[TextBox]]:
    """The page cut at each segment that spans a gutter, top to bottom."""
    if not gutters:
        return [segments]
    bands: list[list[TextBox]] = [[]]
    for segment in sorted(segments, key=lambda s: s.y0):
        if _crosses(segment, gutters):
            if bands[-1]:
                bands.append([])
            bands[-1].append(segment)
            bands.append([])
        else:
            bands[-1].append(segment)
    return [band for band in bands if band]


def _columns(band: list[TextBox], gutters: list[tuple[float, float]]) -> list[list[TextBox]]:
    columns: dict[int, list[TextBox]] = {}
    for segment in band:
        centre = (segment.x0 + segment.x1) / 2
        column = 0 if _crosses(segment, gutters) else sum(1 for g0, _ in gutters if centre > g0)
        columns.setdefault(column, []).append(segment)
    return [columns[c] for c in sorted(columns)]


def _column_lines(segments: list[TextBox], unit: float) -> list[str]:
    lines: list[str] = []
    previous: TextBox | None = None
    for row in _rows(segments):
        line = _join(row)
        if previous is not None and line.y0 - previous.y1 > _PARAGRAPH_GAP * unit:
            lines.append("")
        lines.append(line.text)
        previous = line
    return lines
