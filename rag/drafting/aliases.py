"""The identifiers a topic's subject goes by where its name is not used.

Analysts ask about a measure by the name the press gives it ("the Tollgate rule"), while the
measure itself, its press release and the law firms' alerts speak of it by its identifiers:
the control codes it creates (ECCN 4E091, 3A090.c), its docket (BIS-2025-0231). A source
that names the subject states those identifiers beside the name ("the Tollgate rule, which
creates ECCN 4E091"); a document that carries one of them speaks of the same subject, and
would be missed by a search for the name and judged off the topic by it.

Only identifiers (a code with letters and digits) are taken, never ordinary words, and only
those few documents carry: a code most of the library names ("H100" in a library on chips)
picks out nothing. What the topic asks about is never judged answerable through an alias:
aliases widen the evidence of a topic whose names the library already carries.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence

from rag.drafting.sufficiency import FocalName

# A code: letters and digits, at least one capital and one digit, joined by dots or hyphens
# ("4E091", "3A090.c", "BIS-2025-0231"); not an ordinal, a decade, a unit ("72-hour") or a
# date, which have no capital.
_IDENTIFIER = re.compile(
    r"(?<![\w.-])(?=[\w.-]*\d)(?=[\w.-]*[A-Z])[A-Za-z0-9]+(?:[.-][A-Za-z0-9]+)*(?![\w-])"
)
_WORD = re.compile(r"\w+")
# At most this many aliases per topic, the most often stated with its names first.
MAX_ALIASES = 3
# An identifier in more than this share of the library's documents picks out nothing.
RARE_SHARE = 0.25
RARE_MIN_DOCS = 2


# A shorter code is a reference inside a report ("Table B.4", "Annex A.13"), not a name.
MIN_CHARACTERS = 4


def identifiers_in(text: str) -> list[str]:
    found = (m.group(0).rstrip(".") for m in _IDENTIFIER.finditer(text))
    return [i for i in found if sum(c.isalnum() for c in i) >= MIN_CHARACTERS]


def aliases(
    sentences: Iterable[str],
    names: Sequence[FocalName],
    documents_matching: Callable[[str], int],
    total: int,
) -> list[FocalName]:
    """The rare identifiers stated in the same sentence as one of ``names``, most often
    first, as names to look for (``FocalName``)."""
    if not names:
        return []
    counts: Counter[str] = Counter()
    for sentence in sentences:
        if any(n.found_in(sentence) for n in names):
            counts.update(dict.fromkeys(identifiers_in(sentence), 1))
    out: list[FocalName] = []
    for identifier, _ in counts.most_common():
        tokens = tuple(w.lower() for w in _WORD.findall(identifier))
        if any(n.tokens == tokens for n in names):
            continue  # the topic's own name ("4E091's weights")
        documents = documents_matching('"' + " ".join(tokens) + '"')
        if documents <= max(RARE_MIN_DOCS, RARE_SHARE * total):
            out.append(FocalName(identifier, tokens, stem=False))
        if len(out) == MAX_ALIASES:
            break
    return out


__all__ = ["MAX_ALIASES", "aliases", "identifiers_in"]
