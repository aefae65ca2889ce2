"""Facts: which sentences can be facts, wire copies merged, disagreements between facts,
event dates, focal names of a topic, claim text rules and briefing titles."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import pytest

from rag.briefs.titles import title_from_topic
from rag.core.types import Document, Hit, Locator, Passage
from rag.drafting.claim_text import MAX_WORDS, LeakGuard, clean_claim, cut_off, split_markers
from rag.drafting.event_dates import event_dates, without_opening_date
from rag.drafting.fact_disagreements import explanation, find_fact_disagreements
from rag.drafting.fact_filter import rejection
from rag.drafting.facts import (
    Fact,
    SourceSentence,
    chronology_entries,
    cluster_facts,
    dated_entry,
    sentences_of,
)
from rag.drafting.gaps import UNCERTAINTY, contradicted_gap
from rag.drafting.sufficiency import focal_names

if TYPE_CHECKING:
    from rag.drafting.sufficiency import NameEvidence
    from rag.models.embedding import Embedder

TITLE = "Beijing blacklists 28 American firms as AI export feud escalates"


@pytest.mark.parametrize(
    ("sentence", "why"),
    [
        ("By Hana Whitcombe · 21 March 2026", "a byline or date line"),
        ("Posted March 26, 2026 by the TechPulse Daily Team | 6 min read", "a byline or date line"),
        (
            "Tradewinds Review · Commentary · By Dana Okafor · 23 March 2026",
            "a byline or date line",
        ),
        (
            "Big AI Labs Join Forces Against Copycat Models Posted March 26, 2026 by the TechPulse"
            " Daily Team | 6 min read In today's fast-moving world of AI, one thing is clear.",
            "a byline or date line",
        ),
        (
            "What the U.S. rule does and how Beijing answered Priya Raman and Tomas Weller | 30"
            " March 2026",
            "a byline or date line",
        ),
        ("Photo: Getty Images shows the ministry building in Beijing.", "an image credit"),
        ("The final rule can be found here.", "navigation or boilerplate"),
        ("Read more about the rule in our explainer series today.", "navigation or boilerplate"),
        (
            "Subscribe to our newsletter for weekly export control news.",
            "navigation or boilerplate",
        ),
        ("Related articles: China's entity list and U.S. chip curbs", "navigation or boilerplate"),
        (
            "The Aldgate Institute, its authors and every company discussed here are invented.",
            "navigation or boilerplate",
        ),
        ("The views expressed here are the author's own.", "navigation or boilerplate"),
        (
            "Opinions in this paper do not necessarily reflect those of the Aldgate Institute.",
            "navigation or boilerplate",
        ),
        (TITLE, "the document's title"),
        (TITLE + ".", "the document's title"),
        ("Export controls on frontier models and advanced chips", "a heading"),
        ("Rule text.", "too short to state a fact"),
        (
            "Will Beijing retaliate again before the comment period closes?",
            "a question, not a statement",
        ),
        (
            "Question: The U.S. side has announced new controls on computing chips and models.",
            "a question, not a statement",
        ),
        ("Under the compact, the members will:", "the lead-in to a list, not a statement"),
        (
            "Directs the Department of Commerce to set know-your-customer requirements for "
            "high-volume access to frontier models.",
            "a list item whose subject is its heading",
        ),
    ],
)
def test_sentences_that_state_nothing_are_not_facts(sentence: str, why: str) -> None:
    assert (
        rejection(sentence, title=TITLE, filename="02_circuit_ledger_beijing_28_firms.html") == why
    )


@pytest.mark.parametrize(
    "sentence",
    [
        "China has placed 28 American companies on its unreliable entity list.",
        "The rule became effective on 16 March 2026.",
        "Stratus Peak shares fell 6.2% on Friday in New York.",
        "Officials declined to say how many licences were granted.",
        "The method was invented at a Hangzhou lab in 2024.",
        "Delegates said the views of Japan and the Netherlands on packaging tools are converging.",
        "The ministry's views on the rule are its own business, the spokesperson said.",
        # A plural opening a sentence, its verb later: not a list item.
        "Officials the ministry named were barred from entering China.",
        "Sales the company booked in China fell 40 percent last year.",
    ],
)
def test_statements_are_facts(sentence: str) -> None:
    assert rejection(sentence, title=TITLE, filename="wire.txt") is None


def test_a_file_name_repeated_as_a_line_is_not_a_fact() -> None:
    assert rejection(
        "Meridian wire China blacklist report",
        title="",
        filename="meridian_wire_china_blacklist_report.txt",
    )


def test_headings_and_wrapped_lines_of_a_passage_become_separate_sentences() -> None:
    text = (
        "China's countermeasures\nOn 20 March 2026 China's Ministry of Commerce answered with\n"
        "Announcement No. 14 of 2026. It took effect at once.\n"
        "BEIJING, March 20 (Meridian Wire) - The ministry said more steps could follow."
    )
    assert sentences_of(text) == [
        "China's countermeasures",
        "On 20 March 2026 China's Ministry of Commerce answered with Announcement No. 14 of 2026.",
        "It took effect at once.",
        "The ministry said more steps could follow.",
    ]


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        (
            "3.1 Effective date The amended order will take effect on May 1, 2026.",
            ["Effective date", "The amended order will take effect on May 1, 2026."],
        ),
        (
            "Penalties A breach of the Order is punishable by a fine.",
            ["Penalties", "A breach of the Order is punishable by a fine."],
        ),
        # A numbered item on its own line is not part of the heading above it.
        (
            "2. Items\n(1) Integrated circuits with a total processing performance of 4,800.",
            [
                "2.",
                "Items",
                "(1) Integrated circuits with a total processing performance of 4,800.",
            ],
        ),
        # A verb before the capital: a sentence, not a heading.
        ("Officials said The Order is final.", ["Officials said The Order is final."]),
    ],
)
def test_a_heading_run_into_the_sentence_below_it_is_cut_off(
    text: str, sentences: list[str]
) -> None:
    assert sentences_of(text) == sentences


def _hit(doc: str, text: str, published: str = "2026-03-20", publisher: str | None = None) -> Hit:
    publisher = f"Publisher {doc}" if publisher is None else publisher
    document = Document(doc, f"{doc}.txt", "txt", doc, publisher, published, "", None, 0, 1, "", "")
    return Hit(Passage(f"{doc}:0", doc, 0, text, Locator(page=1)), document, 1.0)


def _unit(*values: float) -> np.ndarray:
    v = np.array(values, dtype=np.float32)
    return v / np.linalg.norm(v)


def test_wire_copies_become_one_fact_with_several_sources_but_not_other_figures() -> None:
    a = SourceSentence(
        _hit("a", ""), "MOFCOM added 31 U.S. companies to its unreliable entity list."
    )
    b = SourceSentence(_hit("b", ""), "MOFCOM added 31 US companies to its unreliable entity list.")
    c = SourceSentence(
        _hit("c", ""), "MOFCOM added 28 U.S. companies to its unreliable entity list."
    )
    vec = _unit(1, 0, 0)
    facts = cluster_facts([a, b, c], np.vstack([vec, vec, vec]), [{"k"}, {"k"}, {"k"}])
    assert [f.corroboration for f in facts] == [2, 1]
    assert facts[1].text.startswith("MOFCOM added 28")


def _fact(fid: str, doc: str, text: str, vec: np.ndarray, passage: str = "") -> Fact:
    return Fact(fid, [SourceSentence(_hit(doc, passage or text), text, text)], vec)


def test_counts_of_one_event_in_one_unit_disagree_and_are_quoted_whole() -> None:
    same = _unit(1, 0.1, 0)
    a = _fact("f1", "a", "China added 31 U.S. companies to its unreliable entity list.", same)
    b = _fact("f2", "b", "China placed 28 American companies on its unreliable entity list.", same)
    (d,) = find_fact_disagreements([a, b])
    assert d.claim_text() == (
        "Sources disagree on how many companies: Publisher a reports “31 U.S. companies”, "
        "Publisher b “28 American companies”."
    )
    # Without a publisher or author, a source is not named by its title.
    untitled = Fact("f3", [SourceSentence(_hit("c", b.text, publisher=""), b.text, b.text)], same)
    (d,) = find_fact_disagreements([a, untitled])
    assert d.claim_text() == (
        "Sources disagree on how many companies: one source reports “31 U.S. companies”, "
        "another “28 American companies”."
    )


def test_counts_of_events_on_different_days_are_not_a_disagreement() -> None:
    """A blacklist and the answer to it, told alike, with each day written out (as "on
    Tuesday" and "on Thursday" are once resolved): two events, not two counts of one."""
    same = _unit(1, 0.1, 0)
    a = _fact("f1", "a", "The United States on March 3, 2026 added 31 companies in China.", same)
    b = _fact("f2", "b", "China on March 12, 2026 added 18 US companies to its list.", same)
    c = _fact("f3", "c", "China on March 12, 2026 placed 16 US companies on its list.", same)
    found = find_fact_disagreements([a, b, c])
    assert [(d.first_says, d.second_says) for d in found] == [
        ("18 US companies", "16 US companies")
    ]


def test_figures_in_other_units_or_other_contexts_are_never_compared() -> None:
    a = _fact(
        "f1", "a", "The rule covers exports to 5 countries in the Middle East.", _unit(1, 0, 0)
    )
    b = _fact(
        "f2", "b", "Some 40 countries attended the Geneva conference on trade.", _unit(0, 1, 0)
    )
    c = _fact("f3", "c", "BIS added 14 entities to the Entity List.", _unit(1, 0, 0))
    d = _fact("f4", "d", "China added 31 U.S. companies to its list.", _unit(1, 0, 0))
    assert find_fact_disagreements([a, b]) == []  # unrelated contexts
    assert find_fact_disagreements([c, d]) == []  # entities and companies


def test_one_listing_counted_as_entries_and_as_companies_is_a_disagreement() -> None:
    """The agency's "27 entities" and the wire's "31 companies" (aliases and addresses
    counted) on the same day: one listing told in words far apart in meaning, so the two
    sources' counts are set side by side, not stated in two sections as two events."""
    bis = _fact(
        "f1", "a", "The Bureau of Industry and Security on March 3, 2026 added 27 entities to "
        "the Entity List.", _unit(1, 0, 0),
    )  # fmt: skip
    wire = _fact(
        "f2", "b", "The United States on March 3, 2026 added 31 companies in China and "
        "Singapore to its trade blacklist.", _unit(0, 1, 0),
    )  # fmt: skip
    (d,) = find_fact_disagreements([bis, wire])
    assert d.claim_text() == (
        "Sources disagree on how many were listed: Publisher a reports “27 entities”, "
        "Publisher b “31 companies”."
    )
    # Another day, or no listing, is another event.
    answer = _fact(
        "f3", "c", "China on March 12, 2026 added 18 US companies to its list.", _unit(0, 1, 0)
    )
    held = _fact("f4", "d", "The 31 companies on March 3, 2026 held licences.", _unit(0, 1, 0))
    assert find_fact_disagreements([bis, answer]) == []
    assert find_fact_disagreements([bis, held]) == []


def test_the_sentence_accounting_for_a_count_is_found_and_a_mere_figure_is_not() -> None:
    bis = _fact("f1", "a", "BIS on March 3, 2026 added 27 entities to its list.", _unit(1, 0, 0))
    wire = _fact(
        "f2", "b", "The U.S. on March 3, 2026 added 31 companies to its list.", _unit(1, 0.2, 0)
    )
    (d,) = find_fact_disagreements([bis, wire])
    why = _fact(
        "f3", "c", "Some press reports have given a figure of 31, which appears to count "
        "aliases and additional addresses.", _unit(1, 0.3, 0),
    )  # fmt: skip
    both = _fact("f4", "d", "31 were named, but only 27 were listed.", _unit(1, 0.1, 0))
    figure = _fact("f5", "e", "The list now includes 27 further entries.", _unit(1, 0, 0))
    far = _fact("f6", "f", "Officials said 31 counts were filed in court.", _unit(0, 0, 1))
    assert explanation(d, [bis, wire, why, figure, far]) is why
    assert explanation(d, [both, figure]) is both
    assert explanation(d, [bis, wire, figure, far]) is None


@pytest.mark.parametrize(
    ("claim", "last"),
    [
        ("China accused the United States of abusing export controls to.", "to"),
        ("Listed companies may not import goods from", "from"),
        ("BIS expects to add entities in the first half of 2026.", ""),
        ("The list covers items under 3A090.", ""),
        ("The rule took effect on 16 March.", ""),
        ("The measure was announced by the U.S.", ""),
    ],
)
def test_a_claim_breaking_off_is_told_by_its_last_word(claim: str, last: str) -> None:
    assert cut_off(claim) == last


def _takes_effect(fid: str, doc: str, date: str, before: str = "") -> Fact:
    """A fact "The rule takes effect on <date>." whose passage says ``before`` first."""
    sentence = f"The rule takes effect on {date}."
    return _fact(fid, doc, sentence, _unit(1, 0.1, 0), f"{before} {sentence}".strip())


def test_effective_dates_of_two_rules_are_not_a_disagreement() -> None:
    """ "The rule takes effect on ..." in an alert on one rule and a release on another: each
    passage dates its own rule's issue otherwise, and no date agrees. Two reports of one rule
    give its date of issue alike, and then their effective dates do disagree."""
    tollgate = _takes_effect(
        "f1", "a", "November 14, 2025",
        "On September 15, 2025, BIS published an interim final rule (docket BIS-2025-0231).",
    )  # fmt: skip
    distillation = _takes_effect(
        "f2", "b", "March 4, 2026",
        "BIS issued a rule implementing an executive order the President signed on January "
        "12, 2026.",
    )  # fmt: skip
    assert find_fact_disagreements([tollgate, distillation]) == []
    misreported = _takes_effect(
        "f3", "c", "15 May 2026", "The rule was published on 2 March by BIS."
    )
    official = _takes_effect(
        "f4", "d", "16 March 2026", "BIS published the interim final rule on 2 March 2026."
    )
    (d,) = find_fact_disagreements([misreported, official])
    assert {d.first_says, d.second_says} == {
        "takes effect on 15 May 2026",
        "takes effect on 16 March 2026",
    }
    # A passage giving no other date leaves the two compared, as before.
    bare = _takes_effect("f5", "e", "May 1, 2026")
    assert len(find_fact_disagreements([bare, tollgate])) == 1


def test_event_dates_come_from_the_sentence_with_the_documents_year() -> None:
    assert event_dates(
        "The rule took effect on March 16; comments are due May 1.", "2026-03-20"
    ) == [
        "2026-03-16",
        "2026-05-01",
    ]
    assert event_dates("On 2 March 2026 BIS published the rule.", "2026-03-30") == ["2026-03-02"]
    assert event_dates("The ministry may 16 times have said so.", "") == []


@pytest.mark.parametrize(
    ("text", "date", "entry"),
    [
        # The entry shows its date: the sentence need not open on it again.
        (
            "March 12, 2026, China on March 12, 2026 added 18 U.S. companies.",
            "2026-03-12",
            "China on March 12, 2026 added 18 U.S. companies.",
        ),
        ("On 12 March 2026, China added 18 companies.", "2026-03-12", "China added 18 companies."),
        ("In March 2026, China added companies.", "2026-03", "China added companies."),
        # Another date is part of what the sentence says.
        ("On 13 March 2026, China added companies.", "2026-03-12", None),
        ("China added 18 companies on 12 March 2026.", "2026-03-12", None),
    ],
)
def test_a_timeline_entry_does_not_open_on_its_own_date_again(
    text: str, date: str, entry: str | None
) -> None:
    assert without_opening_date(text, date) == (entry or text)


@pytest.mark.parametrize(
    ("topic", "names"),
    [
        ("Customers of the Kestrel-era rule", ["Kestrel"]),
        ("Larkspur's Kestrels after the U.S. rule", ["Larkspur", "Kestrels", "U.S."]),
        ("Brazil's licence rule for AI exports", ["Brazil", "AI"]),
        ("Fines for breaching export controls", []),
        ("Chinese tariffs on Brazilian soybean imports", ["Chinese", "Brazilian"]),
        # A hyphenated pair of dotted and plain names, and a code that starts with a digit:
        ("The U.S.-China AI chip control timeline", ["U.S.", "China", "AI"]),
        ("Model-weights export controls under ECCN 4E091", ["ECCN", "4E091"]),
        ("Japan's METI-led export controls", ["Japan", "METI"]),
        # A compound's name counts even as the first word; a plain first word does not.
        ("Corvane-made AI accelerators and export controls", ["Corvane", "AI"]),
        ("Tollgate-era export restrictions", ["Tollgate"]),
        ("Post-Tollgate-era rules", ["Tollgate"]),
        # A first word that begins a run of capitalised words begins a name; a stopword does
        # not.
        ("Larkspur Systems's exposure to China", ["Larkspur", "Systems", "China"]),
        ("The EU's distillation ban", ["EU"]),
    ],
)
def test_focal_names_of_a_topic(topic: str, names: list[str]) -> None:
    assert [n.shown for n in focal_names(topic)] == names


def test_focal_names_match_hyphenated_possessive_and_inflected_forms() -> None:
    (kestrel,) = focal_names("Customers of the Kestrel-era rule")
    for text in (
        "The Kestrel models",
        "Kestrel's weights",
        "two Kestrels",
        "the Kestrel-based tools",
    ):
        assert kestrel.found_in(text), text
    assert not kestrel.found_in("a kestrelator")
    brazil = focal_names("Tariffs on Brazilian soy")[0]
    assert brazil.found_in("Brazil said") and brazil.found_in("Brazil's ministry")
    assert not brazil.found_in("brass fittings")


def test_markers_leave_the_sentence_and_name_their_facts() -> None:
    assert split_markers("Curbs began in March [3].") == ("Curbs began in March.", [3])
    assert split_markers("It took effect on 16 March (fact 2), per Reuters [1, 4].") == (
        "It took effect on 16 March, per Reuters.",
        [2, 1, 4],
    )
    assert split_markers("According to fact 3, the rule took effect.") == (
        "The rule took effect.",
        [3],
    )
    assert split_markers("Text [sic] of 2026.") == ("Text [sic] of 2026.", [])


def test_a_claim_is_split_into_sentences_and_refused_when_too_long_or_leaking() -> None:
    one = clean_claim("The U.S. Department of Commerce issued Announcement No. 14 today.")
    assert one.sentences == ["The U.S. Department of Commerce issued Announcement No. 14 today."]
    two = clean_claim("BIS issued the rule on 2 March. It took effect on 16 March.")
    assert two.sentences == ["BIS issued the rule on 2 March.", "It took effect on 16 March."]
    long = clean_claim(" ".join(["word"] * (MAX_WORDS + 1)) + ".")
    assert long.sentences == [] and "longer than" in long.refused
    guard = LeakGuard(["Sources most relevant to this section: 1, 2."], allowed=["China's rule"])
    leak = clean_claim("The sources most relevant to this section: 1, 3, 2.", guard)
    assert leak.sentences == [] and "instructions" in leak.refused
    assert clean_claim("China's rule took effect on 16 March.", guard).sentences


def test_a_gap_citing_a_sentence_that_states_the_thing_is_contradicted() -> None:
    vec = _unit(1, 0, 0)
    positive = _fact("f1", "a", "The rule took effect on 16 March 2026.", vec)
    uncertain = _fact("f2", "b", "Officials have not said when the rule takes effect.", vec)
    claim = "The library does not establish when the rule took effect."
    assert contradicted_gap(claim, [positive])
    assert not contradicted_gap(claim, [uncertain])
    assert not contradicted_gap("The rule took effect on 16 March 2026.", [positive])
    # The source says the thing is not known; a gap that it is "not established" that the
    # thing is not known contradicts it, a gap asking the question does not.
    silent = _fact("f3", "c", "MOFCOM has not yet commented on the Japanese measures.", vec)
    double = "The library does not establish that MOFCOM has not yet commented on the measures."
    assert contradicted_gap(double, [silent])
    asked = "The library does not establish whether MOFCOM has commented on the Japanese measures."
    assert not contradicted_gap(asked, [silent])


@pytest.mark.parametrize(
    ("topic", "title"),
    [
        (
            "What did China do after the U.S. frontier model rule?",
            "China after the U.S. frontier model rule",
        ),
        ("How is Japan responding to the chip controls?", "Japan’s response to the chip controls"),
        (
            "China's blacklist of U.S. companies after the frontier AI model rule",
            "China's blacklist of U.S. companies",
        ),
        ("tell me about export controls on AI chips", "Export controls on AI chips"),
        ("Sakana AI", "Sakana AI"),
    ],
)
def test_a_briefing_title_reads_like_a_title(topic: str, title: str) -> None:
    made = title_from_topic(topic)
    assert made == title
    assert "?" not in made and len(made.split()) <= 10


def test_outline_numbers_leave_facts_and_cut_a_heading_from_its_paragraph() -> None:
    text = (
        "1.3 First, the Tollgate rule of September 2025 closed the memory loophole. "
        "The Allied Response 8.1 The effectiveness of the controls depends on allies. "
        "B.5 The authors counted 29 legal persons. Chips above 4.8 teraflops are covered."
    )
    assert sentences_of(text) == [
        "First, the Tollgate rule of September 2025 closed the memory loophole.",
        "The Allied Response",
        "The effectiveness of the controls depends on allies.",
        "The authors counted 29 legal persons.",
        "Chips above 4.8 teraflops are covered.",
    ]


def test_a_chronology_entry_keeps_its_date() -> None:
    """ "3.6 September 15, 2025. BIS publishes the rule." is one dated event, not a date and
    an undated event; a heading run into the first entry is cut from it."""
    text = (
        "3. Timeline, October 2022 to April 2026\n"
        "3.1 October 7, 2022. BIS publishes the first controls on advanced computing chips.\n"
        "3.7 September 16, 2025. MOFCOM says it opposes the rule. 3.8 14 November 2025. The "
        "rule takes effect.\n2026-03-03. BIS adds 27 entities to the Entity List.\n"
        "On 2 March 2026 BIS published a rule. It took effect on 16 March 2026."
    )
    sentences = sentences_of(text)
    assert sentences[-6:] == [
        "October 7, 2022. BIS publishes the first controls on advanced computing chips.",
        "September 16, 2025. MOFCOM says it opposes the rule.",
        "14 November 2025. The rule takes effect.",
        "2026-03-03. BIS adds 27 entities to the Entity List.",
        "On 2 March 2026 BIS published a rule.",
        "It took effect on 16 March 2026.",
    ]
    # Each entry is quoted as the source has it and shown to the model as one sentence.
    assert all(" ".join(s.split()) in " ".join(text.split()) for s in sentences)
    assert [dated_entry(s) for s in sentences[-6:-2]] == [
        "October 7, 2022: BIS publishes the first controls on advanced computing chips.",
        "September 16, 2025: MOFCOM says it opposes the rule.",
        "14 November 2025: The rule takes effect.",
        "2026-03-03: BIS adds 27 entities to the Entity List.",
    ]
    assert dated_entry(sentences[-2]) == sentences[-2]
    assert event_dates(dated_entry(sentences[-4])) == ["2025-11-14"]
    assert chronology_entries(text) == 4


@pytest.mark.parametrize(
    ("sentence", "gap"),
    [
        ("The ministry has not said when the rule takes effect.", True),
        ("Officials declined to comment on the number of licences.", True),
        ("The timing of the second phase is not yet known.", True),
        ("The company did not disclose how many chips it shipped.", True),
        # Negations that state a fact, not a missing piece of information:
        ("The Dutch measure does not start until 1 July 2026.", False),
        ("The rule is not a statute: Congress did not vote on it.", False),
        ("Exporters with shipments pending to listed parties must stop them.", False),
        ("Serving a model through an API, without providing the weights, is not an export.", False),
    ],
)
def test_a_gap_is_missing_information_not_any_negation(sentence: str, gap: bool) -> None:
    assert bool(UNCERTAINTY.search(sentence)) is gap


@pytest.mark.parametrize(
    "sentence",
    [
        "We use the term AI trade restrictions broadly, to cover export controls on chips.",
        "It is written for policymakers, for compliance officers and for analysts.",
        "Owen Pritchard is a fellow in the same program, where he studies distillation.",
        "This report covers export controls on chips and model weights in detail.",
        "This report takes stock of AI trade restrictions in spring 2026.",
    ],
)
def test_a_document_describing_itself_is_not_a_fact(sentence: str) -> None:
    assert rejection(sentence) == "the document describing itself or its authors"


def test_a_documents_own_argument_stays_a_fact() -> None:
    assert rejection("This report argues that the controls are failing against diversion.") is None


@pytest.mark.parametrize(
    ("sentence", "carried"),
    [
        # The name's own clause is about the topic: it grounds the topic.
        ("Indonesia introduced a licence requirement for exports of AI accelerators in May.", True),
        # Named in passing, in a clause about something else, beside a clause about the topic.
        (
            "Thailand requires licences for AI accelerator exports, and traders say Indonesia "
            "is watching closely.",
            False,
        ),
        # Named only to say that its measure does not exist.
        (
            "Indonesia, which hosts many chip distributors, has not announced a licence "
            "requirement for AI accelerators.",
            False,
        ),
        (
            "Analysts found no evidence that Indonesia is drafting a licence rule for AI chips.",
            False,
        ),
        # A negation in a relative clause after the name is not said of the name.
        (
            "Indonesia's new rule means exporters of AI accelerators need a licence that may "
            "never be granted.",
            True,
        ),
    ],
)
def test_a_name_grounds_a_topic_only_in_a_clause_about_it_that_does_not_deny_it(
    sentence: str, carried: bool
) -> None:
    topic = "Indonesia's licensing rule for AI accelerators"
    embedder, _, names = _judging(topic)
    fact = _fact("f", "a", sentence, embedder.embed([sentence])[0])
    assert ("Indonesia" in names.names_of(fact)) is carried


@pytest.mark.parametrize(
    "dateline",
    [
        "WASHINGTON (Atlas) - ",
        "BEIJING - ",
        "SANTA CLARA, Calif. - ",
        "WASHINGTON, D.C. - ",
        "BEIJING/WASHINGTON, March 20 (Meridian Wire) - ",
    ],
)
def test_a_wire_dateline_with_or_without_a_date_is_not_part_of_the_fact(dateline: str) -> None:
    fact = "The United States on Tuesday added 31 companies to its trade blacklist."
    assert sentences_of(dateline + fact) == [fact]
    # A sentence that merely opens with an acronym and a dash keeps it.
    assert sentences_of("AI - the new frontier of trade policy.") == [
        "AI - the new frontier of trade policy."
    ]


def test_initials_a_model_spaces_out_are_written_as_the_sources_write_them() -> None:
    cleaned = clean_claim("The U. S. Commerce Department added 27 entities on 3 March.")
    assert cleaned.sentences == ["The U.S. Commerce Department added 27 entities on 3 March."]


def test_a_claim_loses_the_vague_frame_before_its_fact() -> None:
    # Seen three times in one test-split briefing: which developments?
    cleaned = clean_claim(
        "The developments also mean that providers must verify the identity of customers."
    )
    assert cleaned.sentences == ["Providers must verify the identity of customers."]
    assert clean_claim("This means that the rule applies abroad.").sentences == [
        "The rule applies abroad."
    ]
    # A name written in lower case, or a quotation, opens the sentence as written.
    assert clean_claim("This means that eBay must verify its sellers.").sentences == [
        "eBay must verify its sellers."
    ]
    # A frame with a subject of its own says what the fact follows from: kept.
    kept = "The rule means that exporters need a licence for each shipment."
    assert clean_claim(kept).sentences == [kept]


def test_a_quotation_copied_from_the_facts_opens_with_an_opening_mark() -> None:
    # The prompt shows every double quote as a closing one; the claim reads as English again.
    cleaned = clean_claim("The rule, ”Controls on Frontier AI Model Access”, took effect.")
    assert cleaned.sentences == ["The rule, “Controls on Frontier AI Model Access”, took effect."]


def test_a_document_naming_the_topic_grounds_its_nearby_facts_and_a_common_name_grounds_none() -> (
    None
):
    from rag.drafting.sufficiency import judge

    topic = "Indonesia's licensing rule for AI accelerators"
    embedder, topic_vec, names = _judging(topic)
    opening = "Indonesia will require a licence to export AI accelerators from May 1, 2026."
    items = "Covered items are accelerators with a processing performance of 4,800 or more."
    elsewhere = "The 2022 rules created a new classification for AI chips."
    notice = " ".join([opening, items])
    facts = [
        _fact("f1", "notice", opening, embedder.embed([opening])[0], passage=notice),
        _fact("f2", "notice", items, embedder.embed([items])[0], passage=notice),
        _fact("f3", "other", elsewhere, embedder.embed([elsewhere])[0]),
    ]
    vecs = {f.members[0].passage_id: embedder.embed([f.members[0].hit.passage.text])[0]
            for f in facts}  # fmt: skip
    judgement = judge(facts, names, topic_vec, vecs, covered_anyway={"AI"})
    grounded = {f.id for f in judgement.grounded}
    # The notice's list of items never repeats the country, and is about the topic all the
    # same; "AI", a name of every document, makes nothing about Indonesia's rule.
    assert "f1" in grounded and "f2" in grounded
    assert "f3" not in grounded
    assert judgement.sufficient


def test_only_facts_naming_the_topic_or_from_a_short_document_that_does_are_quoted_unasked() -> (
    None
):
    from dataclasses import replace

    from rag.drafting.section_evidence import _direct

    names = [n for n in focal_names("Japan's export controls") if n.shown == "Japan"]
    vec = _unit(1, 0)
    opening = _fact("f1", "notice", "Japan will require licences for AI chips.", vec)
    items = _fact("f2", "notice", "Covered items include chips with a TPP of 4,800.", vec)
    report = "Japan announced controls in March. MOFCOM added 18 companies."
    named_in_report = _fact("f3", "report", "Japan announced controls in March.", vec, report)
    neighbour = _fact("f4", "report", "MOFCOM added 18 American companies.", vec, report)
    for fact in (named_in_report, neighbour):  # a 60-passage report is about many things
        m = fact.members[0]
        doc = replace(m.hit.document, passages=60)
        fact.members[0] = replace(m, hit=replace(m.hit, document=doc))
    direct = _direct([opening, items, named_in_report, neighbour], names)
    assert direct == {"f1", "f2", "f3"}
    # A topic without names of its own quotes from all its facts.
    assert _direct([opening, neighbour], []) == {"f1", "f4"}


@pytest.mark.parametrize(
    ("sentence", "kept"),
    [
        (
            "Pemberton Institute - Analysis By Theo Brandt, Research Director Published 30 March "
            "2026 Within ten days, Japan and the Netherlands announced new controls.",
            False,
        ),
        ("The rule was published on 2 March 2026 in the Federal Register.", True),
        ("The analysis by Carrow found that shipments of chips fell.", True),
    ],
)
def test_a_byline_and_date_line_run_into_a_sentence_is_not_a_fact(
    sentence: str, kept: bool
) -> None:
    from rag.drafting.fact_filter import is_fact

    assert is_fact(sentence) is kept


def test_a_name_is_common_when_most_of_the_whole_library_names_it() -> None:
    from rag.drafting.sufficiency import common_in_library

    names = focal_names("Corvane-made AI accelerators")
    asked: list[str] = []
    counts = {'"ai"': 40, "corvan*": 10}

    def documents_matching(query: str) -> int:
        asked.append(query)
        return counts.get(query, 0)

    # "AI" is in 40 of 46 documents: what the library is about. Corvane, in 10, is what the
    # topic asks about, however many of the documents found for it name it.
    assert common_in_library(names, documents_matching, 46) == {"AI"}
    assert sorted(asked) == sorted(counts)


def test_a_country_is_found_by_its_name_its_adjective_or_its_capital() -> None:
    from rag.drafting.sufficiency import common_in_library

    washington, *_ = focal_names("Washington's AI chip controls from 2022 to 2026")
    assert washington.country == "united states"
    for text in ("The U.S. Commerce Department said", "American chip makers", "Washington said"):
        assert washington.found_in(text), text
    assert not washington.found_in("Beijing answered on Friday")
    tokyo = focal_names("Tokyo's alignment with the Tollgate rule")[0]
    assert tokyo.found_in("Japan will require licences") and not tokyo.found_in("China said")
    # How many documents name it counts every one of its names; "us" alone is a pronoun.
    asked: list[str] = []
    common_in_library([washington], lambda q: asked.append(q) or 0, 10)
    (query,) = asked
    assert '"u s"' in query and '"american"' in query and '"us"' not in query


def test_a_year_in_the_topic_tells_no_fact_apart_beside_a_name() -> None:
    """ "Controls from 2022 to 2026" bounds the topic in time; a fact about the controls is
    about the topic whether or not its sentence repeats the year."""
    from rag.drafting.sufficiency import judge

    topic = "Kestrel's AI chip export controls from 2022 to 2026"
    embedder, topic_vec, names = _judging(topic)
    dated = "In 2022 Kestrel published its first export controls on AI chips."
    later = "Kestrel tightened its export controls on AI chips with a new performance test."
    facts, vecs = _one_sentence_facts(embedder, dated, later)
    judgement = judge(facts, names, topic_vec, vecs, covered_anyway={"AI", "2026"})
    assert {f.id for f in judgement.grounded} == {"f1", "f2"}
    assert judgement.sufficient


def test_a_fact_stating_the_subjects_identifier_is_about_the_subject() -> None:
    """The press calls it "the Tollgate rule"; the rule's own text speaks of ECCN 4E091."""
    from rag.drafting.aliases import aliases, identifiers_in
    from rag.drafting.sufficiency import NameEvidence, judge
    from rag.models.embedding import Embedder
    from rag.models.provision import embedding_model_dir

    # Codes, not words, and not a report's own references ("Table B.4").
    assert identifiers_in("ECCN 4E091, 3A090.c and docket BIS-2025-0231 (see Table B.4).") == [
        "4E091",
        "3A090.c",
        "BIS-2025-0231",
    ]
    topic = "Tollgate-era export controls on model weights"
    names = focal_names(topic)
    said = [
        "The Tollgate rule creates ECCN 4E091 for the weights of frontier models.",
        "Chips such as the H100 are controlled.",  # not said with the name
    ]
    counts = {'"4e091"': 5, '"h100"': 30}
    found = aliases(said, names, lambda q: counts.get(q, 1), 46)
    assert [a.shown for a in found] == ["4E091"]
    # A code most documents carry picks out nothing.
    assert aliases(said, names, lambda q: 40, 46) == []

    embedder = Embedder(embedding_model_dir())
    topic_vec = embedder.embed([topic])[0]
    evidence = NameEvidence(names, embedder.embed, topic_vec)
    rule = "ECCN 4E091 controls the weights of models trained with more than 10^26 operations."
    facts = [_fact("f1", "rule", rule, embedder.embed([rule])[0])]
    vecs = {f.members[0].passage_id: f.vector for f in facts}
    assert judge(facts, evidence, topic_vec, vecs).grounded == []
    with_alias = judge(facts, evidence, topic_vec, vecs, aliases=found)
    assert [f.id for f in with_alias.grounded] == ["f1"]
    # It grounds the fact, not the name: a topic whose name no fact carries stays unanswered.
    assert with_alias.missing_names == ["Tollgate"]


def _one_sentence_facts(
    embedder: Embedder, *sentences: str
) -> tuple[list[Fact], dict[str, np.ndarray]]:
    """Facts "f1", "f2" ... of documents "a", "b" ..., each its own passage, for ``judge``."""
    facts = [
        _fact(f"f{i}", chr(ord("a") + i - 1), text, embedder.embed([text])[0])
        for i, text in enumerate(sentences, start=1)
    ]
    return facts, {f.members[0].passage_id: f.vector for f in facts}


def _judging(topic: str) -> tuple[Embedder, np.ndarray, NameEvidence]:
    """The embedder, the topic's vector and its names, for ``judge``."""
    from rag.drafting.sufficiency import NameEvidence
    from rag.models.embedding import get_embedder
    from rag.models.provision import embedding_model_dir

    embedder = get_embedder(embedding_model_dir())
    topic_vec = embedder.embed([topic])[0]
    return embedder, topic_vec, NameEvidence(focal_names(topic), embedder.embed, topic_vec)


def test_a_name_the_found_documents_share_but_the_library_does_not_still_tells_facts_apart() -> (
    None
):
    """The documents found for "Japan's licensing of AI chips" nearly all speak of Japan,
    because Japan is what the topic asks about. Judged against them, neither "Japan" nor "AI"
    told facts apart, and any fact naming AI was about the topic; judged against the library
    (where only "AI" is everywhere), a fact is about the topic when it names Japan."""
    from rag.drafting.sufficiency import judge

    topic = "Japan's licensing of AI chips and model parameters"
    embedder, topic_vec, names = _judging(topic)
    japan = "Japan will require licences to export advanced AI chips and model parameters."
    elsewhere = "The 2022 rules required licences to export advanced AI chips to China."
    facts, vecs = _one_sentence_facts(embedder, japan, elsewhere)
    found_common = {"Japan", "AI"}
    before = judge(facts, names, topic_vec, vecs, covered_anyway=found_common)
    assert {f.id for f in before.grounded} == {"f1", "f2"}  # what it was: "AI" grounded f2
    after = judge(
        facts, names, topic_vec, vecs, covered_anyway=found_common, common_to_library={"AI"}
    )
    assert {f.id for f in after.grounded} == {"f1"}
    assert after.sufficient


def test_a_short_document_titled_with_the_subject_is_about_it_throughout() -> None:
    """A company's own release, titled with its name, states its guidance in words far from
    the topic's ("revenue from customers in mainland China to fall below 4%"); it is about
    the subject all the same. A long report with the name in its title, or a short document
    whose title names something else, grounds nothing that way."""
    from rag.drafting.sufficiency import judge

    topic = "Larkspur-made AI accelerators and export controls"
    embedder, topic_vec, names = _judging(topic)
    guidance = "Revenue from customers in mainland China is expected to fall below 4% of sales."

    def fact(fid: str, title: str, passages: int) -> Fact:
        hit = _hit(fid, guidance)
        document = replace(hit.document, title=title, passages=passages)
        return Fact(fid, [SourceSentence(replace(hit, document=document), guidance, guidance)],
                    embedder.embed([guidance])[0])  # fmt: skip

    facts = [
        fact("own", "Larkspur Updates Guidance on China Revenue", 3),
        fact("report", "Larkspur and the chip war: an annual survey", 40),
        fact("other", "Write-downs pile up across the memory industry", 3),
    ]
    vecs = {f.members[0].passage_id: f.vector for f in facts}
    judgement = judge(facts, names, topic_vec, vecs, covered_anyway={"AI"})
    assert float(facts[0].vector @ topic_vec) < 0.35  # not about the topic by closeness
    assert {f.id for f in judgement.grounded} == {"own"}


def test_when_no_fact_carries_the_distinctive_name_the_topics_other_names_ground_it() -> None:
    """ "The Hangzhou lab accused of distilling American models": the documents found say
    "Hangzhou-based" only in passing, so no fact about the topic carries Hangzhou. Judged
    against the library, Hangzhou alone would tell facts apart and nothing would be grounded
    (the topic refused); as before, "American" grounds it then."""
    from rag.drafting.sufficiency import judge

    topic = "The Hangzhou lab accused of distilling American models"
    embedder, topic_vec, names = _judging(topic)
    accused = "Sablewood said a Chinese lab had distilled American models through many accounts."
    facts = [_fact("f1", "a", accused, embedder.embed([accused])[0])]
    vecs = {f.members[0].passage_id: f.vector for f in facts}
    judgement = judge(
        facts, names, topic_vec, vecs,
        covered_anyway={"Hangzhou", "American"}, common_to_library={"American"},
    )  # fmt: skip
    assert [f.id for f in judgement.grounded] == ["f1"]
    assert judgement.sufficient
