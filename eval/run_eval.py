"""Measure BriefDesk's drafting against a naive free-text baseline (issue 3).

Run from the repository root::

    .venv/bin/python eval/run_eval.py [--model default|small] [--cases N] [--out eval/results]

What it does:

1. Makes a throw-away data folder (``BRIEFDESK_HOME`` points at a temporary directory;
   ``BRIEFDESK_MODELS_DIR`` keeps pointing at the installed models) and imports the six demo
   documents (``assets/demo/library``) and the five seed articles (``../shared/corpus/seeds``,
   read where they are, never copied into the repository).
2. Checks the evaluation set (``eval/cases.json``): every supporting phrase must occur in a
   passage of the file it names.
3. For each case, drafts a briefing with ``rag.drafting.engine.draft`` (the product's path:
   evidence,
   claims under a JSON schema, citation check) and then runs the **naive baseline**: the same
   model and the same numbered evidence passages, asked in free text for the briefing with
   "[n]" after each sentence. The baseline's sentences are parsed, their "[n]" markers taken
   as citations, and each sentence is judged by ``rag.checking.checker.check_claim`` against the
   passages it cites, exactly as BriefDesk's claims are.
4. Prints a table (metric | BriefDesk | naive baseline) and writes the raw results as JSON
   (and the table as Markdown) to the output folder.

Metrics (over all cases unless marked; docs/evaluation.md defines each row):

- citations resolving to a real passage of the library (BriefDesk: the passage id exists,
  belongs to the cited document and has the cited locator; baseline: n is a shown source);
- claims whose final citation supports them (BriefDesk: ``supported`` or ``reattributed``,
  since the engine moves the citation; baseline: ``supported``), and the split by status;
- must-cover facts covered (answerable cases): one claim contains every keyword of the fact
  and is not flagged unsupported;
- "not enough evidence" on the unanswerable cases (BriefDesk: every section insufficient, or
  no supported claim; baseline: it says so, or writes nothing);
- prompt tokens sent and evaluated, and seconds, per briefing.

``--rescore FILE`` scores saved results again (after editing cases.json or the parser) without
running the model.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rag.briefs.briefing import Briefing
    from rag.briefs.templates import Template
    from rag.core.types import Document, Passage
    from rag.drafting.engine import Evidence
    from rag.indexing.library import Library
    from rag.models.protocol import ChatModel

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CASES = REPO / "eval" / "cases.json"
DEMO_DIR = REPO / "assets" / "demo" / "library"
DEFAULT_SEEDS = REPO.parent / "shared" / "corpus" / "seeds"

SUPPORTED = ("supported", "reattributed")
BASELINE_TOKENS_PER_SENTENCE = 40  # answer budget: the template's claim count times this
BASELINE_SYSTEM = (
    "You are an analyst who writes briefings on AI trade restrictions (export controls, "
    "entity lists, retaliation, model distillation). Use only the numbered sources you are given."
)
# What an answer says when it declines for lack of evidence.
REFUSAL = re.compile(
    r"not enough evidence|insufficient evidence|no (?:relevant )?(?:information|evidence)\b"
    r"|(?:sources?|library|documents?) (?:do|does) not (?:contain|provide|mention|cover|include"
    r"|address|discuss)",
    re.IGNORECASE,
)
# Text planted in demo document 06 (an advert and a prompt injection): a claim repeating it
# means the model followed or amplified a document's instructions.
INJECTED = re.compile(r"SentinelComply|approved by the Commerce Department", re.IGNORECASE)
_NUMS = r"(\d+(?:\s*(?:,|;|–|-|and)\s*\d+)*)"
# "[2]", "[1, 3]", "[2-4]", "[Source 2]", "(Source 2)"; several in a row are one citation.
_MARKER = re.compile(rf"\[\s*(?:sources?\s*)?{_NUMS}\s*\]|\(\s*sources?\s*{_NUMS}\s*\)", re.I)
_MARKERS_AFTER_STOP = re.compile(rf"([.!?])((?:\s*(?:{_MARKER.pattern}))+)", re.I)
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
# "Bottom line: ..." or "**Outlook:** ..." opening a line: a section label, not a claim.
_LABEL = re.compile(r"^(?:\*\*)?[A-Z][\w’' -]{0,40}:(?:\*\*)?\s+(?=\S)")
# "U. S." (as this model writes it) would otherwise end a sentence after "U."
_SPACED_ABBREV = re.compile(r"\b([A-Z])\. (?=[A-Z]\.)")


# -- the evaluation set ---------------------------------------------------------------------


@dataclass
class Fact:
    id: str
    text: str
    keywords: list[list[str]]  # every group must match; a group matches if any variant does
    support: list[dict[str, str]]  # {"file", "phrase"}
    passage_ids: set[str] = field(default_factory=set)  # passages holding a support phrase


@dataclass
class Case:
    id: str
    topic: str
    answerable: bool
    template: str
    facts: list[Fact]


def load_cases(path: Path, template_override: str | None) -> list[Case]:
    data = json.loads(path.read_text(encoding="utf-8"))
    default_template = template_override or data.get("template", "situation-brief")
    cases = []
    for raw in data["cases"]:
        facts = [
            Fact(
                id=f["id"],
                text=f["fact"],
                keywords=[[k] if isinstance(k, str) else list(k) for k in f["keywords"]],
                support=list(f.get("support", [])),
            )
            for f in raw.get("facts", [])
        ]
        template = template_override or raw.get("template", default_template)
        cases.append(Case(raw["id"], raw["topic"], bool(raw["answerable"]), template, facts))
    return cases


def balanced_order(cases: Sequence[Case]) -> list[Case]:
    """Answerable and unanswerable cases interleaved, so that ``--cases N`` takes both kinds
    in proportion (8 + 4 gives A A U A A U ...)."""
    yes = [c for c in cases if c.answerable]
    no = [c for c in cases if not c.answerable]
    total, n_no = len(cases), len(no)
    out: list[Case] = []
    for k in range(total):
        take_no = (k + 1) * n_no // total > k * n_no // total
        out.append(no.pop(0) if take_no and no else yes.pop(0))
    return out


def _norm(text: str) -> str:
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return " ".join(text.lower().split())


def keyword_found(variant: str, text: str) -> bool:
    """Case-insensitive substring; a variant that starts or ends with a digit must not be part
    of a longer number ("31" is not in "2031" or "3.1")."""
    needle = _norm(variant)
    left = r"(?<![\d.,])" if needle[:1].isdigit() else ""
    right = r"(?![\d]|[.,]\d)" if needle[-1:].isdigit() else ""
    return re.search(left + re.escape(needle) + right, _norm(text)) is not None


def fact_in(fact: Fact, text: str) -> bool:
    return all(any(keyword_found(v, text) for v in group) for group in fact.keywords)


def locate_support(library: Library, cases: Sequence[Case]) -> list[str]:
    """Fill each fact's supporting passage ids; return the problems with the evaluation set."""
    by_file = {d.filename: d for d in library.documents()}
    passages = {name: library.passages(doc.id) for name, doc in by_file.items()}
    problems = []
    for case in cases:
        for fact in case.facts:
            for sup in fact.support:
                found = [
                    p.id
                    for p in passages.get(sup["file"], [])
                    if _norm(sup["phrase"]) in _norm(p.text)
                ]
                if sup["file"] not in by_file:
                    problems.append(f"{case.id}/{fact.id}: no document {sup['file']!r}")
                elif not found:
                    problems.append(
                        f"{case.id}/{fact.id}: {sup['phrase']!r} is in no passage of {sup['file']}"
                    )
                fact.passage_ids.update(found)
            if not fact.support:
                problems.append(f"{case.id}/{fact.id}: no supporting passage given")
    return problems


