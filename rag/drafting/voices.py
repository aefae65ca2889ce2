"""Whose account a source sentence is: a party speaking for itself, or a report.

A wire story or an official notice states what happened; a company's statement, a
ministry spokesperson's answers, a think tank's analysis, a newsletter or an interview state
what their author holds. "Qiantang Intelligence is a civilian company" is true as the
company's claim about itself, not as a finding of the briefing; "Calling it theft is a
political choice" is an interviewee's view. Such a sentence stated bare in a briefing reads
as the analyst's own assessment, so the engine names its holder ("According to Qiantang
Intelligence, ..."), in quoted claims and in the model's claims alike.

A document speaks for itself when its title says what kind of text it is (statement,
remarks, interview, analysis, commentary, letter ...), or when its author writes in the first
person outside quotation marks ("We rely on MOFCOM's own announcement", "I think it is
overdone"). In an interview, an answer is its speaker's ("Gao: ..."), not the publisher's.
Nothing here reads the meaning of a sentence; the signals are the document's, so they hold
for documents the team has never seen.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping

from rag.core.types import Hit
from rag.drafting.fact_filter import INTERVIEWER

# Titles of texts that state their author's position rather than report events.
_VOICE_TITLE = re.compile(
    r"\b(?:statement|remarks|interview|opinion|op-ed|commentary|analysis|letter|newsletter|"
    r"blog|column|editorial|perspective|viewpoint|speech|testimony|spokesperson|"
    r"answers\s+reporters|press\s+conference|q\s*&\s*a)\b",
    re.IGNORECASE,
)
# Speech inside quotation marks is the quoted speaker's, whom the sentence names.
QUOTED_SPEECH = re.compile(r"[\"“”][^\"“”]{3,}[\"“”]")
FIRST_PERSON = re.compile(r"\b(?:[Ww]e|[Oo]urs?)\b|(?<![A-Z.])\bus\b")
# "I" as the author's pronoun (not "World War I" or "Part I"): followed by a verb.
# Or the author's own judgement: "In my estimate, ...", "my view is ...".
I_SAY = re.compile(
    r"\bI\s+(?:think|believe|expect|suspect|doubt|hope|fear|would|am|was|have|had|do|don't|"
    r"did|see|read|argue|predict|disagree|agree|wrote|said|spoke|asked)\b|"
    r"\b[Mm]y\s+(?:view|estimate|opinion|judge?ment|assessment|guess|forecast|reading|sense)\b"
)
_SPEAKER_LABEL = re.compile(r"^\s*(?P<who>[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3})\s*:\s+(?=\S)")
_NOT_SPEAKERS = frozenset({"q", "question", "a", "answer", "interviewer", "note", "source"})


def speaks_for_itself(title: str, texts: Iterable[str]) -> bool:
    """Whether a document with this title and these passages states its author's position."""
    if _VOICE_TITLE.search(title or ""):
        return True
    for text in texts:
        unquoted = QUOTED_SPEECH.sub(" ", text)
        if FIRST_PERSON.search(unquoted) or I_SAY.search(unquoted):
            return True
        if INTERVIEWER.search(text):
            return True
    return False


def document_voices(hits: Iterable[Hit]) -> dict[str, str]:
    """Document id -> the name its position is held under, for the documents among these
    hits that speak for themselves: publisher, else author, else its title in quotation
    marks when short ("According to “Uneven Allies”, Japan will ..."), so that an
    unsigned analysis's forecast is still not stated as fact."""
    texts: dict[str, list[str]] = {}
    docs = {}
    for hit in hits:
        docs[hit.document.id] = hit.document
        texts.setdefault(hit.document.id, []).append(hit.passage.text)
    out: dict[str, str] = {}
    short = {doc_id: _short_title(doc.title) for doc_id, doc in docs.items()}
    shared = Counter(short.values())
    for doc_id, doc in docs.items():
        # Two documents sharing a title's head ("Export Controls: Part 1", "...: Part 2")
        # are named in full, so that each claim says which.
        named = short[doc_id] if shared[short[doc_id]] == 1 else _short_title(doc.title, whole=True)
        who = doc.publisher or doc.author or named
        if who and speaks_for_itself(doc.title, texts[doc_id]):
            out[doc_id] = who
    return out


TITLE_AS_NAME_WORDS = 12


# A title's head that labels the kind or place of a piece rather than naming it ("Opinion: ...",
# "Policy Brief: ...", "Part 2: ...", "Working Paper No. 12: ...").
_LABEL_WORDS = frozenset(
    """opinion analysis commentary comment explainer update brief briefing policy paper working
    note notes report part chapter section volume issue special alert client insight
    insights feature interview editorial column no""".split()
)


def _short_title(title: str, *, whole: bool = False) -> str:
    # A subtitle explains the title; the title names the piece: "According to “Uneven Allies”,
    # ..." rather than its 12 words with "Why Japan and the Netherlands Will Not ...". A head
    # that only labels the piece (a kind, a part, a number) keeps its subtitle.
    head, colon, _ = title.partition(": ")
    words = head.split()
    named = len(words) >= 2 and not all(
        w.lower().strip(".") in _LABEL_WORDS or any(c.isdigit() for c in w) for w in words
    )
    words = (head if colon and named and not whole else title).split()
    return f"“{' '.join(words)}”" if 0 < len(words) <= TITLE_AS_NAME_WORDS else ""


def is_interview(text: str) -> bool:
    return bool(INTERVIEWER.search(text))


def speaker_label(block: str) -> str:
    """The speaker an interview answer opens on ("Gao: Not at all." -> "Gao"), or ""."""
    m = _SPEAKER_LABEL.match(block)
    if not m or m["who"].lower() in _NOT_SPEAKERS:
        return ""
    return m["who"]


def without_label(text: str, who: str) -> str:
    """The sentence without the speaker label it opens on, if it opens on ``who``'s."""
    if who and speaker_label(text) == who:
        return _SPEAKER_LABEL.sub("", text, count=1)
    return text


def holder_of(doc_id: str, label: str, voices: Mapping[str, str]) -> str:
    """Whose position a sentence states: its speaker in an interview, else its document's
    voice; "" for a report."""
    if doc_id not in voices:
        return ""
    return label or voices[doc_id]
