"""Scoring rules of the evaluation, the same for every engine and for the naive baseline.

This module reads only the run records written by ``run_eval.py`` (plain JSON) and the labels
written by ``label.py``; it imports nothing from ``rag``, so an old checkout's engine and the
current one are scored by exactly the same code, and the product's own checker never grades
the product. docs/evaluation.md states each rule in prose.

A *unit* is what a system wrote as one piece: a claim object of a BriefDesk briefing, or a line
of the baseline's free text. ``claims_from_units`` turns units into scored *claims* for both
systems alike: list marks and formatting lines dropped, a section label cut, split into
sentences, "[n]" markers read as citations of the sentence they follow, refusals set aside.
No citation is ever moved: a claim is judged against what it cites as printed.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

LABELS = ("supported", "partly", "unsupported", "not_a_claim")
LONG_CLAIM_WORDS = 40  # a claim over this many words is hard to check by eye
LEAK_NGRAM = 6  # words in a row shared with the prompt's own wording
DUPLICATE_JACCARD = 0.6
STATES_FACT_SHARE = 0.6  # share of a fact's content words a claim must contain to state it
DRAWN_FROM_SHARE = 0.5  # share of a claim's content words found in the sentence it came from

STOPWORDS = frozenset(
    """a an the and or but of to in on at by for from with as is are was were be been being
    it its this that these those which who whom whose has have had not no than then there their
    they them he she his her we our you your i into over under after before about also such
    will would could should may might can do does did so if while during per""".split()
)

# -- text --------------------------------------------------------------------------------------


def normalise(text: str) -> str:
    """Lower case, straight quotes, dashes as hyphens, one space between words."""
    table = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})
    return " ".join(text.translate(table).lower().split())


_TOKEN = re.compile(r"[a-z0-9]+(?:[.'-][a-z0-9]+)*")


def words(text: str) -> list[str]:
    return _TOKEN.findall(normalise(text))


def content_words(text: str) -> set[str]:
    """Words that carry the content: stop words out, a plural's final s dropped."""
    out = set()
    for w in words(text):
        if w in STOPWORDS:
            continue
        out.add(w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w)
    return out


def numbers_in(text: str) -> set[str]:
    return set(re.findall(r"\d+(?:[.,]\d+)*", normalise(text)))


def word_count(text: str) -> int:
    return len(text.split())


# -- sentences ---------------------------------------------------------------------------------

