"""What a question asks for, beyond its words: the hard terms a passage must contain to be the
answer (numbers, dates, control codes, names, quoted phrases, acronyms with their long forms),
word pairs that should stand together, and the years it is about.

Pure text work: the Library turns the result into keyword queries and boosts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise

from rag.core.vocabulary import MONTH_NAMES, QUERY_STOPWORDS
from rag.search.acronyms import ACRONYMS, other_spellings, related_forms

# Question words and glue: they say nothing about what a question is after.
STOPWORDS = QUERY_STOPWORDS

_WORD = re.compile(r"\w+", re.UNICODE)
_YEAR = re.compile(r"(?<![\w.,])(19[5-9]\d|20\d\d)(?![\w]|[.,]\d)")
_QUOTED = re.compile(r"[\"“”]([^\"“”]{3,80})[\"“”]")
# A token holding a digit: a figure (56, 10^26, 25%), a code (3A090, 4E091, H20) or a date.
_FIGURE = re.compile(r"(?<!\w)[\w^%.,/-]*\d[\w^%.,/-]*(?!\w)")
# Capitalised words in a run ("Sakana AI", "Entity List"); the question's first word is
# capitalised by grammar, not because it is a name, unless it is all capitals.
_CAPITALISED = re.compile(r"\b[A-Z][\w'&.-]*(?:\s+(?:of|and|for|the|de)?\s*[A-Z][\w'&.-]*)*")
# Full month names, January first, as the project's vocabulary spells them.
_MONTH_NAMES = tuple(forms[-1] for forms in MONTH_NAMES)
_MONTHS = frozenset(_MONTH_NAMES)
_MONTH = r"(?P<month>" + "|".join(m.capitalize() + "|" + m for m in _MONTH_NAMES) + ")"
# A day of a month, in the three ways sources and analysts write one: "March 3, 2026",
# "3 March 2026" (either without its year), "2026-03-03".
_DATE = re.compile(
    rf"\b(?:{_MONTH}\.?\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)?(?:,?\s+(?P<year>(?:19|20)\d\d))?"
    rf"|(?P<day2>[0-3]?\d)(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH.replace('month', 'month2')}"
    r"(?:,?\s+(?P<year2>(?:19|20)\d\d))?"
    r"|(?P<iso>(?:19|20)\d\d-[01]\d-[0-3]\d))\b"
)
_MONTH_OF_YEAR = re.compile(rf"\b{_MONTH},?\s+(?P<year>(?:19|20)\d\d)\b")


@dataclass(frozen=True)
class HardTerm:
    """Something a passage must say to answer the question, in any of its forms. ``exact``
    terms (figures, codes, quoted phrases) single out one passage among similar ones; names
    say more about the subject than the answer."""

    forms: tuple[str, ...]
    exact: bool = False
    date: str = ""  # a day or a month: its ISO form ("2026-03-03", "2026-04"), for publication

    def found_in(self, normalised_text: str, published: str = "") -> bool:
        if self.date and published.startswith(self.date):
            return True
        return any(_phrase_in(form, normalised_text) for form in self.forms)


@dataclass(frozen=True)
class Query:
    text: str
    words: list[str]  # content words for keyword search, lowercased
    phrases: list[str] = field(default_factory=list)  # extra keyword phrases (long forms)
    hard_terms: list[HardTerm] = field(default_factory=list)
    pairs: list[str] = field(default_factory=list)  # adjacent content-word pairs
    years: list[str] = field(default_factory=list)


def normalise(text: str) -> str:
    """Lowercase words separated by single spaces, punctuation gone: what matching compares."""
    return " " + " ".join(_WORD.findall(text.lower())) + " "


def _phrase_in(phrase: str, normalised_text: str) -> bool:
    needle = normalise(phrase)
    return needle.strip() != "" and needle in normalised_text


def query_words(text: str) -> list[str]:
    """A user's words for keyword search: lowercased, de-duplicated, stopwords dropped unless
    the query has nothing else."""
    words = list(dict.fromkeys(w.lower() for w in _WORD.findall(text)))
    meaningful = [w for w in words if w not in STOPWORDS]
    return meaningful or words  # a query of only stopwords still searches for them


def _names(text: str) -> list[str]:
    names = []
    first = re.match(r"\W*(\w+)", text)
    first_word = first.group(1) if first else ""
    for m in _CAPITALISED.finditer(text):
        name = m.group(0).strip(" .'-")
        parts = name.split()
        if m.start() == text.find(first_word) and parts and not parts[0].isupper():
            parts = parts[1:]  # "What", "Which", "Did": capitalised by grammar
        while parts and (parts[0].lower() in STOPWORDS or parts[0].lower() in _MONTHS):
            parts = parts[1:]
        while parts and (parts[-1].lower() in STOPWORDS or parts[-1].lower() in _MONTHS):
            parts = parts[:-1]
        if parts:
            names.append(" ".join(parts))
    return names


def _date_terms(text: str) -> list[tuple[tuple[int, int], HardTerm]]:
    """The days of a month the question names, each with every form a source may write it in
    (and the span it takes in the question, which is then no figure of its own)."""
    out = []
    for m in _DATE.finditer(text):
        if m.group("iso"):
            year, month_number, day = (int(x) for x in m.group("iso").split("-"))
            if not (1 <= month_number <= 12 and 1 <= day <= 31):
                continue
            month = _MONTH_NAMES[month_number - 1]
        else:
            said = m.group("month") or m.group("month2")
            if said == "may":
                continue  # "in may 5 cases": lowercase "may" is the verb
            month = said.lower()
            day = int(m.group("day") or m.group("day2"))
            year = int(m.group("year") or m.group("year2") or 0)
            if not 1 <= day <= 31:
                continue
        written = (f"{month} {day}", f"{day} {month}")
        if year:
            iso = f"{year:04d}-{_MONTH_NAMES.index(month) + 1:02d}-{day:02d}"
            forms = (*(f"{w} {year}" for w in written), iso)
        else:
            iso, forms = "", written
        out.append((m.span(), HardTerm(forms, exact=True, date=iso)))
    for m in _MONTH_OF_YEAR.finditer(text):
        if any(start <= m.start() < end for (start, end), _ in out) or m.group("month") == "may":
            continue
        month = m.group("month").lower()
        iso = f"{m.group('year')}-{_MONTH_NAMES.index(month) + 1:02d}"
        out.append((m.span(), HardTerm((f"{month} {m.group('year')}",), date=iso)))
    return out


_POSSESSIVE = re.compile(r"(?<=\w)['’]s\b")


def parse(text: str, acronyms: dict[str, tuple[str, ...]] | None = None) -> Query:
    # "Corvane's CFO": the name is Corvane, and a lone "s" is no word to search for.
    text = _POSSESSIVE.sub("", text.strip())
    words = query_words(text)
    words += other_spellings(words)
    years = list(dict.fromkeys(_YEAR.findall(text)))
    related = related_forms(text, ACRONYMS if acronyms is None else acronyms)
    alternatives = {said.lower(): (said, *others) for said, others in related}

    hard: list[HardTerm] = []
    seen: set[str] = set()

    def add(term: str, exact: bool = False) -> None:
        key = normalise(term).strip()
        if not key or key in seen or key in STOPWORDS:
            return
        seen.add(key)
        hard.append(HardTerm(alternatives.get(term.lower(), (term,)), exact))

    for said, _ in related:
        add(said)
    # Words of a long form the question spelt out are matched through that form (whose
    # alternatives include the acronym), not one by one.
    spelt = {w for said, _ in related for w in normalise(said).split()}
    for m in _QUOTED.finditer(text):
        add(m.group(1), exact=True)
    dates = _date_terms(text)
    for _, term in dates:
        key = normalise(term.forms[0]).strip()
        if key not in seen:
            seen.add(key)
            hard.append(term)
    for m in _FIGURE.finditer(text):
        if any(start <= m.start() < end for (start, end), _ in dates):
            continue  # the day of a date is part of the date, not a figure of its own
        token = m.group(0).strip(".,/-")
        if token not in years:  # a year is a filter of its own (see Query.years)
            add(token, exact=True)
    for name in _names(text):
        for part in name.split():
            part = part.strip(".'-")
            if part.lower() in spelt or part.lower() in _MONTHS or part in years:
                continue
            if any(c.isalpha() for c in part):
                add(part)

    tokens = [w.lower() for w in _WORD.findall(text)]
    pairs = [f"{a} {b}" for a, b in pairwise(tokens) if a not in STOPWORDS and b not in STOPWORDS]
    phrases = [form for _, others in related for form in others]
    return Query(
        text=text,
        words=words,
        phrases=list(dict.fromkeys(phrases)),
        hard_terms=hard,
        pairs=list(dict.fromkeys(pairs)),
        years=years,
    )
