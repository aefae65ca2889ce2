"""Drafting a briefing from facts: evidence per section, one fact in one place, checked claims.

How a briefing is drafted (``draft``):

1. **Evidence per section** (``section_evidence``): each section searches the whole library
   for the topic and its query hints; the passages are split into sentences, and sentences
   that state nothing (bylines, credits, titles, navigation: ``fact_filter``) are dropped.
2. **Facts** (``facts``): near-duplicate sentences of different documents become one fact
   with several sources; each fact is given to the one section it serves best, so no fact
   is stated twice. Facts giving different counts or dates for one event are the
   disagreements (``fact_disagreements``), stated by BriefDesk itself, each side cited.
3. **Sufficiency** (``sufficiency``): a section is written only when facts about the topic
   carry the topic's names; otherwise it says so and the model is not asked.
4. **Write**: the model sees the section's facts as a short numbered list and answers
   ``{"claims": [{"text", "facts"}]}`` with ``facts`` an enum of the numbers shown. Each claim
   is cleaned (``claim_text``: one sentence, at most 40 words, no markers, no prompt text).
5. **Verify**: each claim is checked against the sentences of the facts it cites
   (rag.checking.checker), re-attributed only within the section's facts; a claim that fails
   is marked or dropped, as the analyst's setting says. A claim repeating a fact already
   stated is dropped. The briefing is saved after every claim.

The bottom line is written last, from the other sections' claims, and leads the document.
Gaps are questions no fact answers (``gaps``). Source text is data, never instructions.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from rag.briefs.briefing import (
    INSUFFICIENT_NOTE,
    Briefing,
    Citation,
    Claim,
    Section,
    new_briefing,
)
from rag.briefs.templates import SectionSpec, Template
from rag.checking.attribution import (
    ATTRIBUTED,
    added_ranking,
    added_view,
    second_hand,
    split_attribution,
    unattributed_view,
)
from rag.checking.checker import check_claim, looks_like_heading, named
from rag.checking.verdict import SupportCheck
from rag.core.errors import BriefDeskError
from rag.core.settings import DraftingSettings
from rag.core.types import CancelToken, Passage
from rag.core.vocabulary import CLAIM_STOPWORDS
from rag.drafting import prompts
from rag.drafting.claim_text import (
    MAX_WORDS,
    TOO_LONG,
    LeakGuard,
    clean_claim,
    cut_off,
    split_markers,
)
from rag.drafting.event_dates import event_dates, without_opening_date
from rag.drafting.fact_disagreements import FactDisagreement, explanation
from rag.drafting.fact_filter import states_nothing
from rag.drafting.facts import IMPERATIVE, Fact, SourceSentence, attributed, speaker
from rag.drafting.gaps import (
    GAP_QUESTIONS,
    REJECTED_GAP,
    contradicted_gap,
    gap_claim_text,
    unanswered,
)
from rag.drafting.quoted_claims import (
    according_to,
    depends_on_context,
    quotable,
    quoted_text,
    refers_to_its_document,
)
from rag.drafting.repeats import Rarity, Similarity, fold_subsumed, repeats, subsumes, told
from rag.drafting.section_evidence import BriefingEvidence, gather
from rag.drafting.voices import FIRST_PERSON, I_SAY, QUOTED_SPEECH
from rag.reading.readers.dates import normalize_date

if TYPE_CHECKING:
    from rag.indexing.library import Library
    from rag.models.protocol import ChatModel, Completion

TOKENS_PER_CLAIM = 70  # answer budget per claim asked for, JSON included (40 words at most)
ANSWER_OVERHEAD = 40
NO_DISAGREEMENT_NOTE = "No disagreement between the sources was found on counts or dates."
NO_CHECKED_CLAIMS_NOTE = "The briefing's lead facts are already stated in the sections below."
NO_GAP_NOTE = "Every question this briefing asks of the library is answered by its sources."
# Sections with at least this many facts are asked for at least two claims: left free, small
# models stop after one claim and most of the evidence goes unused. The bottom line too: left
# free, the default model wrote one claim in every briefing of the evaluation (its template
# room is two or three), and the lead facts it left were stated in Key developments, taking
# the room of the core section's later facts.
MIN_CLAIMS_FROM = 2
# A claim in the first person reads as the analyst's own ("We take note of the measures"), and
# so does a source's "we" after its name ("According to the Commission, we take note ..."):
# whose "we" it is the reader has to guess. Inside quotation marks it is the quoted speaker's.
_OPENS_FIRST_PERSON = re.compile(r"^(?:In our view|I)\b")
# The model may quote with single marks: "said: 'We will answer ...'" (not an apostrophe).
_SINGLE_QUOTED = re.compile(r"(?<![\w])['‘][^'‘’]{3,}['’](?![\w])")
FIRST_PERSON_CLAIM = "speaks in the first person (“we”, “our”) outside a quotation: say who"
# "(East Asia Policy Review, 2026-03-15)": a fact's origin as the prompt shows it, alone.
_ORIGIN_ONLY = re.compile(r"^\s*\([^()]*\)\s*\.?\s*$")
FAILED_CLAIMS = ("mark", "drop")  # what the "failed_claims" setting may say
REPEATED_FACT = "states a fact already stated in this briefing"
NEEDS_CONTEXT = "opens on a word that points back into its source's paragraph: say who or what"
OWN_DOCUMENT = "points at its source document (“this announcement”): say which"
ADDED_VIEW = "forecasts or hedges where its sources state no such thing"
VIEW_AS_FACT = "states a source's forecast or view as fact: say whose it is"
QUOTED_INSTEAD = "the source's own sentence, in place of the model's wording of it"
QUOTED_LEAD = "the source's own sentence: nothing the model drafted from this section's facts held"
QUOTED_FILL = "the source's own sentence: a further fact of this section the model did not state"
ACCOUNT_OF_DISAGREEMENT = "the source's own sentence: it accounts for the disagreement above"
LEAK_NGRAM_INSTRUCTION = 6  # an instruction shares short phrases with real claims

# Kept for callers that imported it from here.
split_source_markers = split_markers

# -- events -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DraftStarted:
    briefing: Briefing
    sources: int  # passages the facts come from


@dataclass(frozen=True)
class SectionStarted:
    index: int  # 1-based, in drafting order
    total: int
    section: Section


@dataclass(frozen=True)
class ClaimAdded:
    section: Section
    claim: Claim


@dataclass(frozen=True)
class SectionDone:
    section: Section


@dataclass(frozen=True)
class SectionRevised:
    """A claim drafted for a later section stated in full, and more, what a claim of this
    earlier section states (``subsumes``): it took that claim's place here."""

    section: Section


