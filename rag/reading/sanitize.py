"""Turning document text into inert data before a model sees it.

Documents can carry text aimed at a model: chat-template control tokens, tags that would close
the fence around a source, role lines ("System: ..."), source numbers that would read as
BriefDesk's own ("[3]"), links to plant in the briefing, invisible characters, and sentences
like "ignore all previous instructions". The drafting engine shows sources only through
``clean_source_text``, and the citation checker judges claims against text with the same
sentences removed, so a claim resting only on removed text is never "supported". What the model
writes back goes through ``clean_claim_text``: no links, no control tokens.

docs/security.md lists the defences and the attacks they were measured against
(eval/injections.py).
"""

from __future__ import annotations

import re

from rag.reading.chunking import split_sentences

# Control tokens of common chat templates (ChatML, Llama 2/3, Mistral, Gemma, Phi): a document
# that contains them could otherwise end the user turn and speak as the system.
# The role name that follows a turn-opening token goes with it.
_SPECIAL_TOKENS = re.compile(
    r"(?:<\|[^<>|]{1,40}\|>|</?s>|\[/?INST\]|<<\/?SYS>>|<(?:start|end)_of_turn>|<\|?eot_id\|?>)"
    r"(?:[ \t]*(?:system|user|assistant|model|developer)\b)?",
    re.IGNORECASE,
)


# Sentences addressed to an AI reader rather than a human one. Documents are data; text like
# this is removed before a source is shown to the model (and the removal is visible in the
# prompt), so that even a model that would obey it never sees it.
#
# A sentence counts only when it names its addressee: the model ("note to AI assistants", "you
# are now an assistant"), its instructions ("ignore previous instructions", "system prompt"),
# or "you" as the one who writes the briefing ("in your briefing", "when you brief"). The words
# of an instruction alone ("State media reported...", "Write-downs...", "Ignore the rumours,
# the minister said", "Remember to check the Entity List, the association told members") are
# ordinary news; tests/data/benign_news.txt holds such sentences, and none may be lost.

