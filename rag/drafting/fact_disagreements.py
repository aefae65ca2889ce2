"""Where facts disagree: different counts or dates for the same event, in the same unit.

Two facts disagree when they come from different documents, are about the same event (their
sentences are close in meaning and name the same distinctive thing), and each gives exactly
one count of the same kind of thing ("31 U.S. companies" against "28 American firms"), or one
date for something taking effect, and the values differ. Figures in different units ("14
entities" against "31 companies") or from sentences about different things ("5 countries"
in one context, "40 countries" in another) are never compared, except entries and companies
added to a list on the one day both sentences give: one listing, counted two ways. The
phrases quoted are whole matches of the patterns, so a word is never cut.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rag.checking.checker import content_words
from rag.drafting.disagreements import _counts, _effective_dates, _names, _noun_class
from rag.drafting.event_dates import event_dates
from rag.drafting.facts import Fact, SourceSentence
from rag.drafting.repeats import other_dates

SAME_EVENT_MIN = 0.55  # cosine between the two sentences, with a name or words in common
SAME_EVENT_ALONE = 0.75  # cosine at which two sentences report one event whatever the words
SHARED_WORDS_MIN = 0.3  # without a distinctive name in common, this much word overlap
# Dates of something taking effect: the sentences may be short ("The rule became effective
# on 16 March."), so their passages must be about the same thing, and the words before the
# date must share the subject ("the rule").
SAME_CONTEXT_MIN = 0.5
_BARE_NUMBER = re.compile(r"(?<![\w.])\d{1,3}(?:,\d{3})*(?![\w])")
# Adding to a list: "BIS on March 3 added 27 entities to the Entity List" and "The United
# States on March 3 added 31 companies ... to its trade blacklist" count one listing, the
# entries and the companies behind them (aliases, addresses). Different words, so their
# meanings are far apart (MiniLM 0.36), but one day and one act.
_LISTING = re.compile(
    r"\b(?:add(?:s|ed)?|plac(?:es|ed)|list(?:s|ed)|blacklist(?:s|ed)|designat(?:es|ed))\b",
    re.IGNORECASE,
)
_LISTED_UNITS = ("companies", "entitie")  # ``_counts`` noun classes of what a list holds
# A sentence that accounts for a figure: "a figure of 31, which appears to count aliases".
# (One that gives both figures accounts for them too: "31 U.S. companies in total, but only
# 28 were placed on the list".)
_ACCOUNTS = re.compile(
    r"\b(?:appears? to|because|count(?:s|ed|ing)?|differ\w*|alias\w*)\b", re.IGNORECASE
)
EXPLAINS_MIN = 0.3  # cosine between the account and one side of the disagreement


@dataclass(frozen=True)
class FactDisagreement:
    what: str  # "how many companies", "when it takes effect"
    first: Fact
    second: Fact
    first_says: str  # the phrase as written
    second_says: str
    closeness: float

    def claim_text(self) -> str:
        a, b = _who(self.first.members[0]), _who(self.second.members[0])
        if not (a and b) or a == b:
            # A title is no subject for "reports" (it read as a headline quoting a figure),
            # and one name twice says nothing: the citations say which source is which.
            a, b = "one source", "another"
        return (
            f"Sources disagree on {self.what}: {a} reports “{self.first_says}”, "
            f"{b} “{self.second_says}”."
        )


def _who(sentence: SourceSentence) -> str:
    """Who stands behind the sentence, by name: its publisher or author, else nothing."""
    doc = sentence.hit.document
    return doc.publisher or doc.author


def _days(fact: Fact) -> set[str]:
    """The full dates (day, month, year) the fact's sentence puts its event on."""
    first = fact.members[0]
    return {d for d in event_dates(fact.text, first.hit.document.published) if len(d) == 10}


def _listing_day(fact: Fact, counts: dict[str, dict[int, str]]) -> str | None:
    """The one full date on which the fact adds to a list what it counts, or None."""
    if not (_LISTING.search(fact.text) and any(u in counts for u in _LISTED_UNITS)):
        return None
    days = _days(fact)
    return next(iter(days)) if len(days) == 1 else None


def _listed(counts: dict[str, dict[int, str]]) -> dict[str, dict[int, str]]:
    """Entries and companies of one listing as one count ("how many were listed")."""
    merged: dict[int, str] = {}
    for unit in _LISTED_UNITS:
        merged.update(counts.get(unit, {}))
    rest = {k: v for k, v in counts.items() if k not in _LISTED_UNITS}
    return {**rest, "were listed": merged} if merged else rest


def _same_event(a: Fact, b: Fact) -> float | None:
    # Two reports dated to different days tell two events, however alike their words: "the
    # United States on March 3 added 31 companies" and "China on March 12 added 18 U.S.
    # companies" are a blacklist and the answer to it, not two counts of one.
    da, db = _days(a), _days(b)
    if da and db and not da & db:
        return None
    closeness = float(np.dot(a.vector, b.vector))
    if closeness >= SAME_EVENT_ALONE:
        return closeness
    if closeness < SAME_EVENT_MIN:
        return None
    if _names(a.text) & _names(b.text):
        return closeness
    wa, wb = content_words(a.text), content_words(b.text)
    if len(wa & wb) / max(1, len(wa | wb)) >= SHARED_WORDS_MIN:
        return closeness
    return None


def _numbers(text: str) -> set[int]:
    return {int(m.group(0).replace(",", "")) for m in _BARE_NUMBER.finditer(text)}


def _subject(sentence: str, phrase: str) -> set[str]:
    before = sentence.split(phrase, 1)[0].split()[-6:]
    return content_words(" ".join(before))


