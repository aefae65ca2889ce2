"""A fact's own sentence as the claim, when the model's wording of it fails the check.

A 1.5B model often words a fact it was given wrongly: it adds a forecast, swaps the actor,
merges two facts or drops a hedge. The checker catches that, and the claim would be dropped
or shown flagged, so the fact the section needed is lost. The source's own sentence states
the fact exactly; when it reads as a briefing sentence on its own (short, complete, not
opening on a pronoun that points into its paragraph, not an instruction or a "we"), it
replaces the failed wording. A forecast or opinion the sentence does not attribute itself
gets the source's name before it, so no one's view is stated as fact.
"""

from __future__ import annotations

import re

from rag.checking.attribution import ATTRIBUTED, VIEW
from rag.checking.checker import looks_like_heading
from rag.core.vocabulary import CLAIM_STOPWORDS
from rag.drafting.claim_text import MAX_WORDS, MIN_WORDS
from rag.drafting.facts import SourceSentence, speaker
from rag.reading.sanitize import clean_claim_text, clean_source_text

# Words that point back into the paragraph the sentence came from ("It said ...", "These
# firms ...", "However, ...", "First, it revises ..."): out of it, the reader cannot tell
# what they refer to.
_DEPENDENT_OPENING = re.compile(
    r"^\W*(?:it|its|they|their|them|he|she|his|her|this|these|those|that|such|"
    r"also|however|but|and|or|so|yet|still|instead|meanwhile|moreover|furthermore|further|"
    r"similarly|likewise|nevertheless|nonetheless|then|thus|therefore|hence|additionally|"
    r"others?|another|first(?:ly)?|second(?:ly)?|third(?:ly)?|finally|lastly|"
    r"the\s+(?:same|latter|former|above|following)|as\s+a\s+result|"
    r"in\s+(?:addition|turn|contrast|response)|by\s+contrast|for\s+(?:example|instance))\b",
    re.IGNORECASE,
)
_ENDS = '.!”"’)'


def depends_on_context(text: str) -> bool:
    """Whether the sentence opens on a word that points into a paragraph it is not in."""
    return bool(_DEPENDENT_OPENING.match(text))


def quotable(sentence: SourceSentence) -> bool:
    """Whether the sentence reads as a briefing sentence out of its paragraph."""
    text = sentence.text.strip()
    words = quoted_text(sentence).split()
    if not (MIN_WORDS <= len(words) <= MAX_WORDS) or not text or text[-1] not in _ENDS:
        return False
    if not text[0].isupper() or depends_on_context(text) or "?" in text:
        return False
    # "We expect ...", "Concentrate enforcement on ...": whose voice it is would be lost.
    return not speaker(sentence) and not looks_like_heading(text)


def quoted_text(sentence: SourceSentence) -> str:
    """The sentence as a claim: a view it does not attribute itself is given to its source."""
    # The passage's own wording when it reached the model unchanged but for its quotes (made
    # curly for the prompt): the claim then reads exactly as the footnote quotes it.
    same = sentence.quote and clean_source_text(sentence.quote).strip() == sentence.text.strip()
    text = clean_claim_text((sentence.quote if same else sentence.text).strip())
    if not VIEW.search(text) or ATTRIBUTED.search(text):
        return text
    doc = sentence.hit.document
    who = doc.publisher or doc.author
    if not who:
        return text
    first, _, rest = text.partition(" ")
    # "The rule ..." -> "According to X, the rule ..."; a name keeps its capital.
    if first.lower() in CLAIM_STOPWORDS:
        first = first.lower()
    return f"According to {who}, {first} {rest}".strip()