# Words whose full stop does not end a sentence ("the U.S. Commerce Department", "Jan. 5").
_ABBREVIATIONS = frozenset(
    """u.s u.k u.n e.u e.g i.e mr mrs ms dr prof no nos inc corp co ltd jan feb mar apr jun jul
    aug sep sept oct nov dec st vs fig art sec para approx est""".split()
)
_NUMS = r"\d+(?:\s*(?:,|;|–|-|and)\s*\d+)*"
# "[2]", "[1, 3]", "[2-4]", "[Source 2]", "(source 2)"; "[1][3]" is two markers.
MARKER = re.compile(rf"\[\s*(?:sources?\s*)?({_NUMS})\s*\]|\(\s*sources?\s+({_NUMS})\s*\)", re.I)
_MARKERS = rf"(?:\s*(?:{MARKER.pattern}))+"
_MARKERS_AFTER_STOP = re.compile(rf"([.!?][\"”’)]*)({_MARKERS})", re.I)
_BOUNDARY = re.compile(r"[.!?][\"”’)\]]*\s+(?=[\"“‘(\[]?[A-Z0-9])")


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text`` (whitespace collapsed). A full stop after a known abbreviation
    or a single initial ("U. S.") does not end a sentence."""
    text = " ".join(text.split())
    out, start = [], 0
    for m in _BOUNDARY.finditer(text):
        before = text[start : m.start()].rsplit(" ", 1)[-1].lower().lstrip('("“‘[')
        if text[m.start()] == "." and (
            before in _ABBREVIATIONS or re.fullmatch(r"[a-z]|(?:[a-z]\.)+[a-z]", before)
        ):
            continue
        out.append(text[start : m.end()].strip())
        start = m.end()
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return out


def marker_numbers(marker_text: str) -> list[int]:
    out: list[int] = []
    for m in MARKER.finditer(marker_text):
        for part in re.split(r"\s*(?:,|;|and)\s*", m.group(1) or m.group(2)):
            span = re.fullmatch(r"(\d+)\s*[–-]\s*(\d+)", part.strip())
            if span and 0 <= int(span.group(2)) - int(span.group(1)) < 20:
                out += range(int(span.group(1)), int(span.group(2)) + 1)
            elif part.strip().isdigit():
                out.append(int(part))
    return list(dict.fromkeys(out))


# -- units to claims ---------------------------------------------------------------------------

# A system saying it has nothing to report, not a claim about the topic.
REFUSAL = re.compile(
    r"not enough evidence|insufficient evidence|no (?:relevant )?(?:information|evidence)\b"
    r"|(?:sources?|library|documents?) (?:do|does) not (?:contain|provide|mention|cover|include"
    r"|address|discuss)",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)])\s+")


@dataclass(frozen=True)
class Unit:
    text: str
    cites: tuple[str, ...] = ()  # passage ids the unit cites as a whole
    section: str = ""
    verdict: str | None = None  # the engine's own check, kept apart from the labels
    stamped: bool = False  # the engine set the verdict without checking the claim


@dataclass(frozen=True)
class Claim:
    """One scored sentence."""

    text: str
    cites: tuple[str, ...]  # passage ids, as printed (never moved by the scorer)
    invalid_cites: int  # "[n]" naming no source that was shown
    section: str
    verdict: str | None
    stamped: bool


@dataclass
class Split:
    claims: list[Claim] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)  # sentences saying "not enough evidence"
    formatting: list[str] = field(default_factory=list)  # headings and section titles dropped


def _bare(line: str) -> str:
    return line.strip().strip("*_#").strip().rstrip(":").strip().strip("*_").strip().lower()


def is_formatting(line: str, section_titles: Iterable[str]) -> bool:
    """A markdown heading, a line in bold alone, or a section title of the template: the shape
    of a briefing, not a statement. Any other short fragment stays a claim (and a labeller
    marks it ``not_a_claim``)."""
    stripped = line.strip()
    if stripped.startswith("#"):
        return True
    if re.fullmatch(r"\*\*[^*]+\*\*:?", stripped) or re.fullmatch(r"__[^_]+__:?", stripped):
        return True
    titles = {t.lower() for t in section_titles} | {"bottom line"}
    return _bare(stripped) in titles


def _cut_section_label(line: str, section_titles: Iterable[str]) -> str:
    """ "**Bottom line:** China ..." -> "China ..." (only a section title counts as a label)."""
    m = re.match(r"^\s*(?:\*\*|__)?([A-Za-z][\w’' -]{0,60}?)(?::\s*(?:\*\*|__)?|(?:\*\*|__):)\s+",
                 line)  # fmt: skip
    titles = {t.lower() for t in section_titles} | {"bottom line"}
    if m and m.group(1).strip().lower() in titles:
        return line[m.end() :]
    return line


def claims_from_units(
    units: Sequence[Unit], sources: Sequence[str], section_titles: Iterable[str] = ()
) -> Split:
    """The one splitting rule for every system. ``sources`` are the passage ids shown to the
    model, source n being ``sources[n - 1]``: "[n]" in the text cites it."""
    titles = list(section_titles)
    out = Split()
    for unit in units:
        for line in unit.text.splitlines():
            line = _BULLET.sub("", line).strip()
            if not line:
                continue
            if is_formatting(line, titles):
                out.formatting.append(line)
                continue
            line = _cut_section_label(line, titles)
            # "... rule. [2]" -> "... rule [2]." so the marker stays with its sentence.
            line = _MARKERS_AFTER_STOP.sub(lambda m: f"{m.group(2)}{m.group(1)}", line)
            for sentence in split_sentences(line):
                numbers = marker_numbers(sentence)
                text = MARKER.sub("", sentence).replace("**", "").replace("__", "")
                text = re.sub(r"\s+([.,;:!?])", r"\1", " ".join(text.split())).strip()
                if not re.search(r"\w", text):
                    continue
                if REFUSAL.search(text) and word_count(text) < 16:
                    out.refusals.append(text)
                    continue
                valid = [sources[n - 1] for n in numbers if 1 <= n <= len(sources)]
                cites = tuple(dict.fromkeys([*unit.cites, *valid]))
                out.claims.append(
                    Claim(text, cites, len(numbers) - len(valid), unit.section, unit.verdict,
                          unit.stamped)
                )  # fmt: skip
    return out


def units_from_free_text(text: str) -> list[Unit]:
    """The baseline's answer: one unit per line; its citations are the "[n]" in the text."""
    return [Unit(line) for line in text.splitlines() if line.strip()]


