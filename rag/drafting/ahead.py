"""Whether a fact tells what comes next: a section on the outlook is written from those first.

An outlook built from whatever its search hints found states past events ("BIS released the
rule on 15 September 2025") as if they were what to expect (``section_evidence`` leans such
facts away from it, and shows it the facts that look ahead first). A fact looks ahead when it dates
something after its own document's date ("takes effect on 16 March" in a notice of 2 March),
or speaks of the future, a plan, an expectation or a possibility ("will", "is expected to",
"plans to", "may", "deadline", "pending"). Its document's date is what "after" is measured
from; a fact of an undated document looks ahead only by its words.
"""

from __future__ import annotations

import re

from rag.drafting.event_dates import DAY_OR_MONTH, event_dates
from rag.reading.relative_dates import AHEAD, PAST

# Words that put a fact in the future or make it a possibility, beyond the plain future
# ("will", "is due to": ``AHEAD``). "May" the month is not one ("on 1 May"), nor "may not",
# a prohibition in force ("listed companies may not import").
_FORWARD = re.compile(
    r"\b(?:would|could|might|likely|unlikely|expects?|expected|expectations?|forecasts?|"
    r"predicts?|anticipates?|next|upcoming|pending|deadline|comment\s+period|consultation|"
    r"(?:is|are)\s+considering|weighing|threaten(?:s|ed)?\s+to|warned\s+(?:it|that)|"
    r"by\s+(?:the\s+end|mid-|early|late)|in\s+the\s+coming)\b"
    r"|(?<!\d\s)\bmay\b(?!\s+\d|\s+not\b)",
    re.IGNORECASE,
)
_DATED = re.compile(DAY_OR_MONTH, re.IGNORECASE)
# How many words before a date may hold the verb that tells its tense.
_TENSE_WORDS = 4
_MONTH_MAY = re.compile(r"\b(?:in|on|by|since|until|from|of|early|late|mid)\s+May\b|\bMay\s+\d")


def looks_ahead(text: str, published: str | None) -> bool:
    """Whether ``text`` (of a document published on ``published``, ISO) tells what comes
    next: a date after the document's own, or words of the future, a plan or a prospect."""
    if AHEAD.search(text) or _FORWARD.search(_MONTH_MAY.sub(" ", text)):
        return True
    day = (published or "")[:10]
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", day):
        return False
    # A month alone ("March 2026") is after the document only when its month is. A past
    # tense just before the date tells of the past, whatever year the date was read in ("took
    # effect on 1 May" in a March notice is last May).
    for m in _DATED.finditer(text):
        before = " ".join(text[: m.start()].split()[-_TENSE_WORDS:])
        if PAST.search(before):
            continue
        if any(d > day[: len(d)] for d in event_dates(m.group(), day)):
            return True
    return False


__all__ = ["looks_ahead"]
