"""Turn the many ways files write a date into ISO text: ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``.

Citations show the date as the source gives it, so we never invent precision: a date that is
ambiguous (``03/04/2024``) keeps only its year, and anything unparseable becomes ``""``.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from rag.core.vocabulary import MONTH_NAMES

_MIN_YEAR, _MAX_YEAR = 1000, 2999

_MONTHS = {name: number for number, names in enumerate(MONTH_NAMES, start=1) for name in names}
_MONTH = r"(?P<mon>[A-Za-z]{3,9})\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4})"

# PDF dates ("D:20240105103000+01'00'", "D:2024") and compact ISO ("20240105", "20240105T1030").
_PDF = re.compile(r"^D:\s*(?P<year>\d{4})(?P<month>\d{2})?(?P<day>\d{2})?")
_COMPACT = re.compile(
    r"^(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})?(?:T?\d{2,6}(?:Z|[+-]\d{2,4})?)?$"
)
# ISO 8601 and its slash/dot variants, year first: 2024-01-05, 2024/1/5, 2024-01, 2024-01-05T10:00Z.
_YEAR_FIRST = re.compile(
    r"^(?P<year>\d{4})(?:[-/.](?P<month>\d{1,2})(?:[-/.](?P<day>\d{1,2}))?)?(?:[T\s].*)?$"
)
# Numeric with the year last: 05.01.2024, 1/5/2024, 05-01-2024.
_YEAR_LAST = re.compile(r"^(?P<a>\d{1,2})(?P<sep>[-/.])(?P<b>\d{1,2})(?P=sep)(?P<year>\d{4})\b")
# Month names: "5 January 2024", "January 5, 2024", "Jan. 2024", "Fri, 05 Jan 2024 10:00 GMT".
_DAY_MONTH_YEAR = re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}\b")
_MONTH_DAY_YEAR = re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b")
_MONTH_YEAR = re.compile(rf"\b{_MONTH},?\s+{_YEAR}\b")
_BARE_YEAR = re.compile(r"^(?:\D*\s)?(?P<year>\d{4})$")


def normalize_date(value: str | date | datetime | None) -> str:
    """ISO form of ``value``, as precise as the value allows; ``""`` when it cannot be read."""
    if value is None:
        return ""
    if isinstance(value, date):  # datetime is a date too
        return _iso(value.year, value.month, value.day)
    text = " ".join(str(value).split())
    if not text:
        return ""
    for parse in (_parse_numeric, _parse_named):
        result = parse(text)
        if result is not None:
            return result
    return ""


def _parse_numeric(text: str) -> str | None:
    for pattern in (_PDF, _COMPACT, _YEAR_FIRST):
        m = pattern.match(text)
        if m:
            return _iso(int(m["year"]), _opt_int(m["month"]), _opt_int(m["day"]))
    m = _YEAR_LAST.match(text)
    if m:
        a, b, year = int(m["a"]), int(m["b"]), int(m["year"])
        if m["sep"] == ".":  # dotted dates are day-first wherever they are written
            return _iso(year, b, a)
        if a > 12 >= b:
            return _iso(year, b, a)
        if b > 12 >= a:
            return _iso(year, a, b)
        # 03/04/2024 is March or April depending on the writer's country: keep what is certain.
        return _iso(year, None, None)
    return None


def _parse_named(text: str) -> str | None:
    for pattern in (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR, _MONTH_YEAR):
        m = pattern.search(text)
        if m:
            month = _MONTHS.get(m["mon"].lower())
            if month is None:
                continue
            day = int(m["day"]) if "day" in m.groupdict() and m["day"] else None
            return _iso(int(m["year"]), month, day)
    m = _BARE_YEAR.match(text)
    if m:
        return _iso(int(m["year"]), None, None)
    return None


def _opt_int(text: str | None) -> int | None:
    return int(text) if text else None


def _iso(year: int, month: int | None, day: int | None) -> str:
    """Format the known parts; an impossible date yields ``""`` (or its valid prefix)."""
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        return ""
    if month is None or not 1 <= month <= 12:
        return f"{year:04d}" if month is None else ""
    if day is None:
        return f"{year:04d}-{month:02d}"
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return ""