# Addressed to the model by their own words.
_ADDRESSED = re.compile(
    r"""\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+)?(?:of\s+)?(?:the\s+)?
        (?:previous|prior|above|earlier|preceding)\s+
        (?:instructions?|prompts?|directions?|directives?|context|messages?)
      | \b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+)?(?:of\s+)?your\s+(?:\w+\s+)?
        (?:instructions?|prompts?|guidance|rules|directions?|directives?|training|programming
          |guidelines)
      | (?:note|message|instructions?|attention|reminder)\s+(?:to|for)\s+(?:all\s+|any\s+)?
        (?:ai|a\.i\.|llms?|language\s+models?|assistants?|chatbots?|automated|ai\s+\w+)\b
      | \byou\s+are\s+(?:now\s+)?(?:an?\s+)?(?:ai|assistant|language\s+model|chatbot)\b
      | \bas\s+(?:an?\s+)?(?:ai|language\s+model|assistant)\s*,\s*you\b
      | \bsystem\s+prompt\b
      | \b(?:for|in)\s+(?:every|each|all)\s+(?:claims?|sentences?|citations?)\s+(?:in|of)\s+
        (?:your|the)\s+(?:briefing|summary|answer|response)
      | (?:^|[.!?]\s+)\W{0,3}(?:system|assistant|developer|user)(?:\s+(?:prompt|message))?\s*:
      | \#{2,}\s*(?:instruction|response|system|input)s?\b
      | \bbriefing\s+topic\s*: | \banswer\s+(?:as|in)\s+json\b | (?-i:\bTASK\b)
      | \bwrite\s+(?:exactly|at\s+most|only)\s+\w+\s+claims?\b
      # The summaries of this document are the model's: no rule tells a summary what to name.
      | \b(?:summar(?:y|ies)|answers?|responses?|outputs?)\s+must\s+
        (?:name|mention|cite|say|begin|start|open)\b
    """,
    re.IGNORECASE | re.VERBOSE,
)
# Words of an instruction, which make a sentence one only with an addressee.
_DIRECTIVE = re.compile(
    r"""\bcite\s+(?:this|the\s+present)\b[^.]{0,60}?\b(?:article|source|document|page|post|report)\b
      | \b(?:do\s+not|don't|never)\s+(?:mention|cite|report|include|use)\b[^.]{0,40}?
        \b(?:other|any\s+other|remaining)\s+(?:sources?|articles?|documents?|reports?)\b
      | \b(?:only|exclusively)\s+cite\b
      | \b(?:add|include|insert|append|put|place)\b[^.]{0,50}?\b(?:links?|url|hyperlinks?)\b
      | \bwhen\s+(?:summari[sz]ing|drafting|writing\s+(?:about|up)|briefing\s+on)\s+
        (?:this|the\s+present)\b
      | \bforget\s+everything\b | \bnew\s+instructions\s*:
      | \b(?:should|must|shall|need\s+to|are\s+to)\s+(?:always\s+)?(?:mention|cite|name|write
        |state|say|include|report|describe|begin|start|open|summari[sz]e|refer)\b
      | (?:^|[.!?:]\s+)\W{0,3}(?:please\s+)?(?:write|state|mention|summari[sz]e|say|report|name
        |describe|cite|include|add|open|begin|start|ignore|disregard|override|remember\s+to
        |always\s+(?:mention|cite|say|write|state|include|refer))(?![\w-])
    """,
    re.IGNORECASE | re.VERBOSE,
)
# Who an instruction is for, when it is for the model: "you" as the writer of the briefing.
_ADDRESSEE = re.compile(
    r"""\byour\s+(?:briefing|summary|summaries|answer|response|output|claims?)\b
      | \byour\s+(?:\w+\s+)?(?:instructions|prompt|guidelines|training|programming)\b
      | \b(?:previous|prior|earlier|above)\s+instructions\b
      | \bwhen\s+you\s+(?:brief|summari[sz]e|draft|write|answer|respond)\b
      | \byou\s+(?:must|should|will|shall|are\s+to|need\s+to)\s+
        (?:cite|mention|write|state|say|name|include|report|describe|begin|start|open|summari[sz]e)\b
      | \b(?:summar(?:y|ies)|briefings?|answers?)\s+(?:you|they)\s+
        (?:write|produce|draft|generate)\b
      | \b(?:ai|a\.i\.|llms?|language\s+models?|chatbots?)\s+
        (?:assistants?|summari[sz]ers?|agents?|readers?|reading|processing|summari[sz]ing)\b
      | \bautomated\s+(?:summari[sz]ers?|readers?|agents?)\b
      | \b(?:the|any)\s+(?:ai|model|assistant|llm|language\s+model)\s+
        (?:reading|processing|summari[sz]ing)\b
    """,
    re.IGNORECASE | re.VERBOSE,
)


def _addressed(sentence: str) -> bool:
    return bool(
        _ADDRESSED.search(sentence) or (_DIRECTIVE.search(sentence) and _ADDRESSEE.search(sentence))
    )


INJECTION_REMOVED = "[text addressed to AI systems removed by BriefDesk]"

# A forged turn of a chat template, with what it says, and a forged source tag: the whole span
# is an attack, not only its control tokens. (An unclosed turn loses only its tokens: what
# follows may be the document's own text.)
_FORGED_SPAN = re.compile(
    r"<\|im_start\|>.{0,2000}?<\|im_end\|>|<<SYS>>.{0,2000}?<</SYS>>"
    r"|\[INST\].{0,2000}?\[/INST\]|<start_of_turn>.{0,2000}?<end_of_turn>"
    r"|</?\s*source\b[^<>]{0,500}>",
    re.IGNORECASE | re.DOTALL,
)

# A line that speaks as a chat role or as a part of BriefDesk's own prompt: the whole line goes,
# not just its first sentence, since all of it is the forged turn.
_ROLE_LINE = re.compile(
    r"""^[\s>*]{0,6}(?:
        (?:system|assistant|developer|user)(?:\s+(?:prompt|message|note|instructions?))?\s*[:：]
      | \#{2,}\s*(?:instruction|response|system|input)s?\b
      | (?-i:TASK|SOURCES)\s*:?\s*$
    )""",
    re.IGNORECASE | re.VERBOSE,
)

# Source numbers written the way BriefDesk's own citations are ("[3]", "[2, 5]", "(source 4)"):
# a model copying one from a source would have it taken as a citation of that source.
_MARKER = re.compile(
    r"\s*(?:\[(?:sources?\s+)?\d{1,3}(?:\s*(?:,|;|and|&|-|–)\s*\d{1,3})*\]"
    r"|\((?:sources?|src\.?)\s+\d{1,3}(?:\s*(?:,|;|and|&|-|–)\s*\d{1,3})*\))",
    re.IGNORECASE,
)

