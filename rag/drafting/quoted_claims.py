"""A fact's own sentence as the claim, when the model's wording of it fails the check.

A 1.5B model often words a fact it was given wrongly: it adds a forecast, swaps the actor,
merges two facts or drops a hedge. The checker catches that, and the claim would be dropped
or shown flagged, so the fact the section needed is lost. The source's own sentence states
the fact exactly; when it reads as a briefing sentence on its own (short, complete, not
opening on a pronoun that points into its paragraph, not an instruction or a "we"), it
replaces the failed wording. A party's own position (``voices``), or a forecast or opinion
the sentence does not attribute itself, gets its holder's name before it, so no one's view
is stated as fact.
"""

from __future__ import annotations

import re

from rag.checking.actors import is_country_word
from rag.checking.attribution import ATTRIBUTED, VIEW
from rag.checking.checker import looks_like_heading
from rag.core.vocabulary import CLAIM_STOPWORDS
from rag.drafting.claim_text import MAX_WORDS, MIN_WORDS
from rag.drafting.event_dates import entry_as_sentence
from rag.drafting.fact_filter import has_finite_verb, has_verb
from rag.drafting.facts import IMPERATIVE, SourceSentence, speaker
from rag.drafting.voices import QUOTED_SPEECH, without_label
from rag.reading.chunking import split_sentences
from rag.reading.sanitize import clean_claim_text, clean_source_text

# Words that point back into the paragraph the sentence came from ("It said ...", "These
# firms ...", "However, ...", "First, it revises ..."): out of it, the reader cannot tell
# what they refer to.
_DEPENDENT_OPENING = re.compile(
    r"^\W*(?:it|its|they|their|them|he|she|his|her|this|these|those|that|such|"
    r"also|however|but|and|or|so|yet|still|instead|meanwhile|moreover|furthermore|further|"
    r"similarly|likewise|nevertheless|nonetheless|then|thus|therefore|hence|additionally|"
    r"others?|another|first(?:ly)?|second(?:ly)?|third(?:ly)?|fourth(?:ly)?|fifth(?:ly)?|"
    r"sixth|finally|lastly|"
    r"(?:in\s+)?the\s+(?:same|latter|former|above|following)|as\s+a\s+result|"
    # "The move follows ...", "The decision comes ...": which move, the paragraph said.
    r"the\s+(?:move|decision|step)\s+(?:follows|followed|comes|came|marks|marked|is|was)\b|"
    # "The three companies announced ...": which three, the paragraph said.
    r"the\s+(?:two|three|four|five|six|seven|eight|nine|ten)\s+(?!(?:of|percent|per)\b)|"
    r"in\s+(?:addition|turn|contrast|response|that\s+case)|by\s+contrast|for\s+(?:example|instance)|"
    r"if\s+(?:so|not)|otherwise|(?:yes|no)(?=[.,])|"
    # "Without it, the test can be undermined": a short opening phrase ending on a pronoun.
    r"(?:with|without|despite|because\s+of|under|after|before|through|beyond|unlike)"
    r"\s+(?:it|this|that|them|these|those)(?=,)|"
    # A writer's aside to the reader ("Of course, China was not happy."), not a finding.
    r"of\s+course|indeed|after\s+all|in\s+fact|to\s+be\s+sure|needless\s+to\s+say|"
    # A blog's throat-clearing ("In today's rapidly evolving AI landscape, ..."), not a finding.
    r"in\s+today['’]s)\b",
    re.IGNORECASE,
)
_ENDS = '.!”"’)'


def depends_on_context(text: str) -> bool:
    """Whether the sentence opens on a word that points into a paragraph it is not in."""
    return bool(_DEPENDENT_OPENING.match(text))


# "The full list is attached to this announcement.", "In this scenario, ...": the document the
# sentence stood in, or a part of it, which a briefing sentence is not in; the reader cannot
# tell which announcement or scenario.
_OWN_DOCUMENT = re.compile(
    r"\b(?:this|these)\s+(?:(?:press\s+)?release|announcement|statement|document|report|article|"
    r"notice|page|letter|alert|memo|paper|brief|post|story|newsletter|interview|website|"
    # Its parts and what it sets out: "In this scenario, ...", "all of these questions".
    r"section|chapter|annex|appendix|table|figure|scenario|question)s?\b",
    re.IGNORECASE,
)


def refers_to_its_document(text: str) -> bool:
    """Whether the sentence points at the document it stood in ("attached to this notice")."""
    return bool(_OWN_DOCUMENT.search(QUOTED_SPEECH.sub(" ", text)))


def _open_quote(text: str) -> bool:
    """Whether a quotation opens in the sentence and closes only in a later one ("The
    minister stated: “Japan is not copying another country's list."): cut off mid-quote."""
    return text.count('"') % 2 == 1 or text.count("“") > text.count("”")