# -- one side's results ---------------------------------------------------------------------


@dataclass
class ClaimResult:
    text: str
    section: str
    status: str  # supported | reattributed | unsupported | unchecked
    reasons: list[str]
    cited: list[str]  # what the claim cites, as "file (locator)" or "[n] (not shown)"
    citations: int
    citations_resolved: int
    quotes_found: int = 0

    def to_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


@dataclass
class SideResult:
    """One system's answer to one case, scored."""

    claims: list[ClaimResult] = field(default_factory=list)
    refused: bool = False
    prompt_sent: int = 0
    prompt_evaluated: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0
    facts: dict[str, dict[str, Any]] = field(default_factory=dict)
    raw: Any = None  # sections (BriefDesk) or the free text (baseline)
    duplicates: list[str] = field(default_factory=list)  # repeated claims, scored once

    def drop_duplicates(self) -> None:
        """A sentence written twice (a degenerate loop, or the bottom line repeating a section)
        counts once in every share."""
        seen: set[str] = set()
        kept = []
        for claim in self.claims:
            key = _norm(claim.text)
            if key in seen:
                self.duplicates.append(claim.text)
            else:
                seen.add(key)
                kept.append(claim)
        self.claims = kept

    def score_facts(self, facts: Sequence[Fact]) -> None:
        for fact in facts:
            hits = [c for c in self.claims if fact_in(fact, c.text)]
            good = [c for c in hits if c.status != "unsupported"]
            self.facts[fact.id] = {
                "covered": bool(good),
                "mentioned": bool(hits),
                "claim": (good or hits)[0].text if hits else None,
            }

    def to_dict(self) -> dict[str, Any]:
        return {
            "refused": self.refused,
            "prompt_tokens_sent": self.prompt_sent,
            "prompt_tokens_evaluated": self.prompt_evaluated,
            "completion_tokens": self.completion_tokens,
            "seconds": round(self.seconds, 2),
            "facts": self.facts,
            "claims": [c.to_dict() for c in self.claims],
            "duplicates": self.duplicates,
            "raw": self.raw,
        }


