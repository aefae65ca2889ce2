"""Which source sentences can be facts of a briefing, and why the others cannot.

A briefing is written from source sentences. Pages carry much that is not a statement about
the world: bylines, image credits, the headline repeated in the body, navigation ("Read
more", "Subscribe"), link stubs ("The final rule can be found here."), disclaimers, bare
labels. Left in, the model turns them into claims the checker cannot fault, because every
word of such a "claim" is in the sentence it cites.
"""

from __future__ import annotations

import re
from pathlib import PurePath

from rag.checking.checker import content_words, looks_like_heading
from rag.reading.sanitize import INJECTION_REMOVED

MIN_WORDS = 6  # "Officials declined to comment." is five; it tells nothing on its own
MAX_WORDS = 80  # a run-on "sentence" of a table or a list, not one statement
HEADING_WORDS = 12
TITLE_RUN_IN_WORDS = 5
TITLE_OVERLAP_MAX = 0.8  # share of a sentence's content words that are its document's title's

_BYLINE = re.compile(
    r"^(?:by|from|posted|published|updated|written by|reporting by|edited by|editing by)\b"
    r"[\s:]+(?:[A-Z0-9]|on\b)",
    re.IGNORECASE,
)
# A byline glued to a headline or to the first paragraph by the reader: "... Posted March 26,
# 2026 by the TechPulse Daily Team | 6 min read", "... Priya Raman and Tomas Weller | 30 March
# 2026".
_BYLINE_INSIDE = re.compile(
    r"\b(?:posted|published|updated)\s+(?:on\s+)?[A-Z][a-z]{2,8}\.?\s+\d{1,2},?\s+\d{4}\s+by\b"
    r"|\b\d+\s*min(?:ute)?s?\s+read\b"
    r"|\s\|\s+(?:\d{1,2}\s+[A-Z][a-z]{2,8}|[A-Z][a-z]{2,8}\s+\d{1,2},?)\s+\d{4}\s*$"
    # "... - Analysis By Theo Brandt, Research Director ... Published 30 March 2026 Within
    # ten days ...": a byline and date line run into the first sentence.
    r"|(?-i:\b(?:Analysis|Commentary|Opinion|Column)\s+[Bb]y\s+[A-Z])"
    r"|(?-i:\bPublished\s+(?:on\s+)?(?:\d{1,2}\s+[A-Z][a-z]{2,8}|[A-Z][a-z]{2,8}\s+\d{1,2},?)"
    r"\s+\d{4}\s+[A-Z])",
    re.IGNORECASE,
)
_CREDIT = re.compile(
    r"\b(?:photo|photograph|image|picture|illustration|graphic|video)s?\s*(?:by|:|credit)"
    r"|\bcredit\s*:|\b(?:getty images|shutterstock|ap photo|afp via getty|reuters/)"
    r"|\bfile photo\b",
    re.IGNORECASE,
)
_BOILERPLATE = re.compile(
    r"can be (?:found|read|viewed|downloaded|accessed) (?:here|at|on|below)"
    r"|\bclick here\b|\bread (?:more|the full|the rest)\b|\bsubscribe\b|\bsign up\b"
    r"|\bnewsletter\b|\brelated (?:articles?|stories|coverage|posts?|reading)\b"
    r"|\bshare this\b|\bfollow us\b|\ball rights reserved\b|\bcopyright\b|©"
    r"|\bcookies?\b|\badvertisement\b|\bsponsored\b|\bback to top\b|\btable of contents\b"
    r"|\bthis article (?:was|has been) (?:updated|corrected)\b|\bterms of (?:use|service)\b"
    r"|\bprivacy policy\b|\bdemo document\b|\binvented for testing\b|\bnot real news\b"
    # A notice that the document is fiction: "every company discussed here are invented".
    r"|\b(?:are|is) (?:entirely |all |wholly )?(?:invented|fictional|fictitious)\b"
    r"|\bcontact (?:us|the author)\b|\bfor more information\b|\bdisclaimer\b"
    r"|\bfree trial\b|\bbook a demo\b|\bpromo code\b|\blimited[- ]time offer\b"
    r"|\btrusted by (?:thousands|millions|hundreds)\b|\bnot legal advice\b"
    r"|\bviews (?:in|expressed in) this (?:column|article)\b"
    # A commentary's disclaimer: "the views expressed here are the author's own", "do not
    # necessarily reflect those of the institute".
    r"|\b(?:views|opinions)\b[^.]{0,60}\b(?:is|are) (?:solely |entirely )?(?:the )?"
    r"(?:authors?|authors'|author's|authors’|author’s|their|his|her|my) own\b"
    r"|\bdo(?:es)? not necessarily (?:reflect|represent)\b",
    re.IGNORECASE,
)
# An interviewer's line in a transcript ("Question: The U.S. side has announced ..."): the
# premise of a question, put by a reporter, not a statement of the source's.
# An interview's question line ("Q: ...", "Question: ..."); ``voices`` finds interviews by it.
INTERVIEWER = re.compile(
    r"^\s*(?:Q|Question|Reporter|Interviewer)\s*:", re.IGNORECASE | re.MULTILINE
)
# A finite verb is what makes a sentence state something. Without a tagger: auxiliaries and
# common reporting verbs, or a lowercase word with a verb's ending.
_VERBS = frozenset(
    """is are was were be been being am has have had do does did will would shall should can
    could may might must said says say told tells added adds announced announces issued
    issues imposed imposes banned bans barred bars listed lists took takes take made makes
    make set sets put puts cut cuts rose rise rises fell fall falls grew grow grows became
    become becomes began begin begins kept keep keeps left leave leaves met meet meets ran
    run runs sent send sends spent spend spends won win wins lost lose loses led lead leads
    gave give gives got get gets saw see sees came come comes went go goes held hold holds
    brought bring brings sold sell sells bought buy buys paid pay pays chose choose chooses
    require requires allow allows cover covers apply applies remain remains""".split()
)
# A document talking about itself or its authors: "This report covers ...", "We use the term
# ... broadly", "It is written for policymakers", "X is a fellow in the same program".
_ABOUT_ITSELF = re.compile(
    r"\b(?:this|the present) (?:report|paper|brief|study|note|chapter|section|article|alert|"
    r"newsletter|issue|edition|guide|primer|analysis) (?:covers|describes|is (?:organi[sz]ed|"
    r"structured|based|written|divided)|sets out|draws on|uses|was (?:prepared|written|funded)|"
    r"builds on|begins|ends|proceeds|looks at|takes stock of|examines|reviews|surveys|"
    r"summari[sz]es|discusses|outlines|explains)\b"
    r"|^(?:it|this) is (?:written|intended|meant|designed) for\b"
    r"|\bwe use the (?:term|word|phrase)\b|\bthe authors? (?:thank|is|are|would)\b"
    r"|\bis an? (?:senior |non-resident |visiting |research )?(?:fellow|director|professor|"
    r"analyst|researcher) (?:at|in|of|with)\b",
    re.IGNORECASE,
)
_VERB_ENDING = re.compile(r"^[a-z]{3,}(?:ed|es|ies)$")
# A list item whose subject is its heading ("The order: - Directs the Department of Commerce
# to ..."): it opens on a verb in the third person and its object. Alone it says nothing of
# who directs; the model, or a quoted fill, would state it without a subject.
_SUBJECTLESS = re.compile(
    r"^(?:[A-Z][a-z]{2,}(?<!ss)s)\s+(?:the|a|an|all|any|each|every|its|their|U\.S\.|US|federal|"
    r"new|certain|such|that|those|these)\s"
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")


# Finite verbs that show a sentence opening "Plurals the ..." has a verb of its own ("Sales the
# company booked fell", "Officials the ministry named were barred"): not a list item. Not
# ``_VERBS``: its base forms ("set", "take") follow "to" in the list items themselves.
_FINITE = frozenset(
    """is are was were has have had will would can could may might must shall should do does
    did said told took made fell rose grew became began kept left met ran sent spent won lost
    led gave got saw came went held brought sold bought paid chose""".split()
)


def _finite_after_opening(sentence: str) -> bool:
    words = [w.lower() for w in _WORD.findall(sentence)[1:]]
    return any(w in _FINITE or re.fullmatch(r"[a-z]{3,}ed", w) for w in words)


def has_verb(sentence: str) -> bool:
    words = _WORD.findall(sentence)
    return any(w.lower() in _VERBS or _VERB_ENDING.match(w) for w in words)


def has_finite_verb(sentence: str) -> bool:
    """An auxiliary or a common verb in a finite form: "-ed" alone may be a participle
    ("an agreement signed in 2025")."""
    return any(w.lower() in _VERBS for w in _WORD.findall(sentence))


def _name_words(text: str) -> set[str]:
    return content_words(re.sub(r"[_\-.]+", " ", text))


def _is_title(sentence: str, title: str, filename: str) -> bool:
    """The document's own title or file name, repeated as the first line or as a heading."""
    words = content_words(sentence)
    if not words:
        return False
    # The title run into the first line ("The Chip Wars Letter: ... Issue 112 - by ..."): a
    # sentence opening on the whole of a title of several words is the masthead, not a fact.
    head = " ".join(title.split()).lower()
    if len(head.split()) >= TITLE_RUN_IN_WORDS and sentence.lower().startswith(head):
        return True
    for name in (title, PurePath(filename).stem if filename else ""):
        name_words = _name_words(name)
        if not name_words:
            continue
        # A sentence that is the title (and at most a few words more): most of its words are
        # the title's, and most of the title's are in it.
        shared = words & name_words
        if len(shared) >= TITLE_OVERLAP_MAX * len(words) and len(shared) >= TITLE_OVERLAP_MAX * len(
            name_words
        ):
            return True
    return False


def rejection(sentence: str, *, title: str = "", filename: str = "") -> str | None:
    """Why ``sentence`` cannot be a fact of a briefing, or None when it can."""
    text = " ".join(sentence.split())
    words = text.split()
    if INJECTION_REMOVED in text:
        return "text addressed to AI systems"
    if len(words) < MIN_WORDS:
        return "too short to state a fact"
    if len(words) > MAX_WORDS:
        return "too long to be one statement"
    if text.endswith("?") or INTERVIEWER.match(text):
        return "a question, not a statement"
    if (
        _BYLINE.match(text)
        or _BYLINE_INSIDE.search(text)
        or len(re.findall(r"\s[|·•]\s", text)) >= 2
    ):
        return "a byline or date line"
    if _CREDIT.search(text):
        return "an image credit"
    if _BOILERPLATE.search(text):
        return "navigation or boilerplate"
    if _ABOUT_ITSELF.search(text):
        return "the document describing itself or its authors"
    if _is_title(text, title, filename):
        return "the document's title"
    # A statement ends with punctuation; a short line without it is a heading or a label.
    if looks_like_heading(text) or (text[-1] not in '.!?;:"”’)…' and len(words) <= HEADING_WORDS):
        return "a heading"
    if not has_verb(text):
        return "no verb: a label, not a statement"
    if _SUBJECTLESS.match(text) and not _finite_after_opening(text):
        return "a list item whose subject is its heading"
    # "Under the compact, the members will:": what it says is in the list that follows.
    if text.endswith(":"):
        return "the lead-in to a list, not a statement"
    return None


def is_fact(sentence: str, *, title: str = "", filename: str = "") -> bool:
    return rejection(sentence, title=title, filename=filename) is None


# Words after which an "-ed" word is an adjective ("and advanced computing items", "a
# detailed list") and before which an "-s" word is a noun ("controls on", "bans and").
_BEFORE_ADJECTIVE = frozenset(
    "a an the and or of on for in with its their his her this that these those new".split()
)
_AFTER_NOUN = frozenset("on of for in with and or to from by at".split())
# Base forms a plural subject takes ("Analysts expect", "Public references refer to").
_PLURAL_VERBS = frozenset(
    """expect refer argue believe warn estimate plan intend need want face include show
    suggest note predict agree support oppose welcome deny claim reject call urge seek
    continue""".split()
)


def states_nothing(sentence: str) -> bool:
    """A noun phrase with no verb, such as a subject line said back ("The U.S. controls on
    frontier AI model access and advanced computing items."): it asserts nothing, though
    every word of it is in the sources.

    Without a part-of-speech tagger, a word is a verb when it is an auxiliary or a common
    verb form (``_FINITE``, ``_PLURAL_VERBS``), an "-ed" word not after an article, a
    conjunction or a preposition ("BIS added", not "and advanced"), or an "-s" word not
    before a preposition or a conjunction ("MOFCOM lists 18 firms", not "controls on"). A
    figure or a date makes it a finding ("Exports rose 12%").
    """
    if re.search(r"\d", sentence):
        return False
    words = _WORD.findall(sentence)
    for i, word in enumerate(words):
        w = word.lower()
        if w in _FINITE:
            return False
        if i == 0 or not word.islower():
            continue
        if w in _PLURAL_VERBS:
            return False
        before = words[i - 1].lower()
        after = words[i + 1].lower() if i + 1 < len(words) else ""
        if re.fullmatch(r"[a-z]{3,}ed", w) and before not in _BEFORE_ADJECTIVE:
            return False
        plain = w.endswith("s") and not w.endswith(("ss", "us", "is"))
        if (plain or w in _VERBS) and after and after not in _AFTER_NOUN:
            return False
    return True