def quotable(sentence: SourceSentence) -> bool:
    """Whether the sentence reads as a briefing sentence out of its paragraph."""
    text = sentence.text.strip()
    words = quoted_text(sentence).split()
    if not (MIN_WORDS <= len(words) <= MAX_WORDS) or not text or text[-1] not in _ENDS:
        return False
    if not text[0].isupper() or depends_on_context(text) or "?" in text or _open_quote(text):
        return False
    if refers_to_its_document(text):
        return False
    if _glossary_entry(text, sentence.voice) or _defines_label(
        sentence.cited.strip(), sentence.hit.passage.text
    ):
        return False
    # "We expect ...", "Concentrate enforcement on ...": whose voice it is would be lost.
    return not speaker(sentence) and not looks_like_heading(text)


# "Unreliable Entity List: a Chinese list of foreign entities ...": a term and its
# definition, which asserts nothing once the term is cut off as a label.
_TERM = re.compile(r"^(?P<term>[A-Z0-9][^:.!?]{0,60}):\s+(?P<rest>\S.*)$")
# Past forms a definition may use as its verb ("Update: BIS published two names"), beside the
# finite verbs ``has_finite_verb`` knows; a defining phrase has none of them.
_REPORTED = re.compile(r"\b(?:added|announced|published)\b", re.IGNORECASE)


def _glossary_entry(text: str, voice: str) -> bool:
    m = _TERM.match(text)
    if not m or (voice and m["term"] == voice):
        return False  # no label, or an interview answer's speaker
    rest = m["rest"]
    return rest[0].islower() or not (has_finite_verb(rest) or _REPORTED.search(rest))


# A glossary's other form, the term as a sentence of its own: "A.9 Frontier Output Integrity
# Pact. A voluntary agreement signed on ... by ...". The definition opens on a determiner and
# its head noun phrase has no finite verb ("signed" is a participle here); what follows a
# relative word ("a list ... that MOFCOM considers ...") is not the sentence's own verb. The
# term before it, on the same line, is a short title-cased label ending in a full stop. The
# definition may instead open on the term spelled out, in apposition ("A.10 License Exception
# TCV. Trusted Compute Verified, a license exception created by ..."), and a past form there
# is a participle or an adjective ("other than published weights"): only an auxiliary, a
# present tense or a common irregular past (``has_finite_verb``) makes the head a sentence.
_LABEL_MAX_WORDS = 8
_DETERMINER = re.compile(r"^(?:(?:A|An|The)\s|[A-Z][\w-]*(?:\s[A-Z][\w-]*){0,5},\s(?:a|an|the)\s)")
_RELATIVE_TAIL = re.compile(r"\s(?:that|which|who|whose|where)\s.*$", re.DOTALL)
_CODE = re.compile(r"^\d+[A-Z]\w*")


def _defines_label(text: str, passage: str) -> bool:
    head = _RELATIVE_TAIL.sub("", text)
    if not _DETERMINER.match(text) or has_finite_verb(head):
        return False
    wanted = " ".join(text.split())
    line = next((ln for ln in passage.splitlines() if wanted in " ".join(ln.split())), None)
    if line is None:
        return False
    before = " ".join(line.split()).split(wanted, 1)[0].strip()
    label = split_sentences(before)[-1] if before else ""
    # A numbered entry's label may be a control code ("A.3 4E091."): a code is a name too.
    words = [w for w in label.split() if w[:1].isalnum()]
    return (
        0 < len(label.split()) <= _LABEL_MAX_WORDS
        and label.endswith(".")
        and sum(w[0].isupper() or _CODE.match(w) is not None for w in words) * 2 > len(words)
        and (looks_like_heading(label) or not has_verb(label))
    )


def quoted_text(sentence: SourceSentence) -> str:
    """The sentence as a claim, given to whoever holds it when it states a party's own
    position (``voices``) or a view it does not attribute itself."""
    # The passage's own wording when it reached the model unchanged but for its quotes (made
    # curly for the prompt): the claim then reads exactly as the footnote quotes it.
    same = sentence.quote and clean_source_text(sentence.quote).strip() == sentence.text.strip()
    text = entry_as_sentence(clean_claim_text((sentence.quote if same else sentence.text).strip()))
    if sentence.voice:
        text = without_label(text, sentence.voice)
        if ATTRIBUTED.search(text):
            return text  # "Analysts said ..." names its holder already
        itself = sentence.voice == sentence.hit.document.publisher
        return according_to(sentence.voice, text, sentence.hit.passage.text, itself=itself)
    if not VIEW.search(text) or ATTRIBUTED.search(text):
        return text
    doc = sentence.hit.document
    who = doc.publisher or doc.author
    return according_to(who, text, sentence.hit.passage.text) if who else text


# The nouns that make an organisation's name take "the" in running text: "According to the
# Carrow Center for Technology Policy", "the European Commission", "the Commerce Department";
# not "Meridian Wire", "Harrow & Vance LLP" or "MOFCOM".
_TAKES_THE = re.compile(
    r"\b(?:Center|Centre|Institute|Institution|Commission|Ministry|Department|Bureau|Council|"
    r"Foundation|Agency|Office|Administration|Endowment|Committee|Secretariat|Government|"
    r"Treasury|Parliament|Senate)\b"
)


