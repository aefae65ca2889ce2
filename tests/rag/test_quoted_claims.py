"""A fact's own sentence as a claim, and claims that name their source before what it says."""

from __future__ import annotations

from dataclasses import replace

import pytest

from rag.checking.attribution import (
    added_ranking,
    added_view,
    split_attribution,
    unattributed_view,
)
from rag.core.types import Document, Hit, Locator, Passage
from rag.drafting.claim_text import MAX_WORDS, clean_claim
from rag.drafting.event_dates import without_opening_date
from rag.drafting.facts import SourceSentence, speaker
from rag.drafting.quoted_claims import according_to, quotable, quoted_text


def _sentence(text: str, publisher: str = "Aldgate Institute") -> SourceSentence:
    doc = Document("d", "d.txt", "txt", "A title", publisher, "2026-03-20", "", None, 0, 1, "", "")
    return SourceSentence(Hit(Passage("d:0", "d", 0, text, Locator(page=1)), doc, 1.0), text, text)


@pytest.mark.parametrize(
    "text",
    [
        "China's Ministry of Commerce added 31 U.S. companies to its unreliable entity list.",
        "Malaysia will require a special permit for US-origin AI chips from July 14.",
        'The minister said "Japan is not copying" any list.',
        "Without a licence, no accelerator may leave the port.",
        "The move to list the firms was announced by BIS on 3 March 2026.",
        "The minister said “Japan is not copying” any list.",
    ],
)
def test_a_complete_sentence_that_stands_alone_is_quotable(text: str) -> None:
    assert quotable(_sentence(text))


@pytest.mark.parametrize(
    "text",
    [
        "It said the measures take effect immediately.",  # "it" points into the paragraph
        "These firms are barred from new investment in China.",
        "However, the ministry gave no date for the review.",
        "We expect BIS to extend the rule to cloud providers.",  # whose "we"?
        "Concentrate enforcement resources on diversion through third countries.",  # an order
        "Will Beijing retaliate again before the comment period closes?",
        "Export Controls on Frontier Models and Advanced Chips",  # a heading
        "the ministry said more steps could follow.",  # a fragment
        "Of course, China was not happy with the new rule.",  # an aside to the reader
        "In today's fast-moving AI market, the new rule is a game-changer.",  # a blog's opener
        "The three companies announced an alliance against copying.",  # which three?
        "In the same announcement it added 3 further U.S. companies to its list.",
        "Without it, the 3A090.c test can be undermined by accelerators with foreign memory.",
        "The move follows the Commerce Department's addition of Chinese firms on March 3.",
        " ".join(["word"] * (MAX_WORDS + 1)) + ".",
        # The first sentence of a quotation that runs on into the next: its words are cut off.
        "The minister stated: \"Japan is not copying another country's list.",
        "The minister stated: “Japan is not copying another country's list.",
        "The full list of entities is attached to this announcement.",  # which announcement?
        "In this scenario, China imposes export controls on gallium in late 2026.",  # which?
        "A company that can answer all of these questions is in a better position than most.",
    ],
)
def test_a_sentence_that_needs_its_paragraph_is_not_quotable(text: str) -> None:
    assert not quotable(_sentence(text))


def test_a_view_the_sentence_does_not_attribute_is_given_to_its_source() -> None:
    assert (
        quoted_text(_sentence("The rule would cut legal shipments by more than 80%."))
        == "According to the Aldgate Institute, the rule would cut legal shipments by more "
        "than 80%."
    )
    # A reporting verb after a modal is the view's, not its holder's.
    assert (
        quoted_text(_sentence("Exporters should say which list they mean."))
        == "According to the Aldgate Institute, exporters should say which list they mean."
    )
    # Already attributed, or a report of what happened: quoted as it is.
    said = "Shipments will fall, the ministry said."
    assert quoted_text(_sentence(said)) == said
    done = "MOFCOM added 18 American companies to its list on March 12."
    assert quoted_text(_sentence(done)) == done
    # "may not" is a prohibition, not a view.
    banned = "Listed companies may not import goods from China."
    assert quoted_text(_sentence(banned)) == banned


