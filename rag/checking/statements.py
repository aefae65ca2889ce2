"""A claim checked clause by clause against the one cited sentence that states each clause.

Word overlap over a whole passage lets through claims whose words are all there but whose
statement is not: the actor of another sentence put at the head of this one ("Vietnam imposed
a permit rule" where Malaysia did), two actors' facts merged ("the ministry ordered X and
withdrew Y" where a company withdrew Y), a negation or a hedge dropped or added, a "proposed"
rule made "final", a gap claim ("no source establishes whether X") citing a sentence that does
state X. Each clause of the claim is matched to the cited sentence that shares most of its
facts, and that sentence must name the clause's actor and say the same thing about it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from rag.checking.actors import countries_in
from rag.checking.attribution import ATTRIBUTED
from rag.checking.polarity import (
    future_words,
    marked_words,
    opposite_words,
    past_words,
    root,
    tokens,
)
from rag.core.vocabulary import MONTH_NAMES, WEEKDAYS
from rag.reading.chunking import split_sentences

_WORD = re.compile(r"[A-Za-z0-9][\w'’.&-]*[\w]|[A-Za-z0-9]")
# Month and weekday names, as ``root`` gives them: a date is the hard terms' to check.
_CALENDAR = frozenset(root(w) for forms in MONTH_NAMES for w in forms) | frozenset(
    root(day.lower()) for day in WEEKDAYS
)
_PRONOUNS = frozenset({"it", "they", "he", "she", "its", "their", "his", "her", "this"})
_DETERMINERS = frozenset({"the", "a", "an", "its", "their", "his", "her", "this", "that"})
# Finite verbs and auxiliaries that end a subject; regular pasts are recognised by "-ed".
_VERBS = frozenset(
    """is are was were has have had will would may might could can must should did does do
    said says told took gave made withdrew began won sold bought held led rose fell saw went
    came knew found brought kept left lost sent spent wrote chose struck sought froze met paid
    plans planned intends wants hopes expects remains became become""".split()
)
# "On March 23, 2026, it published...": the phrase before the actor.
_OPENING_PHRASE = re.compile(
    r"^\W*(?:on|in|at|after|before|under|by|since|following|according|during|from|with|amid)"
    r"\b[^,]{0,80},(?:\s*\d{4},)?\s*",
    re.IGNORECASE,
)
_CLAUSE_BREAK = re.compile(r"(;\s+|,?\s+(?:and|but|while|whereas)\s+)", re.IGNORECASE)
# A claim about what the sources do not say, and the words with which a sentence says that
# something is not known, not decided or not published.
_GAP_FRAME = re.compile(
    r"""^\W*(?:the\s+|none\s+of\s+the\s+|no\s+)?(?:cited\s+|available\s+)?
        (?:library|sources?|documents?|evidence|reporting|texts?|passages?)\s+
        (?:(?:does|do|did)\s+not\s+|(?:does|do|did)n't\s+)?
        (?:establish|say|state|show|confirm|report|specify|mention|indicate|explain|disclose
          |identify|give|name)(?:e?s)?\b
        (?:\s+(?:whether|if|when|how|who|which|what|that|the\s+date\s+of))?\s*""",
    re.IGNORECASE | re.VERBOSE,
)
_ABSENCE = frozenset(
    """not no never nor yet unclear unknown undisclosed unconfirmed unspecified undecided
    without silent declined refused pending""".split()
)
# A sentence that negates without a "not": it reports something in order to reject it
# ("Claims that X withdrew are wrong"), or says that none did.
_NEGATIVE_SENTENCE = re.compile(
    r"\b(?:wrong|false|untrue|incorrect|inaccurate|mistaken|unfounded|baseless|no\s+such"
    r"|denied|none|nothing|neither|without)\b",
    re.IGNORECASE,
)
_REFUTATION = re.compile(
    r"\b(?:wrong|false|untrue|incorrect|inaccurate|mistaken|unfounded|baseless|no\s+such)\b",
    re.IGNORECASE,
)
# Words that state a negative fact positively: a claim using one may paraphrase "may not".
_NEGATIVE_WORDS = frozenset(
    """barred banned prohibited forbidden refused declined failed denied rejected halted
    stopped suspended blocked restricted without unable lacks lacked""".split()
)
# A clause whose best sentence holds less than this share of its facts is not stated there.
CLAUSE_MIN_SHARE = 0.5
# A phrase the model appends to a stated fact (", affecting supply chains and markets"), set
# off by a comma, a semicolon, a colon, a dash or brackets: the rest of the claim carries the
# word overlap past the checker's threshold, so the phrase is judged on its own. With this many
# content words and none of them in the cited text it adds something, where a paraphrase of a
# word or two ("the ministry" for "MOFCOM") does not.
ADDED_PHRASE_WORDS = 2
_PHRASE_BREAK = re.compile(r"[,;:]\s+|\s+[—–]\s+|\s+-\s+|\s*[()]\s*")
# Words that open a sentence without being anyone's name.
_OPENERS = _DETERMINERS | frozenset(
    "on in at after before by since according under with from following during".split()
)
# A deed and its doer in the passive ("a new model released by China's Qiantang
# Intelligence"): the doer's capitalised words, with "of", "and" and "&" inside a name.
_BY_AGENT = re.compile(
    r"\b([a-z]+) by (?:the )?([A-Z][\w’'&.-]*(?:\s+(?:(?:of|and|for|&)\s+)?[A-Z][\w’'&.-]*)*)"
)
_TIMELINE_DATE = re.compile(r"^\W*\d{1,2} \w+ \d{4}\s*[—–:-]\s*")
# An unnamed group holding a view ("Critics say ...", "according to analysts"): a claim that
# gives the view to another group ("Supporters argue ...") swaps its holder, though each word
# may be in the passage (its sentence before speaks of the supporters).
_GROUP_WORDS = (
    r"critics|supporters|proponents|opponents|backers|advocates|sceptics|skeptics|analysts|"
    r"experts|economists|researchers|officials|diplomats|lawmakers|legislators|executives|"
    r"investors|observers|traders|groups|companies|exporters"
)
# The verbs with which a holder holds a view or a report.
_HOLDER_VERBS = (
    r"say|says|said|argue[sd]?|warn(?:s|ed)?|believe[sd]?|expect(?:s|ed)?|predict(?:s|ed)?|"
    r"fear(?:s|ed)?|contend(?:s|ed)?|claim(?:s|ed)?|note[sd]?|estimate[sd]?|told"
)
_GROUP_HOLDER = re.compile(
    rf"\b(?:{_GROUP_WORDS})\b(?:\s+[\w'’-]+){{0,3}}?\s+(?:{_HOLDER_VERBS})\b"
    rf"|\baccording\s+to\s+(?:some\s+|many\s+|most\s+|the\s+)?(?:{_GROUP_WORDS})\b",
    re.IGNORECASE,
)


# One holder named by a role ("One executive believes ...", "An analyst said ..."), beside the
# groups above: a claim may give a view its sentence holds unattributed to such a holder. The
# role stands right before its verb (an adverb between), so that a role word used of a thing
# ("The executive order says ...", "Official statistics estimate ...", "open-source models")
# or as an object ("told investors it expects ...") is none.
_ROLE_WORDS = (
    r"critic|supporter|proponent|opponent|advocate|sceptic|skeptic|analyst|expert|economist|"
    r"researcher|official|diplomat|lawmaker|legislator|executive|investor|observer|trader|"
    r"spokesperson|spokesman|spokeswoman|insider"
)
_ROLE_VERBS = rf"{_HOLDER_VERBS}|think|thinks|thought"
_ROLE_HOLDER = re.compile(
    rf"(?<![\w-])(?:{_GROUP_WORDS}|(?:{_ROLE_WORDS})s?)\s+(?:\w+ly\s+)?(?:{_ROLE_VERBS})\b",
    re.IGNORECASE,
)
# A sentence that names a holder of what it says, by any of those verbs or a reporting one.
_HOLDER_VERB = re.compile(rf"\b(?:{_ROLE_VERBS})\b", re.IGNORECASE)


@dataclass(frozen=True)
class Clause:
    text: str
    subject: tuple[str, ...]  # the words of its actor, as written; empty if none was found
    opens_claim: bool = True  # its first word is capitalised for the sentence, not as a name

    def names(self) -> tuple[str, ...]:
        """The proper names among the actor's words: capitalised not merely for opening the
        sentence ("Exporters should..."), or a country, an acronym or a possessive there."""
        found = []
        for i, word in enumerate(self.subject):
            if not word[:1].isupper() or word.lower() in _DETERMINERS:
                continue
            if (
                i == 0
                and self.opens_claim
                and not (
                    countries_in(word)
                    or any(c.isupper() for c in word[1:])
                    or word.endswith(("'s", "’s"))
                )
            ):
                continue
            found.append(word)
        return tuple(found)


def gap_core(claim: str) -> str | None:
    """What a gap claim says is not established ("The library does not establish whether
    Larkspur appealed" -> "Larkspur appealed"), or None for any other claim."""
    m = _GAP_FRAME.match(claim)
    if not m or not re.search(r"\bnot\b|n't|^\W*no\s|^\W*none\s", m.group(0), re.IGNORECASE):
        return None
    return claim[m.end() :].strip() or None


def _verb_like(word: str, before: str) -> bool:
    w = word.lower()
    if w in _VERBS or (w.endswith("ed") and len(w) > 4):
        return True
    # "China bans", "MOFCOM lists": a plain -s word right after a country or an acronym is
    # its verb ("Compact members" is not).
    return (
        w.endswith("s")
        and not w.endswith("ss")
        and word.islower()
        and (bool(countries_in(before)) or (len(before) > 1 and before.isupper()))
    )


def _before_verb(piece: str) -> str:
    """The words of ``piece`` before its first verb ("The United States on Tuesday"), or ""
    when none comes within its first twelve words."""
    words = piece.split()
    for i, w in enumerate(words[:12]):
        # A capitalised word is a name, not a verb ("United" in "The United States").
        if i and not w[0].isupper() and _verb_like(w.strip(",;:"), words[i - 1]):
            return " ".join(words[:i])
    return ""


def _subject(words: list[str]) -> tuple[str, ...] | None:
    """The words before the first verb; None if the piece opens with a verb or a pronoun (it
    continues the previous clause's actor), empty if no verb comes soon enough to tell."""
    if not words:
        return None
    if words[0].lower() in _PRONOUNS:
        return None
    for i, word in enumerate(words[:8]):
        if _verb_like(word, words[i - 1] if i else "") and (i > 0 or word.islower()):
            return tuple(words[:i]) if i else None
    return ()


def _has_verb(piece: str) -> bool:
    words = _WORD.findall(piece)
    return any(
        _verb_like(w, words[i - 1] if i else "") and (i > 0 or w.islower())
        for i, w in enumerate(words[:7])
    )


def clauses(claim: str) -> list[Clause]:
    """The claim cut where a new verb starts ("X ordered A and the company withdrew B"),
    each with its actor; a clause without one ("... and withdrew B") keeps the one before."""
    text = _TIMELINE_DATE.sub("", claim)  # a timeline's date
    split = _CLAUSE_BREAK.split(text)  # pieces, with the words between them at odd places
    pieces = [split[0]]
    for joint, piece in zip(split[1::2], split[2::2], strict=True):
        # "Rivals in Tokyo and Hangzhou are...": a list inside a subject or an object is
        # not a clause; only a piece with its own verb after one that has a verb is.
        if _has_verb(piece) and _has_verb(pieces[-1]):
            pieces.append(piece)
        else:
            pieces[-1] += joint + piece
    result: list[Clause] = []
    for n, piece in enumerate(pieces):
        subject = _actor_words(piece, first=n == 0)
        if subject is None and result:  # "... and withdrew B": the actor before
            result.append(Clause(piece, result[-1].subject, result[-1].opens_claim))
        else:
            result.append(Clause(piece, subject or (), n == 0))
    return result


@lru_cache(maxsize=4096)
def _roots(text: str, stop: frozenset[str]) -> frozenset[str]:
    return frozenset(root(w) for w in tokens(text) if w not in stop and (len(w) > 2 or w.isdigit()))


def _subject_roots(subject: tuple[str, ...], stop: frozenset[str]) -> set[str]:
    return {
        root(t)
        for w in subject
        for t in tokens(w)
        if t not in _DETERMINERS and t not in stop and len(t) > 1
    }


def _actor_words(piece: str, *, first: bool) -> tuple[str, ...] | None:
    """The words of a piece's actor, as ``_subject`` finds them, after a leading "On 16
    March," or "In it," and before an apposition ("Qingluan-Coder, a model published...")."""
    head = _OPENING_PHRASE.sub("", piece) if first else piece
    return _subject(_WORD.findall(head.split(",", 1)[0]) or _WORD.findall(head))


def _carries_actor(sentence: str) -> bool:
    """A sentence whose actor is a pronoun or a description ("It added...", "In it, the
    company reported...", "The Ministry of Trade said...") names it in the sentence before;
    one whose actor is a name ("The Netherlands, meanwhile, confirmed that it...") does not."""
    actor = _actor_words(sentence, first=True)
    if actor is None:
        return True  # opens with a pronoun
    if not actor:
        actor = tuple(_WORD.findall(sentence.split(",", 1)[0])[:4])
    lowered = [w.lower() for w in actor]
    if _PRONOUNS & set(lowered):
        return True
    return bool(lowered) and lowered[0] == "the" and not countries_in(" ".join(actor))


def sentence_contexts(text: str) -> list[str]:
    """Each sentence of ``text``, with the one before when its actor is carried over."""
    return [r.context for r in _readings(text)]


@dataclass(frozen=True)
class _Reading:
    sentence: str
    context: str  # the sentence, with the one before when its actor is carried over


def _problems_with(
    clause: Clause,
    reading: _Reading,
    text_roots: set[str],
    text_countries: set[str],
    stop: frozenset[str],
    mentions: Callable[[str, str], bool],
    *,
    strict_actor: bool,
) -> list[str]:
    said = clause.text
    problems = []
    subject = " ".join(clause.subject)
    context_roots = _roots(reading.context, stop)
    subject_countries = countries_in(subject)
    context_countries = countries_in(reading.context)
    names = clause.names()
    # The countries that act in the sentence: named in the actor of one of its clauses. "The
    # United States added 31 companies in China" names China, but China did not add them.
    acting = set().union(*(countries_in(_before_verb(c.text)) for c in clauses(reading.sentence)))
    if (
        (subject_countries and not subject_countries & context_countries)
        or (subject_countries and acting and not subject_countries & acting)
        or (
            names and not subject_countries and not any(mentions(n, reading.context) for n in names)
        )
    ):
        problems.append(f"{subject} is not the actor of: {reading.sentence}")
    elif strict_actor and not names and not subject_countries:
        # In a claim of several clauses each actor must be the one its sentence names, if the
        # text names it at all (a paraphrased actor, absent from the text, cannot be checked).
        nouns = _subject_roots(clause.subject, stop)
        if nouns & text_roots and not nouns & context_roots:
            problems.append(f"{subject} is not the actor of: {reading.sentence}")
    # A country the claim names where its sentence names another one instead is a swap; one
    # the sentence's whole passage never names is simply missing.
    for country in sorted(countries_in(said) - context_countries):
        if context_countries - countries_in(said) or country not in text_countries:
            problems.append(f"{country} is not named in: {reading.sentence}")

    sentence_words = [root(w) for w in tokens(reading.sentence)]
    claim_words = [root(w) for w in tokens(said)]
    neg_c, hedge_c = marked_words(said)
    neg_s, hedge_s = marked_words(reading.sentence)
    # A sentence with any negation ("none has been so far", "Claims that X withdrew are
    # wrong") may be what a negated claim paraphrases; one without any cannot be.
    sentence_negates = bool(neg_s) or bool(_NEGATIVE_SENTENCE.search(reading.sentence))
    for word in dict.fromkeys(neg_c):
        if word in sentence_words and not sentence_negates:
            problems.append(f"negation: the claim denies what the source states ({word}…)")
    # The other way, a claim stating what its sentence negates, unless the claim says it with
    # a negative word of its own ("barred from importing" for "may not import").
    claim_negates = bool(neg_c) or bool(_NEGATIVE_WORDS & set(tokens(said)))
    # "Claims that X withdrew are wrong: the company has said...": the rejection holds for
    # its own part of the sentence only.
    part = max(
        re.split(r"[:;]\s+", reading.sentence),
        key=lambda p: len(set(claim_words) & {root(w) for w in tokens(p)}),
    )
    if not claim_negates and _REFUTATION.search(part) and not _REFUTATION.search(said):
        problems.append("negation: the source rejects what the claim states")
    for word in dict.fromkeys([] if claim_negates else neg_s):
        if word in claim_words and sentence_words.count(word) <= neg_s.count(word):
            problems.append(f"negation: the source says not ({word}…)")
    loose_hedges = marked_words(said, can_hedges=True)[1]
    for word in dict.fromkeys([] if claim_negates else hedge_s):
        if (
            word in claim_words
            and word not in loose_hedges
            and sentence_words.count(word) <= hedge_s.count(word)
        ):
            problems.append(f"modality: the source says only that it may or is planned ({word}…)")
    for word in dict.fromkeys(hedge_c):
        if word in sentence_words and word not in hedge_s and word not in neg_s:
            problems.append(f"modality: the claim hedges what the source states ({word}…)")
    # A forecast told as done: the source's "will announce" as the claim's "announced".
    future_c, past_c = set(future_words(said)), past_words(said)
    past_s = past_words(reading.sentence)
    for word in dict.fromkeys(future_words(reading.sentence)):
        if word in past_c and word not in future_c and word not in past_s:
            problems.append(f"tense: the source says only that it will happen ({word}…)")
    problems += [f"opposite words: {name}" for name in opposite_words(said, reading.sentence)]
    claim_groups, sentence_groups = _group_holders(said), _group_holders(reading.sentence)
    if claim_groups and sentence_groups and not claim_groups & sentence_groups:
        problems.append(
            f"holder: the source gives this view to {', '.join(sorted(sentence_groups))}, "
            f"not {', '.join(sorted(claim_groups))}"
        )
    # A view its sentence states as its document's own ("Third, the ban addresses a real
    # problem but will be hard to enforce") given to someone the passage never names: "One
    # executive believes the ban ...". The document's own voice is the publisher's (the
    # engine says "According to X"), not a role the model supplied.
    roles = _role_holders(said)
    invented = sorted(word for role, word in roles.items() if role not in context_roots)
    if (
        invented
        and not sentence_groups
        and not ATTRIBUTED.search(reading.context)
        and not _HOLDER_VERB.search(reading.context)
    ):
        problems.append(f"holder: the source names no {', '.join(invented)}: {reading.sentence}")
    problems += [
        f"{doer} is not the actor of: {reading.sentence}"
        for doer in _passive_doers_replaced(said, reading.sentence, mentions)
    ]
    return list(dict.fromkeys(problems))


def _group_holders(text: str) -> set[str]:
    """The unnamed groups that ``text`` says hold what it reports: {"critics"} for "Critics
    say the ban will be hard to enforce", {"analysts"} for "..., according to analysts"."""
    # Every group in the holder's phrase: "officials and analysts said" is both groups' view.
    return {
        root(word)
        for m in _GROUP_HOLDER.finditer(text)
        for word in re.findall(rf"\b(?:{_GROUP_WORDS})\b", m[0], re.IGNORECASE)
    }


def _role_holders(text: str) -> dict[str, str]:
    """The roles ``text`` gives what it reports to, one holder or many, by their roots:
    {"executive": "executive"} for "One executive believes the ban ...", {"analyst":
    "analysts"} for "Analysts say ..."."""
    return {root(m[0].split()[0]): m[0].split()[0].lower() for m in _ROLE_HOLDER.finditer(text)}


def _passive_doers_replaced(
    said: str, sentence: str, mentions: Callable[[str, str], bool]
) -> list[str]:
    """Who the claim makes the doer of a deed its sentence gives to another, in the passive:
    the sentence's "a new model released by China's Qiantang Intelligence" and the claim's
    "Sablewood AI ... released a new model". The claim's deed is active (not "released by")
    and no name of the sentence's doer comes before it in the claim; the names that do come
    before it are returned. A deed told of a description ("The company released ...") is not
    judged: the description may well be the doer."""
    out = []
    said_words = said.split()
    for m in _BY_AGENT.finditer(sentence):
        deed, doer = root(m.group(1)), m.group(2).rstrip(".")
        # "fell by March", "due by Friday": a date is not a doer.
        if len(deed) < 3 or root(doer.split()[0]) in _CALENDAR:
            continue
        doer_names = [w for w in _WORD.findall(doer) if w[:1].isupper() and w.lower() != "the"]
        # "by China's Qiantang Intelligence": the company is the doer, not any Chinese party.
        own = [w for w in doer_names if not countries_in(w)] or doer_names
        for i, word in enumerate(said_words):
            after = said_words[i + 1].lower() if i + 1 < len(said_words) else ""
            if root(word.strip(",;:.")) != deed or after == "by":
                continue
            before = " ".join(said_words[:i])
            named = [
                w for k, w in enumerate(_WORD.findall(before))
                if w[:1].isupper() and (k or w.lower() not in _OPENERS)
            ]  # fmt: skip
            if not named or any(mentions(w, before) for w in own):
                continue
            # A country word names the doer only when the doer is a country ("by China"):
            # "a Chinese developer" is not China's Qiantang Intelligence.
            naming = [w for w in named if own == doer_names or not countries_in(w)]
            if any(mentions(w, doer) for w in naming):
                continue
            out.append(" ".join(dict.fromkeys(w for w in named if not countries_in(w))) or named[0])
    return out


# How many sentences back a chain of "It ... It ..." may carry its actor.
_CARRY = 2


def _readings(text: str) -> list[_Reading]:
    sentences = split_sentences(" ".join(text.split()))
    readings = []
    for i, sentence in enumerate(sentences):
        start = i
        while start > max(0, i - _CARRY) and _carries_actor(sentences[start]):
            start -= 1
        readings.append(_Reading(sentence, " ".join(sentences[start : i + 1])))
    return readings


def _best(
    clause_roots: set[str], readings: list[_Reading], stop: frozenset[str]
) -> tuple[int, list[_Reading]]:
    scored = [(len(clause_roots & _roots(r.sentence, stop)), r) for r in readings]
    top = max((score for score, _ in scored), default=0)
    return top, [r for score, r in scored if score == top and top > 0]


def statement_problems(
    claim: str,
    cited_text: str,
    stop: frozenset[str],
    mentions: Callable[[str, str], bool],
) -> list[str]:
    """Why the cited sentences do not state the claim as it is written (empty if they do).
    ``stop`` are the words that carry no fact; ``mentions(name, text)`` says whether a text
    names an actor (acronyms spelled out, possessives, a country by its adjective)."""
    readings = _readings(cited_text)
    if not readings:
        return []
    text_roots = _roots(cited_text, stop)
    text_countries = countries_in(cited_text)
    core = gap_core(claim)
    if core is not None:
        top, best = _best(_roots(core, stop), readings, stop)
        if best and not any(_ABSENCE & set(tokens(r.sentence)) for r in best):
            return [f"the cited text states what the claim says is not known: {best[0].sentence}"]
        return []
    parts = clauses(claim)
    problems = [
        f"the cited text says nothing of: {phrase}"
        for phrase in added_phrases(claim, text_roots, stop)
    ]
    for clause in parts:
        facts = _roots(clause.text, stop) - _subject_roots(clause.subject, stop)
        if not facts:
            continue
        top, best = _best(facts, readings, stop)
        if len(parts) > 1 and top < CLAUSE_MIN_SHARE * len(facts):
            problems.append(f"no one cited sentence states: {clause.text}")
            continue
        found = [
            _problems_with(
                clause, r, text_roots, text_countries, stop, mentions, strict_actor=len(parts) > 1
            )
            for r in best
        ]
        if found and all(found):
            problems += min(found, key=len)
    return list(dict.fromkeys(problems))


def added_phrases(
    claim: str, text_roots: set[str] | frozenset[str], stop: frozenset[str]
) -> list[str]:
    """The phrases of ``claim`` (between commas, dashes, brackets) none of whose content words
    the cited text has, among those with at least ``ADDED_PHRASE_WORDS``. Month and day names
    are left to the date check; figures to the hard terms."""
    found = []
    for phrase in _PHRASE_BREAK.split(_TIMELINE_DATE.sub("", claim)):
        words = {w for w in _roots(phrase, stop) if w.isalpha() and w not in _CALENDAR}
        if len(words) >= ADDED_PHRASE_WORDS and not words & text_roots:
            found.append(phrase.strip(" .,;:"))
    return found
