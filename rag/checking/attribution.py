"""A claim that names its source before what the source says: "According to X, ...", "X
argues that ...".

The model is told to attribute opinions and forecasts to whoever holds them, and a fact the
engine quotes is attributed the same way. The source's name is rarely in the sentence it
wrote, so checked whole, such a claim fails on the name ("not in the cited text: Aldgate").
When the name is the publisher or author of a document the claim cites, what is checked is
what the claim says that source says; a name that is no cited source's is left in the claim
and must be found in the text like any other.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rag.reading.chunking import ends_on_abbreviation

_ACCORDING = re.compile(
    r"^\s*(?:according\s+to|in\s+the\s+view\s+of)\s+(?P<who>[^,]{2,80}),\s+", re.IGNORECASE
)
_SAYS = re.compile(
    r"^\s*(?P<who>(?:the\s+)?[A-Z][\w&.'’-]*(?:\s+(?:of\s+|for\s+|the\s+|&\s+)?[A-Z][\w&.'’-]*){0,6})"
    r"\s+(?:says|said|argues|argued|reports|reported|writes|wrote|expects|expected|estimates|"
    r"estimated|warns|warned|notes|noted|believes|predicts|predicted|recommends|recommended|"
    r"concludes|concluded|finds|found)(?::\s*[\"“]?|\s+(?:that\s+)?)",
)

# A view about what may or should happen, rather than a report of what did.
VIEW = re.compile(
    # "may", not the month: "15 May 2026", "in May" (the case of "May" tells them apart).
    r"\b(?:would|could|might|(?-i:may)(?!\s+(?:not|only)\b)|should|likely|unlikely|probably|"
    r"perhaps|expects?|expected|"
    r"predicts?|forecasts?|believes?|argues?|in\s+our\s+view|"
    # A judgement of what a measure will achieve, however firmly put: "The ban addresses a
    # real problem but will be hard to enforce" is a think tank's view, not a fact. ("Will be
    # effective" is left out: a rule "will be effective on 1 May" is a date in force.)
    r"will\s+(?:be|prove|remain)\s+(?:(?:more|less|very|so)\s+)?"
    r"(?:hard|harder|difficult|easy|easier|costly|porous|impossible|unenforceable))\b",
    re.IGNORECASE,
)
# The sentence says itself whose view or report it is. A reporting verb after a modal is
# part of the view, not its holder: "Briefings should say which list they mean."
_NOT_AFTER_MODAL = "".join(
    rf"(?<!\b{m}\s)" for m in "would could should might must will shall can may".split()
)
ATTRIBUTED = re.compile(
    rf"\b{_NOT_AFTER_MODAL}(?:said|says|say|told|according\s+to|argue[sd]?|believe[sd]?|"
    r"warn(?:s|ed)?|wrote|writes|estimate[sd]?|predict(?:s|ed)?|forecast(?:s|ed)?|"
    r"expect(?:s|ed)?|reported|stated|announced|noted|in\s+(?:our|its|their)\s+view)\b",
    re.IGNORECASE,
)


def unattributed_view(claim: str, cited: str, sources: Iterable[str]) -> bool:
    """Whether the claim states as fact a forecast or view that its cited sentence holds as
    one, without saying whose: "Shipments would fall" from an analyst's "shipments would
    fall". A sentence that names its own speaker ("..., the ministry said") may be stated
    with that speaker, which the checker then requires of the claim like any name."""
    if not VIEW.search(cited) or ATTRIBUTED.search(cited):
        return False
    return not (split_attribution(claim, sources) or ATTRIBUTED.search(claim))


def added_view(claim: str, cited: str) -> bool:
    """Whether the claim hedges or forecasts where its cited sentences do neither: "The rule
    will likely raise costs" from "The rule raises compliance duties"."""
    return bool(VIEW.search(claim)) and not VIEW.search(cited)


