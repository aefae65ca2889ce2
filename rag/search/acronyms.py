"""Acronyms and the words they stand for, so that a question saying "BIS" meets a passage
saying "Bureau of Industry and Security", and the other way round.

Extend ``ACRONYMS`` with the field's own abbreviations. An entry is matched in a question
case-sensitively for the acronym (so "us" the pronoun is not "US") and case-insensitively for
its long forms. Long forms are written as they appear in text; matching ignores punctuation.
"""

from __future__ import annotations

ACRONYMS: dict[str, tuple[str, ...]] = {
    "BIS": ("Bureau of Industry and Security",),
    "DOC": ("Department of Commerce", "Commerce Department"),
    "MOFCOM": ("Ministry of Commerce",),
    "PRC": ("People's Republic of China", "China"),
    "US": ("United States", "U.S."),
    "UK": ("United Kingdom",),
    "EU": ("European Union",),
    "EAR": ("Export Administration Regulations",),
    "ECCN": ("Export Control Classification Number",),
    "FDPR": ("Foreign Direct Product Rule", "foreign direct product"),
    "IFR": ("interim final rule",),
    "OFAC": ("Office of Foreign Assets Control",),
    "CFIUS": ("Committee on Foreign Investment in the United States",),
    "NDAA": ("National Defense Authorization Act",),
    "UEL": ("Unreliable Entity List",),
    "VEU": ("Validated End User", "validated end-user"),
    "METI": ("Ministry of Economy, Trade and Industry",),
    "CAC": ("Cyberspace Administration of China",),
    "SMIC": ("Semiconductor Manufacturing International Corporation",),
    "TSMC": ("Taiwan Semiconductor Manufacturing Company",),
    "HBM": ("high-bandwidth memory", "high bandwidth memory"),
    "GPU": ("graphics processing unit",),
    "EUV": ("extreme ultraviolet",),
    "DUV": ("deep ultraviolet",),
    "TPP": ("total processing performance",),
    "LPP": ("License Exception Low Processing Performance",),
    "AIA": ("Artificial Intelligence Authorization",),
    "WTO": ("World Trade Organization",),
    "NSC": ("National Security Council",),
    "USTR": ("United States Trade Representative", "U.S. Trade Representative"),
}


def _words(text: str) -> list[str]:
    return "".join(c.lower() if c.isalnum() else " " for c in text).split()


def _contains(haystack: list[str], needle: list[str]) -> bool:
    n = len(needle)
    return n > 0 and any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))


def related_forms(
    question: str, table: dict[str, tuple[str, ...]] | None = None
) -> list[tuple[str, tuple[str, ...]]]:
    """For each acronym the question uses, or whose long form it uses: (what the question
    said, the other forms to look for as well)."""
    table = ACRONYMS if table is None else table
    tokens = set("".join(c if c.isalnum() else " " for c in question).split())
    words = _words(question)
    found: list[tuple[str, tuple[str, ...]]] = []
    for acronym, long_forms in table.items():
        if acronym in tokens:
            found.append((acronym, long_forms))
            continue
        for form in long_forms:
            if _contains(words, _words(form)):
                others = tuple(f for f in long_forms if f != form)
                found.append((form, (acronym, *others)))
                break
    return found


# British and American spellings of the field's words: stemming does not join them
# ("licences" -> "licenc", "licenses" -> "licens"), and sources use both.
_SPELLING_PAIRS = (
    ("licence", "license"), ("licences", "licenses"), ("licenced", "licensed"),
    ("licencing", "licensing"), ("defence", "defense"), ("offence", "offense"),
    ("offences", "offenses"), ("programme", "program"), ("programmes", "programs"),
    ("centre", "center"), ("centres", "centers"), ("organisation", "organization"),
    ("organisations", "organizations"), ("authorisation", "authorization"),
    ("authorisations", "authorizations"), ("authorise", "authorize"),
    ("authorised", "authorized"), ("authorising", "authorizing"), ("analyse", "analyze"),
    ("modelling", "modeling"), ("catalogue", "catalog"), ("judgement", "judgment"),
    ("labour", "labor"), ("favour", "favor"), ("behaviour", "behavior"),
    ("characterise", "characterize"), ("prioritise", "prioritize"), ("minimise", "minimize"),
    ("jewellery", "jewelry"), ("aluminium", "aluminum"), ("sulphur", "sulfur"),
)  # fmt: skip
SPELLINGS: dict[str, str] = {
    **{a: b for a, b in _SPELLING_PAIRS},
    **{b: a for a, b in _SPELLING_PAIRS},
}


def other_spellings(words: list[str]) -> list[str]:
    """The other spelling of each lowercased word that has one, not already among them."""
    found = [SPELLINGS[w] for w in words if w in SPELLINGS]
    return [w for w in dict.fromkeys(found) if w not in words]