@dataclass(frozen=True)
class DraftFinished:
    briefing: Briefing
    cancelled: bool


DraftEvent = (
    DraftStarted | SectionStarted | ClaimAdded | SectionDone | SectionRevised | DraftFinished
)


# -- streaming claims out of JSON ---------------------------------------------------------------


class ClaimStream:
    """Pulls each complete claim object out of the model's JSON as it streams in."""

    _START = re.compile(r'"claims"\s*:\s*\[')

    def __init__(self) -> None:
        self._buf = ""
        self._pos: int | None = None
        self._decoder = json.JSONDecoder()

    def feed(self, piece: str) -> list[dict[str, Any]]:
        self._buf += piece
        if self._pos is None:
            m = self._START.search(self._buf)
            if not m:
                return []
            self._pos = m.end()
        out = []
        while True:
            i = self._pos
            while i < len(self._buf) and self._buf[i] in " \t\r\n,":
                i += 1
            if i >= len(self._buf) or self._buf[i] != "{":
                return out
            try:
                obj, end = self._decoder.raw_decode(self._buf, i)
            except json.JSONDecodeError:
                return out
            self._pos = end
            if isinstance(obj, dict):
                out.append(obj)


# -- the engine ---------------------------------------------------------------------------------


class DraftError(BriefDeskError):
    """Drafting cannot start (no evidence at all, nothing to regenerate, ...)."""


@dataclass
class _Totals:
    prompt_sent: int = 0
    prompt_evaluated: int = 0
    completion: int = 0
    model_seconds: float = 0.0
    decode_tokens: int = 0  # generated after each call's first token
    decode_seconds: float = 0.0
    first_claim_seconds: float | None = None
    calls: int = 0

    def add(self, completion: Completion) -> None:
        st = completion.stats
        self.prompt_sent += st.prompt_tokens_sent
        self.prompt_evaluated += st.prompt_tokens_evaluated
        self.completion += st.completion_tokens
        self.model_seconds += st.seconds
        if st.decode_tokens_per_second is not None and st.decode_seconds:
            self.decode_tokens += st.completion_tokens - 1
            self.decode_seconds += st.decode_seconds
        self.calls += 1


def briefings_dir(library: Library) -> Path:
    return library.folder / "briefings"


def briefing_path(library: Library, briefing_id: str) -> Path:
    return briefings_dir(library) / f"{briefing_id}.json"


def list_briefings(library: Library) -> list[Briefing]:
    """Saved briefings, most recently changed first; unreadable files are skipped."""
    out = []
    for path in briefings_dir(library).glob("*.json"):
        try:
            out.append(Briefing.load(path))
        except BriefDeskError:
            continue
    return sorted(out, key=lambda b: b.updated, reverse=True)


def _drafting_order(template: Template, only: set[str] | None) -> list[SectionSpec]:
    specs = [s for s in template.sections if only is None or s.key in only]
    # The bottom line is written first, from the briefing's lead facts, and the sections
    # after it leave out what it states. (Written last from the other claims, a small model
    # only copied them: a bottom line that repeats the briefing.)
    return [s for s in specs if s.kind == "bottom_line"] + [
        s for s in specs if s.kind != "bottom_line"
    ]


@dataclass
class _SectionFacts:
    """The facts shown to the model for one section, numbered 1..N, ready for the checker."""

    facts: list[Fact]
    pool: dict[str, tuple[Passage, np.ndarray]]  # fact id -> (its sentences, vector)
    # How rare words are in the whole briefing's evidence, for the repeat tests (``repeats``).
    rarity: Rarity

    @classmethod
    def of(cls, facts: Sequence[Fact], rarity: Rarity) -> _SectionFacts:
        pool = {}
        for fact in facts:
            first = fact.members[0]
            # The claim is judged against what the fact's sources say, sentence by sentence,
            # never against whole passages.
            text = " ".join(dict.fromkeys(attributed(m) for m in fact.members))
            pool[fact.id] = (
                Passage(fact.id, first.doc_id, 0, text, first.hit.passage.locator),
                fact.vector,
            )
        return cls(list(facts), pool, rarity)

    def by_id(self, fact_id: str) -> Fact:
        return next(f for f in self.facts if f.id == fact_id)

    def members(self, cited: Sequence[str]) -> list[SourceSentence]:
        """The source sentences of the cited facts that were shown."""
        return [m for fid in cited if fid in self.pool for m in self.by_id(fid).members]