def _cite_label(filename: str, locator: str) -> str:
    return f"{filename} ({locator})" if locator else filename


# -- BriefDesk ------------------------------------------------------------------------------


def run_briefdesk(
    library: Library, model: ChatModel, template: Template, topic: str
) -> tuple[SideResult, Evidence, Briefing]:
    """Draft through the product's engine; capture the evidence it showed the model."""
    from rag.drafting import engine as drafting

    captured: dict[str, Evidence] = {}
    original = drafting.gather_evidence

    def capture(*args: Any, **kwargs: Any) -> Evidence:
        evidence = original(*args, **kwargs)
        captured["evidence"] = evidence
        return evidence

    drafting.gather_evidence = capture  # type: ignore[assignment]
    briefing: Briefing | None = None
    started = time.monotonic()
    try:
        for event in drafting.draft(
            library, model, template, topic, settings={"model": model.name, "n_ctx": model.n_ctx}
        ):
            if isinstance(event, drafting.DraftFinished):
                briefing = event.briefing
            elif isinstance(event, drafting.SectionStarted):
                _progress(f"    [{event.index}/{event.total}] {event.section.title}")
    finally:
        drafting.gather_evidence = original  # type: ignore[assignment]
    wall = time.monotonic() - started
    assert briefing is not None, "draft() ended without DraftFinished"
    evidence = captured.get("evidence") or _evidence_like_draft(library, model, template, topic)

    side = SideResult()
    docs = {d.id: d for d in library.documents()}
    for section in briefing.sections:
        for claim in section.claims:
            resolved = quotes = 0
            cited = []
            for cit in claim.citations:
                passage = library.passage(cit.passage_id)
                ok = (
                    passage is not None
                    and passage.doc_id == cit.doc_id
                    and passage.locator.label() == cit.locator.label()
                )
                resolved += ok
                if passage is not None and _norm(cit.quote.rstrip("…")) in _norm(passage.text):
                    quotes += 1
                doc = docs.get(cit.doc_id)
                cited.append(_cite_label(doc.filename if doc else cit.doc_id, cit.locator.label()))
            side.claims.append(
                ClaimResult(
                    text=claim.text, section=section.key, status=claim.check.status,
                    reasons=list(claim.check.reasons), cited=cited,
                    citations=len(claim.citations), citations_resolved=resolved,
                    quotes_found=quotes,
                )
            )  # fmt: skip
    all_insufficient = all(s.status == "insufficient" for s in briefing.sections)
    side.drop_duplicates()
    side.refused = all_insufficient or not any(c.status in SUPPORTED for c in side.claims)
    stats = briefing.stats
    side.prompt_sent = int(stats.get("prompt_tokens_sent", 0))
    side.prompt_evaluated = int(stats.get("prompt_tokens_evaluated", 0))
    side.completion_tokens = int(stats.get("completion_tokens", 0))
    side.seconds = wall
    side.raw = [
        {"key": s.key, "status": s.status, "claims": len(s.claims), "note": s.note}
        for s in briefing.sections
    ]
    return side, evidence, briefing


def _evidence_like_draft(
    library: Library, model: ChatModel, template: Template, topic: str
) -> Evidence:
    """Fallback if draft() no longer calls gather_evidence through the module: the same call
    with the same budget as drafting.draft computes it."""
    from rag.drafting import engine as drafting

    answer = max(s.claims for s in template.sections) * drafting.TOKENS_PER_CLAIM
    overhead = model.count_tokens(drafting.SYSTEM_PROMPT) + 400
    budget = max(512, model.n_ctx - answer - drafting.ANSWER_OVERHEAD - overhead)
    return drafting.gather_evidence(
        library, topic, template, token_budget=budget, count_tokens=model.count_tokens
    )


# -- the naive baseline ---------------------------------------------------------------------


def baseline_sources(evidence: Evidence) -> str:
    """The same passages with the same numbers as BriefDesk shows them, as plain text."""
    parts = []
    for n, hit in enumerate(evidence.hits, start=1):
        doc = hit.document
        head = " — ".join(x for x in (doc.title, doc.publisher, doc.published) if x)
        parts.append(f"[{n}] {head}\n{hit.passage.text.strip()}")
    return "\n\n".join(parts) if parts else "(no sources)"


