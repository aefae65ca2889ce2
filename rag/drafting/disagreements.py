"""Finding where sources disagree on a figure or a date, without asking the model.

A small model rarely notices that one report says "31 U.S. companies" and another "28 American
firms". This compares the passages of a briefing's evidence pairwise: two passages from
different documents that are about the same thing (close embeddings) and give different
counts of the same kind of thing, or different dates for something taking effect, are a
candidate disagreement. The drafting engine shows the candidates to the model and, where the
model does not write them up, states them itself, quoting and citing both sides.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rag.core.types import Hit
from rag.core.vocabulary import CAPITALISED_WORD, MONTHS, WEEKDAYS
from rag.reading.readers.dates import normalize_date

SAME_SUBJECT_MIN = 0.45  # cosine between two passages for them to be about the same event

# "14 entities" usually means the U.S. Entity List, a different count from "31 companies"
# (``fact_disagreements`` compares them only for one listing on one day).
_ORG_NOUNS = "companies|company|firms|firm|businesses|organisations|organizations"
_COUNT = re.compile(
    r"(?<![\w.,])(?P<n>\d{1,3}(?:,\d{3})*|\d+)\s+"
    r"(?P<adj>(?:(?:U\.S\.|US|American|Chinese|foreign|further|more|new|other|Western|"
    r"Japanese|Korean|European)\s+){0,2})"
    rf"(?P<noun>{_ORG_NOUNS}|entities|countries|models|chips|accelerators|days|weeks|months)\b",
    re.IGNORECASE,
)
_MONTHS = "|".join(MONTHS)
_DATE = rf"(?:\d{{1,2}}\s+(?:{_MONTHS})(?:\s+\d{{4}})?|(?:{_MONTHS})\s+\d{{1,2}}(?:,?\s+\d{{4}})?)"
_EFFECTIVE = re.compile(
    rf"(?:tak(?:e|es|ing)\s+effect|took\s+effect|(?:became|becomes|become)\s+effective|"
    rf"effective|in\s+force|enter(?:s|ed)?\s+into\s+force)\s+(?:on\s+|from\s+|as\s+of\s+)?"
    rf"(?P<date>{_DATE})",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Disagreement:
    """Two passages of different documents that give different values for one thing."""

    what: str  # e.g. "how many companies", "when it took effect"
    first: Hit
    second: Hit
    first_says: str  # the phrase as written, e.g. "31 U.S. companies"
    second_says: str

    def claim_text(self) -> str:
        return (
            f"Sources disagree on {self.what}: one gives “{self.first_says}”, "
            f"another “{self.second_says}”."
        )


# Names too common in this field to show that two passages are about the same event.
_COMMON_NAMES = frozenset(
    """China Chinese Beijing Washington America American Americans United States Commerce
    Department Ministry Trump Administration White House Congress Asia Asian Europe European
    Japan Japanese Korea Korean Taiwan Silicon Valley BriefDesk This That These Those There
    They Their What When Where""".split()
) | {*MONTHS, *WEEKDAYS}
# A name not at the start of a sentence; a distinctive one has four or more letters, digits,
# ampersands or hyphens once a possessive is dropped ("Huawei's" is Huawei).
_NAME = re.compile(rf"(?<![.!?]\s)(?<!^){CAPITALISED_WORD}")
_DISTINCTIVE = re.compile(r"[A-Za-z0-9&-]{4,}")
_POSSESSIVE = re.compile(r"['’]s$")


def _names(text: str) -> set[str]:
    words = (_POSSESSIVE.sub("", m.group(0)) for m in _NAME.finditer(text))
    return {w for w in words if _DISTINCTIVE.fullmatch(w)} - _COMMON_NAMES


def _noun_class(noun: str) -> str:
    noun = noun.lower()
    return "companies" if re.fullmatch(_ORG_NOUNS, noun) else noun.rstrip("s")


def _counts(text: str) -> dict[str, dict[int, str]]:
    """noun class -> {number: phrase as written}."""
    out: dict[str, dict[int, str]] = {}
    for m in _COUNT.finditer(" ".join(text.split())):
        n = int(m["n"].replace(",", ""))
        out.setdefault(_noun_class(m["noun"]), {})[n] = m.group(0)
    return out


def _effective_dates(text: str) -> dict[str, str]:
    """ISO date -> phrase as written, for things said to take effect."""
    out = {}
    for m in _EFFECTIVE.finditer(" ".join(text.split())):
        iso = normalize_date(m["date"])
        if iso:
            out[iso[5:] if len(iso) == 10 and not re.search(r"\d{4}", m["date"]) else iso] = (
                m.group(0)
            )
    return out


def find_disagreements(
    hits: Sequence[Hit], vectors: dict[str, np.ndarray], limit: int = 6
) -> list[Disagreement]:
    """Candidate disagreements among ``hits``, most similar pairs (likeliest same event) first.

    A passage that itself gives both values (e.g. "28 on one list and 3 on another, 31 in
    all") reconciles them, so a pair counts only if neither passage holds the other's value.
    """
    facts = [(h, _counts(h.passage.text), _effective_dates(h.passage.text)) for h in hits]
    names = {h.passage.id: _names(h.passage.text) for h in hits}
    found: list[tuple[float, Disagreement]] = []
    seen: set[tuple[str, frozenset[object]]] = set()  # one entry per pair of values
    for i, (a, a_counts, a_dates) in enumerate(facts):
        for b, b_counts, b_dates in facts[i + 1 :]:
            if a.document.id == b.document.id:
                continue
            va, vb = vectors.get(a.passage.id), vectors.get(b.passage.id)
            if va is None or vb is None:
                continue
            closeness = float(np.dot(va, vb))
            # Same subject (close embeddings) and a distinctive name in common (the company,
            # the model, the rule): otherwise two reports of different events can look alike.
            if closeness < SAME_SUBJECT_MIN or not names[a.passage.id] & names[b.passage.id]:
                continue
            for noun in a_counts.keys() & b_counts.keys():
                only_a = set(a_counts[noun]) - set(b_counts[noun])
                only_b = set(b_counts[noun]) - set(a_counts[noun])
                if only_a and only_b and len(a_counts[noun]) == 1 and len(b_counts[noun]) == 1:
                    (na,), (nb,) = only_a, only_b
                    key = (f"how many {noun}", frozenset((na, nb)))
                    if key not in seen:
                        seen.add(key)
                        found.append((closeness, Disagreement(
                            f"how many {noun}", a, b, a_counts[noun][na], b_counts[noun][nb]
                        )))  # fmt: skip
            if len(a_dates) == 1 and len(b_dates) == 1 and a_dates.keys() != b_dates.keys():
                key = ("when it takes effect", frozenset((*a_dates, *b_dates)))
                if key not in seen:
                    seen.add(key)
                    found.append((closeness, Disagreement(
                        "when it takes effect", a, b,
                        next(iter(a_dates.values())), next(iter(b_dates.values())),
                    )))  # fmt: skip
    found.sort(key=lambda pair: -pair[0])
    return [d for _, d in found[:limit]]