def draft(
    library: Library,
    model: ChatModel,
    template: Template,
    topic: str,
    *,
    briefing: Briefing | None = None,
    sections: Sequence[str] | None = None,
    cancel: CancelToken | None = None,
    settings: dict[str, Any] | None = None,
    doc_ids: Sequence[str] | None = None,
    max_sources: int | None = None,
) -> Iterator[DraftEvent]:
    """Draft ``topic`` with ``template``, yielding events as claims arrive.

    With ``briefing`` and ``sections``, only those sections are (re)drafted and every other
    section keeps its claims and citations exactly as they were. ``settings["failed_claims"]``
    says whether a claim that fails its check is shown marked ("mark") or dropped ("drop").
    ``max_sources`` caps the facts shown per section (tests use it to keep prompts short).
    """
    cancel = cancel or CancelToken()
    topic = topic.strip()
    if not topic:
        raise DraftError("Give the briefing a topic.")
    only = set(sections) if sections is not None else None
    if only is not None:
        unknown = only - {s.key for s in template.sections}
        if unknown:
            raise DraftError(f"The template has no section {', '.join(sorted(unknown))}.")
    settings = dict(settings or {})
    # The app's default when a caller passes none: one default for every caller.
    policy = settings.get("failed_claims", DraftingSettings().failed_claims)
    drop_failed = policy == "drop"
    if briefing is None:
        briefing = new_briefing(topic, template, model.name, settings)
    path = briefing_path(library, briefing.id)
    started = time.monotonic()
    totals = _Totals()

    evidence = gather(library, topic, template, doc_ids=doc_ids)
    order = _drafting_order(template, only)
    for spec in order:
        section = briefing.section(spec.key)
        section.status, section.claims, section.note = "pending", [], ""
    briefing.save(path)
    yield DraftStarted(briefing, evidence.passages)

    # Facts the sections not being drafted already state: a regenerated section must not
    # say them again.
    used: set[str] = {
        c.passage_id + "|" + c.quote
        for s in briefing.sections
        if s.key not in {spec.key for spec in order}
        for claim in s.claims
        for c in claim.citations
    }
    refusal = _refusal(evidence)
    cancelled = False
    dropped = 0
    for index, spec in enumerate(order, start=1):
        section = briefing.section(spec.key)
        if cancel.cancelled:
            cancelled = True
            break
        section.status = "drafting"
        briefing.save(path)
        yield SectionStarted(index, len(order), section)

        if spec.kind == "bottom_line":
            facts = [f for f in evidence.lead if not _stated(f, used)]
        else:
            # What the bottom line (or a section kept as it was) states is not shown again,
            # nor what another source says of the same event in other words (``told``); a
            # timeline is the whole chronology, the bottom line's events included, and that
            # sources disagree is news even when a section stated one side ("The rule took
            # effect on March 16" in Implications, "15 May" in another source).
            said = _said(briefing, library)
            facts = [
                f for f in evidence.by_section.get(spec.key, [])
                if spec.kind in ("timeline", "disagreements")
                or not (_stated(f, used) or told(f.text, f.vector, said))
            ]  # fmt: skip
        facts = facts[: max_sources or len(facts)]
        if not evidence.judgement.sufficient:
            section.status, section.note = "insufficient", refusal
            briefing.save(path)
            yield SectionDone(section)
            continue
        if not facts and spec.kind not in ("gaps", "disagreements"):
            # The topic is covered, but nothing found serves this section (or, for a bottom
            # line drafted again on its own, the sections kept state all its lead facts).
            if spec.kind == "bottom_line":
                section.status, section.note = "unwritten", NO_CHECKED_CLAIMS_NOTE
            else:
                section.status, section.note = "insufficient", INSUFFICIENT_NOTE
            briefing.save(path)
            yield SectionDone(section)
            continue

        if spec.kind == "disagreements":
            for conflict in _conflicts_of(evidence, facts):
                if len(section.claims) >= spec.claims:
                    break
                # Each disagreement, then the source's sentence that accounts for it, if
                # one does and the briefing does not state it already.
                said = _account(
                    explanation(conflict, evidence.facts), spec, evidence, library, used
                )
                for claim in [_disagreement_claim(conflict), *([said] if said else [])]:
                    if len(section.claims) >= spec.claims:
                        break
                    yield from _add_claim(claim, section, briefing, path, used, totals, started)
            if not section.claims:
                section.note = NO_DISAGREEMENT_NOTE
            section.status = "done"
            briefing.save(path)
            yield SectionDone(section)
            continue

        shown = _SectionFacts.of(facts, evidence.rarity)
        gen_claims: list[Claim] = []
        outcome = _Outcome()
        if facts:
            outcome = yield from _write_section(
                library, model, topic, spec, shown, cancel, totals, started,
                section, briefing, path, used, drop_failed,
            )  # fmt: skip
            dropped += outcome.dropped
            # The model stated fewer facts than the section has room for (it wrote few, or
            # what it wrote failed the check): the section's next most relevant facts are
            # stated in their sources' own words, up to its size; a bottom line left empty
            # states its lead fact. A cancelled section stops; gaps are questions, not facts.
            if outcome.cancelled or spec.kind == "gaps":
                room = 0
            elif spec.kind == "bottom_line":
                room = 0 if section.claims else 1
            else:
                room = spec.claims - len(section.claims)
            reason = QUOTED_FILL if section.claims else QUOTED_LEAD
            fill = (
                _quoted_facts(spec, shown, library, used, briefing, room, reason, evidence.direct)
                if room > 0
                else []
            )
            for claim in fill:
                yield from _add_claim(claim, section, briefing, path, used, totals, started)
            gen_claims = section.claims
            if outcome.cancelled:
                section.status = "cancelled"
                cancelled = True
                briefing.save(path)
                yield SectionDone(section)
                break
        if spec.kind == "gaps":
            room = spec.claims - len(gen_claims)
            for question in unanswered(GAP_QUESTIONS, evidence.judgement.grounded)[:room]:
                claim = _gap_claim(gap_claim_text(question))
                section.claims.append(claim)
                briefing.save(path)
                yield ClaimAdded(section, claim)
            if not section.claims:
                section.note = NO_GAP_NOTE
            section.status = "done"
        else:
            section.claims = fold_subsumed(section.claims)
            if spec.kind == "timeline":
                section.claims.sort(key=_timeline_key)
            section.status = "done" if section.claims else "unwritten"
        if section.status == "unwritten":
            # Evidence was there: say what became of the drafted claims, not that the
            # library lacks evidence.
            section.note = _unwritten_note(len(facts), outcome)
        elif outcome.dropped and not section.note:
            section.note = _dropped_note(outcome.dropped)
        briefing.save(path)
        yield SectionDone(section)

    if cancelled:
        for spec in order:
            section = briefing.section(spec.key)
            if section.status in ("pending", "drafting"):
                section.status = "cancelled"
    _record_stats(briefing, totals, time.monotonic() - started, evidence, cancelled, dropped)
    briefing.save(path)
    yield DraftFinished(briefing, cancelled)


