"""The checker's verdict on one claim: whether its citations support it, and why.

It lives with the checker that produces it; a briefing only stores it beside each claim.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# "gap": a question the template asks that no fact of the library answers. It cites nothing
# (nothing can be cited for an absence), so it is never "supported"; it is established by
# looking for the answer, which is what the reason records.
CHECK_STATUSES = ("supported", "reattributed", "unsupported", "unchecked", "gap")
# How a template gap was established: what its check records.
GAP_REASON = "no fact about the topic in the library answers this question"


@dataclass
class SupportCheck:
    """Whether a claim's citations support it, and why the checker thinks so."""

    status: str  # one of CHECK_STATUSES
    reasons: list[str] = field(default_factory=list)
    lexical: float = 0.0
    semantic: float = 0.0
    missing_terms: list[str] = field(default_factory=list)

    @classmethod
    def unchecked(cls) -> SupportCheck:
        return cls(status="unchecked")

    @classmethod
    def gap(cls, reason: str = GAP_REASON) -> SupportCheck:
        return cls(status="gap", reasons=[reason])

    @property
    def unsupported(self) -> bool:
        return self.status == "unsupported"

    @property
    def verified(self) -> bool:
        """Checked and found supported: only such a claim may be presented as supported.
        An unchecked claim (an edit being checked, a file from an older version) is not."""
        return self.status in ("supported", "reattributed")

    @property
    def established(self) -> bool:
        """Stands as drafted: verified, or a gap the library was searched for and lacks. What
        export prints without a warning mark."""
        return self.verified or self.status == "gap"


__all__ = ["CHECK_STATUSES", "GAP_REASON", "SupportCheck"]
