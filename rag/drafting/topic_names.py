"""The names a briefing topic is about, and whether a library mentions them at all.

Dense retrieval always returns *something*, and a topic about "Brazilian soybean tariffs"
shares enough vocabulary with a library on AI export controls ("tariffs", "imports", "China")
to pass a similarity gate. A name the topic asks about that no passage mentions is a plain,
explainable reason to say "not enough evidence" instead of drafting around it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.core.vocabulary import CAPITALISED_WORD

# A capitalised word, an acronym ("EU", "ASML") or a dotted abbreviation ("U.S."), or a year.
_NAME = re.compile(rf"{CAPITALISED_WORD}\.?|\b(?:19|20)\d\d\b")
_WORD = re.compile(r"\w+", re.UNICODE)
# Adjectives and plurals of names: "Brazilian" is about Brazil, "Chinese" about China.
_SUFFIXES = ("ians", "ian", "ese", "ans", "an", "'s", "’s", "s")
_MIN_STEM = 4


@dataclass(frozen=True)
class Name:
    shown: str  # as the topic spells it
    fts: str  # an FTS5 query matching passages that mention it


def _fts_for(name: str) -> str | None:
    words = [w.lower() for w in _WORD.findall(name)]
    if not words:
        return None
    if len(words) > 1:  # "U.S." -> the phrase "u s"
        return '"' + " ".join(words) + '"'
    word = words[0]
    if word.isdigit() or len(word) < _MIN_STEM:
        return f'"{word}"'
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM:
            word = word[: -len(suffix)]
            break
    return f'"{word}"*'


def topic_names(topic: str) -> list[Name]:
    """Names in ``topic``: capitalised words after the first, acronyms anywhere, years.

    The first word is skipped unless it is an acronym: "Fines for ..." is capitalised only
    because it starts the topic."""
    names: list[Name] = []
    seen: set[str] = set()
    for i, match in enumerate(_NAME.finditer(topic.strip())):
        shown = re.sub(r"['’]s$", "", match.group().rstrip("."))
        if match.group().endswith(".") and shown.count(".") >= 1:
            shown = match.group()  # keep the dot of "U.S."
        is_acronym = sum(c.isupper() for c in shown) >= 2 or shown.isdigit()
        if i == 0 and match.start() == len(topic) - len(topic.lstrip()) and not is_acronym:
            continue
        query = _fts_for(shown)
        if query and query not in seen:
            seen.add(query)
            names.append(Name(shown, query))
    return names