def _dropped_note(n: int) -> str:
    """Claims the "drop" setting left out of a section that has others: never silently."""
    return (
        f"{'One more claim' if n == 1 else f'{n} more claims'} drafted for this section "
        f"failed the check against {'its' if n == 1 else 'their'} sources and "
        f"{'was' if n == 1 else 'were'} left out (the setting “Claims that fail the check” "
        "can show them, marked)."
    )


def _unwritten_note(facts: int, outcome: _Outcome) -> str:
    found = f"{facts} relevant {'fact was' if facts == 1 else 'facts were'} found"
    if outcome.dropped:
        n = outcome.dropped
        return (
            f"{found}, but {'the claim' if n == 1 else f'all {n} claims'} drafted from them "
            "failed the check against their sources and "
            f"{'was' if n == 1 else 'were'} left out. Draft the section again, or read the "
            "evidence in the search pane."
        )
    return (
        f"{found}, but the model drafted no usable claim from them. Draft the section "
        "again, or read the evidence in the search pane."
    )


def _refusal(evidence: BriefingEvidence) -> str:
    missing = evidence.judgement.missing_names
    unstated = evidence.judgement.unstated
    if unstated and not missing:
        # The names are there; what the topic asks about is not, except as a plan, forecast,
        # supposition or denial ("South Korea will announce controls").
        return (
            f"{INSUFFICIENT_NOTE} No source states “{unstated}” as a fact; sources may "
            "mention it as a plan, a forecast or a possibility, or to say it does not exist."
        )
    if missing:
        # Say why: the analyst can then check the spelling or import the missing sources.
        return (
            f"{INSUFFICIENT_NOTE} No source about this topic discusses " + ", ".join(missing) + "."
        )
    return INSUFFICIENT_NOTE


@dataclass
class _Outcome:
    cancelled: bool = False
    dropped: int = 0  # checked, failed, and left out by the "drop" setting
    rejected: int = 0  # not claims at all (titles, repeats, instructions); never shown


def _write_section(
    library: Library,
    model: ChatModel,
    topic: str,
    spec: SectionSpec,
    shown: _SectionFacts,
    cancel: CancelToken,
    totals: _Totals,
    started: float,
    section: Section,
    briefing: Briefing,
    path: Path,
    used: set[str],
    drop_failed: bool,
) -> Iterator[DraftEvent]:
    """Ask the model for the section's claims and add each as it arrives; returns _Outcome."""
    outcome = _Outcome()
    heading = prompts.FACTS_HEADING
    numbered = [
        prompts.fact_line(
            n,
            f.label or attributed(f.members[0]),
            *(("", "") if f.label else _origin(f.members[0])),
        )
        for n, f in enumerate(shown.facts, start=1)
    ]
    message = prompts.section_message(topic, spec, numbered, heading=heading)
    allowed = [topic, *(f.text for f in shown.facts)]
    guards = [
        LeakGuard(prompts.scaffolding(), allowed),
        LeakGuard([spec.instruction, spec.title], allowed, n=LEAK_NGRAM_INSTRUCTION),
    ]
    at_least = 0
    if spec.kind != "gaps" and len(shown.facts) >= MIN_CLAIMS_FROM:
        at_least = min(2, spec.claims)
    schema = prompts.claims_schema(len(shown.facts), spec.claims, min_claims=at_least)
    stream = ClaimStream()
    gen = model.stream(
        prompts.messages_for(message), schema=schema,
        max_tokens=spec.claims * TOKENS_PER_CLAIM + ANSWER_OVERHEAD, cancel=cancel,
    )  # fmt: skip
    completion: Completion | None = None
    while True:
        try:
            piece = next(gen)
        except StopIteration as stop:
            completion = stop.value
            break
        for raw in stream.feed(piece):
            earlier = [
                c for s in briefing.sections for c in s.claims
                if not (spec.kind == "timeline" and s.kind == "bottom_line")
            ]  # fmt: skip
            claims, rejected = _claims_from(raw, spec, shown, library, guards, earlier, used)
            outcome.rejected += rejected
            for claim in claims:
                if claim.check.unsupported and drop_failed:
                    outcome.dropped += 1
                    continue
                yield from _add_claim(claim, section, briefing, path, used, totals, started)
    if completion is not None:
        totals.add(completion)
    outcome.cancelled = completion is None or completion.cancelled or cancel.cancelled
    return outcome


