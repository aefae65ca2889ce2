"""A briefing's title, made from the analyst's question.

The analyst types a question or a phrase ("What did China do after the U.S. frontier model
rule?"); a briefing needs a title that reads like one ("China after the U.S. frontier model
rule"): the key noun phrase, no question words, no question mark, short. The question itself
is kept as the briefing's subtitle.
"""

from __future__ import annotations

import re

MAX_TITLE_WORDS = 10

_QUESTION_OPENING = re.compile(
    r"^(?:(?:please\s+)?(?:tell me|brief me|explain|describe|summari[sz]e|give me)"
    r"(?:\s+(?:about|on))?\s+|(?:what|how|why|when|where|who|whom|which|whether)\b"
    r"(?:\s+(?:is|are|was|were|has|have|had|do|does|did|will|would|can|could|should|might|"
    r"may))?\s+|(?:is|are|was|were|has|have|had|do|does|did|will|would|can|could|should)\s+)",
    re.IGNORECASE,
)
# Verbs a question puts after its subject ("... did China do after ...") that a title drops.
_QUESTION_VERBS = re.compile(
    r"\s+(?:do|done|doing|say|said|saying|mean|meaning|happen|happened|happening)\b",
    re.IGNORECASE,
)
# "Japan responding to ..." reads as a title once it is "Japan's response to ...".
_NOUNED = (
    (re.compile(r"^(\S+)\s+respond(?:s|ing|ed)?\b", re.IGNORECASE), r"\1’s response"),
    (re.compile(r"^(\S+)\s+react(?:s|ing|ed)?\b", re.IGNORECASE), r"\1’s reaction"),
)
# A second question joined to the first ("... and what are the consequences") is left out.
_SECOND_CLAUSE = re.compile(
    r"(?:,|\s+(?:and|or|but))\s+(?:what|how|why|when|who|which|whether|is|are|will)\b.*$",
    re.IGNORECASE,
)
_BREAK_WORDS = frozenset("of on in for to by with after before about from at as and".split())
_TRAILING_LINK = re.compile(
    r"\s+(?:of|on|in|for|to|by|with|after|before|about|and|or|the|a|an|from|at|as)$",
    re.IGNORECASE,
)


def title_from_topic(topic: str) -> str:
    """A short title for a briefing on ``topic``."""
    text = " ".join(topic.split()).strip(" ?!.;:")
    for _ in range(2):  # "Tell me what ..." has two openings
        text = _QUESTION_OPENING.sub("", text, count=1)
    text = _SECOND_CLAUSE.sub("", text)
    text = _QUESTION_VERBS.sub("", text, count=1)
    for pattern, noun in _NOUNED:
        text = pattern.sub(noun, text, count=1)
    words = text.split()
    if len(words) > MAX_TITLE_WORDS:
        # Cut before the last linking word that fits, so the phrase ends whole.
        cuts = [i for i in range(2, MAX_TITLE_WORDS + 1) if words[i].lower() in _BREAK_WORDS]
        words = words[: cuts[-1]] if cuts else words[:MAX_TITLE_WORDS]
        text = " ".join(words)
    while _TRAILING_LINK.search(text):
        text = _TRAILING_LINK.sub("", text)
    text = text.strip(" ,;:-–—") or " ".join(topic.split())
    return text[0].upper() + text[1:]