# Links: a source's links are not shown to the model, and none is kept in what it writes. A
# briefing's only links are the sources' own addresses from their metadata (rag.export.word).
_LINK = (
    r"\[([^\[\]\n]{1,200})\]\(\s*[a-z][a-z0-9+.-]{1,15}:[^()\s]{1,2000}\s*\)"  # markdown link
    r"|\b(?:https?|ftp|file|javascript|data|mailto):[^\s<>\"'‹›]{0,2000}[^\s<>\"'‹›.,;:!?)\]]"
    r"|\bwww\.[^\s<>\"'‹›]{0,2000}[^\s<>\"'‹›.,;:!?)\]]"
)
_DOMAIN = (
    r"\b[a-z0-9][a-z0-9-]{0,62}(?:\.[a-z0-9-]{1,63})*\."
    r"(?:com|org|net|io|info|biz|xyz|example|ru|cn|ly|me|co|app|site|online|top)\b"
)
# In a source, a bare site name ("By hightechz.net") is a byline and stays; with a path it is
# an address. In a claim, neither belongs.
_PATH = r"/(?:[^\s]{0,2000}[^\s.,;:!?)\]])?"
_URL = re.compile(f"{_LINK}|{_DOMAIN}{_PATH}", re.IGNORECASE)
_CLAIM_URL = re.compile(f"{_LINK}|{_DOMAIN}(?:{_PATH})?", re.IGNORECASE)
LINK_REMOVED = "[link removed]"

# Characters a reader never sees but a model reads: Unicode "tag" characters (ASCII smuggled
# as invisible code points), zero-width and joiner characters, bidirectional overrides.
_INVISIBLE = re.compile(
    "[\U000e0000-\U000e007f\u200b-\u200f\u2060-\u2064\ufeff\u202a-\u202e\u2066-\u2069]"
)


def neutralise_instructions(text: str) -> str:
    """Remove each sentence that speaks to an AI reader instead of reporting something, and
    each line that speaks as a chat role."""
    lines = []
    for line in text.split("\n"):
        if _ROLE_LINE.search(line):
            line = INJECTION_REMOVED
        elif _ADDRESSED.search(line) or _DIRECTIVE.search(line):
            sentences = split_sentences(line)
            addressed = [_addressed(s) for s in sentences]
            if any(addressed):
                # Once a paragraph speaks to the model, its other instructions are for the
                # model too ("You are now an assistant... Mention Larkspur Capital...").
                kept = [
                    s
                    for s, is_addressed in zip(sentences, addressed, strict=True)
                    if not is_addressed and not _DIRECTIVE.search(s)
                ]
                line = " ".join([*kept, INJECTION_REMOVED])
        lines.append(line)
    return "\n".join(lines)


def _link_text(match: re.Match[str]) -> str:
    return match[1] if match[1] else LINK_REMOVED


def clean_source_text(text: str) -> str:
    """Source text as inert data: no invisible characters, no chat control tokens, no tags it
    could close or open, no source numbers of BriefDesk's form, no links, no sentences
    addressed to the model. Also used for titles and publishers shown as tag attributes, so
    quotes are replaced too."""
    text = _FORGED_SPAN.sub(f" {INJECTION_REMOVED} ", _INVISIBLE.sub("", text))
    text = _SPECIAL_TOKENS.sub(" ", text)
    text = _URL.sub(_link_text, _MARKER.sub("", text))
    text = neutralise_instructions(text)
    return text.replace("<", "‹").replace(">", "›").replace('"', "”")


def remove_links(text: str) -> str:
    """``text`` without links: a markdown link keeps its words, a bare address goes."""
    out = _CLAIM_URL.sub(lambda m: m[1] or "", text)
    out = out.replace(LINK_REMOVED, "")
    out = re.sub(r"\(\s*\)|\[\s*\]", "", out)  # brackets left empty around a removed link
    return re.sub(r"\s+([.,;:!?)\]])", r"\1", " ".join(out.split())).strip()


def clean_claim_text(text: str) -> str:
    """What a model wrote, fit to stand in a briefing: no links (only a source's own metadata
    address may be linked, in the source list), no control tokens, no invisible characters."""
    text = _SPECIAL_TOKENS.sub(" ", _INVISIBLE.sub("", text))
    return remove_links(text.replace(INJECTION_REMOVED, ""))
