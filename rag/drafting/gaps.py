"""Gaps in the evidence: questions a briefing on the topic asks that no fact answers.

Two kinds of gap are stated, and neither may cite a sentence that says the opposite:

* A question an analyst asks of any measure (when it takes effect, whom it covers, what
  penalties apply, how those targeted responded) that no fact about the topic answers is
  stated as a gap by BriefDesk itself, citing nothing (there is nothing to cite).
* A source that itself says something is missing ("the text of the rule has not been
  published", "officials declined to comment") is a fact the model may write up as a gap,
  citing it. A gap claim whose cited sentence states positively what the claim says is
  missing is rejected.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rag.checking.checker import LEXICAL_MIN, lexical_support
from rag.checking.statements import gap_core
from rag.drafting.facts import Fact

_NEGATION = re.compile(r"\b(?:not|no|never|none)\b|n['’]t\b", re.IGNORECASE)

# Words by which a source says that something is not known, not published or not confirmed.
UNCERTAINTY = re.compile(
    r"\b(?:not yet|unclear|uncertain|(?:is|are|remains?) unknown|unconfirmed|unverified|"
    r"remains? to be seen|no details|anonymous|unnamed|"
    # A negation is a gap only when what is missing is information, not an action: "has not
    # said" is, "does not start until July" and "did not vote" are facts.
    r"(?:has|have|had|did|does|do|would|could)(?: not|n't) (?:yet )?(?:say|said|disclose|"
    r"disclosed|publish|published|confirm|confirmed|decide|decided|announce|announced|"
    r"specify|specified|give|given|name|named|release|released|respond|responded|comment|"
    r"commented|explain|explained|identify|identified|provide|provided|set|quantif\w*)|"
    r"(?:declined|refused) to (?:comment|say|confirm|disclose|name|give|specify|explain)|"
    r"not (?:been )?(?:published|released|disclosed|confirmed|specified|clear|known|"
    r"available|made public)|without (?:giving|providing|naming|specifying) (?:a |any )?"
    r"(?:details?|reasons?|names?|figures?|date|timeline|evidence)|"
    r"no (?:official )?(?:confirmation|comment|response|figures?|date|details|timeline))\b",
    re.IGNORECASE,
)
# How a gap claim says something is missing.
GAP_WORDING = re.compile(
    r"\b(?:does not (?:establish|say|state|show|confirm|specify)|do not (?:establish|say|state|"
    r"show|confirm|specify)|no source|none of the sources|not (?:yet )?(?:known|clear|"
    r"established|confirmed|published|released|disclosed|specified)|unclear|unknown|"
    r"unconfirmed|missing|lacks?|has not|have not|remains? to be seen)\b",
    re.IGNORECASE,
)
REJECTED_GAP = "a gap citing a sentence that states what the claim says is missing"


@dataclass(frozen=True)
class GapQuestion:
    asks: str  # completes "The library does not establish ..."
    answer: re.Pattern[str]  # a fact answers it when its sentence matches


GAP_QUESTIONS: tuple[GapQuestion, ...] = (
    GapQuestion(
        "when the measure takes or took effect",
        re.compile(
            r"\b(?:effect|effective|in force|enters? into force|deadline|from|as of|until|by)\b"
            r".*\b(?:19|20)\d\d\b|\b(?:January|February|March|April|May|June|July|August|"
            r"September|October|November|December)\s+\d{1,2}\b.*\b(?:effect|effective|in "
            r"force|deadline)\b|\b(?:takes?|took) effect\b",
            re.IGNORECASE,
        ),
    ),
    GapQuestion(
        "which companies, entities or products the measure covers",
        re.compile(
            r"\b(?:covers?|covered|applies to|targets?|targeted|list(?:ed|s)?|names?|named|"
            r"designat\w+|includ\w+)\b",
            re.IGNORECASE,
        ),
    ),
    GapQuestion(
        "what penalties apply to those who breach the measure",
        re.compile(
            r"\b(?:penalt\w+|fines?|fined|sanctions?|prosecut\w+|violat\w+|enforce\w*|"
            r"barred|prohibit\w+)\b",
            re.IGNORECASE,
        ),
    ),
    GapQuestion(
        "how those targeted have responded",
        re.compile(
            r"\b(?:respon\w+|retaliat\w+|countermeasures?|criticis\w+|criticiz\w+|condemn\w+|"
            r"protest\w*|said|says|stated|vowed|warned|appeal\w*|challenge\w*)\b",
            re.IGNORECASE,
        ),
    ),
)


def unanswered(questions: Sequence[GapQuestion], facts: Sequence[Fact]) -> list[GapQuestion]:
    """The questions no fact about the topic answers."""
    return [q for q in questions if not any(q.answer.search(f.text) for f in facts)]


def gap_claim_text(question: GapQuestion) -> str:
    return f"The library does not establish {question.asks}."


def states_a_gap(fact: Fact) -> bool:
    """Whether the fact itself says something is not known, published or confirmed."""
    return any(UNCERTAINTY.search(m.text) for m in fact.members)


def contradicted_gap(claim: str, cited: Sequence[Fact]) -> bool:
    """A claim saying something is missing that cites only sentences which state things
    positively, or a sentence stating the very thing it says is not established ("The
    library does not establish that MOFCOM has not commented", citing "MOFCOM has not yet
    commented"): the cited text says what the claim says nobody says."""
    if not GAP_WORDING.search(claim):
        return False
    if not any(states_a_gap(f) for f in cited):
        return True
    core = gap_core(claim)
    return core is not None and any(
        _negated(core) == _negated(f.text) and lexical_support(core, f.text) >= LEXICAL_MIN
        for f in cited
    )


def _negated(text: str) -> bool:
    return bool(_NEGATION.search(text))
