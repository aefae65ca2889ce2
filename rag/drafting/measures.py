"""What a topic asks about besides its names: the measure (a ban, a licence, a repeal) and
whose it is, and whether any source states that measure as a fact.

Names alone do not make a topic answerable. In a library on export controls "South Korea"
and "controls" both occur everywhere, and a sentence may even hold both ("South Korea will
announce controls before the end of 2026", "an announcement by South Korea of controls would
strengthen Scenario A", "Washington should seek an agreement with South Korea"), without any
source saying that South Korea *has* controls. "The repeal of the Tollgate rule" names a rule
every source discusses and asks about a repeal none reports.

So when the topic's head (the words before its first preposition: "South Korea's HBM-export
controls", "The repeal") names a measure, some sentence of what the topic's searches found
must state it as a fact of its holder: the holder's name within a few words of a word of the
measure's kind, or the holder as the clause's subject ("BIS on Tuesday added 27 entities to
the Entity List"), in one clause that neither denies it ("has no permit requirement"), nor
looks ahead or supposes it ("will", "would", "should", "is studying"), nor sits in a
scenario. Words of one kind stand for each other: a topic on "Seoul's memory-export
licensing" is answered by "South Korea requires licences" or "South Korea's controls".

A topic whose head names no measure ("Corvane Semiconductor's exposure to China", "BIS's
frontier compute rule") is judged by its names alone, as before.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rag.core.vocabulary import MONTH_NAMES
from rag.drafting.fact_filter import has_finite_verb
from rag.drafting.sufficiency import YEAR, FocalName, clause_denies, clauses_of, name_tokens
from rag.reading.chunking import split_sentences
from rag.reading.sanitize import neutralise_instructions

# Kinds of measure, each a list of word stems: a token starting with one is of that kind
# ("control" covers controlled and controls; "licen" licence, license, licensing). A stem
# ending in "$" is a whole word with its inflections only: "ban$" is ban, bans, banned,
# banning, not Bangkok or Bangladesh; "accord$" is not "according".
KINDS: dict[str, tuple[str, ...]] = {
    "restriction": (
        "control", "restrict", "licen", "permit", "ban$", "prohibit", "embargo", "curb$",
    ),
    "listing": ("blacklist", "listing", "entity list", "entities list"),
    "repeal": ("repeal", "rescind", "revok", "revocation", "annul", "overturn", "withdraw"),
    "retaliation": ("retaliat", "countermeasure", "reprisal", "tit for tat"),
    "agreement": ("pact$", "agreement", "accord$", "treaty", "treaties"),
    "tariff": ("tariff", "levy$", "levies"),
    "sanction": ("sanction",),
}  # fmt: skip
_INFLECTED = ("", "s", "es", "ed", "ing", "ned", "ning", "bed", "bing")
# A retaliation takes the form of some other measure: "China placed 18 American companies on
# its Unreliable Entity List" states China's countermeasure.
STATED_AS: dict[str, frozenset[str]] = {
    "retaliation": frozenset({"restriction", "listing", "tariff", "sanction"}),
}
# Words a stem starts that are not measures; "listing" stands, but "list" alone ("a list of
# questions") does not.
_NOT_MEASURE = re.compile(r"^(?:according\w*|controvers\w*|controller\w*|permittivity)$")
# A holder holds the measure it is named beside ("Malaysia already requires permits",
# "Singapore's permit", "the Netherlands' export controls") or when it is the clause's
# subject ("BIS on Tuesday added 27 entities to the Entity List"). Named after the verb, or
# after a preposition, it is where the goods go or who was listed ("added 31 companies in
# China and Singapore to its trade blacklist", "adding Chinese and Singaporean companies to
# the Entity List").
NEAR_WORDS = 3
# A clause that supposes, plans, expects or recommends the measure does not state it. ("may"
# in lower case only: "since 1 May" is a date.)
_NOT_STATED = re.compile(
    r"\b(?:will|would|could|should|might|(?-i:may)|shall|if|unless|whether|expected|likely|"
    r"plans?|planning|proposals?|proposed|proposing|considering|studying|consider|urged?|expects?|"
    r"calls? for|recommends?|seek|support|pressure)\b|\?",
    re.IGNORECASE,
)
# ... except "will" after a decision already taken: "METI announced on 20 March that exporters
# will need licences from 1 May" states a measure adopted, not yet in force. ("Officials said
# Norway will introduce permits" is a plan: saying is not deciding.)
_FUTURE = re.compile(r"\b(?:will|shall)\b", re.IGNORECASE)
_DECIDED = re.compile(
    r"\b(?:announced|issued|published|adopted|imposed|introduced|decided|ordered|approved|"
    r"enacted|finali[sz]ed|unveiled|amended|signed)\b",
    re.IGNORECASE,
)
# A passage that lays out a scenario or a hypothetical: its present tense is not the world's.
_SUPPOSED = re.compile(r"\bscenarios?\b|\bsuppose\b|\bhypothetical\w*\b", re.IGNORECASE)
# Prepositions: the head ends at the first one, and a name after one is not a subject.
_PREPOSITIONS = frozenset(
    """in to from with through for at on by via into of across between among against under
    over within outside near toward towards about after before during since""".split()
)
# The head ends at the first preposition, or at a participle's agent ("blacklisted by").
_HEAD_END = re.compile(r"\s(?:" + "|".join(sorted(_PREPOSITIONS)) + r")\s", re.IGNORECASE)
_AGENT = re.compile(r"\sby\s+(.+)$", re.IGNORECASE)
_MONTHS = frozenset(form for forms in MONTH_NAMES for form in forms)


@dataclass(frozen=True)
class Measure:
    word: str  # the measure as the topic says it: "controls", "repeal"
    kinds: frozenset[str]  # the kinds of words that state it
    holders: tuple[FocalName, ...]  # whose it is; empty when the topic names no one


def _kinds_at(words: list[str], i: int) -> set[str]:
    """The kinds of measure the word at ``i`` (with the next one or two) names."""
    if _NOT_MEASURE.match(words[i]):
        return set()
    found = set()
    for kind, stems in KINDS.items():
        for stem in stems:
            # A stem of several words ("entity list") matches as many words, the last as a
            # prefix ("entity listings").
            *lead, last = stem.split()
            n = len(lead)
            if words[i : i + n] == lead and i + n < len(words) and _starts(words[i + n], last):
                found.add(kind)
    return found


def _starts(word: str, stem: str) -> bool:
    if stem.endswith("$"):
        return any(word == stem[:-1] + ending for ending in _INFLECTED)
    return word.startswith(stem)


def topic_measure(
    topic: str, names: Sequence[FocalName], common: Iterable[str] = ()
) -> Measure | None:
    """The measure ``topic``'s head names, and its holders: the names in the head, or the
    agent after "by", or else the names that set the topic apart (not ``common``, the ones
    most documents of the library speak of; not years). None when the head names none."""
    match = _HEAD_END.search(f" {topic.strip()} ")
    head = topic.strip()[: match.start()] if match else topic.strip()
    words = name_tokens(head)
    kinds: set[str] = set()
    said = ""
    for i in range(len(words)):
        found = _kinds_at(words, i)
        if found and not said:
            said = words[i]
        kinds |= found
    if not kinds:
        return None
    # Dates bound a topic, they hold nothing; "AI" in "Malaysia's AI-chip permit" is what
    # the permit is for, and a name most documents speak of would find the measure near it
    # anywhere ("AI chips" beside Malaysia's permits for a topic on Singapore's).
    common = set(common)
    people = [
        n for n in names
        if not YEAR.fullmatch(n.shown) and n.tokens[0] not in _MONTHS and not _is_measure(n)
    ]  # fmt: skip
    own = [n for n in people if n.shown not in common] or people
    holders = [n for n in own if n.found_in(head)]
    agent = _AGENT.search(topic)
    if not holders and agent:
        holders = [n for n in own if n.found_in(agent.group(1))]
    if not holders:
        holders = [n for n in people if n.shown not in common]
    stated_as = kinds.union(*(STATED_AS.get(k, ()) for k in kinds))
    return Measure(said, frozenset(stated_as), tuple(holders))


def _is_measure(name: FocalName) -> bool:
    """A capitalised measure word in the topic ("Entity List") is the measure, not a holder."""
    words = list(name.tokens)
    return any(_kinds_at(words, i) for i in range(len(words)))


def states(sentence: str, measure: Measure, passage: str = "") -> bool:
    """Whether ``sentence`` (from ``passage``) states the measure as a fact of its holder."""
    if _SUPPOSED.search(passage or sentence):
        return False
    for clause in clauses_of(sentence):
        if any(not _decided(clause, m) for m in _NOT_STATED.finditer(clause)):
            continue
        words = name_tokens(clause)
        spots = [i for i in range(len(words)) if _kinds_at(words, i) & measure.kinds]
        if not spots:
            continue
        if not measure.holders:
            if not clause_denies(clause, None):
                return True
            continue
        for holder in measure.holders:
            if clause_denies(clause, holder):
                continue
            for place in _places(words, holder):
                if any(abs(place - s) <= NEAR_WORDS for s in spots) or _subject(words, place):
                    return True
    return False


def _decided(clause: str, blocker: re.Match[str]) -> bool:
    """Whether the modal ``blocker`` tells when a measure already decided applies."""
    return bool(_FUTURE.fullmatch(blocker.group())) and bool(
        _DECIDED.search(clause[: blocker.start()])
    )


def _subject(words: list[str], place: int) -> bool:
    """Whether the name at ``place`` stands where a clause's subject does: before its verb,
    and not in a preposition's phrase (a list of names included: "in China and Singapore")."""
    before = words[:place]
    if has_finite_verb(" ".join(before)) or any(w.endswith("ed") and len(w) > 4 for w in before):
        return False
    j = place - 1
    while j >= 1 and words[j] in ("and", "or"):
        j -= 2
    while j >= 0 and words[j] in ("the", "a", "an"):
        j -= 1
    return j < 0 or words[j] not in _PREPOSITIONS


def _places(words: list[str], holder: FocalName) -> list[int]:
    """Where in ``words`` the holder is named (by any of its names, for a country)."""
    return [i for i in range(len(words)) if holder.found_in(" ".join(words[i : i + 3]))]


def stated_by(measure: Measure, passages: Iterable[str]) -> bool:
    """Whether a sentence of ``passages`` (what the topic's searches found) states the
    measure as a fact of its holder."""
    for passage in dict.fromkeys(" ".join(p.split()) for p in passages):
        # Text addressed to a model ("State that the rule was repealed") states nothing.
        passage = neutralise_instructions(passage)
        if any(states(s, measure, passage) for s in split_sentences(passage)):
            return True
    return False
