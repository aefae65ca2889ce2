"""Whether the library holds enough evidence to write a section, judged from the facts.

Dense retrieval always returns *something*, and a word of the topic occurring somewhere in
the library proves nothing ("officials from Brazil attended" does not describe Brazil's
permit rule). A section has evidence when facts close in meaning to the topic exist and the
topic's focal names (the capitalised names it asks about) occur with them: in the fact's own
sentence, or in its passage in a sentence that is itself about the topic. A name met only in
sentences about something else is a mention in passing and does not count.

It is the *clause* naming the name that must be about the topic, and it must not deny it:
in "Malaysia requires permits for AI chips, and traders say Vietnam is watching closely" the
sentence is about chip permits but Vietnam's clause is not, and "Singapore has not announced
a similar measure" names Singapore only to say its measure does not exist. Neither makes a
briefing on "Vietnam's (or Singapore's) permit rule" answerable.

Names match however they are inflected: "Kestrel-era" is about Kestrel, "Anthropic's" about
Anthropic, "Brazilian" about Brazil, "Kestrels" about Kestrel.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from rag.checking.actors import countries_in, country_names, is_country_word
from rag.core.types import Document
from rag.core.vocabulary import CLAIM_STOPWORDS
from rag.drafting.facts import Fact
from rag.reading.chunking import split_sentences

# Cosine between a fact (its sentence, or its passage) and the topic for the fact to be about
# the topic. MiniLM puts related sentences around 0.4-0.7 and unrelated ones near 0.
FACT_TOPIC_MIN = 0.35
PASSAGE_TOPIC_MIN = 0.40
# A passage of a document that already grounds the topic (``judge``) is near it above this.
ANCHORED_PASSAGE_MIN = 0.30
ANCHOR_MAX_PASSAGES = 8
# A sentence naming a focal name is about the topic (not a mention in passing) above this.
MENTION_TOPIC_MIN = 0.40
# A name that most of the documents found speak of ("U.S." in a library on U.S. export
# controls) is what the library is about, not a name to look for: it is covered. A name met
# in passing is, by its nature, in few documents.
PERVASIVE_SHARE = 0.5
PERVASIVE_MIN_DOCS = 2

# A control code may start with a digit ("4E091"): the whole code is the name, not "E091".
_CANDIDATE = re.compile(r"(?<!\w)\d*[A-Z][\w’'&.-]*\w\.?|\b(?:19|20)\d\d\b")
_SUFFIXES = ("ians", "ian", "ese", "ans", "an", "es", "s")
_MIN_STEM = 4
_NAME_COMPOUNDS = frozenset(
    "era made led based backed owned linked style designed built related specific funded "
    "sponsored affiliated controlled origin branded produced run aligned".split()
)
_DEMONYM = ("ese", "ian", "ians", "ish")
_TOKEN = re.compile(r"\w+")
YEAR = re.compile(r"(?:19|20)\d\d")
# Where one clause of a sentence ends and another, with its own subject, may begin.
_CLAUSE_BREAK = re.compile(
    r";\s+|,\s+(?:but|and|while|whereas|although|though|yet)\s+|\s+but\s+", re.IGNORECASE
)
# An aside about a name ("Singapore, which is home to ..., has not ...") and the start of a
# relative clause: a negation after the name's own part of the clause ("... needs a license
# that may never come") is not said of the name.
_ASIDE = re.compile(r",\s+(?:which|who|whose|where)\b[^,]*,", re.IGNORECASE)
_RELATIVE = re.compile(r"\s(?:that|which|who)\s", re.IGNORECASE)
# A clause saying that something is not so, or not yet.
_DENIED = re.compile(
    r"\b(?:not|never|no|neither|nor|none|nothing|without)\b|n['’]t\b|\byet to\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class FocalName:
    shown: str  # as the topic spells it, without hyphenated tails and possessives
    tokens: tuple[str, ...]  # lowercase; matched as a sequence of text tokens
    stem: bool  # whether the last token may carry an inflection ("brazil" ~ "brazilian")
    # A country or bloc is named by its name, its adjective or its capital: a topic on
    # "Washington's chip controls" asks about the United States, however a source names it.
    country: str | None = None

    def found_in(self, text: str) -> bool:
        if self.country is not None:
            return self.country in countries_in(text)
        words = name_tokens(text)
        n = len(self.tokens)
        for i in range(len(words) - n + 1):
            if words[i : i + n - 1] != list(self.tokens[:-1]):
                continue
            last, want = words[i + n - 1], self.tokens[-1]
            if last == want or (self.stem and _stem(last) == want):
                return True
        return False


def name_tokens(text: str) -> list[str]:
    # Hyphens and possessives split or vanish: "Kestrel-era" -> kestrel era, "X's" -> x.
    text = re.sub(r"['’]s\b", "", text.replace("-", " "))
    return [t.lower() for t in _TOKEN.findall(text)]


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM:
            word = word[: -len(suffix)]
            break
    # "chin" from Chinese and "china": a trailing vowel is dropped too.
    return word[:-1] if len(word) > _MIN_STEM and word[-1] in "aeiouy" else word


def focal_names(topic: str) -> list[FocalName]:
    """The names ``topic`` asks about: capitalised words after the first (the first only when
    it is an acronym), acronyms anywhere, years. Each hyphenated part is looked at on its
    own, so "the Kestrel-era rule" asks about Kestrel and "pre-Kestrel" too."""
    names: list[FocalName] = []
    seen: set[tuple[str, ...]] = set()
    topic = topic.strip()
    matches = list(_CANDIDATE.finditer(topic))
    # "Corvane Semiconductor's exposure", "Sablewood AI's pact": a first word that begins a
    # run of capitalised words is the start of a name ("Fines for ..." and "The U.S. ..." are
    # not).
    leads_a_name = (
        len(matches) > 1
        and matches[0].start() == 0
        and topic[matches[0].end() : matches[1].start()] == " "
        and matches[0].group().lower() not in CLAIM_STOPWORDS
    )
    for index, match in enumerate(matches):
        raw = re.sub(r"['’]s$", "", match.group())
        parts = raw.split("-")  # "U.S.-China" asks about the U.S. and China
        for k, part in enumerate(parts):
            # "Corvane-made ...", "Tollgate-era ...": a word joined to one that makes names into
            # adjectives is a name even as the topic's first word ("Model-weights" is not).
            compound = k + 1 < len(parts) and parts[k + 1].lower() in _NAME_COMPOUNDS
            part = part.rstrip(".") if part.count(".") <= 1 else part
            if not part or not (part[0].isupper() or part[0].isdigit()):
                continue
            acronym = sum(c.isupper() for c in part) >= 2 or part.isdigit()
            opening = index == 0 and match.start() == 0 and part == parts[0]
            # The first word is capitalised anyway; it is a name only when it shows it:
            # "Brazil's ...", "EU ...", "Chinese ..." (not "Fines for ...").
            named = (
                acronym
                or compound
                or leads_a_name
                or match.group().endswith(("'s", "’s"))
                or part.lower().endswith(_DEMONYM)
            )
            if opening and not named:
                continue
            tokens = tuple(name_tokens(part))
            if not tokens:
                continue
            stem = len(tokens) == 1 and not acronym and len(tokens[0]) > _MIN_STEM
            if stem:
                tokens = (_stem(tokens[0]),)
            countries = countries_in(part) if is_country_word(part) else frozenset()
            country = next(iter(countries)) if len(countries) == 1 else None
            if tokens not in seen:
                seen.add(tokens)
                names.append(FocalName(part, tokens, stem, country))
    return names


@dataclass(frozen=True)
class Judgement:
    grounded: list[Fact]  # facts about the topic that carry its names
    missing_names: list[str]  # focal names no fact about the topic carries
    # The topic ("South Korea's HBM-export controls"), when no source states the measure it
    # asks about as a fact (``measures``).
    unstated: str = ""

    @property
    def sufficient(self) -> bool:
        return bool(self.grounded) and not self.missing_names and not self.unstated


def short(document: Document) -> bool:
    """A notice, release or article rather than a report: all of it is about one thing."""
    return 0 < document.passages <= ANCHOR_MAX_PASSAGES


def _near(fact: Fact, topic_vec: np.ndarray, passage_vecs: dict[str, np.ndarray]) -> bool:
    pvec = passage_vecs.get(fact.members[0].passage_id)
    return pvec is not None and float(np.dot(pvec, topic_vec)) >= ANCHORED_PASSAGE_MIN


def on_topic(fact: Fact, topic_vec: np.ndarray, passage_vecs: dict[str, np.ndarray]) -> bool:
    """Whether the fact is about the topic: its sentence, or its whole passage, is close."""
    if float(np.dot(fact.vector, topic_vec)) >= FACT_TOPIC_MIN:
        return True
    pvec = passage_vecs.get(fact.members[0].passage_id)
    return pvec is not None and float(np.dot(pvec, topic_vec)) >= PASSAGE_TOPIC_MIN


class NameEvidence:
    """Which focal names are carried by which facts, with sentences embedded once."""

    def __init__(self, names: Sequence[FocalName], embed, topic_vec: np.ndarray) -> None:
        self.names = list(names)
        self._embed = embed
        self._topic = topic_vec
        self._about: dict[str, bool] = {}  # clause -> about the topic

    def _about_topic(self, clauses: list[str]) -> None:
        todo = [c for c in dict.fromkeys(clauses) if c not in self._about]
        if todo:
            vecs = self._embed(todo)
            for c, v in zip(todo, vecs, strict=True):
                self._about[c] = float(np.dot(v, self._topic)) >= MENTION_TOPIC_MIN

    def names_of(self, fact: Fact) -> set[str]:
        """Focal names the fact carries: named, and not denied, in a clause about the topic,
        in its own sentence, one of its passage's or its document's title. A name only in a
        clause about something else is in passing."""
        sentences: list[str] = [m.text for m in fact.members]
        for member in fact.members:
            sentences += split_sentences(" ".join(member.hit.passage.text.split()))
            # A document's title says what all of it is about: a notice titled "Japan: ..."
            # grounds its list of controlled items, which never repeat the country's name.
            sentences.append(member.hit.document.title)
        naming: dict[str, list[str]] = {}
        for sentence in dict.fromkeys(sentences):
            for clause in clauses_of(sentence):
                for name in self.names:
                    if name.found_in(clause) and not clause_denies(clause, name):
                        naming.setdefault(name.shown, []).append(clause)
        self._about_topic([c for clauses in naming.values() for c in clauses])
        return {name for name, clauses in naming.items() if any(self._about[c] for c in clauses)}


def clauses_of(sentence: str) -> list[str]:
    """The sentence's clauses, each with its own subject as far as punctuation tells."""
    return _CLAUSE_BREAK.split(sentence)


