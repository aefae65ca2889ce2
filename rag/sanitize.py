"""Turning document text into inert data before a model sees it.

Documents can carry text aimed at a model: chat-template control tokens, tags that would close
the fence around a source, sentences like "ignore all previous instructions". The drafting
engine shows sources only through ``clean_source_text``, and the citation checker judges
claims against text with the same sentences removed, so a claim resting only on removed text
is never "supported".
"""

from __future__ import annotations

import re

from rag.chunking import split_sentences

# Control tokens of common chat templates (ChatML, Llama 2/3, Mistral, Gemma, Phi): a document
# that contains them could otherwise end the user turn and speak as the system.
_SPECIAL_TOKENS = re.compile(
    r"<\|[^<>|]{1,40}\|>|</?s>|\[/?INST\]|<<\/?SYS>>|<(?:start|end)_of_turn>|<\|?eot_id\|?>",
    re.IGNORECASE,
)


# Sentences addressed to an AI reader rather than a human one. Documents are data; text like
# this is removed before a source is shown to the model (and the removal is visible in the
# prompt), so that even a model that would obey it never sees it.
_INJECTION = re.compile(
    r"""ignore\s+(?:all\s+|any\s+)?(?:the\s+)?(?:previous|prior|above|earlier|preceding)\s+
        (?:instructions?|prompts?|directions?|rules?)
      | disregard\s+(?:all\s+|any\s+)?(?:the\s+)?(?:previous|prior|above|earlier|your)\s+
      | (?:note|message|instructions?|attention)\s+(?:to|for)\s+(?:all\s+)?
        (?:ai|a\.i\.|llms?|language\s+models?|assistants?|chatbots?|automated|ai\s+assistants?)
      | \byou\s+are\s+(?:now\s+)?(?:an?\s+)?(?:ai|assistant|language\s+model|chatbot)\b
      | \bcite\s+(?:this|the\s+present)\b[^.]{0,60}?\b(?:article|source|document|page|post)\b
      | \b(?:for|in)\s+(?:every|each|all)\s+(?:claims?|sentences?|citations?)\s+(?:in|of)\s+
        (?:your|the)\s+(?:briefing|summary|answer|response|report)
      | \b(?:system\s+prompt|new\s+instructions)\s*:
    """,
    re.IGNORECASE | re.VERBOSE,
)
INJECTION_REMOVED = "[text addressed to AI systems removed by BriefDesk]"


def neutralise_instructions(text: str) -> str:
    """Remove each sentence that speaks to an AI reader instead of reporting something."""
    lines = []
    for line in text.split("\n"):
        if _INJECTION.search(line):
            kept = [s for s in split_sentences(line) if not _INJECTION.search(s)]
            line = " ".join([*kept, INJECTION_REMOVED])
        lines.append(line)
    return "\n".join(lines)


def clean_source_text(text: str) -> str:
    """Source text as inert data: no chat control tokens, no tags it could close or open, no
    sentences addressed to the model."""
    text = neutralise_instructions(_SPECIAL_TOKENS.sub(" ", text))
    return text.replace("<", "‹").replace(">", "›")
