"""A model-written claim made into a clean sentence, or refused.

A claim is one sentence of at most ``MAX_WORDS`` words. What a model writes is often not:
fact numbers or source markers in the sentence ("... in March [3]", "Fact 2 says"), a list
number before it, two sentences in one, a whole paragraph copied, or a phrase of the prompt
itself ("... the facts most relevant to this section"). Markers are stripped (their numbers
become citations), two sentences become two claims, and the rest is refused with a reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rag.drafting.event_dates import entry_as_sentence
from rag.reading.chunking import split_sentences
from rag.reading.sanitize import clean_claim_text

MAX_WORDS = 40
TOO_LONG = "longer than"  # how a refusal for length begins
MIN_WORDS = 4  # "26 Feb 2026" alone is not a claim, whatever it cites
LEAK_NGRAM = 4  # words in a row shared with the prompt's own wording

# Source or fact numbers a model writes into the sentence itself: citations belong in the
# answer's "facts", and a stray "3" would be checked as a figure of the claim.
_MARKER = re.compile(
    r"\s*(?:\[(?:(?:sources?|facts?)\s+)?(?P<a>\d+(?:\s*(?:,|;|and|&|-)\s*\d+)*)\]"
    r"|\((?:sources?|src\.?|facts?)\s+(?P<b>\d+(?:\s*(?:,|;|and|&)\s*\d+)*)\))",
    re.IGNORECASE,
)
# "Fact 3 says that ...", "According to source 2, ...", "(see facts 1 and 4)".
_NAMED_NUMBER = re.compile(
    r"\b(?:according to\s+)?(?:facts?|sources?)\s+(?:no\.?\s*|number\s+)?\d+(?:\s*(?:,|and|&)\s*"
    r"\d+)*\b(?:\s+(?:says?|states?|shows?|reports?)(?:\s+that)?)?,?\s*",
    re.IGNORECASE,
)
# A list number or bullet before a claim. One or two digits only: "2026. " is a year.
_LIST_MARK = re.compile(r"^(?:\d{1,2}[.)]|[-*\u2022])\s+")
_WORD = re.compile(r"[a-z0-9]+")
# "U. S." as a model's tokens may spell it: the sources' "U.S." again.
_SPACED_INITIALS = re.compile(r"\b([A-Z])\.\s(?=[A-Z]\.)")
# The facts reach the model with every double quote made a closing one (sanitize), and a claim
# copied from them opens its quotations with one: ”Controls ...”.
_OPENING_AS_CLOSING = re.compile(r"(?:(?<=^)|(?<=[\s(\[]))”(?=\S)")
# The frame a model puts before an implication: "The developments also mean that providers
# must verify ...". It points at nothing the reader has (which developments?), and told
# three times in one section it is all the reader sees; the fact after it stands alone.
_VAGUE_FRAME = re.compile(
    r"^(?:in\s+practice,\s+)?(?:the(?:se)?\s+developments?|this|that|it)\s+(?:also\s+)?"
    r"means?\s+that\s+(?=\S)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Cleaned:
    sentences: list[str]  # one claim per sentence; empty when refused
    numbers: list[int]  # fact numbers written in the text
    refused: str = ""  # why nothing could be kept

    @property
    def too_long(self) -> bool:
        """Nothing kept, and a sentence was refused for its length."""
        return not self.sentences and self.refused.startswith(TOO_LONG)


def split_markers(text: str) -> tuple[str, list[int]]:
    """The claim without in-text markers, and the numbers they named."""
    numbers: list[int] = []

    def take(match: re.Match[str]) -> str:
        numbers.extend(int(n) for n in re.findall(r"\d+", match["a"] or match["b"]))
        return ""

    def named(match: re.Match[str]) -> str:
        numbers.extend(int(n) for n in re.findall(r"\d+", match.group(0)))
        return ""

    cleaned = _MARKER.sub(take, text)
    cleaned = _NAMED_NUMBER.sub(named, cleaned)
    cleaned = re.sub(r"\s+([.,;:!?])", r"\1", cleaned).strip(" ,;")
    if cleaned and cleaned[0].islower():
        cleaned = cleaned[0].upper() + cleaned[1:]
    return cleaned, numbers


def _ngrams(text: str, n: int = LEAK_NGRAM) -> set[tuple[str, ...]]:
    words = _WORD.findall(text.lower())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


class LeakGuard:
    """Phrases of the prompt's own wording (instructions, labels), never of the facts or the
    topic, which a claim may rightly repeat."""

    def __init__(
        self, prompt_texts: Iterable[str], allowed: Iterable[str], *, n: int = LEAK_NGRAM
    ) -> None:
        self.n = n
        allowed_grams: set[tuple[str, ...]] = set()
        for text in allowed:
            allowed_grams |= _ngrams(text, n)
        self._grams: set[tuple[str, ...]] = set()
        for text in prompt_texts:
            self._grams |= _ngrams(text, n)
        self._grams -= allowed_grams

    def leaks(self, claim: str) -> str | None:
        shared = _ngrams(claim, self.n) & self._grams
        return " ".join(min(shared)) if shared else None


# Words no sentence ends on: a claim ending on one broke off. The default model, quoting a
# source's "abusing export controls to ”maliciously block and suppress” Chinese companies",
# closed its JSON string at the quotation mark, and "... abusing export controls to." passed
# the check (every word is in the cited sentence).
_NO_ENDING = frozenset("the a an of to and or nor by with from than its their whose".split())


def cut_off(text: str) -> str:
    """The word a claim breaks off on ("to", "the", "of" ...), or "" when it ends whole."""
    words = re.findall(r"[\w’'-]+", text.rstrip(" .;:!?…\"”’'"))
    last = words[-1].lower() if words else ""
    return last if last in _NO_ENDING else ""


def clean_claim(raw: str, guard: LeakGuard | None = None) -> Cleaned:
    """Split, strip and check one claim as the model wrote it."""
    text = _LIST_MARK.sub("", " ".join(str(raw).split()))
    text = _SPACED_INITIALS.sub(r"\1.", text)
    text = _OPENING_AS_CLOSING.sub("“", text)
    text, numbers = split_markers(text)
    text = entry_as_sentence(clean_claim_text(text))
    if framed := _VAGUE_FRAME.match(text):
        rest = text[framed.end() :]
        # A plain lower-case word opens the sentence now; "eBay" and a quotation stay as written.
        text = rest[:1].upper() + rest[1:] if re.match(r"[a-z]+\b", rest) else rest
    if not text:
        return Cleaned([], numbers, "empty")
    if guard is not None and (phrase := guard.leaks(text)):
        return Cleaned([], numbers, f"repeats the instructions (“{phrase}”)")
    sentences = _rejoin([s for s in split_sentences(text) if s.strip()]) or [text]
    kept: list[str] = []
    refused = ""
    for sentence in sentences:
        words = len(sentence.split())
        if words > MAX_WORDS:
            refused = f"{TOO_LONG} {MAX_WORDS} words ({words})"
        elif words < MIN_WORDS:
            refused = refused or "not a full sentence"
        else:
            kept.append(sentence)
    return Cleaned(kept, numbers, "" if kept else refused)


# A full stop that ends an initial or an abbreviation, not a sentence: "the U.S. Department".
_ABBREVIATED = re.compile(
    r"(?:\b[A-Z]|\b(?:No|Nos|Mr|Ms|Mrs|Dr|St|Inc|Co|Corp|Ltd|Jr|vs|etc|Art))\.$"
)


def _rejoin(sentences: list[str]) -> list[str]:
    """Sentences cut at an abbreviation, or a fragment left over, joined to what precedes."""
    out: list[str] = []
    for sentence in sentences:
        if out and (_ABBREVIATED.search(out[-1]) or len(sentence.split()) < MIN_WORDS):
            out[-1] = f"{out[-1]} {sentence}"
        else:
            out.append(sentence)
    return out


def word_count(text: str) -> int:
    return len(text.split())