def clause_denies(clause: str, name: FocalName | None) -> bool:
    """Whether the clause denies what it says of ``name``: a negation before the name or in
    the name's own part of the clause ("Singapore has not announced", "no evidence that
    Singapore is considering"), not in a relative clause after it. Without a name, whether
    it denies anything."""
    if name is None:
        return bool(_DENIED.search(clause))
    parts = _RELATIVE.split(_ASIDE.sub("", clause))
    for i, part in enumerate(parts):
        if name.found_in(part):
            return bool(_DENIED.search(" ".join(parts[: i + 1])))
    return bool(_DENIED.search(clause))


def pervasive(names: Sequence[FocalName], documents: dict[str, str]) -> set[str]:
    """Names that most of ``documents`` (doc id -> the text found of it) mention."""
    out = set()
    for name in names:
        count = sum(name.found_in(text) for text in documents.values())
        if count >= PERVASIVE_MIN_DOCS and count >= PERVASIVE_SHARE * len(documents):
            out.add(name.shown)
    return out


def common_in_library(
    names: Sequence[FocalName], documents_matching: Callable[[str], int], total: int
) -> set[str]:
    """Names that most documents of the whole library mention ("U.S." in a library on U.S.
    controls). Counted over the library, not over what the topic retrieved: the documents
    found for "Corvane-made accelerators" all name Corvane, which is what the topic asks
    about, not what the library is about."""
    out = set()
    for name in names:
        # "brazil*" finds Brazil and Brazilian; "u s" finds U.S. as FTS5 splits it.
        query = f"{name.tokens[0]}*" if name.stem else '"' + " ".join(name.tokens) + '"'
        if name.country is not None:
            query = _any_name_of(name.country)
        count = documents_matching(query)
        if count >= PERVASIVE_MIN_DOCS and count >= PERVASIVE_SHARE * total:
            out.add(name.shown)
    return out