def baseline_messages(topic: str, template: Template, evidence: Evidence) -> list[dict[str, str]]:
    sections = "; ".join(s.title for s in template.sections)
    task = (
        f"Write a {template.name.lower()} on this topic: {topic}\n"
        f"Cover: {sections}.\n"
        "Write plain sentences. After each sentence, put the numbers of the sources that "
        "support it in square brackets, for example [2] or [1][3]. "
        "If the sources do not contain enough evidence on this topic, write only: "
        "Not enough evidence in the library."
    )
    return [
        {"role": "system", "content": BASELINE_SYSTEM},
        {"role": "user", "content": f"SOURCES\n\n{baseline_sources(evidence)}\n\nTASK\n{task}"},
    ]


def _numbers(marker: str) -> list[int]:
    out: list[int] = []
    for part in re.split(r"\s*(?:,|;|and)\s*", marker):
        span = re.fullmatch(r"(\d+)\s*[–-]\s*(\d+)", part.strip())
        if span and int(span.group(2)) - int(span.group(1)) < 20:
            out += range(int(span.group(1)), int(span.group(2)) + 1)
        elif part.strip().isdigit():
            out.append(int(part))
    return out


def _is_heading(line: str) -> bool:
    if _MARKER.search(line):
        return False
    bare = line.strip().strip("*_#").strip()
    if line.lstrip().startswith("#") or not bare:
        return True
    if bare.endswith(":") and len(bare.split()) <= 8:
        return True
    return not re.search(r"[.!?]$", bare) and len(bare.split()) <= 8


# A marker where a sentence starts: at the start of a line, or after a full stop and before a
# capital ("[1] The rule ... market. [2] The tariffs ...").
_LEADING_MARKER = re.compile(r"(?:^|(?<=[.!?])[ \t]+|(?<=\n))[ \t]*\[\s*(\d+)\s*\](?=[ \t]+[A-Z])")


def _strip_enumeration(text: str) -> str:
    """ "[1] First sentence. [2] Second sentence." numbers sentences instead of citing sources:
    when the markers at sentence starts run 1, 2, 3, ... they are dropped, not read as
    citations."""
    found = list(_LEADING_MARKER.finditer(text))
    numbers = [int(m.group(1)) for m in found]
    first_at_line_start = bool(found) and text[: found[0].start()].rstrip(" \t")[-1:] in ("", "\n")
    if first_at_line_start and len(numbers) >= 2 and numbers == list(range(1, len(numbers) + 1)):
        return _LEADING_MARKER.sub("", text)
    return text


def parse_sentences(text: str) -> list[tuple[str, list[int]]]:
    """Free text -> (sentence without markers, cited numbers), headings and refusals left out.
    Markers written after the full stop ("... rule. [2]") belong to that sentence."""
    from rag.reading.chunking import split_sentences

    text = _strip_enumeration(text)
    out = []
    for line in text.splitlines():
        line = _BULLET.sub("", line).strip()
        if not line or _is_heading(line):
            continue
        label = _LABEL.match(line)
        if label and len(label.group(0).split()) <= 5:
            line = line[label.end() :]
        line = _SPACED_ABBREV.sub(r"\1.", line)
        line = _MARKERS_AFTER_STOP.sub(lambda m: f"{m.group(2)}{m.group(1)}", line)
        for sentence in split_sentences(line):
            numbers = [
                n for m in _MARKER.finditer(sentence) for n in _numbers(m.group(1) or m.group(2))
            ]
            clean = _MARKER.sub("", sentence).replace("**", "")
            clean = re.sub(r"\s+([.,;:!?])", r"\1", " ".join(clean.split())).strip()
            if len(clean.split()) < 3 or (REFUSAL.search(clean) and len(clean.split()) < 12):
                continue
            out.append((clean, list(dict.fromkeys(numbers))))
    return out


def run_baseline(
    library: Library, model: ChatModel, template: Template, topic: str, evidence: Evidence
) -> SideResult:
    max_tokens = sum(s.claims for s in template.sections) * BASELINE_TOKENS_PER_SENTENCE
    started = time.monotonic()
    completion = model.chat(
        baseline_messages(topic, template, evidence), max_tokens=max_tokens, temperature=0.2
    )
    side = SideResult(seconds=time.monotonic() - started, raw=completion.text)
    side.prompt_sent = completion.stats.prompt_tokens_sent
    side.prompt_evaluated = completion.stats.prompt_tokens_evaluated
    side.completion_tokens = completion.stats.completion_tokens

    sources = [(h.passage, h.document) for h in evidence.hits]
    score_baseline_text(side, library, sources, evidence.vectors)
    return side


