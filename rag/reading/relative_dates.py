"""Relative dates in source text, resolved against the date the document was published.

A wire story says "BIS today added 27 entities" or "China on Thursday added 18 companies";
in a briefing read weeks later, "today" and "on Thursday" are wrong or meaningless. A
sentence from a dated document is shown to the model, checked and quoted as a claim with its
relative dates written out ("BIS on March 3, 2026 added ..."); the citation still quotes the
source's own words, and the footnote gives the document's date they were resolved against.

Only what the date fixes is resolved: today, yesterday, tomorrow, a weekday ("on Tuesday":
the last one on or before the document's date, or the next one after it when its clause
looks ahead), and this, last or next month or year. "This week", "recently", a weekday that
is part of a name or a time ("Friday Holdings", "Monday morning") and anything inside a
quotation (a speaker's own words) are left as they are.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from rag.core.vocabulary import MONTH_NAMES, WEEKDAYS

_WEEKDAYS = tuple(day.lower() for day in WEEKDAYS)  # Monday first, as date.weekday() counts
_MONTH_WORDS = sorted((form for forms in MONTH_NAMES for form in forms), key=len, reverse=True)
# A date already given beside the relative one ("from Monday, July 14", "on Friday 3 April",
# "today (March 13)").
_DATED_AFTER = re.compile(
    r"^\s*[,(]?\s*(?:\d{1,2}(?:st|nd|rd|th)?\s+)?(?:" + "|".join(_MONTH_WORDS) + r")\b\.?",
    re.IGNORECASE,
)
_DAY_WORD = re.compile(r"\b(?P<word>today|yesterday|tomorrow)\b(?!['’])", re.IGNORECASE)
_WEEKDAY = re.compile(r"\b(?P<prep>on\s+)?(?P<day>" + "|".join(_WEEKDAYS) + r")\b(?!['’])", re.I)
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
# "the last year", "a next month", "its last year": not a date but a span or an order.
_DETERMINED = re.compile(r"\b(?:the|a|an|its|their|our|his|her|whose|each|every)\s*$", re.I)
# A weekday that names something or a part of a day: "Friday Holdings", "Monday morning".
_NOT_A_DATE_AFTER = re.compile(
    r"^\s+(?:(?:morning|afternoon|evening|night|prayers?|the\s+\d)\b|(?:and|or)\s+\w+day\b)"
)
_NAME_AFTER = re.compile(r"^\s+[A-Z]")  # "Friday Holdings" (but "On Monday BIS replied")
# Where a clause ends: the direction of a weekday is read within its own clause only ("BIS
# said on Friday that the rule will take effect on Monday": Friday is past, Monday ahead).
_CLAUSE_END = re.compile(r"[,;:()\[\]]|\b(?:that|which|who|and|but|while|whereas)\b|[.!?](?=\s|$)")
# A clause looking ahead: its weekday is the next one, not the last. "will", "is due",
# "expected to" say so whatever else the clause has; "from Monday", "takes effect" only in a
# clause that tells of nothing past ("Talks ran from Monday").
AHEAD = re.compile(
    r"\b(?:will|shall|(?:is|are)\s+(?:due|to|set|scheduled|expected)|(?:expected|plans?|planned|"
    r"going|aims?|intends?|scheduled|set)\s+to|(?:postponed|delayed|moved)\s+(?:to|until))\b",
    re.IGNORECASE,
)
_AHEAD_UNLESS_PAST = re.compile(
    r"\b(?:starting|from|takes?\s+(?:effect|place)|comes?\s+into\s+force|begins?)\b",
    re.IGNORECASE,
)
# A clause telling what happened: a past tense before the weekday wins over "from" or "to".
PAST = re.compile(
    r"(?-i:\b[a-z]{3,}ed\b)|\b(?:said|told|took|ran|met|made|came|went|began|held|gave|wrote|sent|fell|rose|"
    r"saw|won|lost|left|kept|brought|bought|sold|paid|spoke|chose|grew|was|were|had|did)\b",
    re.IGNORECASE,
)
_QUOTES = {"“": "”", "‘": "’"}
# "Today marks a turning point", "This year will be hard": the relative words are the
# sentence's subject, and the date takes their place bare. ("Today BIS added ..." is not.)
_VERB_NEXT = re.compile(
    r"^\s+(?:is|was|will|would|may|might|could|has|had|marks|marked|saw|sees|brings|brought|"
    r"begins|began|ends|ended|looks|looked|promises|remains)\b",
    re.IGNORECASE,
)


def published_date(published: str | None) -> date | None:
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


def resolve_relative_dates(text: str, published: str | None) -> str:
    """``text`` with its relative dates written out against ``published`` (ISO); unchanged
    when the document's day is not known."""
    ref = published_date(published)
    if ref is None:
        return text
    try:
        text = _DAY_WORD.sub(lambda m: _day_word(m, ref), text)
        text = _WEEKDAY.sub(lambda m: _weekday(m, ref), text)
        return _PERIOD.sub(lambda m: _period(m, ref), text)
    except OverflowError:  # a document dated 0001-01-01 or 9999-12-31 by hand
        return text