def _add_claim(
    claim: Claim,
    section: Section,
    briefing: Briefing,
    path: Path,
    used: set[str],
    totals: _Totals,
    started: float,
) -> Iterator[DraftEvent]:
    """Put a drafted (or quoted) claim in its section, or in an earlier section's claim's
    place (``_in_place_of_earlier``), save, and say so."""
    if not claim.check.unsupported:
        used.update(c.passage_id + "|" + c.quote for c in claim.citations)
    if (revised := _in_place_of_earlier(claim, briefing, section)) is not None:
        briefing.save(path)
        yield SectionRevised(revised)
        return
    section.claims.append(claim)
    if totals.first_claim_seconds is None:
        totals.first_claim_seconds = time.monotonic() - started
    briefing.save(path)
    yield ClaimAdded(section, claim)


def _in_place_of_earlier(claim: Claim, briefing: Briefing, section: Section) -> Section | None:
    """The earlier section whose claim ``claim`` states in full, and more, with ``claim`` put
    in that claim's place; None when there is none. "MOFCOM answered on 20 March 2026 with
    Announcement No. 14" in Key developments, then "On 20 March 2026 MOFCOM answered with
    Announcement No. 14, taking countermeasures against 31 U.S. companies ..." drafted for
    Outlook: the fuller claim stands once, where the event was first told. Only between
    sections of claims: a bottom line sums up the others, a timeline dates each entry."""
    if section.kind != "claims" or claim.check.unsupported:
        return None
    for earlier in briefing.sections:
        if earlier is section or earlier.kind != "claims" or earlier.status != "done":
            continue
        for i, stated in enumerate(earlier.claims):
            if subsumes(claim, stated):
                earlier.claims[i] = claim
                return earlier
    return None


def _origin(sentence: SourceSentence) -> tuple[str, str]:
    doc = sentence.hit.document
    return doc.publisher or doc.title, doc.published[:10]


def _claims_from(
    raw: dict[str, Any],
    spec: SectionSpec,
    shown: _SectionFacts,
    library: Library,
    guards: Sequence[LeakGuard],
    earlier: Sequence[Claim],
    used: set[str],
) -> tuple[list[Claim], int]:
    """The claims in one answer object: cleaned, split into sentences, checked; and how many
    sentences were rejected as not a claim (a title or a source's name and date, a fact the
    briefing already states, the prompt's own words)."""
    text = str(raw.get("text", ""))
    cleaned = clean_claim(text, guards[0])
    if cleaned.sentences and (leak := guards[1].leaks(" ".join(cleaned.sentences))):
        cleaned = replace(cleaned, sentences=[], refused=f"repeats the instructions (“{leak}”)")
    given = [n for n in raw.get("facts", raw.get("sources", [])) if isinstance(n, int)]
    numbers = list(dict.fromkeys([*given, *cleaned.numbers]))
    cited = [shown.facts[n - 1].id for n in numbers if 1 <= n <= len(shown.facts)]
    if not cleaned.sentences:
        # Too long to be a claim: the model's wording goes, the fact it cites need not (the
        # demo's bottom line lost the rule's publication to a 42-word sentence).
        quoted = None
        if cleaned.too_long:
            quoted = _quoted_instead(cleaned.refused, cited, spec, shown, library, used)
        if quoted is None or repeats(quoted, earlier, _similarity(library), shown.rarity):
            return [], int(bool(text.strip()))  # nothing a reader could use; never shown
        return [quoted], 0
    out: list[Claim] = []
    rejected = 0
    for sentence in cleaned.sentences:
        if looks_like_heading(sentence) or _ORIGIN_ONLY.match(sentence) or _no_verb(sentence):
            # "The Circuit Ledger, 2026-03-21": a title or a fact's origin copied out, or a
            # noun phrase with no verb, asserts nothing; shown flagged it would only be noise.
            rejected += 1
            continue
        claim = _checked_claim(sentence, cited, spec, shown, library)
        if claim is None:  # too long once its holder is named: its fact, as above
            why = f"{TOO_LONG} {MAX_WORDS} words once its holder is named"
            claim = _quoted_instead(why, cited, spec, shown, library, used)
            if claim is None:
                rejected += 1
                continue
        if claim.check.unsupported:
            why = "; ".join(claim.check.reasons) or "it failed the check"
            claim = _quoted_instead(why, cited, spec, shown, library, used) or claim
        # A checked claim is not kept from the briefing by a failed one saying the same.
        said = [c for c in [*earlier, *out] if claim.check.unsupported or not c.check.unsupported]
        if repeats(claim, said, _similarity(library), shown.rarity):
            rejected += 1
            continue
        if not claim.check.unsupported and spec.kind != "timeline":
            keys = {c.passage_id + "|" + c.quote for c in claim.citations}
            if keys and keys <= used:
                rejected += 1
                continue  # says again what another claim of the briefing says
        out.append(claim)
    return out, rejected