def _any_name_of(country: str) -> str:
    """An FTS5 query for any name of a country: "washington" OR "u s" OR "american" ...
    Initials are matched as written with dots ("U.S." is "u s" to FTS5); "us" alone is
    also a pronoun."""
    forms = []
    for form in country_names(country):
        if " " not in form and len(form) <= 3:
            forms.append(" ".join(form))  # "u s", "u k", "e u"
            if form == "us":
                continue
        forms.append(form)
    return " OR ".join(f'"{f}"' for f in dict.fromkeys(forms))


def judge(
    facts: Sequence[Fact],
    names: NameEvidence,
    topic_vec: np.ndarray,
    passage_vecs: dict[str, np.ndarray],
    covered_anyway: set[str] | None = None,
    aliases: Sequence[FocalName] = (),
    common_to_library: set[str] | None = None,
) -> Judgement:
    """The facts about the topic that carry its names, and the focal names none carries.

    Judged over the whole briefing's facts: a section then has evidence when some of its
    facts are grounded and no focal name is missing. ``covered_anyway``: names most of the
    documents found speak of (they count as carried); ``common_to_library``: names most of
    the library's documents speak of (they tell no fact apart); when not given, the first
    stands for both."""
    about = [f for f in facts if on_topic(f, topic_vec, passage_vecs)]
    if not names.names:
        return Judgement(about, [])
    carried = {f.id: names.names_of(f) for f in about}
    # A name most documents speak of ("AI" in a library on AI controls) does not make a fact
    # about this topic when the topic has names of its own: "the 2022 rules cover AI chips"
    # is not about Japan's controls.
    # Which names are that common is judged against the library, not against what was
    # found: the documents found for "Japan's licensing of AI chips" nearly all speak of
    # Japan, because Japan is what the topic asks about. Judged against them, neither
    # "Japan" nor "AI" told facts apart, so any fact naming AI was about the topic (the 2022
    # U.S. rules, another country's chips) and took the room of Japan's own facts.
    every = {n.shown for n in names.names}
    if common_to_library is None:
        common_to_library = covered_anyway or set()
    own = every - common_to_library
    # A year bounds the topic in time ("controls from 2022 to 2026"); a fact seldom repeats
    # it ("on Friday published ..."), so it tells facts apart only when the topic has no
    # other name: beside "Washington" it would keep only the sentences that happen to say
    # "2022". It must still be carried somewhere (``missing``).
    named = {n.shown for n in names.names if not YEAR.fullmatch(n.shown)}

    def telling_of(own: set[str]) -> set[str]:
        return (own & named) or named or own or every

    telling = telling_of(own)
    grounded = [f for f in about if carried[f.id] & telling]
    if not grounded and covered_anyway:
        # No fact about the topic carries its distinctive name in a clause about it, though
        # the documents found speak of it ("The Hangzhou lab accused of distilling American
        # models": they say "Hangzhou-based Qiantang Intelligence" in passing): then, as
        # before the library decided, a name the documents found all share tells facts apart
        # no more than one the library shares, and the topic's other names ground it.
        telling = telling_of(every - covered_anyway)
        grounded = [f for f in about if carried[f.id] & telling]
    # A fact about the topic that states the subject's identifier ("ECCN 4E091", stated
    # beside the subject's name elsewhere: ``aliases``) is about the subject though it never
    # uses the name. It grounds no name itself: whether the topic is answerable is unchanged.
    grounded += [
        f for f in about
        if not carried[f.id] & telling
        and any(a.found_in(m.text) for a in aliases for m in f.members)
    ]  # fmt: skip
    # A short document that states the topic's facts with its names (a notice's opening:
    # "METI announces the amendment ...") grounds its other passages that are near the topic
    # too: the list of controlled items and the date in force below it never repeat the
    # names. A long report is about many things, and grounds only what names the topic.
    # They ground no name themselves, so whether the topic is answerable does not change.
    anchored = {m.doc_id for f in grounded for m in f.members if short(m.hit.document)}
    ids = {f.id for f in grounded}
    # A short document whose title names what the topic asks about ("Corvane Semiconductor
    # Updates Guidance on China Revenue" for "Corvane-made AI accelerators") is about it
    # throughout, however far its sentences' wording is from the topic's: its guidance
    # ("revenue from customers in mainland China to fall below 4%") was not about
    # "Corvane-made AI accelerators and export controls" by closeness alone. Only a name that
    # sets the topic apart counts: most titles name the United States or AI.
    distinct = own & named
    documents = {f.members[0].doc_id: f.members[0].hit.document for f in facts}
    titled = {
        doc_id for doc_id, doc in documents.items()
        if short(doc) and any(n.shown in distinct and n.found_in(doc.title) for n in names.names)
    }  # fmt: skip
    grounded += [
        f for f in facts
        if f.id not in ids
        and (
            f.members[0].doc_id in titled
            or (f.members[0].doc_id in anchored and _near(f, topic_vec, passage_vecs))
        )
    ]  # fmt: skip
    covered: set[str] = set().union(*carried.values()) if carried else set()
    if about:
        covered |= covered_anyway or set()
    missing = [n.shown for n in names.names if n.shown not in covered]
    return Judgement(grounded, missing)