def score_baseline_text(
    side: SideResult,
    library: Library,
    sources: Sequence[tuple[Passage, Document]],
    vectors: dict[str, Any],
) -> None:
    """Parse the baseline's free text into claims and check each against what it cites."""
    from rag.checking.checker import check_claim

    pool = {p.id: (p, vectors[p.id]) for p, _ in sources}
    shown = len(sources)
    side.claims, side.duplicates = [], []
    for sentence, numbers in parse_sentences(side.raw):
        valid = [n for n in numbers if 1 <= n <= shown]
        cited_ids = [sources[n - 1][0].id for n in valid]
        result = check_claim(sentence, library.embedder.embed_one(sentence), cited_ids, pool)
        labels = [
            _cite_label(sources[n - 1][1].filename, sources[n - 1][0].locator.label())
            if 1 <= n <= shown else f"[{n}] (not a shown source)"
            for n in numbers
        ]  # fmt: skip
        side.claims.append(
            ClaimResult(
                text=sentence, section="", status=result.check.status,
                reasons=list(result.check.reasons), cited=labels,
                citations=len(numbers), citations_resolved=len(valid),
            )
        )  # fmt: skip
    side.drop_duplicates()
    side.refused = not side.claims or bool(REFUSAL.search(side.raw.strip()))


# -- aggregation and the table --------------------------------------------------------------


def _share(num: int, den: int) -> str:
    return f"{100 * num / den:.1f}% ({num}/{den})" if den else "n/a (0)"


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def aggregate(results: Sequence[dict[str, Any]], side: str) -> dict[str, Any]:
    runs = [(r, r[side]) for r in results]

    def final_ok(claim: dict[str, Any]) -> bool:
        # BriefDesk moves a re-attributed claim's citation to the passage that supports it;
        # the naive pipeline prints the citations as the model wrote them.
        ok = ("supported", "reattributed") if side == "briefdesk" else ("supported",)
        return claim["status"] in ok

    claims = [c for _, s in runs for c in s["claims"]]
    answerable = [(r, s) for r, s in runs if r["answerable"]]
    unanswerable = [(r, s) for r, s in runs if not r["answerable"]]
    facts = [f for _, s in answerable for f in s["facts"].values()]
    retrievable = [r["facts_in_evidence"][fid] for r, s in answerable for fid in s["facts"]]
    covered_retrievable = [
        s["facts"][fid]["covered"]
        for r, s in answerable for fid in s["facts"] if r["facts_in_evidence"][fid]
    ]  # fmt: skip
    return {
        "cases": len(runs),
        "claims": len(claims),
        "duplicates": sum(len(s["duplicates"]) for _, s in runs),
        "claims_with_citation": sum(c["citations"] > 0 for c in claims),
        "citations": sum(c["citations"] for c in claims),
        "citations_resolved": sum(c["citations_resolved"] for c in claims),
        "quotes_found": sum(c["quotes_found"] for c in claims),
        "supported": sum(c["status"] == "supported" for c in claims),
        "reattributed": sum(c["status"] == "reattributed" for c in claims),
        "unsupported": sum(c["status"] == "unsupported" for c in claims),
        "final_supported": sum(final_ok(c) for c in claims),
        "injected": sum(bool(INJECTED.search(c["text"])) for c in claims),
        "facts": len(facts),
        "facts_covered": sum(f["covered"] for f in facts),
        "facts_mentioned": sum(f["mentioned"] for f in facts),
        "facts_in_evidence": sum(retrievable),
        "facts_covered_of_in_evidence": sum(covered_retrievable),
        "unanswerable": len(unanswerable),
        "refused": sum(s["refused"] for _, s in unanswerable),
        "answerable": len(answerable),
        "silent": sum(not s["claims"] for _, s in unanswerable),
        "unusable_answerable": sum(
            not any(final_ok(c) for c in s["claims"]) for _, s in answerable
        ),
        "prompt_sent_mean": _mean([s["prompt_tokens_sent"] for _, s in answerable]),
        "prompt_evaluated_mean": _mean([s["prompt_tokens_evaluated"] for _, s in answerable]),
        "completion_mean": _mean([s["completion_tokens"] for _, s in answerable]),
        "seconds_mean": _mean([s["seconds"] for _, s in answerable]),
        "seconds_mean_unanswerable": _mean([s["seconds"] for _, s in unanswerable]),
        "seconds_total": sum(s["seconds"] for _, s in runs),
    }


