"""Whether a claim states a fact the briefing already states: one fact, one place.

Three tests, each for a way a repeat reaches a draft: the same words (a copy), mostly the same
content words with the same figures (``same_fact``, ``restates``: a reworded copy), and the
same part of the same source sentence told in other words (``same_evidence``: "The Chinese
action answers a rule published on March 2 by BIS" after "Beijing's move follows an interim
final rule issued on March 2 by BIS"). A claim that adds a figure, or draws on another part of
its sentence, is not a repeat.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.briefs.briefing import Claim
from rag.checking.checker import content_words, normalise
from rag.reading.chunking import split_sentences

# Content words two claims share, of all they use, from which they state the same fact (with
# the same figures): a reworded copy, not a claim that adds a new detail to the same event.
# The evaluation counts repeats by the same rule (eval/scoring.py, which imports nothing).
SAME_FACT_OVERLAP = 0.6
# A later claim whose content words are this much an earlier one's, figures included, only
# restates it (``restates``); a claim this short is left to ``same_fact``.
RESTATES_SHARE = 0.8
RESTATES_MIN_WORDS = 5
# Of the words a later claim takes from a sentence an earlier claim also cites, the share that
# lie within the stretch of that sentence the earlier claim told (or are its words) from which
# both tell the same part of it. Two facts of one sentence ("BIS published the rule on March 2
# ... that requires licences for model weights") lie mostly apart; two wordings of one fact
# lie within the same stretch, whichever of its words each picks.
SAME_EVIDENCE_SHARE = 0.75
SAME_EVIDENCE_MIN_WORDS = 3

_FIGURE = re.compile(r"\d+(?:[.,]\d+)*")
_TOKEN = re.compile(r"[a-z0-9]+")
# A timeline entry's event date, which the engine puts before the claim.
DATED = re.compile(r"^\d{4}(?:-\d{2}){0,2} — ")


def repeats(claim: Claim, earlier: Sequence[Claim]) -> bool:
    """Whether the briefing already states this claim's fact. A bottom line copying a claim
    of Key developments repeats it too."""
    return any(
        same_fact(c.text, claim.text) or restates(claim.text, c.text) or same_evidence(claim, c)
        for c in earlier
    )


def same_fact(a: str, b: str) -> bool:
    """The same words, a final full stop aside, or mostly the same content words with exactly
    the same figures."""
    a, b = undated(a), undated(b)
    if normalise(a).rstrip(" .;") == normalise(b).rstrip(" .;"):
        return True
    wa, wb = content_words(a), content_words(b)
    if not wa or not wb or _FIGURE.findall(a) != _FIGURE.findall(b):
        return False
    return len(wa & wb) / len(wa | wb) >= SAME_FACT_OVERLAP


def restates(new: str, earlier: str) -> bool:
    """Whether ``new`` says nothing ``earlier`` has not: nearly all its content words and
    all its figures are the earlier claim's ("On March 24, Larkspur AI, Northwind and Oriel
    launched the Compact" after "On 24 March 2026 Larkspur AI, Northwind and Oriel announced
    the Compact, a private agreement to ..."). A claim that adds to an earlier one is kept."""
    new, earlier = undated(new), undated(earlier)
    wn, we = content_words(new), content_words(earlier)
    if len(wn) < RESTATES_MIN_WORDS or not _figures(new) <= _figures(earlier):
        return False
    return len(wn & we) / len(wn) >= RESTATES_SHARE


def same_evidence(new: Claim, earlier: Claim) -> bool:
    """Whether ``new`` tells the part of a cited sentence that ``earlier`` already told, and
    nothing else: they cite a sentence in common, most of the words ``new`` takes from it lie
    within the stretch of it ``earlier`` took words from, ``new`` has no figure ``earlier``
    lacks, and nothing from another cited sentence. Claims are compared by what they draw
    from their evidence, so a paraphrase with little of the earlier claim's wording
    ("Beijing's move follows ..." after "The Chinese action answers ...") is found."""
    shared = _sentences(new) & _sentences(earlier)
    if not shared:
        return False
    new_text, old_text = undated(new.text), undated(earlier.text)
    if not _figures(new_text) <= _figures(old_text):
        return False
    source = _stems(" ".join(sorted(shared)))
    new_words, old_words = content_words(new_text), content_words(old_text)
    others = content_words(" ".join(_sentences(new) - shared))
    if (new_words & others) - set(source) - old_words:
        return False  # it adds what another of its sentences says
    took_new = [i for i, w in enumerate(source) if w in new_words]
    took_old = [i for i, w in enumerate(source) if w in old_words]
    told = {source[i] for i in took_new}
    if len(told) < SAME_EVIDENCE_MIN_WORDS or not took_old:
        return False
    start, end = min(took_old), max(took_old)
    within = {source[i] for i in took_new if start <= i <= end} | (told & old_words)
    return len(within) / len(told) >= SAME_EVIDENCE_SHARE


def undated(text: str) -> str:
    """A timeline entry without the event date the engine put before it."""
    return text.split(" — ", 1)[1] if DATED.match(text) else text


def _figures(text: str) -> set[str]:
    return set(_FIGURE.findall(text))


def _stems(text: str) -> list[str]:
    """The content words of ``text`` in order, as the checker stems them."""
    return [w for token in _TOKEN.findall(text.lower()) for w in content_words(token)]


def _sentences(claim: Claim) -> set[str]:
    """The source sentences a claim's citations quote, as the checker compares text."""
    return {
        normalise(s).rstrip(" .")
        for c in claim.citations
        for s in split_sentences(c.quote.removesuffix("…"))
        if s.strip()
    }


__all__ = [
    "DATED",
    "repeats",
    "restates",
    "same_evidence",
    "same_fact",
    "undated",
]
