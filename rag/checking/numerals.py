"""Numbers and dates written another way, rewritten into the form the checker compares.

A claim may say "thirty-one companies" where its source says "31", or a timeline entry may open
with "2026-03-16 —" where the source says "16 March 2026". Both sides of a comparison are
rewritten the same way, so "three" meets "3" and the ISO date meets the written one.
"""

from __future__ import annotations

import re

from rag.core.vocabulary import MONTH_NAMES

# "one" alone is left as a word: "one of the firms" is rarely a count a source states as "1".
_UNITS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_DIGITS = {"one": 1, **{w: n for w, n in _UNITS.items() if n < 10}}
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip

_SPELLED = re.compile(
    rf"""\b(?:(?P<tens>{"|".join(_TENS)})(?:[-\s](?P<digit>{"|".join(_DIGITS)}))?
        |(?P<unit>{"|".join(_UNITS)})|(?P<one>one)(?=\s+hundred\b))
        (?P<hundred>\s+hundred)?\b(?!-(?:thirds?|quarters?|fifths?))""",
    re.IGNORECASE | re.VERBOSE,
)
_ISO_DATE = re.compile(r"(?<![\w-])(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(?![\w-])")


def _number(match: re.Match[str]) -> str:
    if match["tens"]:
        value = _TENS[match["tens"].lower()] + _DIGITS.get((match["digit"] or "").lower(), 0)
    elif match["unit"]:
        value = _UNITS[match["unit"].lower()]
    else:
        value = 1
    return str(value * 100 if match["hundred"] else value)


def spell_out_dates(text: str) -> str:
    """ISO dates as day, month name and year: "2026-03-16" -> "16 March 2026"."""
    return _ISO_DATE.sub(
        lambda m: f"{int(m[3])} {MONTH_NAMES[int(m[2]) - 1][-1].capitalize()} {m[1]}", text
    )


def numerals(text: str) -> str:
    """``text`` with spelled-out counts as digits ("thirty-one" -> "31", "three hundred" ->
    "300") and ISO dates written out, the form in which the checker compares figures."""
    return _SPELLED.sub(_number, spell_out_dates(text))