def with_article(who: str) -> str:
    """An organisation's name as running text says it: "the Carrow Center for Technology
    Policy"; any other name as it is, and a person given with an affiliation ("Gina Ortiz,
    Department of Commerce")."""
    if who[:4].lower() == "the " or "," in who or not _TAKES_THE.search(who):
        return who
    return f"the {who}"


def according_to(who: str, text: str, context: str = "", *, itself: bool = False) -> str:
    """ "The rule ..." -> "According to X, the rule ..."; a name keeps its capital.

    When ``who`` is an organisation speaking of itself (``itself``: its own statement) and the
    text opens with its name and a verb, it says so once: "Qiantang Intelligence says it is a
    civilian company", not "According to Qiantang Intelligence, Qiantang Intelligence is ...".
    """
    if itself:
        opening = re.match(rf"(?:the\s+)?{re.escape(who.removeprefix('the ').removeprefix('The '))}"
                           r"\s+(?=[a-z])", text, re.IGNORECASE)  # fmt: skip
        if opening and not text[opening.end() :].startswith(("and ", "or ", "to ")):
            named = with_article(who)
            return f"{named[:1].upper()}{named[1:]} says it {text[opening.end() :]}".strip()
    # "Fourth, China's retaliation ...": the report's list, which the claim is not in.
    text = _ENUMERATION.sub("", text, count=1) or text
    if IMPERATIVE.match(text):
        # "Align controls on model weights with 4E091": a recommendation, in its own words.
        named = with_article(who)
        return f"{named[:1].upper()}{named[1:]} recommends: “{text.rstrip()}”"
    first, _, rest = text.partition(" ")
    if _common_word(first, rest.split(" ", 1)[0], context):
        first = first.lower()
    return f"According to {with_article(who)}, {first} {rest}".strip()


# An item's place in a report's list, opening the sentence.
_ENUMERATION = re.compile(
    r"^(?:(?:first|second|third|fourth|fifth|sixth)(?:ly)?|finally|lastly),\s+(?=\S)", re.IGNORECASE
)
# Modal verbs after a plural subject ("Providers must ...", "Violations may ...").
_MODALS = frozenset("must may might should shall will would can could need".split())
_PLURAL_ENDINGS = ("ers", "ors", "ions", "ies", "ments", "ants", "ents", "ists", "ances", "ences")
_PLURAL_NOUN_ENDINGS = ("tions", "sions", "ments", "ances", "ences")


# How an adverb ends ("Domestically", "Reportedly"); not a bare "-ly", which names end in too
# ("Italy", "Kelly").
_ADVERB_ENDINGS = ("ally", "edly", "ously", "ively", "ately", "ently", "antly")
# Words that open a sentence and are never names, beyond the stopwords: conjunctions, and the
# people news reports quote as a group ("Officials said ...").
_OPENERS = frozenset(
    """because between although though since despite many every officials analysts critics
    exporters companies firms traders investors executives lawmakers regulators supporters
    diplomats experts""".split()
)


def _common_word(word: str, following: str, context: str) -> bool:
    """Whether a sentence's capitalised first word is an ordinary word rather than a name: a
    stopword, or a word its passage also writes in lower case ("License requirements ...")
    and never capitalised after a lower-case word ("in Beijing"), nor as part of a name of
    several words ("the Entity List")."""
    bare = re.sub(r"\W+$", "", word)
    if bare.lower() in CLAIM_STOPWORDS or bare.lower() in _OPENERS:
        return True
    if not bare[:1].isupper() or not bare[1:].islower():
        return False  # "BIS", "3A090": as written
    if is_country_word(bare):
        return False  # "Beijing chose ...", whatever case its passage writes it in
    if re.search(rf"[a-z,;]\s+{re.escape(bare)}\b", context):
        return False  # capitalised within a sentence: a name
    pair = rf"\b{re.escape(bare)}\s+{re.escape(following)}"
    if following[:1].isupper() and re.search(pair, context):
        return False
    # A gerund or an adverb opening the sentence ("Calling it theft ...", "Domestically
    # designed chips ...") is not a name.
    # A name ending so is followed by its verb ("Boeing said ..."), a gerund by its object.
    if bare.endswith("ing") and not has_finite_verb(following):
        return True
    # A participle before its noun ("Listed entities may be barred ..."), not a name before
    # its verb ("Reed said ...").
    if bare.endswith("ed") and following[:1].islower() and not has_finite_verb(following):
        return True
    # A plural noun before a modal ("Providers must verify ...") or, with an ending no name
    # has, before any verb ("Violations carry fines ..."); "Siemens will ..." stays.
    lower = bare.lower()
    if lower.endswith(_PLURAL_ENDINGS) and following in _MODALS:
        return True
    if lower.endswith(_PLURAL_NOUN_ENDINGS) and following[:1].islower():
        return True
    if bare.endswith(_ADVERB_ENDINGS):
        return True
    return bool(re.search(rf"\b{re.escape(bare.lower())}\b", context))
