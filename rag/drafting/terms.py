"""Whether two sentences name the same names, figures and dates.

Used at both levels of drafting: by ``facts`` when it decides that two source sentences tell
one event, and by ``repeats`` when it decides that a drafted claim tells an earlier one's.
"""

from __future__ import annotations

import re

from rag.checking.checker import hard_terms, missing_terms
from rag.drafting.event_dates import event_dates

_YEAR = re.compile(r"(?:19|20)\d\d")


def same_terms(a: str, b: str, at_least: int = 0) -> bool:
    """Whether two texts name the same names, figures and dates (``missing_terms_but_year``),
    each naming at least ``at_least``."""
    if min(len(hard_terms(a)), len(hard_terms(b))) < at_least:
        return False
    return not missing_terms_but_year(a, b) and not missing_terms_but_year(b, a)


def missing_terms_but_year(claim: str, other: str) -> list[str]:
    """``missing_terms`` but for the year of a date the other text gives without one ("24
    March 2026" against "March 24")."""
    return [
        t
        for t in missing_terms(claim, other)
        if not (_YEAR.fullmatch(t) and set(event_dates(claim)) & set(event_dates(other, t)))
    ]


__all__ = ["missing_terms_but_year", "same_terms"]
