"""Facts: source sentences, and near-duplicates across documents merged into one fact.

A fact is the unit a briefing is written from. Each source sentence that passes
``fact_filter`` is a candidate, tied to its passage, document and locator. Wire copies and
re-reports say the same thing in several documents; they are clustered into one fact with
several sources, so that the briefing states it once and counts its corroboration.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from rag.checking.checker import content_words
from rag.core.types import Hit
from rag.drafting import referents
from rag.drafting.event_dates import DATED_ENTRY, FULL_DATE
from rag.drafting.fact_filter import has_verb, is_fact
from rag.drafting.terms import same_terms
from rag.drafting.voices import (
    FIRST_PERSON,
    I_SAY,
    QUOTED_SPEECH,
    document_voices,
    holder_of,
    is_interview,
    speaker_label,
)
from rag.reading.chunking import split_sentences
from rag.reading.relative_dates import resolve_relative_dates
from rag.reading.sanitize import clean_source_text

# Two sentences state the same fact when their embeddings are very close, or close and
# sharing most content words (MiniLM gives paraphrases of one report around 0.8-0.95).
SAME_FACT_COSINE = 0.86
SAME_FACT_COSINE_WITH_WORDS = 0.72
SAME_FACT_WORDS = 0.5  # Jaccard of content words
# Or close, and naming the same names, figures and dates, at least this many (``same_terms``).
SAME_EVENT_COSINE = 0.75
SAME_EVENT_MIN_TERMS = 3
_FIGURE = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*")


@dataclass(frozen=True)
class SourceSentence:
    """One sentence of one passage, as a candidate fact."""

    hit: Hit
    text: str  # the sentence as shown to the model (control tokens removed, quotes curled)
    quote: str = ""  # the sentence exactly as the passage has it: what a citation quotes
    # Whose position the sentence states, when its document speaks for itself (``voices``):
    # a claim stating it names them. "" for a report.
    voice: str = ""

    @property
    def cited(self) -> str:
        return self.quote or self.text

    @property
    def passage_id(self) -> str:
        return self.hit.passage.id

    @property
    def doc_id(self) -> str:
        return self.hit.document.id


@dataclass
class Fact:
    """Sentences from one or more documents that state the same thing."""

    id: str  # stable within a draft: "f<n>"
    members: list[SourceSentence]  # the first is the one shown to the model
    vector: np.ndarray  # the first member's embedding
    sections: set[str] = field(default_factory=set)  # sections whose retrieval found it
    label: str = ""  # shown to the model instead of the first sentence (a drafted claim)

    @property
    def text(self) -> str:
        return self.label or self.members[0].text

    @property
    def corroboration(self) -> int:
        """How many documents state it."""
        return len({m.doc_id for m in self.members})

    def by_document(self, limit: int = 3) -> list[SourceSentence]:
        """One sentence per document, the shown one first."""
        seen: set[str] = set()
        out = []
        for member in self.members:
            if member.doc_id not in seen:
                seen.add(member.doc_id)
                out.append(member)
        return out[:limit]


# "BEIJING/WASHINGTON, March 20 (Meridian Wire) - ", "WASHINGTON (Atlas) - ", "SANTA CLARA,
# Calif. - ": where (and when) a wire report was filed, which no claim should open with.
_DATELINE = re.compile(
    r"^(?:[A-Z]{3,}[A-Z/ .'-]*?)(?:,\s+(?:[A-Z][a-z]+\.?|[A-Z]\.[A-Z]\.))?"
    r"(?:,?\s+[A-Z][a-z]+\.?\s+\d{1,2}(?:,?\s+\d{4})?)?\s*(?:\([^)]{1,40}\))?\s*[-–—]+\s+"
)
_NEW_BLOCK = re.compile(r"[-•*]\s|\d{1,2}[.)]\s|\((?:\d{1,2}|[a-z]|[ivx]{1,4})\)\s")
HEADING_WORDS = 12
# A line ending on one of these was cut mid-sentence, whatever its length.
_LINKING = frozenset(
    "a an the of to in on at by for from with and or but as that which than into under".split()
)  # a line this short without closing punctuation, before a capital, heads


def blocks_of(text: str) -> list[str]:
    """A passage's text as blocks: headings and title lines apart from the paragraph they
    head (a passage keeps them on lines of their own), wrapped lines joined again."""
    blocks: list[str] = []
    previous = ""
    for line in (" ".join(raw.split()) for raw in text.split("\n")):
        if not line:
            continue
        ended = not previous or previous[-1] in '.!?:;"”’)'
        heading = (
            len(previous.split()) <= HEADING_WORDS
            and line[0].isupper()
            and previous.rsplit(" ", 1)[-1].lower() not in _LINKING
        )
        if ended or heading or _NEW_BLOCK.match(line):
            blocks.append(line)
        else:  # a line wrapped in the middle of a sentence (PDF text)
            blocks[-1] = f"{blocks[-1]} {line}"
        previous = line
    return blocks


# A report's paragraph or section number: "1.3 First, ...", "B.5 The authors' count ...". A
# fact never starts with one, and one inside a sentence marks where a heading ran into the
# paragraph below it ("The Allied Response 8.1 The effectiveness ...").
_OUTLINE_NUMBER = re.compile(r"(?:^|\s)(?:[A-Z]\.\d{1,2}|\d{1,2}(?:\.\d{1,2})+)\.?\s+(?=[A-Z])")
_HEADING_WORDS_BEFORE = 6


# A heading run into the sentence below it when its line lost its break ("Effective date The
# amended order will take effect ..."): a capitalised word and a few lowercase ones, no verb
# among them, before a capitalised determiner that can only open a sentence.
_RUN_IN_HEADING = re.compile(
    r"^(?P<head>[A-Z][\w'’-]*(?:\s+[a-z][\w'’-]*){0,5})\s+(?=(?:The|A|An|This|These|Its|Their)\s)"
)


def _without_run_in_heading(part: str) -> list[str]:
    m = _RUN_IN_HEADING.match(part)
    if m is None or has_verb(m["head"]):
        return [part]
    return [m["head"], part[m.end() :]]


def _outline_parts(sentence: str) -> list[str]:
    """The sentence without its outline number, and cut where a heading ran into it. A number
    further in is kept when what precedes it is not a short heading ("Chips above 4.8 Tera")."""
    parts: list[str] = []
    start = 0
    for m in _OUTLINE_NUMBER.finditer(sentence):
        before = sentence[start : m.start()].strip()
        heading = len(before.split()) <= _HEADING_WORDS_BEFORE and all(
            w[0].isupper() or w.lower() in _LINKING for w in before.split()
        )
        if m.start() == 0 or heading:
            if before:
                parts.append(before)
            start = m.end()
    parts.append(sentence[start:].strip())
    return [piece for p in parts if p for piece in _without_run_in_heading(p)]


def sentences_of(text: str) -> list[str]:
    return [sentence for sentence, _ in labelled_sentences(text)]


# A chronology's entry gives its date as a sentence of its own, then the event ("3.6
# September 15, 2025. BIS publishes the rule."; "2026-03-03. BIS adds 27 entities."): the
# date belongs to the next sentence, which would otherwise be an undated event. A heading may
# run into the first entry ("Timeline, 2022 to 2026 3.1 October 7, 2022.").
_ENTRY_DATE = re.compile(
    rf"(?:^|(?<!\S)\d{{1,2}}(?:\.\d{{1,2}})+\s+)(?P<date>{FULL_DATE})[.:]?$", re.IGNORECASE
)


def _with_entry_dates(parts: list[str]) -> list[str]:
    """The block's sentences with each chronology date joined to the event after it."""
    out: list[str] = []
    date = ""
    for part in parts:
        m = _ENTRY_DATE.search(part)
        if m and not date:
            if before := part[: m.start()].strip():
                out.append(before)
            date = m["date"]
            continue
        out.append(f"{date}. {part}" if date else part)
        date = ""
    if date:
        out.append(date)  # a date that ends its block dates nothing
    return out