def test_a_claim_naming_a_cited_source_is_split_into_who_and_what() -> None:
    sources = ["Aldgate Institute", "Meridian Wire"]
    assert split_attribution(
        "According to the Aldgate Institute, the rule would cut shipments by 80%.", sources
    ) == ("the Aldgate Institute", "The rule would cut shipments by 80%.")
    assert split_attribution("Meridian Wire reported that MOFCOM listed 31 firms.", sources) == (
        "Meridian Wire",
        "MOFCOM listed 31 firms.",
    )
    # A name that is no cited source's stays part of what must be found in the text.
    assert split_attribution("According to CSIS, the rule would cut shipments.", sources) is None
    assert split_attribution("MOFCOM said it listed 31 firms.", sources) is None
    # A name with commas in it is not cut at its first comma.
    ministry = "Ministry of Investment, Trade and Industry (MITI), Malaysia"
    assert split_attribution(
        f"According to {ministry}, exporters must apply 30 days before a shipment.", [ministry]
    ) == (ministry, "Exporters must apply 30 days before a shipment.")


def test_a_view_stated_as_fact_is_caught_and_an_attributed_one_is_not() -> None:
    cited = "The rule would cut legal shipments by more than 80%."
    sources = ["Aldgate Institute"]
    assert unattributed_view("The rule would cut legal shipments by 80%.", cited, sources)
    assert not unattributed_view(
        "According to Aldgate Institute, the rule would cut legal shipments.", cited, sources
    )
    assert not unattributed_view("Analysts expect the rule to cut shipments.", cited, sources)
    # The sentence names its own speaker: the claim then carries the speaker's name, which the
    # checker requires like any other name.
    assert not unattributed_view(
        "Shipments will fall.", "Shipments would fall, the ministry said.", sources
    )
    # A judgement of what a measure will achieve is a view too, and a date in force is not.
    judged = "The distillation ban addresses a real problem but will be hard to enforce."
    assert unattributed_view(judged, judged, ["Carrow Center for Technology Policy"])
    assert not unattributed_view(
        "Critics say the ban will be hard to enforce.",
        "Critics say the ban will be hard to enforce because outputs can be collected.",
        sources,
    )
    in_force = "The amended order will be effective on 1 May 2026."
    assert not unattributed_view(in_force, in_force, sources)


def test_a_ranking_the_sources_do_not_make_is_caught() -> None:
    """The model echoes its instruction to lead with the most consequential development."""
    cited = "On March 12, 2026, MOFCOM added 18 American companies to its Unreliable Entity List."
    assert (
        added_ranking(
            "MOFCOM added 18 American companies to its Unreliable Entity List on March 12, "
            "2026, which is the most consequential development.",
            cited,
        )
        == "most consequential"
    )
    assert added_ranking("China's retaliation was the biggest blow to Corvane.", cited) == "biggest"
    assert added_ranking(cited, cited) == ""
    # The sentence ranks it itself, or "most" is no ranking.
    ranked = "Analysts called the listing the most serious escalation since 2022."
    assert added_ranking("The listing was the most serious escalation since 2022.", ranked) == ""
    assert added_ranking("The list names the most recent additions.", cited) == ""
    assert added_ranking("Most of the companies make chips.", cited) == ""


def test_a_hedge_or_forecast_the_sources_do_not_make_is_caught() -> None:
    cited = "The rule raises compliance duties for chip makers that sell to China."
    assert added_view("The rule will likely raise compliance duties for chip makers.", cited)
    assert added_view("The rule may slow the pace of AI development in China.", cited)
    assert not added_view("The rule raises compliance duties for chip makers.", cited)
    assert not added_view("The rule could raise costs.", "Analysts say the rule could raise costs.")
    # The month is no hedge: "takes effect on 15 May 2026", "in May".
    dated = "The rule, which takes effect on 15 May 2026, requires a licence for model weights."
    assert not unattributed_view(dated, dated, ["Circuit Ledger"])
    assert not added_view("The ban starts in May.", "The ban starts on 1 June.")


