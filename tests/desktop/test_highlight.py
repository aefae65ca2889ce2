"""Finding a citation's quote in its passage, to highlight the supporting words."""

from __future__ import annotations

from desktop.exporting import proposed_name
from desktop.highlight import highlighted_html, quote_spans

PASSAGE = (
    "THE U.S. RULE\n\nBeijing's move follows an interim final rule issued on March 2 by\n"
    "the Bureau of Industry and Security (BIS). The rule took effect on March 16. It requires "
    "a licence before the model weights of designated frontier AI systems can be exported."
)


def test_the_quote_is_found_across_line_breaks_and_spacing() -> None:
    quote = "Beijing's move follows an interim final rule issued on March 2 by the Bureau"
    [(start, end)] = quote_spans(PASSAGE, quote)
    assert " ".join(PASSAGE[start:end].split()) == quote


def test_a_quote_cut_short_with_an_ellipsis_still_marks_what_it_has() -> None:
    quote = "The rule took effect on March 16. It requires a licence before the model…"
    spans = quote_spans(PASSAGE, quote)
    assert spans and PASSAGE[spans[0][0] :].startswith("The rule took effect")


def test_the_highlight_escapes_the_passage_and_says_when_the_quote_is_missing() -> None:
    html, found = highlighted_html("A <b>bold</b> claim & more. " + PASSAGE, "took effect on")
    assert found and "&lt;b&gt;" in html and "&amp;" in html and "<span" in html
    html, found = highlighted_html(PASSAGE, "Nothing like this is in the passage at all.")
    assert not found and "<span" not in html


def test_the_export_file_name_is_safe_everywhere() -> None:
    from datetime import date

    name = proposed_name('U.S./China: "chips" <and> models?', date(2026, 3, 21))
    assert name == "U.S. China chips and models 2026-03-21.docx"
    assert proposed_name("   ", date(2026, 3, 21)) == "Briefing 2026-03-21.docx"
    assert len(proposed_name("x" * 300)) < 100