def dated_entry(sentence: str) -> str:
    """A chronology entry as one sentence ("September 15, 2025: BIS publishes ..."); any
    other sentence unchanged."""
    return DATED_ENTRY.sub(lambda m: f"{m['date']}: ", sentence, count=1)


def chronology_entries(text: str) -> int:
    """How many of the passage's sentences are dated chronology entries."""
    return sum(bool(DATED_ENTRY.match(s)) for s in sentences_of(text))


def labelled_sentences(text: str, interview: bool = False) -> list[tuple[str, str]]:
    """The passage's sentences, each with the speaker its paragraph opens on when the text
    is an interview ("Gao: ..."; "" otherwise)."""
    out = []
    for block in blocks_of(text):
        label = speaker_label(block) if interview else ""
        parts = []
        for sentence in split_sentences(block):
            sentence = _DATELINE.sub("", sentence).strip()
            parts.extend(_outline_parts(sentence))
        out.extend((part, label) for part in _with_entry_dates(parts))
    return out


def candidate_sentences(hits: Iterable[Hit]) -> list[SourceSentence]:
    """Every sentence of these passages that can be a fact, each passage once, with whose
    position it states (``voices``)."""
    hits = list(hits)
    voices = document_voices(hits)
    out: list[SourceSentence] = []
    seen: set[str] = set()
    for hit in hits:
        if hit.passage.id in seen:
            continue
        seen.add(hit.passage.id)
        doc = hit.document
        interview = doc.id in voices and is_interview(hit.passage.text)
        labelled = labelled_sentences(hit.passage.text, interview)
        # "The company also said ...": shown and checked as "Corvane also said ..." when the
        # sentence before names it (``referents``); the citation quotes the source's words.
        named = referents.resolve([s for s, _ in labelled], hit.passage.text)
        for (sentence, label), shown in zip(labelled, named, strict=True):
            # "BIS today added ...": written out against the document's date, for the model,
            # the checker and a quoted claim alike (the citation quotes the source's words).
            text = resolve_relative_dates(
                clean_source_text(dated_entry(shown)).strip(), doc.published
            )
            if is_fact(text, title=doc.title, filename=doc.filename):
                voice = holder_of(doc.id, label, voices)
                out.append(SourceSentence(hit, text, sentence, voice))
    return out