def _quoted(text: str, at: int) -> bool:
    """Whether position ``at`` lies inside a quotation: the speaker's words stay theirs."""
    before = text[:at]
    if before.count('"') % 2:
        return True
    return any(before.rfind(open_) > before.rfind(close) for open_, close in _QUOTES.items())


def _opens_sentence(before: str) -> bool:
    stripped = before.rstrip().rstrip("*_#>)]”’\"' ")
    return not stripped or stripped[-1] in ".!?\n"


def _phrase(m: re.Match[str], spelled_date: str, preposition: str = "on ") -> str:
    """The date in the place of the relative words: after a preposition the sentence has
    ("as of today"), bare; as a sentence's subject ("Today marks ..."), bare; otherwise with
    ``preposition``. Capitalised where a sentence starts."""
    before, after = m.string[: m.start()], m.string[m.end() :]
    opening = _opens_sentence(before)
    subject = opening and bool(_VERB_NEXT.match(after))
    bare = subject or bool(_BARE_AFTER.search(before))
    phrase = spelled_date if bare else f"{preposition}{spelled_date}"
    return phrase[0].upper() + phrase[1:] if opening else phrase


def _day_word(m: re.Match[str], ref: date) -> str:
    if _quoted(m.string, m.start()) or _DATED_AFTER.match(m.string[m.end() :]):
        return m.group()
    if m["word"][0].isupper() and not _opens_sentence(m.string[: m.start()]):
        return m.group()  # a name: "GlobalMarkets Today", "USA Today"
    shift = {"today": 0, "yesterday": -1, "tomorrow": 1}[m["word"].lower()]
    return _phrase(m, spelled(ref + timedelta(days=shift)))


def _clause_around(text: str, start: int, end: int) -> tuple[str, str]:
    """The words of the match's own clause before and after it."""
    before = text[:start]
    cuts = list(_CLAUSE_END.finditer(before))
    head = before[cuts[-1].end() :] if cuts else before
    after = text[end:]
    cut = _CLAUSE_END.search(after)
    return head, after[: cut.start()] if cut else after


def _weekday(m: re.Match[str], ref: date) -> str:
    text = m.string
    before, after = text[: m.start()], text[m.end() :]
    if (
        _quoted(text, m.start())
        or _DATED_AFTER.match(after)
        or _NOT_A_DATE_AFTER.match(after)
        or (not m["prep"] and _NAME_AFTER.match(after))
        or re.search(r"\b(?:and|or)\s*$", before)
        or not (m["prep"] or _BARE_AFTER.search(before))
    ):
        return m.group()  # dated already, a name, or not a day something happened on
    head, tail = _clause_around(text, m.start(), m.end())
    clause = f"{head} {tail}"
    ahead = bool(AHEAD.search(head)) or (
        not PAST.search(head) and bool(AHEAD.search(clause) or _AHEAD_UNLESS_PAST.search(clause))
    )
    want = _WEEKDAYS.index(m["day"].lower())
    if ahead:
        day = ref + timedelta(days=(want - ref.weekday()) % 7 or 7)
    else:
        day = ref - timedelta(days=(ref.weekday() - want) % 7)
    # "on Friday" -> "on March 20, 2026", as the source capitalises its "on"; "until Friday"
    # -> "until March 20, 2026".
    return f"{m['prep'] or ''}{spelled(day)}"


def _period(m: re.Match[str], ref: date) -> str:
    before = m.string[: m.start()]
    if _quoted(m.string, m.start()) or (not m["when"] and _DETERMINED.search(before)):
        return m.group()
    shift = {"this": 0, "last": -1, "next": 1}[m["which"].lower()]
    if m["unit"].lower() == "year":
        named = str(ref.year + shift)
    else:
        index = ref.year * 12 + ref.month - 1 + shift
        named = f"{calendar.month_name[index % 12 + 1]} {index // 12}"
    if m["when"]:  # "earlier this year" -> "earlier in 2026"
        phrase = f"{m['when']}in {named}"
        return phrase[0].upper() + phrase[1:] if _opens_sentence(before) else phrase
    return _phrase(m, named, "in ")


__all__ = ["published_date", "resolve_relative_dates", "spelled"]