def _no_verb(sentence: str) -> bool:
    # An instruction copied out ("Publisher: Concentrate resources on ...") opens on its verb
    # and is flagged as an instruction by the check instead.
    return states_nothing(sentence) and not IMPERATIVE.match(sentence.split(": ")[-1])


def _similarity(library: Library) -> Similarity:
    """Cosine of two claims' embeddings, for the repeat tests (``repeats``); each text is
    embedded once however many claims it is compared with."""

    def similarity(a: str, b: str) -> float:
        return float(np.dot(_embedded(library.embedder, a), _embedded(library.embedder, b)))

    return similarity


@lru_cache(maxsize=4096)
def _embedded(embedder: Any, text: str) -> np.ndarray:
    """A claim's embedding, computed once: the repeat tests and the facts a later section is
    shown (``_said``) compare each claim with many others."""
    return embedder.embed_one(text)


def _quoted_instead(
    why: str,
    cited: Sequence[str],
    spec: SectionSpec,
    shown: _SectionFacts,
    library: Library,
    used: set[str],
) -> Claim | None:
    """The first cited fact's own sentence, when the model's wording of it cannot stand (it
    failed the check, or is too long: ``why``) and the sentence reads as a claim on its own
    (``quoted_claims``); None when none does."""
    for fid in dict.fromkeys(cited):
        claim = _quote(shown.by_id(fid), spec, shown, library, used)
        if claim is not None:
            reason = f"{QUOTED_INSTEAD} (the model's wording: {why})"
            claim.check = replace(claim.check, reasons=[reason, *claim.check.reasons])
            return claim
    return None


def _quoted_facts(
    spec: SectionSpec,
    shown: _SectionFacts,
    library: Library,
    used: set[str],
    briefing: Briefing,
    want: int,
    reason: str,
    direct: set[str],
) -> list[Claim]:
    """Up to ``want`` of the section's facts, most relevant first, quoted, that the briefing
    does not state yet; only facts that name what the topic names (``direct``)."""
    earlier = [c for s in briefing.sections for c in s.claims if not c.check.unsupported]
    out: list[Claim] = []
    for fact in shown.facts:
        if len(out) >= want:
            break
        if fact.id not in direct:
            continue  # about the topic only through its neighbours: the model may choose it
        claim = _quote(fact, spec, shown, library, used)
        if claim is not None and not repeats(
            claim, [*earlier, *out], _similarity(library), shown.rarity
        ):
            claim.check = replace(claim.check, reasons=[reason, *claim.check.reasons])
            out.append(claim)
    return out


def _quote(
    fact: Fact, spec: SectionSpec, shown: _SectionFacts, library: Library, used: set[str]
) -> Claim | None:
    """The fact's own sentence as a checked claim, or None: stated already, not readable on
    its own, or (the quote given to its source) not passing the check."""
    sentence = fact.members[0]
    if (spec.kind != "timeline" and _stated(fact, used)) or not quotable(sentence):
        return None
    claim = _checked_claim(quoted_text(sentence), [fact.id], spec, shown, library)
    return None if claim is None or claim.check.unsupported else claim


def _account(
    fact: Fact | None,
    spec: SectionSpec,
    evidence: BriefingEvidence,
    library: Library,
    used: set[str],
) -> Claim | None:
    """The sentence accounting for a disagreement (``explanation``), quoted, or None."""
    if fact is None:
        return None
    claim = _quote(fact, spec, _SectionFacts.of([fact], evidence.rarity), library, used)
    if claim is not None:
        claim.check = replace(claim.check, reasons=[ACCOUNT_OF_DISAGREEMENT, *claim.check.reasons])
    return claim


def _source_names(shown: _SectionFacts, cited: Sequence[str]) -> list[str]:
    members = shown.members(cited)
    docs = [m.hit.document for m in members]
    voices = [m.voice for m in members]
    return [name for doc in docs for name in (doc.publisher, doc.author)] + voices


def _holder(shown: _SectionFacts, cited: Sequence[str]) -> str:
    """Whose position the cited facts state, when every sentence of them is one party's
    (``voices``): a claim drawn only from them must say so. "" when any is a report."""
    members = shown.members(cited)
    holders = {m.voice for m in members}
    return holders.pop() if len(holders) == 1 and members else ""


