"""Checking that each claim's cited passages say what the claim says.

A model's citations cannot be trusted (models.md: ids pointing at the wrong source, sentences
merging two sources). Every claim is checked against the text it cites:

1. Hard terms: numbers, dates, control codes and names in the claim must occur in the cited
   text. A claim that says "31 companies" while its passage says "28" fails here, whatever
   the similarity.
2. Support: lexical overlap of content words, and cosine similarity of the claim's and the
   passage's embeddings; either above its threshold (calibrated on a labelled set, see
   ``bench/calibrate_support.py`` and ``tests/data/support_labels.json``).

A claim that fails is moved to the passage among the section's evidence that does support it
(status ``reattributed``), or flagged ``unsupported`` with the reasons.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rag.briefing import SupportCheck
from rag.chunking import split_sentences
from rag.types import Passage

# Calibrated on tests/data/support_labels.json (bench/calibrate_support.py): the pair that
# maximised accuracy there, rounded down a little to favour keeping true claims.
SEMANTIC_MIN = 0.55
LEXICAL_MIN = 0.60

_MONTHS = (
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec"
).split()
# Capitalised words that are not names: sentence openers, months, days, titles.
_NOT_NAMES = frozenset(
    _MONTHS
    + """a an the this that these those it its in on at by for from of to and or but as if
    with without after before during while when where which who whom whose what why how
    monday tuesday wednesday thursday friday saturday sunday however meanwhile also both
    according under over about into than then there their they he she we i
    mr mrs ms dr prof president minister ministry secretary department chief executive
    ceo official officials government""".split()
)
_STOP = frozenset(
    """a an the and or but if of to in on at by for from with without as is are was were be
    been being has have had do does did it its this that these those their they them he she we
    you i not no nor so than then there which who whom whose what when where why how will would
    can could may might must should shall also into over under about after before during while
    all any each both more most other some such only own same very just said says say""".split()
)

_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*(?![\w])")
_CODE = re.compile(
    r"\b(?=[A-Za-z0-9-]*\d)(?=[A-Za-z0-9-]*[A-Za-z])[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*\b"
)
_CAPWORD = re.compile(r"\b[A-Z][\w'’&.-]*[\w]")
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class CheckResult:
    check: SupportCheck
    passage_ids: list[str]  # the citations to keep (changed when reattributed)


def _normalise(text: str) -> str:
    """Lower case, one space, no thousands separators: PDF text breaks lines mid-name."""
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    return " ".join(text.lower().replace("’", "'").split())


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def content_words(text: str) -> set[str]:
    return {_stem(w) for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 2}


def hard_terms(claim: str) -> list[str]:
    """Numbers, codes and names the cited text must contain, as they appear in the claim."""
    terms: list[str] = []
    for m in _NUMBER.finditer(claim):
        terms.append(m.group(0).replace(",", ""))
    for m in _CODE.finditer(claim):
        token = m.group(0)
        if not token.isdigit() and token.replace(",", "") not in terms:
            terms.append(token)
    sentence_starts = {m.end() for m in re.finditer(r"(^|[.!?:;]\s+|\n)", claim)}
    for m in _CAPWORD.finditer(claim):
        word = m.group(0).rstrip(".")
        if word.lower() in _NOT_NAMES:
            continue
        # A capital at the start of a sentence says nothing, unless the word is an acronym or
        # a brand written with inner capitals (MOFCOM, OpenAI).
        if m.start() in sentence_starts and not any(c.isupper() for c in word[1:]):
            continue
        if any(ch.isdigit() for ch in word) or len(word) < 2:
            continue
        terms.append(word)
    return list(dict.fromkeys(terms))


def missing_terms(claim: str, cited_text: str) -> list[str]:
    haystack = _normalise(cited_text)
    missing = []
    for term in hard_terms(claim):
        needle = _normalise(term)
        pattern = r"(?<![\w])" + re.escape(needle) + r"(?![\w])" if needle[0].isalnum() else None
        found = re.search(pattern, haystack) if pattern else needle in haystack
        # Possessives and plurals of names: "Anthropic's" in the claim, "Anthropic" in the text.
        if not found and needle.endswith(("'s", "s")):
            found = _stem(needle.removesuffix("'s")) in haystack
        if not found:
            missing.append(term)
    return missing


def lexical_support(claim: str, cited_text: str) -> float:
    words = content_words(claim)
    if not words:
        return 0.0
    return len(words & content_words(cited_text)) / len(words)


def supports(lexical: float, semantic: float, missing: Sequence[str]) -> bool:
    return not missing and (semantic >= SEMANTIC_MIN or lexical >= LEXICAL_MIN)


def _assess(
    claim: str, claim_vec: np.ndarray, passages: Sequence[Passage], vectors: Sequence[np.ndarray]
) -> tuple[float, float, list[str]]:
    text = "\n".join(p.text for p in passages)
    lexical = lexical_support(claim, text)
    semantic = max((float(np.dot(claim_vec, v)) for v in vectors), default=0.0)
    return lexical, semantic, missing_terms(claim, text)


def check_claim(
    claim: str,
    claim_vec: np.ndarray,
    cited: Sequence[str],
    evidence: dict[str, tuple[Passage, np.ndarray]],
) -> CheckResult:
    """Check a claim against the passages it cites, among the section's ``evidence``
    (passage id -> (passage, vector)). Reattributes to the best supporting passage if the
    cited ones fail and another passage passes."""
    cited = [pid for pid in dict.fromkeys(cited) if pid in evidence]
    lexical, semantic, missing = _assess(
        claim, claim_vec, [evidence[p][0] for p in cited], [evidence[p][1] for p in cited]
    )
    if cited and supports(lexical, semantic, missing):
        # Drop a co-cited passage that adds nothing, so the footnote points where it should.
        kept = [
            pid
            for pid in cited
            if len(cited) == 1
            or float(np.dot(claim_vec, evidence[pid][1])) >= SEMANTIC_MIN / 2
            or lexical_support(claim, evidence[pid][0].text) >= LEXICAL_MIN / 2
        ]
        reasons = [] if len(kept) == len(cited) else ["a co-cited passage was unrelated; dropped"]
        return CheckResult(
            SupportCheck("supported", reasons, round(lexical, 3), round(semantic, 3)),
            kept or cited,
        )

    reasons = []
    if not cited:
        reasons.append("cites no passage")
    if missing:
        reasons.append("not in the cited text: " + ", ".join(missing))
    if not missing and cited:
        reasons.append(
            f"cited text is not close enough (similarity {semantic:.2f}, "
            f"word overlap {lexical:.0%})"
        )

    best: tuple[float, str, float, float] | None = None
    for pid, (passage, vector) in evidence.items():
        if pid in cited:
            continue
        lex, sem, miss = _assess(claim, claim_vec, [passage], [vector])
        if supports(lex, sem, miss) and (best is None or sem + lex > best[0]):
            best = (sem + lex, pid, lex, sem)
    if best is not None:
        _, pid, lex, sem = best
        return CheckResult(
            SupportCheck(
                "reattributed",
                [*reasons, "moved to the passage that supports it"],
                round(lex, 3),
                round(sem, 3),
                missing,
            ),
            [pid],
        )
    return CheckResult(
        SupportCheck("unsupported", reasons, round(lexical, 3), round(semantic, 3), missing),
        cited,
    )


def best_quote(claim: str, passage_text: str, limit: int = 300) -> str:
    """The sentence, or two adjacent sentences, of the passage that cover most of the claim's
    words and hard terms: what a footnote quotes and the evidence pane highlights."""
    sentences = split_sentences(" ".join(passage_text.split())) or [passage_text]
    words = content_words(claim)
    terms = [_normalise(t) for t in hard_terms(claim)]

    def coverage(text: str) -> int:
        norm = _normalise(text)
        return len(words & content_words(text)) + sum(t in norm for t in terms)

    windows = sentences + [
        f"{a} {b}"
        for a, b in itertools.pairwise(sentences)
        if len(a) + len(b) < limit
    ]
    quote = max(windows, key=lambda w: (coverage(w), -len(w)))
    return quote if len(quote) <= limit else quote[: limit - 1].rsplit(" ", 1)[0] + "…"
