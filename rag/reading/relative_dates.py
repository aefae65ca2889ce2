"""Relative dates in source text, resolved against the date the document was published.

A wire story says "BIS today added 27 entities" or "China on Thursday added 18 companies";
in a briefing read weeks later, "today" and "on Thursday" are wrong or meaningless. A
sentence from a dated document is shown to the model, checked and quoted as a claim with its
relative dates written out ("BIS on March 3, 2026 added ..."); the citation still quotes the
source's own words, and the footnote gives the document's date they were resolved against.

Only what the date fixes is resolved: today, yesterday, tomorrow, a weekday ("on Tuesday":
the last one on or before the document's date, or the next one after it when the sentence
looks ahead), and this, last or next month or year. "This week", "recently" and the like
are left as they are: no single date states them.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = (
    "january february march april may june july august september october november december"
).split()
# A weekday already followed by its date ("from Monday, July 14", "on Friday 3 April") is
# dated; nor is a weekday before a possessive or a noun ("Monday's rule", "Friday trading").
_DATED_AFTER = re.compile(
    r"^,?\s+(?:\d{1,2}(?:st|nd|rd|th)?\s+)?(?:" + "|".join(m[:3] for m in _MONTHS) + r")",
    re.IGNORECASE,
)
_WEEKDAY = re.compile(r"\b(?P<prep>on\s+)?(?P<day>" + "|".join(_WEEKDAYS) + r")\b(?!['’])", re.I)
_DAY_WORD = re.compile(r"\b(?P<word>today|yesterday|tomorrow)\b(?!['’])", re.IGNORECASE)
_PERIOD = re.compile(
    r"\b(?P<when>(?:earlier|later)\s+)?(?P<which>this|last|next)\s+(?P<unit>month|year)\b"
    r"(?!['’])",
    re.IGNORECASE,
)
# Words after which a date stands bare ("as of today", "from tomorrow", "until Friday",
# "compared with last year").
_BARE_AFTER = re.compile(
    r"\b(?:of|from|until|till|since|by|before|after|on|with|than|to|over|for|during|through)"
    r"\s*$",
    re.IGNORECASE,
)
# A sentence looking ahead ("will take effect on Monday", "from Monday"): its weekday is the
# next one, not the last.
_AHEAD = re.compile(
    r"\b(?:will|shall|(?:is|are)\s+(?:due|to|set|scheduled)|starting|takes?\s+effect|"
    r"comes?\s+into\s+force)\b",
    re.IGNORECASE,
)
_AHEAD_BEFORE = re.compile(r"\b(?:from|starting|until|till|by)\s*$", re.IGNORECASE)


def published_date(published: str) -> date | None:
    """The document's date when it gives the day ("2026-03-03"); None otherwise."""
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", (published or "").strip())
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def spelled(day: date) -> str:
    return f"{calendar.month_name[day.month]} {day.day}, {day.year}"


def resolve_relative_dates(text: str, published: str) -> str:
    """``text`` with its relative dates written out against ``published`` (ISO); unchanged
    when the document's day is not known."""
    ref = published_date(published)
    if ref is None:
        return text
    ahead = bool(_AHEAD.search(text))
    text = _DAY_WORD.sub(lambda m: _day_word(m, ref), text)
    text = _WEEKDAY.sub(lambda m: _weekday(m, ref, ahead), text)
    return _PERIOD.sub(lambda m: _period(m, ref), text)


def _with_preposition(m: re.Match[str], spelled_date: str, given: str = "") -> str:
    """ "on <date>", or the bare date after a preposition the sentence already has; capital
    when it opens the sentence."""
    before = m.string[: m.start()]
    phrase = spelled_date if given or _BARE_AFTER.search(before) else f"on {spelled_date}"
    phrase = f"{given}{phrase}"
    if not before.strip():
        phrase = phrase[0].upper() + phrase[1:]
    return phrase


def _day_word(m: re.Match[str], ref: date) -> str:
    shift = {"today": 0, "yesterday": -1, "tomorrow": 1}[m["word"].lower()]
    return _with_preposition(m, spelled(ref + timedelta(days=shift)))


def _weekday(m: re.Match[str], ref: date, ahead: bool) -> str:
    if _DATED_AFTER.match(m.string[m.end() :]) or not (
        m["prep"] or _BARE_AFTER.search(m.string[: m.start()])
    ):
        return m.group()  # dated already, or not a day the sentence says something happened
    want = _WEEKDAYS.index(m["day"].lower())
    if ahead or _AHEAD_BEFORE.search(m.string[: m.start()]):
        day = ref + timedelta(days=(want - ref.weekday()) % 7 or 7)
    else:
        day = ref - timedelta(days=(ref.weekday() - want) % 7)
    return _with_preposition(m, spelled(day), m["prep"] or "")


def _period(m: re.Match[str], ref: date) -> str:
    shift = {"this": 0, "last": -1, "next": 1}[m["which"].lower()]
    if m["unit"].lower() == "year":
        named = str(ref.year + shift)
    else:
        index = ref.year * 12 + ref.month - 1 + shift
        named = f"{calendar.month_name[index % 12 + 1]} {index // 12}"
    when = m["when"] or ""
    before = m.string[: m.start()]
    phrase = f"{when}in {named}" if not _BARE_AFTER.search(before) or when else named
    if not before.strip():
        phrase = phrase[0].upper() + phrase[1:]
    return phrase


__all__ = ["published_date", "resolve_relative_dates", "spelled"]