# -- a briefing as recorded by run_eval.py -----------------------------------------------------


@dataclass
class Briefing:
    """One system's answer to one phrasing, ready to score."""

    pair: str  # "<topic>/<phrasing index>"
    system: str
    answerable: bool
    split: Split
    sources: dict[str, str]  # passage id -> passage text (every passage shown or cited)
    instructions: list[str]  # the prompt's own wording (sources left out)
    phrasing: str
    must_cover: list[dict[str, Any]]
    record: dict[str, Any]

    @property
    def claims(self) -> list[Claim]:
        return self.split.claims

    @property
    def declined(self) -> bool:
        """Nothing drafted but (at most) a statement that the evidence is lacking."""
        return not self.claims


def briefing_from_record(pair: Mapping[str, Any], system: str) -> Briefing:
    """The same path for BriefDesk and the baseline: both become units, then claims."""
    side = pair[system]
    if "units" in side:
        units = [
            Unit(u["text"], tuple(u.get("cites", ())), u.get("section", ""), u.get("verdict"),
                 bool(u.get("stamped")))
            for u in side["units"]
        ]  # fmt: skip
    else:
        units = units_from_free_text(side.get("text", ""))
    shown = [s["passage_id"] for s in pair["sources"]]
    split = claims_from_units(units, shown, pair.get("section_titles", ()))
    texts = {s["passage_id"]: s["text"] for s in pair["sources"]}
    texts.update(side.get("extra_passages", {}))
    return Briefing(
        pair=f"{pair['topic']}/{pair['phrasing_index']}",
        system=system,
        answerable=bool(pair["answerable"]),
        split=split,
        sources=texts,
        instructions=list(side.get("instructions", [])),
        phrasing=pair["phrasing"],
        must_cover=list(pair.get("must_cover", [])),
        record=side,
    )


# -- what a labeller sees ----------------------------------------------------------------------


def cited_sentences(claim: Claim, sources: Mapping[str, str]) -> list[list[str]]:
    """The sentences of each passage the claim cites, passage by passage."""
    return [split_sentences(sources[pid]) for pid in claim.cites if pid in sources]


def claim_id(claim: Claim, sources: Mapping[str, str]) -> str:
    """Stable across exports and runs: the claim's words and the text it cites, nothing about
    who wrote it or what a checker said. The same sentence citing the same text is one label."""
    cited = "\n".join(sources.get(pid, pid) for pid in claim.cites)
    digest = hashlib.sha256(f"{normalise(claim.text)}\n\x00\n{cited}".encode()).hexdigest()
    return digest[:12]


# -- rules over claims -------------------------------------------------------------------------


def same_fact(a: str, b: str) -> bool:
    """Two claims state the same fact: the same words, or mostly the same content words and
    exactly the same figures."""
    if normalise(a).rstrip(" .") == normalise(b).rstrip(" ."):
        return True
    wa, wb = content_words(a), content_words(b)
    if not wa or not wb or numbers_in(a) != numbers_in(b):
        return False
    return len(wa & wb) / len(wa | wb) >= DUPLICATE_JACCARD


def duplicates(claims: Sequence[Claim]) -> list[tuple[int, int]]:
    """Pairs (earlier, later) of claims of one briefing that state the same fact; each later
    claim is paired with the first claim it repeats."""
    pairs = []
    for j in range(len(claims)):
        for i in range(j):
            if same_fact(claims[i].text, claims[j].text):
                pairs.append((i, j))
                break
    return pairs


def _shingles(text: str, n: int = LEAK_NGRAM) -> set[tuple[str, ...]]:
    w = words(text)
    return {tuple(w[i : i + n]) for i in range(len(w) - n + 1)}


_MARKUP = re.compile(
    r"</?source\b|\"(?:claims|sources|text|date)\"\s*:|\bTASK\b|Answer (?:as|with) JSON"
    r"|Briefing topic:|^Section:|<\|[a-z_]+\|>|\[/?INST\]",
    re.IGNORECASE | re.MULTILINE,
)


def leaks_prompt(claim: str, instructions: Iterable[str], allowed: Iterable[str]) -> bool:
    """The claim repeats the prompt rather than the sources: markup or JSON keys, or
    ``LEAK_NGRAM`` words in a row from the instructions that no source, the topic or another
    claim of the briefing contains."""
    if _MARKUP.search(claim):
        return True
    mine = _shingles(claim)
    if not mine:
        return False
    prompt = set().union(*(_shingles(t) for t in instructions)) if instructions else set()
    hits = mine & prompt
    if not hits:
        return False
    return bool(hits - set().union(*(_shingles(t) for t in allowed)))