def _given_to_holder(text: str, cited: Sequence[str], shown: _SectionFacts) -> str:
    """The model's claim with its holder named, when it states one party's position bare:
    "Qiantang Intelligence is a civilian company" from the company's own statement becomes
    "Qiantang Intelligence says it is a civilian company", and an interviewee's answer
    "According to Gao, ...". The check then judges what the party said."""
    context = " ".join(shown.pool[fid][0].text for fid in cited if fid in shown.pool)
    # The model copied a fact's line as shown ("European Commission: We take note ..."):
    # the name it copied is whom the claim gives the rest to, checked like any attribution.
    named = next(
        (n for n in _source_names(shown, list(shown.pool)) if n and text.startswith(f"{n}:")),
        "",
    )
    if named and (rest := text[len(named) + 1 :].strip()):
        return according_to(named, rest, context, itself=_its_own(named, cited, shown))
    who = _holder(shown, cited)
    if not who or ATTRIBUTED.search(text) or split_attribution(text, [who]):
        return text
    return according_to(who, text, context, itself=_its_own(who, cited, shown))


def _its_own(who: str, cited: Sequence[str], shown: _SectionFacts) -> bool:
    """Whether ``who`` published every cited sentence: an organisation's own statement, which
    speaks of it as "it" (an interview's answer is its speaker's, not its publisher's)."""
    members = shown.members(cited)
    return bool(members) and all(m.hit.document.publisher == who for m in members)


def _opens_with(text: str, name: str) -> bool:
    text = text.removeprefix("The ").removeprefix("the ")
    return text.startswith(name.removeprefix("The ").removeprefix("the "))


def _holder_as_actor(judged: str, facts: Sequence[Fact]) -> bool:
    """Whether the claim makes the source that speaks for itself the actor of what its own
    sentence says another party did: "Carrow Center alleged that ..." from Carrow's report
    saying "Sablewood AI alleged that ...". The check sees the fact as the model did, with the
    speaker's name before it ("Carrow Center: Sablewood AI alleged ..."), so the name alone is
    no support. A sentence in the source's own first person ("We expect ...") is its act."""
    for fact in facts:
        for member in fact.members:
            who = member.voice or speaker(member)
            if not who or not _opens_with(judged, who):
                continue
            own = FIRST_PERSON.search(member.text) or I_SAY.search(member.text)
            if not own and who.lower() not in member.text.lower():
                return True
    return False


def _name_after_attribution(text: str, attribution: tuple[str, str] | None) -> str:
    """The name the rest of "According to X, <rest>" opens on, as written there: a
    capitalised word after the comma that is no stopword ("" when there is none)."""
    if attribution is None or not text.lower().startswith("according to"):
        return ""
    rest = text.partition(attribution[0])[2]
    m = re.match(r",\s+([A-Z][\w'’&.-]*)", rest)
    if not m or m[1].lower() in CLAIM_STOPWORDS or m[1].lower() in {"it", "its"}:
        return ""
    return m[1].removesuffix("'s").removesuffix("’s")


def _first_person(text: str) -> bool:
    unquoted = _SINGLE_QUOTED.sub(" ", QUOTED_SPEECH.sub(" ", text))
    return bool(_OPENS_FIRST_PERSON.match(text) or FIRST_PERSON.search(unquoted))


def _checked_claim(
    text: str, cited: list[str], spec: SectionSpec, shown: _SectionFacts, library: Library
) -> Claim | None:
    text = _given_to_holder(text, cited, shown)
    if len(text.split()) > MAX_WORDS:
        return None  # a sentence that fits only until its holder is named before it
    # "According to X, ..." with X a cited source: what is checked is what X is said to say.
    attribution = split_attribution(text, _source_names(shown, cited))
    if attribution is not None:
        # X's sentence has it from someone else ("..., according to Chinese state media"):
        # the claim says whose it is, as X does. The footnote still names X's document.
        sentences = [m.text for m in shown.members(cited)]
        reporter = second_hand(attribution[0], sentences)
        if reporter:
            context = " ".join(sentences)
            # Checked whole, so the party's name must be in whatever sentence it ends up citing.
            text = according_to(reporter, attribution[1], context)
            attribution = None
    judged = attribution[1] if attribution else text
    # "According to Qiantang Intelligence, Gao is a civilian company": judged on its own, the
    # rest opens on "Gao", which a capital at the start of a sentence does not make a name.
    opening = _name_after_attribution(text, attribution)
    result = check_claim(judged, library.embedder.embed_one(judged), cited, shown.pool)
    check = result.check
    facts = [shown.by_id(fid) for fid in result.passage_ids if fid in shown.pool]
    reasons = list(check.reasons)
    holders = _source_names(shown, result.passage_ids)  # of the facts the claim now cites
    moved = check.status == "reattributed"
    if attribution is not None and moved and split_attribution(text, holders) is None:
        reasons.append(f"attributed to {attribution[0]}, whose sentence does not say it")
    cited_text = " ".join(shown.pool[f.id][0].text for f in facts)
    if facts and unattributed_view(text, cited_text, holders):
        reasons.append(VIEW_AS_FACT)
    elif facts and added_view(judged, cited_text):
        reasons.append(ADDED_VIEW)
    if facts and (ranking := added_ranking(judged, cited_text)):
        reasons.append(f"ranks what its sources only report (“{ranking}”)")
    if facts and _holder_as_actor(judged, facts):
        reasons.append("makes the source the actor of what its sentence says another did")
    if depends_on_context(judged):
        reasons.append(NEEDS_CONTEXT)
    if refers_to_its_document(judged):
        reasons.append(OWN_DOCUMENT)
    if opening and facts and not named(opening, cited_text):
        reasons.append(f"{opening} is not named in the cited text")
    if _first_person(text):
        reasons.append(FIRST_PERSON_CLAIM)
    if last := cut_off(judged):
        reasons.append(f"breaks off mid-sentence (it ends on “{last}”)")
    if IMPERATIVE.match(text):
        reasons.append("an instruction to the reader, not a finding: say whose recommendation")
    if contradicted_gap(text, facts):
        reasons.append(REJECTED_GAP)
    if spec.kind == "timeline":
        date = _event_date(text, facts)
        if date is None:
            reasons.append("no event date in the cited facts")
        else:
            # The date is the event's, taken from the fact; the checker judged the sentence.
            text = f"{date} — {without_opening_date(text, date)}"
    if len(reasons) > len(check.reasons):
        check = SupportCheck(
            "unsupported", reasons, check.lexical, check.semantic, check.missing_terms
        )
    citations = [c for f in facts for c in _citations_of(f)]
    corroboration = len({m.doc_id for f in facts for m in f.members})
    return Claim(
        id=uuid.uuid4().hex[:12], text=text, citations=citations, check=check,
        corroboration=corroboration,
    )  # fmt: skip


