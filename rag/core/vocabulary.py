"""Word tables of English that several stages use: month and weekday names, stopwords, and
what a name looks like. One home, so that the readers, keyword search, the checker, drafting
and the Word export agree on them."""

from __future__ import annotations

__all__ = [
    "BODY_KINDS",
    "CAPITALISED_WORD",
    "CLAIM_STOPWORDS",
    "MONTHS",
    "MONTH_NAMES",
    "QUERY_STOPWORDS",
    "STOPWORDS",
    "WEEKDAYS",
]

# Each month's spellings in lower case, January first: abbreviations, then the full name.
MONTH_NAMES: tuple[tuple[str, ...], ...] = (
    ("jan", "january"),
    ("feb", "february"),
    ("mar", "march"),
    ("apr", "april"),
    ("may",),
    ("jun", "june"),
    ("jul", "july"),
    ("aug", "august"),
    ("sep", "sept", "september"),
    ("oct", "october"),
    ("nov", "november"),
    ("dec", "december"),
)
# The months as written in a date: "January" ... "December".
MONTHS: tuple[str, ...] = tuple(forms[-1].capitalize() for forms in MONTH_NAMES)
WEEKDAYS: tuple[str, ...] = (
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
)  # fmt: skip

# Glue words that say nothing about what a text is about.
STOPWORDS = frozenset(
    """a about after all also an and any are as at be been before being both but by can could
    did do does during each for from had has have how i if in into is it its just more most no
    nor not of on only or other over own same should so some such than that the their them then
    there these they this those to under very was we were what when where which while who whom
    why will with would you""".split()
)
# Keyword search also drops these: in a small library their BM25 weight is noise that can
# outrank the words that matter ("which companies did China add" must match on
# companies/China/add).
QUERY_STOPWORDS = STOPWORDS | frozenset(
    "against between me my our out through too until up your".split()
)
# The checker's lexical support also leaves out reporting verbs and modals: a claim says
# "X said" or "may" where its source does not. Its thresholds were calibrated with this list.
CLAIM_STOPWORDS = STOPWORDS | frozenset(
    "he may might must said say says shall she whose without".split()
)

# A capitalised word, with any inner apostrophes, ampersands, dots or hyphens ("O'Neill",
# "AT&T", "U.S", "Entity-List"): how a name is spotted in English text. A regular expression.
CAPITALISED_WORD = r"\b[A-Z][\w'’&.-]*\w"

# The kinds of government body a name gives ("Ministry of Commerce", "Commerce Department"):
# the checker tells two bodies of one name apart by them, and drafting reads "the ministry"
# as the ministry the sentence before names.
BODY_KINDS = (
    "ministry", "department", "bureau", "agency", "commission", "office", "council",
    "administration",
)  # fmt: skip
