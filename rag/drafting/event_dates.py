"""The date of the event a sentence reports, not the date its document was published.

A timeline entry is dated by what the fact says ("the rule took effect on 16 March"), as
precisely as it says it. A sentence without a year takes its document's year: a report
published on 2026-03-20 saying "on March 2" means 2 March 2026.
"""

from __future__ import annotations

import re

from rag.reading.readers.dates import MONTH_NAMES

_MONTH = "|".join(sorted((f for forms in MONTH_NAMES for f in forms), key=len, reverse=True))
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d\d"
# A date with day, month and year, or an ISO date ("September 15, 2025", "15 Sept. 2025",
# "2025-09-15"): one that dates an event on its own. Compile with re.IGNORECASE.
FULL_DATE = (
    rf"(?:{_DAY}\s+(?:of\s+)?(?:{_MONTH})\.?,?\s+{_YEAR}|(?:{_MONTH})\.?\s+{_DAY},?\s+{_YEAR}"
    rf"|{_YEAR}-[01]\d-[0-3]\d)"
)
# Any date a sentence states, to the month at least ("16 March", "March 2026").
DAY_OR_MONTH = (
    rf"\b(?:(?P<d1>{_DAY})\s+(?:of\s+)?(?P<m1>{_MONTH})\.?(?:,?\s+(?P<y1>{_YEAR}))?"
    rf"|(?P<m2>{_MONTH})\.?\s+(?P<d2>{_DAY})(?:,?\s+(?P<y2>{_YEAR}))?"
    rf"|(?P<m3>{_MONTH})\s+(?P<y3>{_YEAR})"
    rf"|(?P<iso>{_YEAR}-[01]\d-[0-3]\d))\b"
)
_DATE = re.compile(DAY_OR_MONTH, re.IGNORECASE)


def _month_number(name: str) -> int:
    name = name.lower().rstrip(".")
    return next(i for i, forms in enumerate(MONTH_NAMES, start=1) if name in forms)


def event_dates(sentence: str, published: str = "") -> list[str]:
    """ISO dates (YYYY-MM-DD, or YYYY-MM) the sentence states, in order of appearance."""
    year_of_document = published[:4] if re.match(r"\d{4}", published or "") else ""
    out: list[str] = []
    for m in _DATE.finditer(sentence):
        if m["iso"]:
            out.append(m["iso"])
            continue
        if m["m3"]:
            out.append(f"{m['y3']}-{_month_number(m['m3']):02d}")
            continue
        month = _month_number(m["m1"] or m["m2"])
        day = int(re.sub(r"\D", "", m["d1"] or m["d2"]))
        year = m["y1"] or m["y2"] or year_of_document
        if year:
            out.append(f"{year}-{month:02d}-{day:02d}")
    return list(dict.fromkeys(out))


def has_event_date(sentence: str, published: str = "") -> bool:
    return bool(event_dates(sentence, published))


_OPENING_DATE = re.compile(
    rf"^(?:On\s+|In\s+)?(?P<date>{DAY_OR_MONTH})\s*[,:]\s+(?=\w)", re.IGNORECASE
)


def without_opening_date(text: str, date: str) -> str:
    """A timeline entry's sentence without an opening date that is the entry's own ("March
    12, 2026, China on March 12, 2026 added ..." under 2026-03-12): the entry shows it."""
    m = _OPENING_DATE.match(text)
    if m is None or date not in event_dates(m["date"], date):
        return text
    rest = text[m.end() :]
    return rest[:1].upper() + rest[1:]


# A chronology entry: its date, a full stop or a colon, the event ("2026-03-03. BIS adds 27
# entities."; "March 12, 2026: MOFCOM adds ..."). ``facts.dated_entry`` writes every entry the
# second way for the model; ``entry_as_sentence`` makes a claim of one a sentence.
DATED_ENTRY = re.compile(rf"^(?P<date>{FULL_DATE})[.:]\s+(?=\S)", re.IGNORECASE)


def entry_as_sentence(text: str) -> str:
    """A claim written as a chronology entry, as a sentence: "March 12, 2026: MOFCOM adds
    ..." -> "On March 12, 2026, MOFCOM adds ...". Quoted as it stands, the entry read
    "According to Carrow Center, March 12, 2026: MOFCOM adds ...". A timeline entry is
    unchanged in the end: its sentence's opening date goes (``without_opening_date``)."""
    return DATED_ENTRY.sub(lambda m: f"On {m['date']}, ", text, count=1)