def _same_thing_takes_effect(
    a: Fact, b: Fact, a_says: str, b_says: str, passage_vecs: dict[str, np.ndarray]
) -> float | None:
    va, vb = passage_vecs.get(a.members[0].passage_id), passage_vecs.get(b.members[0].passage_id)
    closeness = max(
        float(np.dot(a.vector, b.vector)),
        float(np.dot(va, vb)) if va is not None and vb is not None else 0.0,
    )
    if closeness < SAME_CONTEXT_MIN:
        return None
    if not _subject(a.text, a_says) & _subject(b.text, b_says):
        return None
    # "The rule takes effect on ..." in two alerts on two rules: each passage dates its rule
    # otherwise (issued on September 15, 2025; signed on January 12, 2026) and no such date
    # agrees, so "the rule" is two rules. Two reports of one rule share its date of issue
    # ("published on 2 March by BIS" in both), and a passage with no other date says nothing.
    if other_dates(_around(a, a_says), _around(b, b_says)):
        return None
    return closeness


def _around(fact: Fact, says: str) -> str:
    """The passage of the fact's first sentence, without the date phrase compared."""
    return " ".join(fact.members[0].hit.passage.text.split()).replace(says, " ")


def find_fact_disagreements(
    facts: Sequence[Fact], limit: int = 6, passage_vecs: dict[str, np.ndarray] | None = None
) -> list[FactDisagreement]:
    """Disagreements among ``facts``, likeliest same event first, each pair of values once."""
    passage_vecs = passage_vecs or {}
    counts = {f.id: _counts(f.text) for f in facts}
    # Once a fact, not once a pair: the pairs of a briefing's facts run to tens of thousands.
    listing_day = {f.id: _listing_day(f, counts[f.id]) for f in facts}
    # In the source's own words: a date is quoted as the source gives it, and a weekday
    # written out as a date ("takes effect on Monday") is never set against a stated one.
    dates = {f.id: _effective_dates(f.members[0].cited) for f in facts}
    passage_text = {
        f.id: " ".join(" ".join(m.hit.passage.text.split()) for m in f.members) for f in facts
    }
    docs = {f.id: {m.doc_id for m in f.members} for f in facts}
    found: list[FactDisagreement] = []
    seen: set[tuple[str, frozenset[object]]] = set()
    for i, a in enumerate(facts):
        for b in facts[i + 1 :]:
            if docs[a.id] & docs[b.id]:
                continue
            da, db = dates[a.id], dates[b.id]
            if len(da) == 1 and len(db) == 1 and da.keys() != db.keys():
                a_says, b_says = next(iter(da.values())), next(iter(db.values()))
                key = ("when it takes effect", frozenset((*da, *db)))
                near = _same_thing_takes_effect(a, b, a_says, b_says, passage_vecs)
                if near is not None and key not in seen:
                    seen.add(key)
                    found.append(FactDisagreement(key[0], a, b, a_says, b_says, near))
            listing = listing_day[a.id] is not None and listing_day[a.id] == listing_day[b.id]
            ka, kb = counts[a.id], counts[b.id]
            if listing:
                ka, kb = _listed(ka), _listed(kb)
            nouns = ka.keys() & kb.keys()
            # Most facts count nothing: whether two tell one event is asked only of those
            # that count the same thing (the test reads dates and names: the drafting
            # thread's longest pause for the window, over every pair of a briefing's facts).
            if not nouns:
                continue
            closeness = float(np.dot(a.vector, b.vector)) if listing else _same_event(a, b)
            if closeness is None:
                continue
            for noun in nouns:
                ca, cb = ka[noun], kb[noun]
                if len(ca) != 1 or len(cb) != 1 or ca.keys() == cb.keys():
                    continue
                (na, pa), (nb, pb) = next(iter(ca.items())), next(iter(cb.items()))
                # A passage that gives both values reconciles them ("31 in total, but only
                # 28 were listed"): not a disagreement.
                if nb in _numbers(passage_text[a.id]) or na in _numbers(passage_text[b.id]):
                    continue
                # "27 entities" against "31 companies" is a count of what was listed; two
                # counts of companies stay "how many companies", however they were paired.
                units = {_noun_class(p.split()[-1]) for p in (pa, pb)}
                what = "how many were listed" if len(units) > 1 else f"how many {units.pop()}"
                key = (what, frozenset((na, nb)))
                if key not in seen:
                    seen.add(key)
                    found.append(FactDisagreement(key[0], a, b, pa, pb, closeness))
    found.sort(key=lambda d: -d.closeness)
    return found[:limit]


def explanation(d: FactDisagreement, facts: Sequence[Fact]) -> Fact | None:
    """The sentence of the evidence that accounts for a count's disagreement, if one does:
    it gives one of the two figures and says why or of what ("Some press reports have given a
    figure of 31, which appears to count aliases"). The analyst needs the reason more than
    the two numbers; None for dates, and when no sentence accounts for the figures."""
    if not d.what.startswith("how many"):
        return None
    values = {n for phrase in (d.first_says, d.second_says) for n in _numbers(phrase)}
    best: tuple[float, Fact] | None = None
    for fact in facts:
        if fact.id in (d.first.id, d.second.id):
            continue
        text = fact.members[0].cited
        given = _numbers(text) & values
        if not (given == values or (given and _ACCOUNTS.search(text))):
            continue
        near = max(float(np.dot(fact.vector, side.vector)) for side in (d.first, d.second))
        if near >= EXPLAINS_MIN and (best is None or near > best[0]):
            best = (near, fact)
    return best[1] if best else None