# A ranking of what is reported: "the most consequential development", "the biggest blow".
# The model adds one where its sentences make none (it echoes its own instruction to lead
# with the most consequential development); a sentence that ranks says so in its own words.
_RANKING = re.compile(
    r"\bthe\s+(?:(?:most|least)\s+(?!of\b|recent\b|recently\b|likely\b)(?P<adj>[a-z]+)|"
    r"(?P<est>biggest|largest|greatest|clearest|strongest|toughest|sharpest|broadest|widest|"
    r"harshest|heaviest|gravest|worst|best))\b",
    re.IGNORECASE,
)


def added_ranking(claim: str, cited: str) -> str:
    """The ranking the claim adds to its cited sentences ("most consequential"), or "" when
    it adds none: a superlative whose word the sentences do not use."""
    for m in _RANKING.finditer(claim):
        word = m["adj"] or m["est"]
        if not re.search(rf"\b{re.escape(word)}\b", cited, re.IGNORECASE):
            return f"most {word.lower()}" if m["adj"] else word.lower()
    return ""


def _key(name: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", name.lower()).split()).removeprefix("the ")


def split_attribution(text: str, sources: Iterable[str]) -> tuple[str, str] | None:
    """(who, what) when ``text`` opens by naming one of ``sources`` (publishers, authors) as
    the holder of what follows; None otherwise."""
    names = [s.strip() for s in sources if s and s.strip()]
    known = {_key(s) for s in names}
    # A source's name with a comma in it ("Ministry of Investment, Trade and Industry (MITI),
    # Malaysia"), which the pattern would cut at its first comma.
    for name in sorted(names, key=len, reverse=True):
        m = re.match(rf"\s*according\s+to\s+(?:the\s+)?{re.escape(name)},\s+", text, re.I)
        rest = text[m.end() :].strip() if m else ""
        if "," in name and len(rest.split()) >= 3:
            return name, rest[0].upper() + rest[1:]
    for pattern in (_ACCORDING, _SAYS):
        m = pattern.match(text)
        if m and _key(m["who"]) in known:
            rest = text[m.end() :].strip()
            # "X says it is a civilian company": what X says of itself.
            if pattern is _SAYS and rest.startswith("it "):
                rest = f"{m['who'].strip()} {rest[3:]}"
            if len(rest.split()) >= 3:
                return m["who"].strip(), rest[0].upper() + rest[1:]
    return None


# "..., according to Chinese state media." or "According to customs data, ...": whom the
# sentence has what it states from.
_REPORTED_BY = re.compile(
    r"(?:^|[,;]\s*|\s[—–-]\s*)according\s+to\s+"
    r"(?P<who>(?:[^,.;:()“”\"]|\.(?=\w)){2,60}?)\s*(?P<end>[,;]|\.(?!\w)|$)",
    re.IGNORECASE,
)
# A party named only by a description ("the ministry", "its filing", "them"): most often the
# document's own publisher or one named before, whom the claim's name says better.
_DESCRIBED = re.compile(
    r"^(?:(?:the|a|an|one|some|this|that|these|those|its|their|our|his|her)\s+[^A-Z]*"
    r"|it|them|him|her|us|me)$"
)  # case matters: a capital after "the" is a name ("the Financial Times")


def reported_by(sentence: str) -> str:
    """Whom ``sentence`` says it has its content from: "Chinese state media" for "The plant
    will package 120,000 stacks a month, according to Chinese state media."; "" when it
    names no one that way, or only by a description ("according to the ministry")."""
    m = _REPORTED_BY.search(sentence)
    who = m["who"].strip() if m else ""
    # Cut at the full stop of an abbreviation ("the U.S. Commerce Department", "Dr. Li"): the
    # name is longer than what was found.
    if m and m["end"] == "." and ends_on_abbreviation(who):
        return ""
    return "" if not who or _DESCRIBED.match(who[:1].lower() + who[1:]) else who


def second_hand(who: str, sentences: Iterable[str]) -> str:
    """The party every one of ``sentences`` has its content from, when that is not ``who``:
    a claim "According to <who>, ..." drawn from them gives <who> what <who> only reports.
    "" when any sentence states it first hand, or they name different parties."""
    found = {reported_by(s) for s in sentences}
    if len(found) != 1:
        return ""
    other = found.pop()
    return "" if not other or f" {_key(who)} " in f" {_key(other)} " else other