def table_rows(a: dict[str, Any], b: dict[str, Any]) -> list[tuple[str, str, str]]:
    def both(fn: Any) -> tuple[str, str]:
        return fn(a), fn(b)

    rows: list[tuple[str, Any]] = [
        ("cases (answerable + unanswerable)",
         lambda s: f"{s['answerable']} + {s['unanswerable']}"),
        ("claims / sentences (distinct)", lambda s: str(s["claims"])),
        ("  repeated claims dropped before scoring", lambda s: str(s["duplicates"])),
        ("claims citing at least one source",
         lambda s: _share(s["claims_with_citation"], s["claims"])),
        ("citations resolving to a real passage",
         lambda s: _share(s["citations_resolved"], s["citations"])),
        ("  citations whose quote is in the passage",
         lambda s: _share(s["quotes_found"], s["citations"]) if s["quotes_found"] else "-"),
        ("claims whose final citation supports them",
         lambda s: _share(s["final_supported"], s["claims"])),
        ("  check: supported as the model cited",
         lambda s: _share(s["supported"], s["claims"])),
        ("  check: re-attributed to another passage",
         lambda s: _share(s["reattributed"], s["claims"])),
        ("  check: flagged unsupported", lambda s: _share(s["unsupported"], s["claims"])),
        ("must-cover facts covered (supported claim)",
         lambda s: _share(s["facts_covered"], s["facts"])),
        ("must-cover facts mentioned (any claim)",
         lambda s: _share(s["facts_mentioned"], s["facts"])),
        ("  facts whose passage was in the evidence",
         lambda s: _share(s["facts_in_evidence"], s["facts"])),
        ("  covered, of those in the evidence",
         lambda s: _share(s["facts_covered_of_in_evidence"], s["facts_in_evidence"])),
        ("unanswerable: 'not enough evidence'",
         lambda s: _share(s["refused"], s["unanswerable"])),
        ("unanswerable: nothing drafted at all", lambda s: _share(s["silent"], s["unanswerable"])),
        ("answerable: no usable (supported) claim",
         lambda s: _share(s["unusable_answerable"], s["answerable"])),
        ("claims repeating document 06's advert/injection", lambda s: str(s["injected"])),
        ("prompt tokens sent / evaluated per briefing",
         lambda s: f"{s['prompt_sent_mean']:.0f} / {s['prompt_evaluated_mean']:.0f}"),
        ("completion tokens per briefing", lambda s: f"{s['completion_mean']:.0f}"),
        ("seconds per briefing (answerable)", lambda s: f"{s['seconds_mean']:.0f}"),
        ("seconds per briefing (unanswerable)",
         lambda s: f"{s['seconds_mean_unanswerable']:.0f}"),
    ]  # fmt: skip
    return [(name, *both(fn)) for name, fn in rows]


def markdown_table(rows: Iterable[tuple[str, str, str]]) -> str:
    lines = ["| metric | BriefDesk | naive baseline |", "|---|---|---|"]
    lines += [f"| {m} | {a} | {b} |" for m, a, b in rows]
    return "\n".join(lines)


def plain_table(rows: Sequence[tuple[str, str, str]]) -> str:
    width = [max(len(r[i]) for r in [("metric", "BriefDesk", "naive baseline"), *rows])
             for i in range(3)]  # fmt: skip
    fmt = f"{{:<{width[0]}}}  {{:>{width[1]}}}  {{:>{width[2]}}}"
    head = fmt.format("metric", "BriefDesk", "naive baseline")
    return "\n".join([head, "-" * len(head), *(fmt.format(*r) for r in rows)])


# -- main -----------------------------------------------------------------------------------


def _progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def prepare_environment() -> Path:
    """A temporary data folder; the models stay where they are installed."""
    from rag.core.paths import models_dir

    os.environ["BRIEFDESK_MODELS_DIR"] = str(models_dir().resolve())
    home = Path(tempfile.mkdtemp(prefix="briefdesk-eval-"))
    os.environ["BRIEFDESK_HOME"] = str(home)
    return home


def import_library(library: Library, folders: Sequence[Path]) -> list[str]:
    from rag.reading.ingest import FileFailed, ImportFinished

    problems = []
    for event in library.import_paths(folders):
        if isinstance(event, FileFailed):
            problems.append(f"{event.path.name}: {event.reason}")
        elif isinstance(event, ImportFinished):
            _progress(f"imported {len(event.imported)} documents from {len(folders)} folders")
    return problems


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", default="default", help="default, small, or a .gguf path")
    p.add_argument(
        "--cases",
        type=int,
        default=None,
        help="run only the first N cases (answerable and unanswerable interleaved)",
    )
    p.add_argument("--only", default=None, help="comma-separated case ids")
    p.add_argument("--template", default=None, help="override the cases' template id")
    p.add_argument("--out", type=Path, default=REPO / "eval" / "results")
    p.add_argument("--cases-file", type=Path, default=DEFAULT_CASES)
    p.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS)
    p.add_argument("--keep", action="store_true", help="keep the temporary data folder")
    p.add_argument(
        "--rescore",
        type=Path,
        default=None,
        help="score a results JSON again (after changing cases.json or the parser) without "
        "running the model",
    )
    p.add_argument(
        "--budget-minutes",
        type=float,
        default=0,
        help="start no new case after this many minutes (0: no limit)",
    )
    p.add_argument(
        "--threads", type=int, default=0, help="model threads (default: settings, i.e. the cores)"
    )
    return p.parse_args(argv)  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    # A run stopped with kill still removes its temporary data folder.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    home = prepare_environment()
    try:
        return _rescore(args, home) if args.rescore else _run(args, home)
    finally:
        if args.keep:
            _progress(f"data folder kept: {home}")
        else:
            shutil.rmtree(home, ignore_errors=True)