def _figures(text: str) -> frozenset[str]:
    return frozenset(m.group(0).replace(",", "") for m in _FIGURE.finditer(text))


def _same_fact(a: str, b: str, cosine: float) -> bool:
    # Two reports naming the same parties, figures and dates, one in more detail or with the
    # date's year ("On March 24, X, Y and Z launched the Compact" and "On 24 March 2026 X, Y
    # and Z announced the Compact, a private agreement to ..."), tell one event.
    if cosine >= SAME_EVENT_COSINE and same_terms(a, b, SAME_EVENT_MIN_TERMS):
        return True
    # Reports of one event with different figures ("31 companies", "28 firms") are a
    # disagreement to state, never one fact.
    if _figures(a) != _figures(b):
        return False
    if cosine >= SAME_FACT_COSINE:
        return True
    wa, wb = content_words(a), content_words(b)
    jaccard = len(wa & wb) / max(1, len(wa | wb))
    return cosine >= SAME_FACT_COSINE_WITH_WORDS and jaccard >= SAME_FACT_WORDS


def cluster_facts(
    sentences: Sequence[SourceSentence], vectors: np.ndarray, found_by: Sequence[set[str]]
) -> list[Fact]:
    """Group near-duplicate sentences into facts, greedily in the given (relevance) order.

    ``found_by[i]`` are the sections whose retrieval found sentence i. The same sentence text
    from one document (a passage retrieved twice) is dropped, not counted twice.
    """
    facts: list[Fact] = []
    seen_text: set[tuple[str, str]] = set()
    for i, sentence in enumerate(sentences):
        key = (sentence.doc_id, " ".join(sentence.text.lower().split()))
        if key in seen_text:
            for fact in facts:
                if any((m.doc_id, " ".join(m.text.lower().split())) == key for m in fact.members):
                    fact.sections |= found_by[i]
            continue
        seen_text.add(key)
        vec = vectors[i]
        home = None
        for fact in facts:
            cosine = float(np.dot(vec, fact.vector))
            if _same_fact(sentence.text, fact.text, cosine):
                home = fact
                break
        if home is None:
            facts.append(Fact(f"f{len(facts) + 1}", [sentence], vec, set(found_by[i])))
        else:
            home.members.append(sentence)
            home.sections |= found_by[i]
    return facts


# A source speaking for itself: "We expect BIS to ...", "In our view ...". Shown as is, the
# model writes "We expect ..." into the analyst's briefing, as if the analyst expected it.
# A recommendation in the imperative ("Concentrate enforcement on diversion ..."): shown as is,
# the model copies an instruction to the reader into the briefing as if it were a finding.
# The verbs that open recommendations in reports and alerts; followed by "for", "of", "is"
# they are nouns ("Support for the rule grew").
IMPERATIVE = re.compile(
    r"^(?:Adopt|Align|Avoid|Build|Check|Clarify|Concentrate|Conduct|Consider|Coordinate|"
    r"Designate|Encourage|Engage|Ensure|Establish|Expand|Impose|Implement|Invest|Limit|Maintain|"
    r"Monitor|Obtain|Prioriti[sz]e|Publish|Require|Resist|Review|Screen|Seek|Strengthen|"
    r"Support|Tighten|Treat|Use)\s+(?!(?:for|of|from|is|was|has|had|by|in|to)\b)"
)


def speaker(sentence: SourceSentence) -> str:
    """Who a sentence speaking in the first person, or recommending in the imperative,
    speaks for ("" when it does neither)."""
    # A "we" or "our" inside quotation marks is the quoted speaker's, whom the sentence names.
    unquoted = QUOTED_SPEECH.sub(" ", sentence.text)
    if not (
        FIRST_PERSON.search(unquoted) or I_SAY.search(unquoted) or IMPERATIVE.match(sentence.text)
    ):
        return ""
    doc = sentence.hit.document
    return doc.publisher or doc.author or doc.title


def attributed(sentence: SourceSentence) -> str:
    """The sentence with its speaker named before it when it says "we" or recommends, or
    states its document's own position: what the model is shown and what a claim is checked
    against, so "Whitlock Ferreira expects ..." is supported by "We expect ..." in Whitlock
    Ferreira's alert, and the model sees whose view "Calling it theft ..." is."""
    who = sentence.voice or speaker(sentence)
    if not who or speaker_label(sentence.text) == who:
        return sentence.text  # "Gao: Not at all." names its speaker already
    return f"{who}: {sentence.text}"