def leaked_claims(briefing: Briefing) -> list[int]:
    texts = [c.text for c in briefing.claims]
    base = [*briefing.sources.values(), briefing.phrasing]
    # A prompt may list claims already drafted, one per "- " line (BriefDesk's bottom line
    # sums up the other sections): those lines are the briefing's own words, not the prompt's.
    # Only such list lines go, so a claim copied from the template's wording is still caught.
    drafted = [normalise(t).rstrip(" .") for t in texts if t.strip()]
    own = [
        "\n".join(
            line for line in text.splitlines()
            if not (line.lstrip().startswith("- ") and any(c in normalise(line) for c in drafted))
        )
        for text in briefing.instructions
    ]  # fmt: skip
    return [
        i
        for i, text in enumerate(texts)
        if leaks_prompt(text, own, [*base, *texts[:i], *texts[i + 1 :]])
    ]


def sentence_matches(a: str, b: str) -> bool:
    """One sentence is the other, give or take the splitter: either contains the other."""
    na, nb = normalise(a).rstrip(" ."), normalise(b).rstrip(" .")
    if min(len(na), len(nb)) < 20:
        return na == nb
    return na in nb or nb in na


def states_fact(claim: str, fact: str) -> bool:
    fw = content_words(fact)
    return bool(fw) and len(fw & content_words(claim)) / len(fw) >= STATES_FACT_SHARE


def drawn_from(claim: str, sentence: str) -> bool:
    cw = content_words(claim)
    return bool(cw) and len(cw & content_words(sentence)) / len(cw) >= DRAWN_FROM_SHARE


def fact_covered(
    fact: Mapping[str, Any],
    claims: Sequence[Claim],
    labels: Mapping[int, Mapping[str, Any]],
    sources: Mapping[str, str],
) -> bool:
    """The coverage rule. A must-cover fact is covered when a claim labelled ``supported``

    1. rests on one of the fact's sentences: the labeller named it among the sentences that
       support the claim, or (when the labeller named none) the claim cites it and most of the
       claim's content words are in it; or
    2. states the fact: it contains at least 60% of the fact's content words.

    ``labels`` maps a claim's index to its label record.
    """
    wanted = [s["sentence"] for s in fact.get("sentences", [])]
    for i, claim in enumerate(claims):
        label = labels.get(i)
        if not label or label.get("label") != "supported":
            continue
        if states_fact(claim.text, fact["fact"]):
            return True
        by = label.get("by") or []
        if by:
            candidates = list(by)
        else:
            candidates = [
                s for group in cited_sentences(claim, sources) for s in group
                if drawn_from(claim.text, s)
            ]  # fmt: skip
        if any(sentence_matches(c, w) for c in candidates for w in wanted):
            return True
    return False


# -- statistics --------------------------------------------------------------------------------


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95% Wilson score interval of a proportion k/n (0, 1 when n is 0)."""
    if n <= 0:
        return 0.0, 1.0
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Share:
    k: int
    n: int

    def __str__(self) -> str:
        if not self.n:
            return "n/a (0)"
        lo, hi = wilson(self.k, self.n)
        return f"{100 * self.k / self.n:.0f}% ({self.k}/{self.n}; {100 * lo:.0f}–{100 * hi:.0f}%)"


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


# "According to X, " or a timeline's "2026-03-03 — " before a sentence copied from a source.
_ATTRIBUTION_OR_DATE = re.compile(r"^(?:according to [^,]{2,80}, |\d{4}(?:-\d\d){0,2} - )")
VERBATIM_MIN_WORDS = 8


def copies_its_source(claim: Claim, sources: Mapping[str, str]) -> bool:
    """The claim is a cited passage's own words (a sentence or more of it, at least eight
    words), its attribution or a timeline's date aside: quoted, not written."""
    # normalise() writes the timeline's "—" as "-".
    text = _ATTRIBUTION_OR_DATE.sub("", normalise(claim.text)).rstrip(" .")
    if word_count(text) < VERBATIM_MIN_WORDS:
        return False
    return any(text in normalise(sources[pid]) for pid in claim.cites if pid in sources)