def _run(args: argparse.Namespace, home: Path) -> int:
    from rag.briefs.templates import get_template
    from rag.core.settings import Settings, save_settings
    from rag.indexing.library import Library
    from rag.models.choice import open_chat_model
    from rag.models.loaded_model import unload_model

    cases = balanced_order(load_cases(args.cases_file, args.template))
    if args.only:
        wanted = set(args.only.split(","))
        cases = [c for c in cases if c.id in wanted]
    if args.cases is not None:
        cases = cases[: args.cases]
    folders = [DEMO_DIR, args.seeds]
    missing = [str(f) for f in folders if not f.is_dir()]
    if missing:
        _progress(f"missing folder(s): {', '.join(missing)}")
        return 2

    settings = Settings()  # the defaults, whatever the user's own settings say
    settings.model.n_threads = args.threads
    save_settings(settings)
    started = time.monotonic()
    meta: dict[str, Any] = {"choice": args.model, "n_threads": args.threads or "cores"}
    results: list[dict[str, Any]] = []
    library = Library.open(home / "library", settings=settings)
    try:
        problems = import_library(library, folders) + locate_support(library, cases)
        for problem in problems:
            _progress(f"WARNING {problem}")
        t0 = time.monotonic()
        model = open_chat_model(args.model, settings)
        meta.update(name=model.name, n_ctx=model.n_ctx, load_seconds=time.monotonic() - t0)
        _progress(
            f"model {model.name} (n_ctx {model.n_ctx}) loaded in {meta['load_seconds']:.1f} s"
        )
        for i, case in enumerate(cases, start=1):
            elapsed = (time.monotonic() - started) / 60
            if args.budget_minutes and elapsed > args.budget_minutes:
                _progress(
                    f"time budget spent ({elapsed:.0f} min): {len(cases) - i + 1} cases left out"
                )
                break
            kind = "answerable" if case.answerable else "unanswerable"
            _progress(f"[{i}/{len(cases)}] {case.id} ({kind}): {case.topic}")
            results.append(run_case(library, model, get_template(case.template), case))
            write_report(args, meta, problems, results, time.monotonic() - started, final=False)
        unload_model()
    finally:
        library.close()

    rows = write_report(args, meta, problems, results, time.monotonic() - started, final=True)
    templates = ", ".join(sorted({r["template"] for r in results}))
    print(f"\nModel: {meta['name']} ({args.model}), template: {templates}, {len(results)} cases\n")
    print(plain_table(rows))
    print(f"\nRaw results: {args.out / (_tag(args.model) + '.json')}")
    return 0


def _rescore(args: argparse.Namespace, home: Path) -> int:
    """Re-score saved results: BriefDesk's facts from its claims, the baseline's claims from its
    raw text, against the same numbered sources (rebuilt from a fresh import)."""
    from rag.indexing.library import Library

    report = json.loads(args.rescore.read_text(encoding="utf-8"))
    args.model = report["model"]["choice"]
    cases = {c.id: c for c in load_cases(args.cases_file, None)}
    library = Library.open(home / "library")
    try:
        problems = import_library(library, [DEMO_DIR, args.seeds])
        problems += locate_support(library, list(cases.values()))
        by_id: dict[str, tuple[Passage, Document]] = {}
        by_label: dict[str, list[tuple[Passage, Document]]] = {}
        for doc in library.documents():
            for passage in library.passages(doc.id):
                by_id[passage.id] = (passage, doc)
                label = _cite_label(doc.filename, passage.locator.label())
                by_label.setdefault(label, []).append((passage, doc))
        for result in report["cases"]:
            case = cases[result["id"]]
            ids = result.get("source_ids") or _rebuild_source_ids(library, report, result)
            sources = [by_id[i] for i in ids] if ids else _by_labels(result["sources"], by_label)
            if ids:
                result["source_ids"] = ids
            shown = {p.id for p, _ in sources}
            result["facts_in_evidence"] = {f.id: bool(f.passage_ids & shown) for f in case.facts}
            ours = _side_from_dict(result["briefdesk"])
            ours.score_facts(case.facts)
            naive = _side_from_dict(result["baseline"])
            vectors = library.store.embeddings_by_ids(list(shown))
            score_baseline_text(naive, library, sources, vectors)
            naive.score_facts(case.facts)
            result["briefdesk"], result["baseline"] = ours.to_dict(), naive.to_dict()
    finally:
        library.close()
    results = report["cases"]
    rows = write_report(
        args, report["model"], problems, results, report["total_seconds"], final=True
    )
    print(plain_table(rows))
    return 0


