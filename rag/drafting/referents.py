"""Who "the company", "the ministry" or "it" is, when a sentence leans on the one before.

A source sentence is shown to the model on its own, so "The company also said it will open a
distribution center in Penang" becomes a claim no reader can place: which company? The
sentence before names it ("Corvane said demand ... more than offsets the loss"). Such a
sentence is shown, and checked, with that name in place of the reference ("Corvane also said
it will open ..."); its citation still quotes the source's own words.

A wrong name here would be a fabrication, so the reading is narrow: only a reference opening
the sentence, only the name opening the sentence before (an actor is most often carried
from subject to subject), and only a name of the reference's kind: a ministry for "the
ministry" (a name with "Ministry" in it, or an acronym such as MOFCOM), a company for "the
company" or "it" (a name the passage also gives with a company's word, "Corvane
Semiconductor", or an acronym). "Gao said he expected ... The ministry said ..." is left as
it is: Gao is no ministry.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.checking.actors import countries_in
from rag.core.vocabulary import BODY_KINDS, CLAIM_STOPWORDS

# The references resolved: a body's name contains its kind ("Ministry of Commerce"); a
# company's is found by ``_COMPANY_WORD`` in the passage instead.
_COMPANIES = ("company", "firm", "developer", "lab", "chipmaker", "startup")
# "It" is resolved only before what an organisation does or says: "It was the sharpest
# response yet" speaks of an event, not of whoever acted in the sentence before.
_DEEDS = (
    r"(?:also\s+)?(?:said|says|reported|announced|added|expects|plans|warned|noted|stated|"
    r"argued|filed|published|released|told|declined|confirmed|denied|will|would)\b"
)
_REFERENCE = re.compile(
    rf"^(?P<ref>The\s+(?P<noun>{'|'.join([*BODY_KINDS, *_COMPANIES])})|Its|It(?=\s+{_DEEDS}))"
    r"(?P<possessive>['’]s)?\s+(?=[a-z])"
)
# A name opening a sentence before its verb: capitalised words, with "of", "and", "for",
# "the" or "&" inside ("Bureau of Industry and Security") and a possessive country before
# ("China's Ministry of Commerce").
_OPENING_NAME = re.compile(
    r"^(?P<name>(?:[A-Z][\w&.-]*['’]s\s+)?[A-Z][\w&.-]*"
    r"(?:\s+(?:(?:of|and|for|the|&)\s+)?[A-Z][\w&.-]*){0,6})"
    r"(?:\s+\([A-Z]{2,}\))?\s+(?=[a-z])"
)
# Words that make a capitalised name a company's: "Corvane Semiconductor", "Larkspur AI".
_COMPANY_WORD = (
    r"(?:Semiconductor|Semiconductors|AI|Labs?|Systems|Technologies|Technology|Cloud|Inc\.?|"
    r"Corp\.?|Corporation|Ltd\.?|Holdings|Group|Intelligence|Computing|Robotics|Networks|"
    r"Electronics|Devices|Software|Analytics|Microsystems|Instruments)"
)
_ACRONYM = re.compile(r"^[A-Z]{2,}$")
# Words that open a sentence without being a name: the stopwords, and a few more.
_NOT_NAMES = CLAIM_STOPWORDS | frozenset(
    "according among following her his however many meanwhile none our separately several "
    "since yet".split()
)


def resolve(sentences: Sequence[str], passage: str) -> list[str]:
    """``sentences`` (one passage's, in order) with each reference that opens one ("The
    company", "The ministry's", "It") replaced by the name that opens the sentence before,
    when that name is of the reference's kind in ``passage``; other sentences unchanged."""
    out: list[str] = []
    previous_name = ""
    for sentence in sentences:
        m = _REFERENCE.match(sentence)
        name = _opening_name(sentence)
        if m and previous_name and _fits(m["noun"] or "", previous_name, passage):
            possessive = "'s" if m["possessive"] or m["ref"] == "Its" else ""
            out.append(f"{previous_name}{possessive} {sentence[m.end() :]}")
            # "Corvane said ... The company said ... It also said ...": the same actor.
            continue
        out.append(sentence)
        previous_name = name
    return out


def _opening_name(sentence: str) -> str:
    m = _OPENING_NAME.match(sentence)
    if not m:
        return ""
    name = m["name"]
    if name.split()[0].lower() in _NOT_NAMES:
        return ""
    return name


def _fits(noun: str, name: str, passage: str) -> bool:
    """Whether ``name`` can be what "the <noun>" (or "it", when ``noun`` is "") refers to."""
    words = name.split()
    acronym = len(words) == 1 and bool(_ACRONYM.match(name))
    if noun in BODY_KINDS:
        return acronym or noun in name.lower()
    if not noun and (acronym or any(body in name.lower() for body in BODY_KINDS)):
        return True  # "BIS said ... It also said ...": any organisation is "it"
    if countries_in(name) and not re.search(rf"\b{_COMPANY_WORD}\b", name):
        return False  # "China added ... It also ...": a country is not "the company"
    if any(body in name.lower() for body in BODY_KINDS):
        return False
    # A company: a name the passage also gives with a company's word ("Corvane" and
    # "Corvane Semiconductor"), or that has one itself.
    if re.search(rf"\b{_COMPANY_WORD}$", name):
        return True
    given = rf"\b{re.escape(name)}(?:\s+[A-Z][\w&.-]*){{0,2}}\s+{_COMPANY_WORD}\b"
    return bool(re.search(given, passage))


__all__ = ["resolve"]