def test_a_we_inside_quoted_speech_is_the_quoted_speakers_not_the_source() -> None:
    quoted = _sentence(
        "”Adversaries have been buying chips that sat just under our thresholds,” said Under "
        "Secretary Marcus Ellery."
    )
    assert speaker(quoted) == ""
    assert speaker(_sentence("We expect BIS to extend the rule.")) == "Aldgate Institute"


def test_an_organisation_stating_its_own_position_is_named_once() -> None:
    from rag.drafting.quoted_claims import according_to

    company = "Qiantang Intelligence"
    stated = _sentence("Qiantang Intelligence is a civilian company.", publisher=company)
    stated = replace(stated, voice=company)
    assert quoted_text(stated) == "Qiantang Intelligence says it is a civilian company."
    # What is checked is what the company says of itself.
    assert split_attribution(quoted_text(stated), [company]) == (
        company,
        "Qiantang Intelligence is a civilian company.",
    )
    # Someone else's position, or a text not opening with the holder's name, is given to it.
    assert (
        according_to("Gao", "Gao expects more listings.", itself=False)
        == "According to Gao, Gao expects more listings."
    )
    assert (
        according_to(company, "Its clusters use domestic accelerators.", itself=True)
        == "According to Qiantang Intelligence, its clusters use domestic accelerators."
    )
    ministry = "the Ministry of Commerce"
    opposes = according_to(ministry, "The Ministry of Commerce opposes the rule.", itself=True)
    assert opposes == "The Ministry of Commerce says it opposes the rule."


@pytest.mark.parametrize(
    ("sentence", "opening"),
    [
        ("Beijing chose companies that cooperated with the controls.", "Beijing"),  # a capital
        ("Boeing said it would comply with the order.", "Boeing"),  # a name before its verb
        ("Calling it theft is a political choice.", "calling"),  # a gerund before its object
    ],
)
def test_a_name_ending_like_a_gerund_keeps_its_capital(sentence: str, opening: str) -> None:
    """Its passage need not write it in mid-sentence: an interview answer often opens on it."""
    assert according_to("Gao", sentence, f"Gao: {sentence}").startswith(
        f"According to Gao, {opening} "
    )


def test_a_chronology_entry_is_quoted_as_a_sentence() -> None:
    """A report's timeline entry, shown to the model as "March 12, 2026: MOFCOM adds ...",
    read "According to the Carrow Center, March 12, 2026: MOFCOM adds ..." once quoted."""
    entry = "March 12, 2026: MOFCOM adds 18 American companies to its Unreliable Entity List."
    voiced = replace(_sentence(entry, publisher="Carrow Center"), voice="Carrow Center")
    assert quoted_text(voiced) == (
        "According to the Carrow Center, on March 12, 2026, MOFCOM adds 18 American companies to "
        "its Unreliable Entity List."
    )
    assert quoted_text(_sentence(entry)).startswith("On March 12, 2026, MOFCOM adds")
    # A model's claim copying the entry reads the same way; a timeline still shows the date
    # once, before the entry.
    (claim,) = clean_claim(entry).sentences
    assert claim.startswith("On March 12, 2026, MOFCOM adds")
    assert without_opening_date(claim, "2026-03-12").startswith("MOFCOM adds")


@pytest.mark.parametrize(
    ("who", "named"),
    [
        ("Carrow Center for Technology Policy", "the Carrow Center for Technology Policy"),
        ("European Commission", "the European Commission"),
        ("U.S. Department of Commerce", "the U.S. Department of Commerce"),
        ("The Aldgate Institute", "The Aldgate Institute"),
        ("Meridian Wire", "Meridian Wire"),
        ("Harrow & Vance LLP", "Harrow & Vance LLP"),
        ("MOFCOM", "MOFCOM"),
        ("Gao", "Gao"),
        ("Gina Ortiz, Department of Commerce", "Gina Ortiz, Department of Commerce"),
    ],
)
def test_an_organisation_is_named_as_running_text_names_it(who: str, named: str) -> None:
    assert according_to(who, "The rule is broad.").startswith(f"According to {named}, ")