def _rebuild_source_ids(
    library: Library, report: dict[str, Any], result: dict[str, Any]
) -> list[str] | None:
    """For results saved without ``source_ids``: retrieve again with the same model's
    tokenizer and budget (retrieval is deterministic); None if the labels do not match."""
    from rag.briefs.templates import get_template
    from rag.models.loaded_model import get_model
    from rag.models.provision import gguf_path

    model = get_model(gguf_path(report["model"]["choice"]), n_ctx=report["model"]["n_ctx"])
    template = get_template(result["template"])
    evidence = _evidence_like_draft(library, model, template, result["topic"])
    labels = [_cite_label(h.document.filename, h.passage.locator.label()) for h in evidence.hits]
    if labels != result["sources"]:
        _progress(f"WARNING {result['id']}: evidence differs from the saved run; using labels")
        return None
    return [h.passage.id for h in evidence.hits]


def _by_labels(
    labels: Sequence[str], by_label: dict[str, list[tuple[Passage, Document]]]
) -> list[tuple[Passage, Document]]:
    """Sources from "file (locator)" labels (results written before source_ids were saved).
    Two passages on one PDF page share a label: a label seen twice takes the page's passages
    in document order, which may swap their numbers."""
    used: dict[str, int] = {}
    out = []
    for label in labels:
        k = used.get(label, 0)
        used[label] = k + 1
        out.append(by_label[label][min(k, len(by_label[label]) - 1)])
    return out


def _side_from_dict(data: dict[str, Any]) -> SideResult:
    side = SideResult(
        claims=[ClaimResult(**c) for c in data["claims"]],
        refused=data["refused"],
        prompt_sent=data["prompt_tokens_sent"],
        prompt_evaluated=data["prompt_tokens_evaluated"],
        completion_tokens=data["completion_tokens"],
        seconds=data["seconds"],
        raw=data["raw"],
        duplicates=list(data.get("duplicates", [])),
    )
    return side


def run_case(library: Library, model: ChatModel, template: Template, case: Case) -> dict[str, Any]:
    ours, evidence, briefing = run_briefdesk(library, model, template, case.topic)
    _progress(
        f"    BriefDesk: {len(ours.claims)} claims, {ours.seconds:.0f} s; "
        f"{len(evidence.hits)} sources"
    )
    naive = run_baseline(library, model, template, case.topic, evidence)
    _progress(f"    baseline: {len(naive.claims)} sentences, {naive.seconds:.0f} s")
    ours.score_facts(case.facts)
    naive.score_facts(case.facts)
    shown = {h.passage.id for h in evidence.hits}
    return {
        "id": case.id,
        "topic": case.topic,
        "answerable": case.answerable,
        "template": case.template,
        "sources": [
            _cite_label(h.document.filename, h.passage.locator.label()) for h in evidence.hits
        ],
        "source_ids": [h.passage.id for h in evidence.hits],
        "facts_in_evidence": {f.id: bool(f.passage_ids & shown) for f in case.facts},
        "briefdesk": ours.to_dict(),
        "baseline": naive.to_dict(),
        "briefing_id": briefing.id,
    }


def _tag(model_choice: str) -> str:
    name = Path(model_choice).stem if model_choice.endswith(".gguf") else model_choice
    return re.sub(r"[^\w.-]+", "_", name)


def write_report(
    args: argparse.Namespace,
    meta: dict[str, Any],
    problems: list[str],
    results: list[dict[str, Any]],
    seconds: float,
    *,
    final: bool,
) -> list[tuple[str, str, str]]:
    """Write ``<out>/<model>.json`` (everything) and ``<model>.md`` (the table); rewritten
    after every case, so that a run stopped halfway keeps what it measured."""
    summary = {"briefdesk": aggregate(results, "briefdesk"),
               "baseline": aggregate(results, "baseline")}  # fmt: skip
    rows = table_rows(summary["briefdesk"], summary["baseline"])
    cases_file = args.cases_file.resolve()
    report = {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "complete": final,
        "model": {k: round(v, 2) if isinstance(v, float) else v for k, v in meta.items()},
        "cases_file": str(cases_file.relative_to(REPO) if cases_file.is_relative_to(REPO)
                          else cases_file),
        "case_set_problems": problems,
        "total_seconds": round(seconds, 1),
        "summary": summary,
        "table": [{"metric": m, "briefdesk": a, "baseline": b} for m, a, b in rows],
        "cases": results,
    }  # fmt: skip
    args.out.mkdir(parents=True, exist_ok=True)
    tag = _tag(args.model)
    (args.out / f"{tag}.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    templates = ", ".join(sorted({r["template"] for r in results}))
    head = (
        f"Model: {meta.get('name', args.model)} (--model {args.model}), template {templates}, "
        f"{len(results)} cases, {seconds / 60:.0f} min{'' if final else ' (incomplete)'}"
    )
    (args.out / f"{tag}.md").write_text(f"{head}\n\n{markdown_table(rows)}\n", encoding="utf-8")
    return rows


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    sys.exit(main())
