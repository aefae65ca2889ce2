"""Reading order of recognised text, and running headers: pure functions, no OCR engine."""

from __future__ import annotations

from rag.reading.readers.layout import TextBox, reading_order
from rag.reading.readers.running_lines import drop_running_lines

H = 30  # a line's height in pixels


def box(x0: float, row: int, x1: float, text: str, top: float = 100) -> TextBox:
    y0 = top + row * 45
    return TextBox(x0, y0, x1, y0 + H, text)


def test_two_columns_read_down_the_left_then_the_right() -> None:
    # Boxes arrive in the order a detector finds them: row by row across both columns.
    boxes = []
    for row in range(4):
        boxes.append(box(600, row, 1000, f"right {row}"))
        boxes.append(box(100, row, 500, f"left {row}"))
    assert reading_order(boxes) == [
        "left 0", "left 1", "left 2", "left 3", "", "right 0", "right 1", "right 2", "right 3",
    ]  # fmt: skip


def test_a_heading_across_both_columns_comes_first() -> None:
    boxes = [box(100, 0, 1000, "A title that spans the page")]
    for row in range(1, 4):
        boxes += [box(600, row, 1000, f"right {row}"), box(100, row, 500, f"left {row}")]
    lines = [line for line in reading_order(boxes) if line]
    assert lines[0] == "A title that spans the page"
    assert lines[1:] == ["left 1", "left 2", "left 3", "right 1", "right 2", "right 3"]


def test_words_of_one_line_join_left_to_right_and_gaps_make_paragraphs() -> None:
    boxes = [
        box(300, 0, 500, "controls"),
        box(100, 0, 280, "Export"),
        box(100, 1, 400, "took effect."),
        box(100, 4, 400, "A new paragraph."),  # three empty rows above it
    ]
    assert reading_order(boxes) == ["Export controls", "took effect.", "", "A new paragraph."]


def test_slightly_skewed_boxes_still_form_one_line() -> None:
    boxes = [TextBox(100, 100, 300, 130, "slightly"), TextBox(310, 108, 500, 139, "skewed")]
    assert reading_order(boxes) == ["slightly skewed"]


def test_page_numbers_and_repeated_headers_are_dropped_but_not_the_body() -> None:
    pages = [
        ["Aldgate Institute Quarterly", f"Body text of page {n} goes on and on at length here.",
         f"A sentence that ends page {word} and carries on", f"Page {n} of 5"]
        for n, word in enumerate(["one", "two", "three", "four", "five"], start=1)
    ]  # fmt: skip
    cleaned = drop_running_lines(pages)
    for n, lines in enumerate(cleaned, start=1):
        assert lines == pages[n - 1][1:3]


def test_repeated_full_lines_of_prose_are_kept() -> None:
    boilerplate = "This line of prose repeats on every page because the source is repetitive."
    pages = [[boilerplate, f"Short line {word}."] for word in ("one", "two", "three", "four")]
    assert drop_running_lines(pages) == pages


def test_page_words_alone_are_always_dropped_even_in_short_documents() -> None:
    assert drop_running_lines([["Text.", "- 1 -", "Page 1 of 2"], ["More.", "p. 2"]]) == [
        ["Text."],
        ["More."],
    ]
