"""Mark the supporting words of a passage: where a citation's quote stands in the passage.

The quote is one or two sentences of the passage with its whitespace collapsed (and, when
long, cut with "…"), so it is found by matching its words in order across any whitespace.
"""

from __future__ import annotations

import html
import re

from desktop.theme import HIGHLIGHT

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _pattern(text: str) -> re.Pattern[str] | None:
    words = text.replace("…", " ").split()
    if not words:
        return None
    return re.compile(r"\s+".join(re.escape(w) for w in words), re.IGNORECASE)


def quote_spans(passage: str, quote: str) -> list[tuple[int, int]]:
    """Where ``quote`` stands in ``passage``: the whole quote if it is there, else each of its
    sentences that is (a quote cut with "…" still finds its first part)."""
    whole = _pattern(quote)
    if whole is None:
        return []
    found = whole.search(passage)
    if found:
        return [found.span()]
    spans = []
    for sentence in _SENTENCE_END.split(quote.strip()):
        pattern = _pattern(sentence)
        if pattern is not None and len(sentence.split()) >= 3:
            match = pattern.search(passage)
            if match:
                spans.append(match.span())
    return sorted(spans)


def highlighted_html(passage: str, quote: str) -> tuple[str, bool]:
    """The passage as HTML with the quote highlighted; whether the quote was found."""
    spans = quote_spans(passage, quote)
    out, pos = [], 0
    for start, end in spans:
        if start < pos:
            continue
        out.append(html.escape(passage[pos:start]))
        out.append(
            f'<span style="background-color:{HIGHLIGHT}; color:#1a1a1a;">'
            f"{html.escape(passage[start:end])}</span>"
        )
        pos = end
    out.append(html.escape(passage[pos:]))
    text = "".join(out).replace("\n\n", "<br><br>").replace("\n", " ")
    return text, bool(spans)