def _event_date(text: str, facts: Sequence[Fact]) -> str | None:
    """The date of the event: one the claim names that its facts state, else the facts' first."""
    stated = [
        d for f in facts for m in f.members
        for d in event_dates(m.text, m.hit.document.published)
    ]  # fmt: skip
    if not stated:
        return None
    year = stated[0][:4]
    for d in event_dates(text, f"{year}-01-01"):
        if d in stated:
            return d
    return stated[0]


def _citations_of(fact: Fact) -> list[Citation]:
    """One citation per document stating the fact, each quoting its own sentence."""
    out = []
    for member in fact.by_document():
        doc = member.hit.document
        out.append(
            Citation(
                passage_id=member.passage_id,
                doc_id=doc.id,
                locator=member.hit.passage.locator,
                quote=member.cited,
                doc_title=doc.title,
                publisher=doc.publisher,
                published=doc.published,
                url=doc.url,
            )
        )
    return out


def _said(briefing: Briefing, library: Library) -> list[tuple[str, np.ndarray]]:
    """The briefing's checked claims so far with their embeddings (``_embedded``)."""
    return [
        (c.text, _embedded(library.embedder, c.text))
        for s in briefing.sections if s.kind not in ("gaps", "disagreements")
        for c in s.claims if c.check.verified
    ]  # fmt: skip


def _stated(fact: Fact, used: set[str]) -> bool:
    """Whether a checked claim already cites every document's sentence of this fact."""
    return all(m.passage_id + "|" + m.cited in used for m in fact.by_document())


def _conflicts_of(evidence: BriefingEvidence, facts: Sequence[Fact]) -> list[FactDisagreement]:
    ids = {f.id for f in facts}
    return [d for d in evidence.conflicts if d.first.id in ids and d.second.id in ids]


def _disagreement_claim(d: FactDisagreement) -> Claim:
    """A claim BriefDesk states itself, quoting both sides verbatim and citing each."""
    citations = [_citations_of(d.first)[0], _citations_of(d.second)[0]]
    return Claim(
        id=uuid.uuid4().hex[:12],
        text=d.claim_text(),
        citations=citations,
        check=SupportCheck(
            "supported",
            ["found by comparing the sources; both phrases are quoted verbatim from them"],
        ),
        corroboration=len({c.doc_id for c in citations}),
    )


def _gap_claim(text: str) -> Claim:
    """A question no fact answers. Nothing can be cited for an absence; the check records
    how BriefDesk established it."""
    return Claim(
        id=uuid.uuid4().hex[:12],
        text=text,
        citations=[],
        check=SupportCheck.gap(),
        corroboration=0,
    )


def _timeline_key(claim: Claim) -> tuple[str, str]:
    date = claim.text.split(" — ", 1)[0]
    return (normalize_date(date) or "9999", claim.text)


def _record_stats(
    briefing: Briefing,
    totals: _Totals,
    seconds: float,
    evidence: BriefingEvidence,
    cancelled: bool,
    dropped: int,
) -> None:
    claims = [c for s in briefing.sections for c in s.claims]
    run = {
        "seconds": round(seconds, 2),
        "first_claim_seconds": (
            round(totals.first_claim_seconds, 2) if totals.first_claim_seconds is not None else None
        ),
        "model_calls": totals.calls,
        "prompt_tokens_sent": totals.prompt_sent,
        "prompt_tokens_evaluated": totals.prompt_evaluated,
        "completion_tokens": totals.completion,
        # Generation alone (prompt evaluation is in the token counts above): comparable with
        # llama.cpp's own eval rate, and with the model's speed outside BriefDesk.
        "generated_tokens_per_second": (
            round(totals.decode_tokens / totals.decode_seconds, 1)
            if totals.decode_seconds
            else None
        ),
        "sources": evidence.passages,
        "facts": len(evidence.facts),
        "dropped": dropped,
        "cancelled": cancelled,
    }
    briefing.stats = {
        **run,
        "sections": len(briefing.sections),
        "claims": len(claims),
        "citations": sum(len(c.citations) for c in claims),
        "unsupported": sum(c.check.unsupported for c in claims),
        "reattributed": sum(c.check.status == "reattributed" for c in claims),
        "gaps": sum(c.check.status == "gap" for c in claims),
    }
