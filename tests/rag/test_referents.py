"""A sentence that leans on the one before ("The company also said ...") is shown with the
name it refers to, when the sentence before names an actor of the right kind."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes import ReplayModel

from rag.briefs.templates import get_template
from rag.core.types import CancelToken, Document, Hit, Locator, Passage
from rag.drafting.engine import ClaimAdded, draft
from rag.drafting.facts import candidate_sentences
from rag.drafting.quoted_claims import quotable
from rag.drafting.referents import resolve
from rag.indexing.library import Library

GUIDANCE = """\
Corvane Semiconductor lowers its China outlook

SANTA CLARA, Calif. - Corvane Semiconductor said on Tuesday that it expects revenue from \
customers in mainland China to fall below 4% of total sales in fiscal 2027.

Corvane said demand from customers in the United States and Europe more than offsets the \
loss of China revenue.

The company also said it will open a distribution center in Penang, Malaysia, and that all \
shipments from it will be made under Malaysian permits.
"""


def _resolved(*sentences: str) -> list[str]:
    return resolve(list(sentences), " ".join(sentences))


@pytest.mark.parametrize(
    ("before", "sentence", "shown"),
    [
        (
            "Corvane Semiconductor said demand more than offsets the loss.",
            "The company also said it will open a distribution center in Penang.",
            "Corvane Semiconductor also said it will open a distribution center in Penang.",
        ),
        (
            "China's Ministry of Commerce added 18 U.S. companies to its list on Thursday.",
            "The ministry said normal trade would not be affected.",
            "China's Ministry of Commerce said normal trade would not be affected.",
        ),
        (
            "MOFCOM added 18 U.S. companies to its list on Thursday.",
            "It also said normal trade would not be affected.",
            "MOFCOM also said normal trade would not be affected.",
        ),
        (
            "Qiantang Intelligence was founded in Hangzhou in 2021.",
            "Its first widely used model was released on June 10, 2024.",
            "Qiantang Intelligence's first widely used model was released on June 10, 2024.",
        ),
        (
            "Qiantang Intelligence denied the allegation.",
            "The company's models are trained on its own data, it said.",
            "Qiantang Intelligence's models are trained on its own data, it said.",
        ),
    ],
)
def test_a_reference_is_shown_as_the_name_the_sentence_before_gives(
    before: str, sentence: str, shown: str
) -> None:
    assert _resolved(before, sentence) == [before, shown]


@pytest.mark.parametrize(
    ("before", "sentence"),
    [
        # Gao is no ministry: the ministry is named further back, or not at all.
        (
            "Gao said he expected China to extend its countermeasures.",
            "The ministry said normal trade would not be affected.",
        ),
        # A person is no company.
        ("Arjun Mehra said the company has no licence.", "The company said it will appeal."),
        # A country is no company; "it" before a state of affairs is the event, not an actor.
        ("China added 18 U.S. companies to its list.", "The company said it will appeal."),
        ("China added 18 U.S. companies to its list.", "It was the sharpest response yet."),
        # The sentence before opens on no name.
        ("The rule took effect on March 16.", "It requires a licence for model weights."),
        ("Among those named is Corvane Semiconductor.", "The company said it will appeal."),
        # The ministry's name, but a reference of another kind.
        ("The Ministry of Commerce listed 18 firms.", "The company said it will appeal."),
    ],
)
def test_a_reference_without_a_name_of_its_kind_just_before_is_left_alone(
    before: str, sentence: str
) -> None:
    assert _resolved(before, sentence) == [before, sentence]


def test_one_actor_carries_down_a_chain_of_references() -> None:
    shown = _resolved(
        "Corvane Semiconductor cut its outlook.",
        "The company said demand offsets the loss.",
        "It also said it will open a distribution center in Penang.",
    )
    assert shown[1:] == [
        "Corvane Semiconductor said demand offsets the loss.",
        "Corvane Semiconductor also said it will open a distribution center in Penang.",
    ]


def _hit(text: str) -> Hit:
    doc = Document(
        "c", "c.txt", "txt", "Corvane Semiconductor lowers its China outlook",
        "Corvane Semiconductor", "2026-03-17", "", None, 0, 1, "", "",
    )  # fmt: skip
    return Hit(Passage("c:0", "c", 0, text, Locator(page=1)), doc, 1.0)


def test_a_fact_is_shown_with_the_name_and_its_citation_quotes_the_source() -> None:
    (sentence,) = [s for s in candidate_sentences([_hit(GUIDANCE)]) if "Penang" in s.text]
    assert sentence.text.startswith("Corvane also said it will open a distribution center")
    assert sentence.cited.startswith("The company also said it will open")
    # Which company is now in the sentence: it can stand as a claim on its own.
    assert quotable(sentence)


def test_a_claim_naming_the_company_is_supported_and_cites_the_sources_words(
    tmp_path: Path,
) -> None:
    (tmp_path / "guidance.txt").write_text(GUIDANCE, encoding="utf-8")
    lib = Library.open(tmp_path / "lib")
    said = "Corvane will open a distribution center in Penang, Malaysia, shipping under permits."
    try:
        list(lib.import_paths([tmp_path / "guidance.txt"]))

        def answer(messages, schema):
            for line in messages[-1]["content"].splitlines():
                # The model is shown which company opens the distribution center.
                if "Penang" in line and line.split(".")[0].strip("[] ").isdigit():
                    assert "Corvane also said" in line, line
                    return {"claims": [{"text": said, "facts": [int(line.split(".")[0])]}]}
            return {"claims": []}

        events = list(
            draft(lib, ReplayModel([answer] * 6), get_template("situation-brief"),
                  "Corvane Semiconductor's China revenue", cancel=CancelToken())
        )  # fmt: skip
    finally:
        lib.close()
    claims = [e.claim for e in events if isinstance(e, ClaimAdded) and "Penang" in e.claim.text]
    assert claims, "no claim about Penang was drafted"
    for claim in claims:
        assert claim.text == said
        assert claim.check.status == "supported", claim.check.reasons
        assert claim.citations[0].quote.startswith("The company also said")
