"""The checker's verdict on one claim: whether its citations support it, and why.

It lives with the checker that produces it; a briefing only stores it beside each claim.
"""

from __future__ import annotations

from dataclasses import dataclass, field

CHECK_STATUSES = ("supported", "reattributed", "unsupported", "unchecked")


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

    @property
    def unsupported(self) -> bool:
        return self.status == "unsupported"

    @property
    def verified(self) -> bool:
        """Checked and found supported: only such a claim may be presented as supported.
        An unchecked claim (an edit being checked, a file from an older version) is not."""
        return self.status in ("supported", "reattributed")


__all__ = ["CHECK_STATUSES", "SupportCheck"]