def summarise(
    briefings: Sequence[Briefing], labels: Mapping[str, Mapping[str, Any]]
) -> dict[str, Any]:
    """Every figure of the report for one system, from its briefings and the labels (by claim
    id). Verdicts and labels meet here for the first time."""
    claims = [(b, c) for b in briefings for c in b.claims]
    lab = [labels.get(claim_id(c, b.sources)) for b, c in claims]
    labelled = [(bc, x) for bc, x in zip(claims, lab, strict=True) if x and x.get("label")]
    says_supported = [
        x["label"] == "supported"
        for ((_, c), x) in labelled
        if c.verdict in ("supported", "reattributed") and not c.stamped
    ]
    flagged = [x["label"] == "supported" for ((_, c), x) in labelled if c.verdict == "unsupported"]
    facts_total = facts_covered = facts_shown = 0
    dup = leaks = 0
    for b in briefings:
        dup += len(duplicates(b.claims))
        leaks += len(leaked_claims(b))
        if not b.answerable:
            continue
        by_index = {
            i: labels[cid]
            for i, c in enumerate(b.claims)
            if (cid := claim_id(c, b.sources)) in labels
        }
        for fact in b.must_cover:
            facts_total += 1
            facts_shown += bool(fact.get("in_evidence"))
            facts_covered += fact_covered(fact, b.claims, by_index, b.sources)
    counts = [word_count(c.text) for _, c in claims]
    answerable = [b for b in briefings if b.answerable]
    unanswerable = [b for b in briefings if not b.answerable]
    rec = [b.record for b in briefings]

    def per_briefing(key: str) -> float | None:
        return _mean([r[key] for r in rec if r.get(key) is not None])

    return {
        "briefings": len(briefings),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "errors": sum(bool(r.get("error")) for r in rec),
        "claims": len(claims),
        "labelled": Share(len(labelled), len(claims)),
        "supported": Share(sum(x["label"] == "supported" for _, x in labelled), len(labelled)),
        "partly": Share(sum(x["label"] == "partly" for _, x in labelled), len(labelled)),
        "unsupported": Share(sum(x["label"] == "unsupported" for _, x in labelled), len(labelled)),
        "not_a_claim": Share(sum(x["label"] == "not_a_claim" for _, x in labelled), len(labelled)),
        "checker_precision": Share(sum(says_supported), len(says_supported)),
        "flagged_but_supported": Share(sum(flagged), len(flagged)),
        "stamped": sum(c.stamped for _, c in claims),
        # Template gaps ("The library does not establish ..."): they cite nothing, so the
        # engine does not call them supported; their labels still count in the shares above.
        "gaps": sum(c.verdict == "gap" for _, c in claims),
        # Drafted, failed the engine's check and left out by its "drop" setting: not scored.
        "dropped": sum(int((r.get("engine_stats") or {}).get("dropped") or 0) for r in rec),
        "citing_nothing": Share(sum(not c.cites for _, c in claims), len(claims)),
        "invalid_citations": sum(c.invalid_cites for _, c in claims),
        "coverage": Share(facts_covered, facts_total),
        "facts_shown": Share(facts_shown, facts_total),
        "duplicates": Share(dup, len(claims)),
        "leaked": Share(leaks, len(claims)),
        "verbatim": Share(sum(copies_its_source(c, b.sources) for b, c in claims), len(claims)),
        "words_mean": _mean(counts),
        "words_max": max(counts, default=0),
        "long_claims": Share(sum(n > LONG_CLAIM_WORDS for n in counts), len(claims)),
        "false_refusals": Share(sum(b.declined for b in answerable), len(answerable)),
        "not_enough_evidence": Share(sum(b.declined for b in unanswerable), len(unanswerable)),
        "seconds": per_briefing("seconds"),
        "first_claim_seconds": per_briefing("first_claim_seconds"),
        "prompt_tokens_sent": per_briefing("prompt_tokens_sent"),
        "prompt_tokens_evaluated": per_briefing("prompt_tokens_evaluated"),
        "completion_tokens": per_briefing("completion_tokens"),
    }


# -- a run on disk -----------------------------------------------------------------------------

SYSTEMS = ("briefdesk", "baseline")


def load_run(run_dir: Path) -> list[tuple[dict[str, Any], dict[str, Briefing]]]:
    """Every recorded (topic, phrasing) of a run, with both systems' briefings."""
    pairs_dir = run_dir / "pairs"
    if not pairs_dir.is_dir():
        raise SystemExit(f"no run at {run_dir}")
    out = []
    for path in sorted(pairs_dir.glob("*.json")):
        pair = json.loads(path.read_text(encoding="utf-8"))
        out.append((pair, {s: briefing_from_record(pair, s) for s in SYSTEMS if s in pair}))
    return out
