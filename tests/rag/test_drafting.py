"""The drafting engine with a replaying model over a real library of the demo documents.

The model's answers are replayed (tests/fakes.py) where only a bigger model would write them;
everything else is real: the library, retrieval, the embedder, the fact filter, clustering,
the checker and saving.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from fakes import ReplayModel

from rag.briefs.briefing import INSUFFICIENT_NOTE, Briefing, Citation, Claim
from rag.briefs.templates import get_template
from rag.checking.verdict import SupportCheck
from rag.core.demo import DEMO_TOPIC
from rag.core.paths import assets_dir
from rag.core.settings import DraftingSettings
from rag.core.types import CancelToken, Hit, Locator
from rag.drafting import prompts
from rag.drafting.claim_text import MAX_WORDS
from rag.drafting.engine import (
    QUOTED_FILL,
    QUOTED_INSTEAD,
    QUOTED_LEAD,
    VIEW_AS_FACT,
    ClaimAdded,
    ClaimStream,
    DraftFinished,
    DraftStarted,
    SectionRevised,
    SectionStarted,
    briefing_path,
    draft,
    list_briefings,
)
from rag.drafting.fact_filter import states_nothing
from rag.drafting.repeats import (
    EVENT_MIN_COSINE,
    EVENT_TERMS_SHARE,
    NEAR_COSINE,
    SAME_MEASURE_TERMS_SHARE,
    Rarity,
    fold_subsumed,
    measures,
    other_dates,
    paraphrases,
    repeats,
    restates,
    same_evidence,
    told,
)
from rag.drafting.section_evidence import chronology_after, gather, keyword_topic
from rag.indexing.library import Library
from rag.models.embedding import get_embedder
from rag.models.provision import embedding_model_dir
from rag.reading.chunking import split_sentences
from rag.reading.sanitize import clean_source_text

TOPIC = "China's blacklist of U.S. companies after the frontier AI model rule"


@pytest.fixture(scope="module")
def demo_library(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("demo-lib")
    with Library.open(folder) as lib:
        list(lib.import_paths([assets_dir() / "demo" / "library"]))
    return folder


@pytest.fixture
def lib(demo_library: Path):
    with Library.open(demo_library) as library:
        yield library


def facts_in(messages: list[dict]) -> dict[int, str]:
    """Fact number -> its sentence, parsed back out of the prompt."""
    content = messages[-1]["content"]
    body = re.split(r"\n(?:FACTS|CLAIMS OF THE OTHER SECTIONS)\n", content, maxsplit=1)[1]
    body = body.split("\n\nTASK\n", 1)[0]
    out = {}
    for line in body.splitlines():
        number, text = line.split(". ", 1)
        out[int(number)] = re.sub(r" \([^()]*\)$", "", text)
    return out


def filled(claim) -> bool:
    """A claim the engine added in a source's own words to fill its section's room."""
    return claim.check.reasons[:1] == [QUOTED_FILL]


def section_of(messages: list[dict]) -> str:
    return messages[-1]["content"].split("Section: ", 1)[1].split("\n", 1)[0]


def copy_facts(limit: int = 2):
    """An answer that states the first facts shown, word for word, each citing its own."""

    def answer(messages, schema):
        return {
            "claims": [
                {"text": text, "facts": [n]} for n, text in list(facts_in(messages).items())[:limit]
            ]
        }

    return answer


def cite_where(phrase: str, text: str):
    """An answer that cites whichever fact holds ``phrase`` (none when no fact does)."""

    def answer(messages, schema):
        found = [n for n, t in facts_in(messages).items() if phrase in t]
        return {"claims": [{"text": text, "facts": found[:1]}] if found else []}

    return answer


def run(lib, model, template="situation-brief", topic=TOPIC, **kw):
    # These tests look at what the check flags: failed claims are shown marked unless a test
    # says otherwise (the default, as in the app, drops them).
    kw.setdefault("settings", {"failed_claims": "mark"})
    chosen = get_template(template) if isinstance(template, str) else template
    events = list(draft(lib, model, chosen, topic, **kw))
    assert isinstance(events[-1], DraftFinished)
    return events


def claims_of(events) -> list:
    return [e.claim for e in events if isinstance(e, ClaimAdded)]


def claims_in(events, section: str) -> list:
    return [e.claim for e in events if isinstance(e, ClaimAdded) and e.section.key == section]


def test_claims_cite_the_sentence_that_states_them_with_its_locator(lib: Library) -> None:
    # (MOFCOM's answer of 20 March, "MOFCOM issued Announcement No. 14", is told by the
    # 20 March response another sentence of the library states first: a repeat.)
    said = "MOFCOM's list covers chip designers, cloud operators and AI software firms."
    model = ReplayModel([cite_where("chip designers, cloud operators", said)] * 6)
    events = run(lib, model)
    claims = [c for c in claims_of(events) if "chip designers" in c.text]
    assert claims, "no claim drafted"
    for claim in claims:
        assert claim.check.status == "supported"
        for citation in claim.citations:
            passage = lib.passage(citation.passage_id)
            # The quote is one sentence of the cited passage, exactly as the passage has it.
            assert citation.quote in " ".join(passage.text.split())
            assert len(split_sentences(citation.quote)) == 1
            assert "chip designers" in citation.quote
            assert citation.locator == passage.locator
    briefing = events[-1].briefing
    assert briefing.stats["claims"] == sum(len(s.claims) for s in briefing.sections)


def test_schema_allows_exactly_the_facts_shown(lib: Library) -> None:
    model = ReplayModel()
    run(lib, model)
    assert model.calls
    for call in model.calls:
        shown = sorted(facts_in(call["messages"]))
        items = call["schema"]["properties"]["claims"]["items"]
        assert items["properties"]["facts"]["items"]["enum"] == shown
        assert shown == list(range(1, len(shown) + 1))


def test_every_section_with_two_facts_is_asked_for_two_claims_the_bottom_line_too(
    lib: Library,
) -> None:
    """Left free, a small model stops after one claim: the schema asks for two where there
    are facts for two (gaps are questions, never forced)."""
    model = ReplayModel()
    run(lib, model)
    asked = {
        section_of(c["messages"]): c["schema"]["properties"]["claims"].get("minItems", 0)
        for c in model.calls
        if len(facts_in(c["messages"])) >= 2
    }
    assert asked.get("Bottom line") == 2, asked
    assert asked.get("Key developments") == 2, asked
    assert all(n == 0 for title, n in asked.items() if title.startswith("Gaps")), asked


def test_every_prompt_opens_with_the_same_system_text_and_topic_line(lib: Library) -> None:
    model = ReplayModel()
    run(lib, model)
    assert len(model.calls) >= 3
    assert all(c["messages"][0]["content"] == prompts.SYSTEM_PROMPT for c in model.calls)
    openings = {c["messages"][1]["content"].split("\n", 1)[0] for c in model.calls}
    assert openings == {f"Briefing topic: {clean_source_text(TOPIC)}"}


def test_each_section_sees_its_own_facts_and_no_fact_goes_to_two_sections(lib: Library) -> None:
    model = ReplayModel([copy_facts(12)] * 6)
    events = run(lib, model)
    shown = {
        section_of(c["messages"]): set(facts_in(c["messages"]).values())
        for c in model.calls
        if section_of(c["messages"]) != "Bottom line"
    }
    assert len(shown) >= 3
    titles = list(shown)
    for i, a in enumerate(titles):
        for b in titles[i + 1 :]:
            assert not shown[a] & shown[b], f"{a} and {b} were shown the same fact"
    # Far more of the library than one shared pool of 16 passages: every document is used.
    cited_docs = {c.doc_id for claim in claims_of(events) for c in claim.citations}
    assert len(cited_docs) >= 5


def test_no_two_claims_of_a_briefing_state_the_same_fact(lib: Library) -> None:
    def twice(messages, schema):
        facts = facts_in(messages)
        first = next(iter(facts))
        return {
            "claims": [
                {"text": facts[first], "facts": [first]},
                {"text": facts[first].replace(",", ""), "facts": [first]},
            ]
        }

    events = run(lib, ReplayModel([twice] * 6))
    seen: dict[tuple[str, str], str] = {}
    for section in events[-1].briefing.sections:
        if section.kind == "bottom_line":
            continue  # it sums up the others by design
        for claim in section.claims:
            for c in claim.citations:
                key = (c.passage_id, c.quote)
                assert key not in seen, f"stated twice: {c.quote!r}"
                seen[key] = claim.text


@pytest.mark.parametrize(
    ("new", "earlier", "repeat"),
    [
        # A shorter report of the same event, its date written another way: a repeat.
        (
            "On March 24, Larkspur AI, Northwind Intelligence and Oriel Systems launched the "
            "Frontier Output Integrity Compact, or FOIC.",
            "On 24 March 2026 Larkspur AI, Northwind Intelligence and Oriel Systems announced "
            "the Frontier Output Integrity Compact, a private agreement to detect distillation.",
            True,
        ),
        # The longer claim after the shorter adds to it: kept.
        (
            "Japan will require licences for advanced AI chips from 1 May 2026.",
            "Japan will require licences for advanced AI chips.",
            False,
        ),
        # Another figure is another fact (a disagreement, not a repeat).
        (
            "China added 28 American companies to its unreliable entity list.",
            "China added 31 American companies to its unreliable entity list on Friday.",
            False,
        ),
    ],
)
def test_a_claim_that_only_restates_an_earlier_one_is_a_repeat(
    new: str, earlier: str, repeat: bool
) -> None:
    assert restates(new, earlier) is repeat


_TWO_FACTS = (
    "The listing answers an interim final rule published on March 2 by the Bureau of "
    "Industry and Security (BIS), and MOFCOM also barred exports of dual-use items to three "
    "software suppliers."
)
_RULE = (
    "BIS published on March 2 an interim final rule that requires licences for exports of "
    "model weights to China."
)


def _citing(text: str, *quotes: str) -> Claim:
    citations = [
        Citation(f"d:{n}", "d", Locator(), q, "Notice", "", "") for n, q in enumerate(quotes)
    ]
    return Claim(id=text[:8], text=text, citations=citations, check=SupportCheck("supported"))


@pytest.mark.parametrize(
    ("new", "earlier", "sentence", "repeat"),
    [
        # The same part of the sentence in other words: a repeat, though the two claims
        # share few words of their own.
        (
            "Beijing's move follows an interim final rule issued on March 2 by BIS.",
            "The Chinese listing answers a rule published on March 2 by the Bureau of "
            "Industry and Security.",
            _TWO_FACTS,
            True,
        ),
        # The other fact of the same sentence is a fact of its own.
        (
            "MOFCOM barred exports of dual-use items to three software suppliers.",
            "The listing answers an interim final rule published on March 2 by BIS.",
            _TWO_FACTS,
            False,
        ),
        # So is what the rule does, after who published it and when.
        (
            "The interim final rule requires licences for exports of model weights.",
            "BIS published an interim final rule on March 2.",
            _RULE,
            False,
        ),
        # A figure the earlier claim does not give is something new.
        (
            "The rule issued by BIS on March 2 was the interim final rule of 2026.",
            "The listing answers an interim final rule published on March 2 by BIS.",
            _TWO_FACTS,
            False,
        ),
    ],
)
def test_a_claim_telling_the_part_of_a_sentence_told_before_is_a_repeat(
    new: str, earlier: str, sentence: str, repeat: bool
) -> None:
    assert same_evidence(_citing(new, sentence), _citing(earlier, sentence)) is repeat
    # Claims citing different sentences are never compared this way.
    assert not same_evidence(_citing(new, sentence), _citing(earlier, "Another sentence."))


def test_a_claim_adding_what_another_of_its_sentences_says_is_no_repeat() -> None:
    earlier = _citing("BIS published an interim final rule on March 2.", _RULE)
    again = _citing("BIS issued the interim final rule on March 2.", _RULE)
    assert same_evidence(again, earlier)
    more = _citing(
        "BIS issued the interim final rule on March 2, which Tokyo later mirrored.",
        _RULE,
        "Tokyo later mirrored the rule.",
    )
    assert not same_evidence(more, earlier)


def test_a_later_claim_stating_all_an_earlier_one_does_and_more_takes_its_place() -> None:
    short = _citing(
        "On March 24, Larkspur AI, Northwind Intelligence and Oriel Systems launched the "
        "Frontier Output Integrity Compact, or FOIC.",
        "Quote one.",
    )
    undated = _citing(
        "Larkspur AI, Northwind Intelligence and Oriel Systems announced the Frontier Output "
        "Integrity Compact, a private agreement to detect and block distillation.",
        "Quote two.",
    )
    other = _citing("The rule creates a licence requirement for API access.", "Quote three.")
    dated = _citing(
        "On 24 March 2026 Larkspur AI, Northwind Intelligence and Oriel Systems announced the "
        "Frontier Output Integrity Compact, a private agreement to detect and block "
        "distillation.",
        "Quote four.",
    )
    # The dated, fuller report stands where the first report of the event stood, once.
    assert fold_subsumed([undated, other, dated]) == [dated, other]
    assert fold_subsumed([short, other, undated, dated]) == [dated, other]
    # A claim with a date of its own is another event; a failed claim replaces nothing; a
    # claim that lacks what the earlier one says does not replace it.
    another_day = replace(undated, text="On 2 March 2026 l" + undated.text[1:])
    assert fold_subsumed([another_day, other, dated]) == [another_day, other, dated]
    failed = replace(dated, check=SupportCheck("unsupported", reasons=["no"]))
    assert fold_subsumed([undated, failed]) == [undated, failed]
    # Said the other way round, the later claim is a repeat, never drafted (``repeats``).
    assert restates(short.text, dated.text) and restates(undated.text, dated.text)


_ANSWERED = (
    "China's Ministry of Commerce (MOFCOM) answered on 20 March 2026 with Announcement No. 14"
)
_COUNTERMEASURES = "taking countermeasures against 31 U.S. companies"


def test_a_later_sections_fuller_claim_takes_the_place_of_the_claim_it_states(
    lib: Library,
) -> None:
    """Key developments says MOFCOM answered on 20 March with Announcement No. 14; Outlook's
    claim says that and whom it listed. The fuller claim stands once, in Key developments,
    where the shorter stood, and the window is told (SectionRevised)."""

    def answer(messages, schema):
        shown = facts_in(messages)
        phrase = _ANSWERED if section_of(messages) == "Key developments" else _COUNTERMEASURES
        found = [(n, t) for n, t in shown.items() if phrase in t]
        return {"claims": [{"text": t, "facts": [n]} for n, t in found[:1]]}

    # Outlook takes any fact here, as a template's later section of claims may: given only
    # facts that look ahead (``ahead``), it is never shown MOFCOM's answer of 20 March.
    brief = get_template("situation-brief")
    any_facts = replace(brief, sections=tuple(replace(s, ahead=False) for s in brief.sections))
    events = run(lib, ReplayModel([answer] * 6), template=any_facts, topic=DEMO_TOPIC)
    briefing = events[-1].briefing
    key = [c.text for c in briefing.section("key_developments").claims]
    later = [c.text for s in briefing.sections if s.key != "key_developments" for c in s.claims]
    fuller = [t for t in key if _COUNTERMEASURES in t]
    assert fuller, key
    assert not [t for t in key if _ANSWERED in t and _COUNTERMEASURES not in t]
    assert not [t for t in later if _COUNTERMEASURES in t and not t.startswith("Sources")]
    revised = [e for e in events if isinstance(e, SectionRevised)]
    assert [e.section.key for e in revised] == ["key_developments"]
    assert fuller[0] in [c.text for c in revised[0].section.claims]


_CHINESE_ACTION = (
    "The Chinese action answers a rule published on 2 March by the Bureau of Industry and "
    "Security, part of the U.S. Department of Commerce."
)
_BEIJINGS_MOVE = (
    "Beijing's move follows an interim final rule issued on March 2 by the U.S. Commerce "
    "Department's Bureau of Industry and Security (BIS)."
)


@pytest.fixture(scope="module")
def similarity():
    embedder = get_embedder(embedding_model_dir())

    def cosine(a: str, b: str) -> float:
        va, vb = embedder.embed([a, b])
        return float(va @ vb)

    return cosine


@pytest.mark.parametrize(
    ("new", "earlier", "repeat"),
    [
        # Two wire stories' sentences on one event: other words, the same names and date.
        (_BEIJINGS_MOVE, _CHINESE_ACTION, True),
        # The same event with a date the earlier claim lacks tells something new.
        (
            "Beijing's move follows an interim final rule issued on March 2 by BIS, which "
            "took effect on March 16.",
            _CHINESE_ACTION,
            False,
        ),
        # Close in meaning, another fact of the same rule.
        (
            "The rule issued by BIS requires a licence before companies based in China can "
            "reach designated frontier models through an API.",
            _CHINESE_ACTION,
            False,
        ),
        # A forecast is not the event it foresees, though each of its terms is in it.
        (
            "Example Law LLP expects BIS to add further entities to the Entity List in the "
            "first half of 2026.",
            "According to Example Law LLP, BIS added 27 entities to the Entity List on "
            "3 March 2026 for diverting AI chips.",
            False,
        ),
        # Another actor's measure, told in the same words.
        (
            "Japan's move follows an interim final rule issued on March 2 by the U.S. "
            "Commerce Department's Bureau of Industry and Security (BIS).",
            _CHINESE_ACTION,
            False,
        ),
    ],
)
def test_a_claim_telling_an_earlier_claims_event_from_another_source_is_a_repeat(
    new: str, earlier: str, repeat: bool, similarity
) -> None:
    assert paraphrases(new, earlier, similarity) is repeat


@pytest.mark.parametrize(
    ("new", "earlier", "repeat"),
    [
        # One fact in other words, a detail added: readers count it as said twice.
        (
            "The Tollgate rule is the nickname for the Commerce Department's September 2025 "
            "rule on frontier compute and model weights.",
            "Industry calls the September 2025 frontier compute and model weights rule the "
            "Tollgate rule.",
            True,
        ),
        # A forecast of an event is not its report.
        (
            "Example Law LLP expects BIS to add further entities to the Entity List in 2026.",
            "According to Example Law LLP, BIS added 27 entities to the Entity List in 2026.",
            False,
        ),
        # Timeline entries of two dates are two events.
        (
            "2026-05-15 — The rule's licence requirements apply.",
            "2026-03-16 — The rule's licence requirements take effect.",
            False,
        ),
        # One forecast, once as a view and once with "will".
        (
            "April 9, 2026: Kestrel Systems says its China revenue will fall below 4% of total "
            "sales in fiscal 2027.",
            "Kestrel Systems said it expects revenue from customers in mainland China to fall "
            "below 4% of total sales in fiscal 2027, compared with 17% in fiscal 2025.",
            True,
        ),
        # One event of one day, told by two sources in other words.
        (
            "On September 15, 2025, the Bureau of Industry and Security released an interim "
            "final rule titled Frontier Compute and Model Weights Controls.",
            "The United States on September 15, 2025 tightened its restrictions on exports of "
            "AI chips and, for the first time, placed controls on model weights.",
            True,
        ),
        (
            "Compliance with the model weights provisions is required from January 15, 2026.",
            "Beginning January 15, 2026, storage of the weights of a frontier model outside "
            "allied countries requires a licence.",
            True,
        ),
        # The day's event with a count added tells more of it.
        (
            "According to Example Law LLP, the listing of 3 March 2026 covered 27 entities in "
            "China and Singapore.",
            "On 3 March 2026 the Bureau of Industry and Security put companies of China and "
            "Singapore on its list for diverting accelerators.",
            False,
        ),
        # Two events of one day.
        (
            "On 20 March 2026 shares of Japanese chip equipment makers fell 4% in Tokyo.",
            "On 20 March 2026 METI announced licences for AI chips and model parameters.",
            False,
        ),
    ],
)
def test_a_claim_close_in_meaning_to_an_earlier_one_is_a_repeat(
    new: str, earlier: str, repeat: bool, similarity
) -> None:
    assert repeats(_citing(new, "A."), [_citing(earlier, "B.")], similarity) is repeat


# A briefing's evidence on Japan's controls: the topic's words are in most sentences, the
# market's in two.
_JAPAN_EVIDENCE = [
    "Japan will require licences for exports of advanced AI chips from 1 May 2026.",
    "Japan's trade ministry said the controls cover chips above the U.S. thresholds.",
    "Shares of Japanese chip equipment makers fell between 2% and 4% in Tokyo trading.",
    "Shares of several equipment makers fell after the announcement.",
    "Japan's trade minister said Japan was acting for its own security.",
    "The controls also cover the parameters of AI models trained with more than 10^26 operations.",
    "China said it opposed Japan's export controls on chips.",
    "Japan announced the controls on 20 March 2026.",
    "The Japanese rules follow the U.S. controls on AI chips of September 2025.",
    "Analysts said Japan's controls on chips were narrower than Washington's.",
]


@pytest.mark.parametrize(
    ("new", "earlier", "repeat"),
    [
        # The words rare in the evidence ("shares", "equipment makers", "fell") are shared:
        # one event, from two sources, though the later claim's words are few and not close
        # enough in meaning for the other tests.
        (
            "Shares of several equipment makers fell after the announcement.",
            "Shares of Japanese chip equipment makers fell between 2% and 4% in Tokyo trading.",
            True,
        ),
        # Only the topic's own words are shared: another fact.
        (
            "China said it opposed Japan's export controls on chips.",
            "Japan's trade ministry said the controls cover chips above the U.S. thresholds.",
            False,
        ),
        # The same rare words on two days: two events.
        (
            "Shares of several equipment makers fell after the announcement on 2 May 2026.",
            "Shares of Japanese chip equipment makers fell between 2% and 4% in Tokyo trading "
            "on 21 March 2026.",
            False,
        ),
    ],
)
def test_a_claim_sharing_an_earlier_ones_rare_words_tells_the_same_event(
    new: str, earlier: str, repeat: bool
) -> None:
    # Between the two bars: close enough to share an event, not close enough to be one fact
    # whatever the words (``NEAR_COSINE``); the rare words decide.
    cosine = (EVENT_MIN_COSINE + NEAR_COSINE) / 2

    def similarity(a: str, b: str) -> float:
        return cosine

    claim, before = _citing(new, "A."), [_citing(earlier, "B.")]
    assert repeats(claim, before, similarity, Rarity(_JAPAN_EVIDENCE)) is repeat
    # Without the evidence's rarity the event is not found: the rule is what finds it.
    assert not repeats(claim, before, similarity)


def test_a_claim_of_one_event_in_other_rare_words_is_found_with_the_real_embedder(
    similarity,
) -> None:
    new = "Shares of several equipment makers fell after the announcement."
    earlier = "Shares of Japanese chip equipment makers fell between 2% and 4% in Tokyo trading."
    assert EVENT_MIN_COSINE <= similarity(new, earlier) < NEAR_COSINE
    rarity = Rarity(_JAPAN_EVIDENCE)
    assert repeats(_citing(new, "A."), [_citing(earlier, "B.")], similarity, rarity)
    assert not repeats(_citing(new, "A."), [_citing(earlier, "B.")], similarity)


# A briefing's evidence on Korea's watch list: the list's words are in several sentences.
_KOREA_EVIDENCE = [
    "Korea added 18 resellers to its export watch list, barring them from buying Korean "
    "memory chips.",
    "The Korean trade ministry said the list targets firms that resold memory chips.",
    "Korea will require licences for exports of high-bandwidth memory from July.",
    "Korean memory makers said the licences would slow shipments.",
    "The ministry said the controls follow talks with Washington.",
    "Analysts said Korea's controls were narrower than Japan's.",
    "Seoul put 18 resellers on its watch list on Monday.",
    "Korea's trade ministry said it would review the list every six months.",
]


@pytest.mark.parametrize(("count", "repeat"), [("18", True), ("19", False)])
def test_a_claim_giving_an_earlier_ones_measure_with_fewer_rare_words_is_a_repeat(
    count: str, repeat: bool
) -> None:
    # Half the later claim's rare words are shared: too few alone (``EVENT_TERMS_SHARE``),
    # enough with the same count of resellers; another count is another event (or a
    # disagreement, which is not a repeat either).
    earlier = _KOREA_EVIDENCE[0].replace("18", count)
    new = _KOREA_EVIDENCE[6]
    rarity = Rarity(_KOREA_EVIDENCE)
    assert SAME_MEASURE_TERMS_SHARE <= rarity.shared(new, earlier) < EVENT_TERMS_SHARE
    cosine = (EVENT_MIN_COSINE + NEAR_COSINE) / 2

    def similarity(a: str, b: str) -> float:
        return cosine

    claim, before = _citing(new, "A."), [_citing(earlier, "B.")]
    assert repeats(claim, before, similarity, rarity) is repeat
    assert not repeats(claim, before, similarity)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("China added 18 U.S. companies to its list.", {"18"}),
        ("Apply at least 30 days before shipment; below 4% of sales.", {"30", "4"}),
        ("Trained with more than 10^26 operations, a TPP of 4,800 or more.", {"10^26", "4800"}),
        # Years, days of dates, references and codes measure nothing.
        ("On 25 March 2026 and March 3, 2026 it acted.", set()),
        ("In Supplement No. 1 to part 774, Category 4, ECCN 4A090 is revised.", set()),
    ],
)
def test_the_measures_a_text_gives(text: str, found: set[str]) -> None:
    assert measures(text) == found


@pytest.mark.parametrize(
    ("a", "b", "other"),
    [
        ("On October 17, 2023 BIS tightened its rules.", "On 15 September 2025 BIS acted.", True),
        ("On March 12 China added 18 firms.", "On March 3, 2026 the U.S. added 27.", True),
        # A year left out agrees with any year; a month agrees with its days.
        ("On March 3 BIS listed 27 entities.", "On 3 March 2026 BIS added 27.", False),
        ("In September 2025 BIS tightened.", "On September 15, 2025 BIS acted.", False),
        # A text without a date tells nothing of its day.
        ("BIS tightened its rules.", "On 15 September 2025 BIS acted.", False),
    ],
)
def test_texts_dating_their_events_on_different_days_tell_other_events(
    a: str, b: str, other: bool
) -> None:
    assert other_dates(a, b) is other


@pytest.mark.parametrize(
    ("topic", "searched"),
    [
        ("Tokyo's licensing of AI chips", "Tokyo's licensing of AI chips (Japan)"),
        ("The Chinese ministry's blacklist", "The Chinese ministry's blacklist (China)"),
        ("Seoul and Beijing on memory", "Seoul and Beijing on memory (China, South Korea)"),
        # Named by its name already: nothing to add.
        ("Japan's licensing of AI chips", "Japan's licensing of AI chips"),
        ("Corvane's write-downs", "Corvane's write-downs"),
    ],
)
def test_a_country_named_by_another_form_is_searched_for_by_its_name(
    topic: str, searched: str
) -> None:
    assert keyword_topic(topic) == searched


def test_gathering_searches_for_the_country_a_capital_names(lib: Library) -> None:
    """Keyword search matches words: a topic saying "Tokyo" must also be searched as "Japan",
    which is what documents say."""
    queries: list[str] = []
    search = lib.search

    def recording(query: str, *args, **kwargs):
        queries.append(query)
        return search(query, *args, **kwargs)

    lib.search = recording  # type: ignore[method-assign]
    try:
        gather(lib, "Tokyo's controls on frontier AI models", get_template("situation-brief"))
    finally:
        lib.search = search  # type: ignore[method-assign]
    assert "Tokyo's controls on frontier AI models (Japan)" in queries


def test_the_bottom_line_is_written_from_distinct_events(lib: Library) -> None:
    """The demo's two sources on the 2 March rule ("BIS published an interim final rule on
    2 March 2026 ...", "The rule ... was published by BIS on 2 March 2026") would give the
    bottom line one event twice; one leads, and the next event takes the other's place."""
    template = get_template("situation-brief")
    lead = gather(lib, DEMO_TOPIC, template).lead
    bottom = next(s for s in template.sections if s.kind == "bottom_line")
    assert len(lead) == bottom.claims + 1
    published = [f.text for f in lead if "2 March 2026" in f.text and "publish" in f.text]
    assert len(published) == 1, [f.text for f in lead]


def test_a_fact_a_stated_claim_already_tells_is_not_shown_again(similarity) -> None:
    embedder = get_embedder(embedding_model_dir())
    stated = "BIS published a final rule adding 27 entities to the Entity List."
    said = [(stated, embedder.embed_one(stated))]
    again = "BIS added 27 entities to the Entity List."
    forecast = "Lawyers expect BIS to add more entities to the Entity List."
    more = "BIS added 27 entities to the Entity List, 23 of them in China."
    assert told(again, embedder.embed_one(again), said)
    assert not told(forecast, embedder.embed_one(forecast), said)
    assert not told(more, embedder.embed_one(more), said)  # it adds a figure


def test_a_briefing_tells_an_event_two_wire_stories_report_once(lib: Library) -> None:
    """The Meridian Wire and the Circuit Ledger each say that China's listing answers the
    BIS rule of 2 March; a model writing both sentences wherever their facts are shown gets
    at most one of them into the briefing."""

    def answer(messages, schema):
        shown = facts_in(messages)
        claims = [
            {"text": text, "facts": [n]}
            for phrase, text in (
                ("Chinese action answers", _CHINESE_ACTION),
                ("Beijing's move follows", _BEIJINGS_MOVE),
            )
            for n, fact in shown.items()
            if phrase in fact
        ]
        return {"claims": claims[:2]}

    model = ReplayModel([answer] * 6)
    events = run(lib, model, topic=DEMO_TOPIC)
    claims = [c.text for c in claims_of(events)]
    shown = [t for call in model.calls for t in facts_in(call["messages"]).values()]
    assert any("Chinese action answers" in t or "Beijing's move follows" in t for t in shown)
    # Both tell the rule of 2 March that the briefing states as its own event: at most one
    # of them is kept (none, when the claim on the rule of 2 March came first).
    assert not (_CHINESE_ACTION in claims and _BEIJINGS_MOVE in claims)


def test_no_section_restates_what_the_bottom_line_states(lib: Library) -> None:
    """Every section copies its first two facts word for word: what the bottom line stated
    is neither shown to Key developments again nor kept if written again."""
    model = ReplayModel([copy_facts(2)] * 6)
    briefing = run(lib, model)[-1].briefing
    bottom = briefing.section("bottom_line").claims
    assert bottom and all(c.check.verified for c in bottom)
    later = [c for s in briefing.sections if s.kind != "bottom_line" for c in s.claims]
    stated = {clean_source_text(c.text) for c in bottom}
    assert not stated & {clean_source_text(c.text) for c in later}
    key = next(c for c in model.calls if section_of(c["messages"]) == "Key developments")
    assert not stated & set(facts_in(key["messages"]).values())


# Sentences that need their paragraph ("It ...", "They ..."): no fact of this notice can be
# quoted as a claim in place of a failed one, so what the checker flags stays flagged.
UNQUOTABLE_NOTICE = (
    "Title: Notice on entity additions\nSource: Example Gazette\n\n"
    "It added 27 entities to the Entity List on 3 March 2026 for diverting AI chips to China.\n\n"
    "They include distributors in Singapore and Malaysia that shipped accelerators to China.\n\n"
    "However, the Entity List additions take effect on 10 March 2026, the notice says.\n"
)


@pytest.fixture
def unquotable(tmp_path: Path):
    (tmp_path / "notice.txt").write_text(UNQUOTABLE_NOTICE, encoding="utf-8")
    with Library.open(tmp_path / "lib") as library:
        list(library.import_paths([tmp_path / "notice.txt"]))
        yield library


WRONG_DATE = "The Entity List additions of 9 March 2026 covered 27 entities."


def test_a_section_whose_claims_all_fail_says_so_not_that_evidence_is_missing(
    unquotable: Library,
) -> None:
    wrong = cite_where("27 entities", WRONG_DATE)
    events = run(
        unquotable, ReplayModel([wrong] * 6), topic="Entity List additions",
        settings={"failed_claims": "drop"},
    )  # fmt: skip
    briefing = events[-1].briefing
    failed = [s for s in briefing.sections if s.status == "unwritten" and "failed" in s.note]
    assert failed, [(s.key, s.status, s.note) for s in briefing.sections]
    for section in failed:
        assert INSUFFICIENT_NOTE not in section.note and not section.claims
        assert "facts were found" in section.note or "fact was found" in section.note


def test_a_source_name_and_date_copied_out_is_never_shown_as_a_claim(lib: Library) -> None:
    def answer(messages, schema):
        first = next(iter(facts_in(messages)))
        return {
            "claims": [
                {"text": "The Circuit Ledger, 2026-03-21", "facts": [first]},
                {"text": "Export Controls On Frontier Model Weights", "facts": [first]},
                {"text": "(East Asia Policy Review, 2026-03-15)", "facts": [first]},
            ]
        }

    claims = claims_of(run(lib, ReplayModel([answer] * 6)))
    junk = {
        "The Circuit Ledger, 2026-03-21",
        "Export Controls On Frontier Model Weights",
        "(East Asia Policy Review, 2026-03-15)",
    }
    assert not {c.text for c in claims} & junk


def test_a_noun_phrase_is_never_shown_as_a_claim(lib: Library) -> None:
    """The small model's bottom line on the demo library was a subject line with no verb, and
    the checker passed it: every word of it is in the sources."""
    echo = "The U.S. controls on frontier AI model access and advanced computing items."

    def answer(messages, schema):
        cited = [n for n, t in facts_in(messages).items() if "control" in t][:2]
        return {"claims": [{"text": echo, "facts": cited}]}

    claims = claims_of(run(lib, ReplayModel([answer] * 6), topic=DEMO_TOPIC))
    assert claims
    assert echo not in {c.text for c in claims}


@pytest.mark.parametrize(
    ("sentence", "nothing"),
    [
        ("The U.S. controls on frontier AI model access and advanced computing items.", True),
        ("The Tollgate rule controls on AI chips and model weights", True),
        ("The European Union's ban on model distillation", True),
        ("The agency restricted exports.", False),
        ("Japan copied the U.S. thresholds.", False),
        ("The Tollgate rule controls chips with a TPP of 1,000 or more.", False),
        ("MOFCOM lists U.S. firms.", False),
        ("Analysts at the Carrow Center expect this to slow AI development.", False),
        ("Public references to the Tollgate rule refer to this interim final rule.", False),
        ("Qiantang Intelligence denies the claim.", False),
    ],
)
def test_a_noun_phrase_without_a_verb_states_nothing(sentence: str, nothing: bool) -> None:
    assert states_nothing(sentence) is nothing


def test_a_disagreement_is_followed_by_the_sentence_that_accounts_for_it(lib: Library) -> None:
    """The demo's wires give 28 and 31 companies; the law firm's alert says why (31 in
    total, 28 on the list). The disagreement section quotes that sentence after the two
    figures, unless another section states it already."""
    alone = run(lib, ReplayModel([]), topic=DEMO_TOPIC, sections=["disagreements"])
    claims = alone[-1].briefing.section("disagreements").claims
    count = next(i for i, c in enumerate(claims) if c.text.startswith("Sources disagree on how"))
    account = claims[count + 1]
    assert "31 U.S. companies in total, but only 28" in account.text, [c.text for c in claims]
    assert account.check.status == "supported"
    assert "accounts for the disagreement" in account.check.reasons[0]
    assert len(claims) <= get_template("situation-brief").section("disagreements").claims
    # Stated by the bottom line, it is not quoted again.
    whole = run(lib, ReplayModel([{"claims": []}] * 6), topic=DEMO_TOPIC)[-1].briefing
    said = [c.text for s in whole.sections for c in s.claims]
    assert sum("in total, but only 28" in t for t in said) == 1, said


def test_a_wrong_number_is_flagged_and_the_sources_sentence_stated_instead(lib: Library) -> None:
    def answer(messages, schema):
        facts = facts_in(messages)
        if section_of(messages) != "Key developments":
            return {"claims": []}
        rule = next(n for n, t in facts.items() if "2 March 2026" in t and "BIS" in t)
        return {
            "claims": [
                {"text": "BIS published the interim final rule on 9 March 2026.", "facts": [rule]}
            ]
        }

    events = run(lib, ReplayModel([answer] * 6))
    claim, *rest = claims_in(events, "key_developments")
    assert all(filled(c) for c in rest)
    # The model's wording is gone; the fact it cited is stated in its source's own words,
    # and the check says what the model wrote and why it failed.
    assert claim.check.status == "supported"
    assert "2 March 2026" in claim.text and "9 March" not in claim.text
    assert claim.text == claim.citations[0].quote or claim.text in claim.citations[0].quote
    assert claim.check.reasons[0].startswith(QUOTED_INSTEAD)
    assert "9 March" in claim.check.reasons[0]


def test_a_claim_too_long_gives_way_to_the_sentence_it_cites(lib: Library) -> None:
    """The default model's bottom line for the demo merged the rule's publication and its
    licence requirement into 42 words: the claim cannot stand, the fact it cites can."""
    long_claim = (
        "The U.S. Department of Commerce published an interim final rule on 2 March 2026 that "
        "requires a licence before the model weights of designated frontier AI systems can be "
        "exported or transferred, which the rule classifies under export control "
        "classification number 4E091."
    )
    assert len(long_claim.split()) > MAX_WORDS

    def answer(messages, schema):
        facts = facts_in(messages)
        if section_of(messages) != "Bottom line":
            return {"claims": []}
        rule = next(n for n, t in facts.items() if "2 March 2026" in t and "BIS" in t)
        return {"claims": [{"text": long_claim, "facts": [rule]}]}

    (claim,) = claims_in(run(lib, ReplayModel([answer] * 6)), "bottom_line")
    assert claim.check.status == "supported"
    assert "2 March 2026" in claim.text and len(claim.text.split()) <= MAX_WORDS
    assert claim.text in claim.citations[0].quote or claim.citations[0].quote in claim.text
    assert (
        claim.check.reasons[0]
        == f"{QUOTED_INSTEAD} (the model's wording: longer than 40 words (42))"
    )


def test_a_wrong_number_stays_flagged_when_no_sentence_can_stand_for_it(
    unquotable: Library,
) -> None:
    wrong = cite_where("27 entities", WRONG_DATE)
    events = run(unquotable, ReplayModel([wrong] * 6), topic="Entity List additions")
    flagged = [c for c in claims_of(events) if c.text == WRONG_DATE]
    assert flagged and all(c.check.status == "unsupported" for c in flagged)
    assert "9 March" in " ".join(flagged[0].check.missing_terms)


def test_a_claim_citing_the_wrong_fact_is_reattributed_within_the_section(lib: Library) -> None:
    def answer(messages, schema):
        facts = facts_in(messages)
        if section_of(messages) != "Key developments":
            return {"claims": []}
        other = next(n for n, t in facts.items() if "2 March" not in t)
        text = "On 2 March 2026 BIS published an interim final rule."
        return {"claims": [{"text": text, "facts": [other]}]}

    claim, *rest = claims_in(run(lib, ReplayModel([answer] * 6)), "key_developments")
    assert all(filled(c) for c in rest)
    assert claim.check.status == "reattributed"
    assert "2 March 2026" in claim.citations[0].quote


def test_without_settings_the_engine_drops_failed_claims_as_the_app_does(
    unquotable: Library,
) -> None:
    wrong = cite_where("27 entities", WRONG_DATE)
    events = list(
        draft(unquotable, ReplayModel([wrong] * 6), get_template("situation-brief"),
              "Entity List additions")
    )  # fmt: skip
    assert DraftingSettings().failed_claims == "drop"
    assert not [c for c in claims_of(events) if c.check.unsupported]
    assert events[-1].briefing.stats["dropped"] >= 1


def test_a_failed_claim_is_dropped_when_the_setting_says_so(unquotable: Library) -> None:
    wrong = cite_where("27 entities", WRONG_DATE)
    kw = {"topic": "Entity List additions"}
    marked = claims_of(run(unquotable, ReplayModel([wrong] * 6), **kw))
    assert any(c.check.unsupported for c in marked)
    events = run(unquotable, ReplayModel([wrong] * 6), settings={"failed_claims": "drop"}, **kw)
    assert not any(c.check.unsupported for c in claims_of(events))
    assert events[-1].briefing.stats["dropped"] >= 1


def test_claims_are_single_sentences_of_at_most_forty_words(lib: Library) -> None:
    def answer(messages, schema):
        facts = facts_in(messages)
        first = next(iter(facts))
        long = " ".join(["The ministry said that the measure was broad"] * 6) + "."
        return {
            "claims": [
                # two sentences in one claim: split into two claims
                {"text": f"{facts[first]} {facts[first]}", "facts": [first]},
                # a paragraph: refused
                {"text": long, "facts": [first]},
            ]
        }

    events = run(lib, ReplayModel([answer] * 6))
    claims = claims_of(events)
    assert claims
    for claim in claims:
        sentence = claim.text.split(" — ", 1)[-1]
        assert len(sentence.split()) <= MAX_WORDS, claim.text
        if not claim.text.startswith("Sources disagree"):
            assert len(split_sentences(sentence)) == 1, claim.text
    assert not any("measure was broad" in c.text for c in claims)


def test_prompt_text_and_fact_numbers_never_reach_a_claim(lib: Library) -> None:
    def answer(messages, schema):
        facts = facts_in(messages)
        n = next(iter(facts))
        return {
            "claims": [
                {"text": "The sources most relevant to this section: 1, 3, 2.", "facts": [n]},
                {"text": "Write only what the numbered facts state.", "facts": [n]},
                {"text": f"{facts[n].rstrip('.')} [{n}].", "facts": []},
                {"text": f"According to fact {n}, {facts[n]}", "facts": []},
            ]
        }

    events = run(lib, ReplayModel([answer] * 6))
    texts = [c.text for c in claims_of(events)]
    assert texts
    for text in texts:
        assert "relevant to this section" not in text and "numbered facts" not in text
        assert not re.search(r"\[\d+\]|\bfacts? \d", text), text
    cited = [c for c in claims_of(events) if c.citations and c.citations[0].quote]
    assert cited and all(not c.check.unsupported for c in cited if "[" not in c.text)


def test_bylines_headlines_and_credits_are_never_facts(tmp_path: Path) -> None:
    page = tmp_path / "wire.txt"
    page.write_text(
        "Title: Beijing lists Corrigan Semiconductor after U.S. model curbs\n"
        "Source: Example Wire\n\n"
        "Beijing lists Corrigan Semiconductor after U.S. model curbs\n\n"
        "By Jane Roe and Sam Poe\n\n"
        "Photo: Getty Images / Example Wire shows the ministry building in Beijing.\n\n"
        "China's commerce ministry added Corrigan Semiconductor to its unreliable entity list "
        "on 20 March 2026, citing the U.S. frontier model rule.\n\n"
        "The final rule can be found here.\n\n"
        "Read more: Related articles on export controls\n",
        encoding="utf-8",
    )
    with Library.open(tmp_path / "lib") as lib:
        list(lib.import_paths([page]))
        model = ReplayModel([copy_facts(12)] * 6)
        events = run(lib, model, topic="China's listing of Corrigan Semiconductor")
    shown = [t for c in model.calls for t in facts_in(c["messages"]).values()]
    assert any("added Corrigan Semiconductor" in t for t in shown)
    for text in shown:
        assert "Jane Roe" not in text and "Getty" not in text
        assert "found here" not in text and "Read more" not in text
        assert text != "Beijing lists Corrigan Semiconductor after U.S. model curbs"
    for claim in claims_of(events):
        assert "Jane Roe" not in claim.text and "Getty" not in claim.text


US_FACT = "The export controls on AI chips extend licence requirements to 40 more countries."


def test_the_core_section_leads_with_facts_about_what_the_topic_names(tmp_path: Path) -> None:
    """A neighbour's rule worded like the topic must not lead Key developments over the
    topic's own facts; commentary goes elsewhere."""
    (tmp_path / "us.txt").write_text(
        "Title: U.S. tightens AI chip export controls\nSource: Example Wire\n\n"
        "The U.S. Commerce Department on 17 October 2023 tightened export controls on advanced "
        "AI chips, adding a Total Processing Performance threshold of 4,800.\n\n"
        "The export controls on AI chips extend licence requirements to 40 more countries.\n",
        encoding="utf-8",
    )
    (tmp_path / "japan.txt").write_text(
        "Title: Japan joins chip curbs\nSource: Example Post\n\n"
        "Japan's trade ministry METI announced on 20 March 2026 that exporters will need "
        "licences for advanced AI chips from 1 May 2026.\n\n"
        "Analysts said the Japanese measure could cost chip equipment makers sales in China.\n",
        encoding="utf-8",
    )
    with Library.open(tmp_path / "lib") as lib:
        list(lib.import_paths([tmp_path / "us.txt", tmp_path / "japan.txt"]))
        # The bottom line states a neighbour's fact, so the topic's own is left for Key
        # developments (a section left empty would state its lead fact by quoting it).
        model = ReplayModel([cite_where("40 more countries", US_FACT)] + [{"claims": []}] * 5)
        briefing = run(lib, model, topic="Japan's export controls on AI chips")[-1].briefing
    shown = {section_of(c["messages"]): list(facts_in(c["messages"]).values()) for c in model.calls}
    # "AI", which both documents name, does not make the U.S. rule a fact about Japan's.
    assert not any("40 more countries" in t for facts in shown.values() for t in facts)
    stated = [c.text for s in briefing.sections for c in s.claims]
    lead = [*shown.get("Bottom line", [])[:1], *shown.get("Key developments", [])[:1], *stated]
    assert any("METI announced on 20 March 2026" in t for t in lead), (shown, stated)
    assert not any("Analysts said" in t for t in shown.get("Key developments", []))


def _drafted_from_one_document(
    tmp_path: Path, text: str, topic: str, marker: str, write: Callable[[str], list[str]]
) -> list:
    """The claims drafted from one text file by a model that answers, for the fact shown with
    ``marker`` in it, the claims ``write`` makes of that fact's line (none when not shown)."""
    (tmp_path / "source.txt").write_text(text, encoding="utf-8")

    def answer(messages, schema):
        facts = facts_in(messages)
        order = next((n for n, t in facts.items() if marker in t), None)
        if order is None:
            return {"claims": []}
        return {"claims": [{"text": t, "facts": [order]} for t in write(facts[order])]}

    with Library.open(tmp_path / "lib") as lib:
        list(lib.import_paths([tmp_path / "source.txt"]))
        return claims_of(run(lib, ReplayModel([answer] * 6), topic=topic))


def test_a_source_saying_we_is_named_and_a_claim_saying_we_is_flagged(tmp_path: Path) -> None:
    rest = "BIS to add further entities to the Entity List in the first half of 2026."

    def write(shown: str) -> list[str]:
        assert shown.startswith("Example Law LLP: We expect")
        return [f"We expect {rest}", f"Example Law LLP expects {rest}"]

    claims = _drafted_from_one_document(
        tmp_path,
        "Title: Client alert on the Entity List\nSource: Example Law LLP\n\n"
        "We expect BIS to add further entities to the Entity List in the first half of 2026.\n\n"
        "BIS added 27 entities to the Entity List on 3 March 2026 for diverting AI chips.\n",
        "Entity List additions",
        "We expect",
        write,
    )
    by_text = {c.text.split(" BIS", 1)[0]: c for c in claims}
    assert by_text["Example Law LLP expects"].check.status == "supported"
    assert by_text["We expect"].check.status == "unsupported"
    assert "first person" in " ".join(by_text["We expect"].check.reasons)


def test_a_recommendation_is_named_and_a_claim_giving_orders_is_flagged(tmp_path: Path) -> None:
    """A report's imperative ("Concentrate enforcement ...") is shown as its publisher's; a
    claim that copies the instruction is flagged, one that says whose it is passes."""
    rest = "enforcement resources on suppliers of firms on the Entity List."

    def write(shown: str) -> list[str]:
        assert shown.startswith("Example Policy Institute: Concentrate enforcement")
        return [f"Concentrate {rest}", f"Example Policy Institute: Concentrate {rest}"]

    claims = _drafted_from_one_document(
        tmp_path,
        "Title: Chips after the Entity List\nSource: Example Policy Institute\n\n"
        "Concentrate enforcement resources on suppliers of firms on the Entity List.\n\n"
        "BIS added 27 entities to the Entity List on 3 March 2026 for diverting AI chips.\n",
        "Entity List enforcement",
        "Concentrate enforcement",
        write,
    )
    by_start = {c.text.split(" ", 1)[0]: c for c in claims}
    assert by_start["Concentrate"].check.status == "unsupported"
    assert "instruction to the reader" in " ".join(by_start["Concentrate"].check.reasons)
    # The line copied as shown ("Example Policy Institute: ...") names whose it is, and quotes
    # the recommendation in its own words ("According to ..., Concentrate ..." is no sentence).
    named = next(c for c in claims if "recommends" in c.text)
    assert named.text == f"The Example Policy Institute recommends: “Concentrate {rest}”"
    assert named.check.status == "supported"


def test_a_report_a_source_has_from_another_party_is_given_to_that_party(
    tmp_path: Path,
) -> None:
    """The think tank reports the plant's capacity "according to Chinese state media"; the
    model's "According to the Example Policy Institute, ..." gives the figure to the think
    tank. The claim says whose figure it is; its footnote still cites the think tank's report."""
    rest = "will be able to package 120,000 memory stacks a month at full capacity"

    def write(shown: str) -> list[str]:
        return [f"According to the Example Policy Institute, the new packaging plant {rest}."]

    claims = _drafted_from_one_document(
        tmp_path,
        "Title: Chips after the Entity List\nSource: Example Policy Institute\n\n"
        f"Jinghai's new packaging plant in Wuxi {rest}, according to Chinese state media.\n\n"
        "BIS added 27 entities to the Entity List on 3 March 2026 for diverting AI chips.\n",
        "Jinghai packaging capacity",
        "120,000",
        write,
    )
    plant = next(c for c in claims if "120,000" in c.text)
    assert plant.text == f"According to Chinese state media, the new packaging plant {rest}."
    assert plant.check.status == "supported"
    assert plant.citations and "according to Chinese state media" in plant.citations[0].quote


def test_a_claim_pointing_at_its_source_document_is_flagged(tmp_path: Path) -> None:
    """ "The full list is attached to this announcement." says nothing once out of it: which
    announcement? Drafted, it fails the check; it is never quoted unasked either."""
    claims = _drafted_from_one_document(
        tmp_path,
        "Title: Unreliable Entity List Announcement No. 4\nSource: Example Trade Ministry\n\n"
        "The ministry added 18 United States entities to the Unreliable Entity List on 12 March "
        "2026.\n\nThe full list of the entities is attached to this announcement.\n",
        "Unreliable Entity List additions",
        "attached",
        lambda shown: [shown],
    )
    attached = [c for c in claims if "attached" in c.text]
    assert attached, "the model's claim is shown, marked"
    assert all(c.check.status == "unsupported" for c in attached)
    assert "this announcement" in " ".join(attached[0].check.reasons)


def test_a_ranking_the_source_does_not_make_is_never_shown_as_supported(tmp_path: Path) -> None:
    """The model echoed its instruction to lead with the most consequential development,
    ranking one of the things its sentence lists: "..., with China's retaliation being the
    most consequential development." Every other word is the sentence's; the ranking is the
    model's, so the claim fails its check (the source's own sentence may stand instead)."""
    sentence = (
        "The weights rule, the distillation ban and China's retaliation have rewritten the "
        "rules for chip makers and AI labs alike"
    )
    claims = _drafted_from_one_document(
        tmp_path,
        "Title: Where export controls go next\nSource: Example Policy Review\n\n"
        f"{sentence}.\n\nListed entities may not trade with China.\n",
        "The weights rule, the distillation ban and China's retaliation",
        "rewritten",
        lambda shown: [
            f"{sentence}, with China's retaliation being the most consequential development."
        ],
    )
    ranked = [c for c in claims if "most consequential" in c.text]
    assert not [c for c in ranked if c.check.verified]
    assert all("ranks what its sources only report" in " ".join(c.check.reasons) for c in ranked)
    assert ranked or [c for c in claims if sentence in c.text], [c.text for c in claims]


def test_unanswerable_topic_says_there_is_not_enough_evidence(lib: Library) -> None:
    model = ReplayModel()
    events = run(lib, model, topic="Brazilian soybean harvest yields")
    sections = events[-1].briefing.sections
    assert all(s.status == "insufficient" and INSUFFICIENT_NOTE in s.note for s in sections)
    assert model.calls == [], "the model must not be asked to write without evidence"


def _demo_library_with(demo_library: Path, folder: Path, name: str, text: str) -> Path:
    """A copy of the demo library with one more document imported."""
    shutil.copytree(demo_library, folder, dirs_exist_ok=True)
    note = folder.parent / name
    note.write_text(text, encoding="utf-8")
    with Library.open(folder) as lib:
        list(lib.import_paths([note]))
    return folder


@pytest.fixture(scope="module")
def library_with_a_passing_mention(demo_library: Path, tmp_path_factory) -> Path:
    return _demo_library_with(
        demo_library,
        tmp_path_factory.mktemp("passing"),
        "conference-note.txt",
        "Title: Geneva trade week notes\n\n"
        "Delegates from Brazil, Kenya and Norway attended a trade conference in Geneva.\n"
        "The U.S. licence rule for frontier AI model weights was discussed over lunch.\n",
    )


def test_a_name_met_only_in_passing_is_not_enough_evidence(
    library_with_a_passing_mention: Path,
) -> None:
    """ "Brazil" is in the library, and so are licence rules for AI exports; but no sentence
    about such a rule concerns Brazil."""
    with Library.open(library_with_a_passing_mention) as lib:
        assert lib.search("Brazil", 3)  # the word is there
        model = ReplayModel()
        events = run(lib, model, topic="Brazil's licence rule for AI model exports")
    sections = events[-1].briefing.sections
    assert all(s.status == "insufficient" for s in sections)
    assert all(s.note.startswith(INSUFFICIENT_NOTE) and "Brazil" in s.note for s in sections)
    assert model.calls == []


@pytest.fixture(scope="module")
def library_with_a_company_release(demo_library: Path, tmp_path_factory) -> Path:
    return _demo_library_with(
        demo_library,
        tmp_path_factory.mktemp("release"),
        "halvard-guidance.txt",
        "Title: Halvard Semiconductor Updates Guidance on China Revenue\n"
        "Source: Halvard Semiconductor Investor Relations\nDate: 2026-04-09\n\n"
        "Halvard Semiconductor on April 9, 2026 said it expects revenue from customers in "
        "mainland China to fall below 4% of total sales in fiscal 2027.\n"
        "Demand from customers in Europe and the Middle East more than offsets the decline, "
        "the company said.\n",
    )


def test_a_short_release_titled_with_the_subject_grounds_its_facts(
    library_with_a_company_release: Path,
) -> None:
    """The company's own guidance is worded far from "Halvard-made accelerators and export
    controls"; its title says what it is about, and its facts reach the briefing."""
    with Library.open(library_with_a_company_release) as lib:
        evidence = gather(
            lib, "Halvard-made accelerators and export controls", get_template("actor-profile")
        )
    grounded = [m.text for f in evidence.judgement.grounded for m in f.members]
    assert any("fall below 4% of total sales" in t for t in grounded)
    placed = [m.text for facts in evidence.by_section.values() for f in facts for m in f.members]
    assert any("fall below 4% of total sales" in t for t in placed)


@pytest.fixture(scope="module")
def library_with_a_forecast(demo_library: Path, tmp_path_factory) -> Path:
    return _demo_library_with(
        demo_library,
        tmp_path_factory.mktemp("forecast"),
        "regional-outlook.txt",
        "Title: Regional outlook for AI chip permits\n\n"
        "Malaysia already requires permits for re-exports of U.S. AI chips, and the permit "
        "rule took effect on 14 July 2025.\n"
        "Norway will introduce permits for re-exports of AI chips before the end of 2026, "
        "officials said.\n"
        "A permit requirement in Norway would close the largest gap in the allied system.\n"
        "Norway has no permit requirement for AI chip re-exports of its own.\n",
    )


def test_a_measure_only_forecast_or_denied_is_not_enough_evidence(
    library_with_a_forecast: Path,
) -> None:
    """Norway and AI-chip permits share sentences, but only as a forecast, a supposition and a
    denial: no source says Norway has a permit rule. Malaysia's, stated, is answered."""
    with Library.open(library_with_a_forecast) as lib:
        model = ReplayModel()
        events = run(lib, model, topic="Norway's permit rule for AI chip re-exports")
        sections = events[-1].briefing.sections
        assert all(s.status == "insufficient" for s in sections)
        said = "No source states “Norway's permit rule for AI chip re-exports” as a fact"
        assert all(said in s.note for s in sections), sections[0].note
        assert model.calls == []
        answered = run(
            lib,
            ReplayModel([copy_facts()] * 6),
            topic="Malaysia's permit rule for AI chip re-exports",
        )
    assert any("Malaysia" in c.text for c in claims_of(answered))


@pytest.mark.parametrize(
    "topic",
    [
        "Customers of the Kestrel-era rule's designated models",  # hyphenated compound
        "Larkspur's Kestrels after the U.S. rule",  # possessive and plural
    ],
)
def test_a_hyphenated_or_possessive_name_does_not_refuse_the_topic(lib: Library, topic) -> None:
    model = ReplayModel([copy_facts()] * 6)
    events = run(lib, model, topic=topic)
    done = [s for s in events[-1].briefing.sections if s.status == "done"]
    assert len(done) >= 3 and model.calls
    assert any("Kestrel" in c.text for c in claims_of(events))


def test_a_gap_never_cites_a_sentence_stating_what_it_says_is_missing(lib: Library) -> None:
    """The model, asked for gaps, claims the effective date is unknown while citing the
    sentence giving it; the claim is rejected. BriefDesk's own gaps name only questions that
    no fact answers."""

    def answer(messages, schema):
        if section_of(messages) != "Gaps in the evidence":
            return copy_facts()(messages, schema)
        facts = facts_in(messages)
        return {
            "claims": [
                {"text": "The library does not establish who imposed the measure.", "facts": [n]}
                for n in facts
            ]
        }

    events = run(lib, ReplayModel([answer] * 6))
    gaps = events[-1].briefing.section("gaps")
    for claim in gaps.claims:
        if claim.citations and not claim.check.unsupported:
            assert any(
                re.search(r"not|declined|unclear|unconfirmed|no ", c.quote, re.I)
                for c in claim.citations
            ), claim
    stated = " ".join(c.text for c in gaps.claims)
    # Several sources say when the rule took effect: that is never called a gap.
    assert "takes or took effect" not in stated


def test_a_gap_citing_a_positive_statement_is_rejected(tmp_path: Path) -> None:
    doc = tmp_path / "rule.txt"
    doc.write_text(
        "Title: Frontier model rule\n\n"
        "The Commerce Department said the frontier model rule took effect on 16 March 2026.\n"
        "Officials declined to say how many licences for frontier model weights were "
        "granted.\n",
        encoding="utf-8",
    )

    def answer(messages, schema):
        facts = facts_in(messages)
        effective = next((n for n, t in facts.items() if "16 March" in t), None)
        if effective is None:
            return {"claims": []}
        return {
            "claims": [
                {
                    "text": "The library does not establish that the rule took effect on "
                    "16 March 2026.",
                    "facts": [effective],
                }
            ]
        }

    with Library.open(tmp_path / "lib") as lib:
        list(lib.import_paths([doc]))
        template = get_template("situation-brief")
        model = ReplayModel([answer] * 6)
        events = list(draft(lib, model, template, "The frontier model rule's licences"))
    claims = [c for c in claims_of(events) if c.text.startswith("The library does not")]
    for claim in claims:
        if claim.citations and "16 March" in claim.citations[0].quote:
            assert claim.check.unsupported
    # A gap BriefDesk states itself (no fact tells of penalties) cites nothing, so it is a
    # gap, never "supported".
    gaps = events[-1].briefing.section("gaps")
    uncited = [c for c in gaps.claims if not c.citations]
    assert any("penalties" in c.text for c in uncited)
    assert all(c.check.status == "gap" and not c.check.verified for c in uncited)
    assert all(c.check.established for c in uncited)
    assert events[-1].briefing.stats["gaps"] == len(uncited)


def test_a_claim_that_breaks_off_is_never_shown_as_supported(lib: Library) -> None:
    """The model closed its JSON string at a quotation mark: "... may not import goods from".
    Every word is in the cited sentence, but the claim says nothing whole: it fails its check,
    and the source's own sentence stands in its place where it can."""
    text = "The ministry said listed companies may not import goods from"
    broken = cite_where("take effect immediately", text)
    model = ReplayModel([broken] * 6)
    events = run(lib, model, topic=DEMO_TOPIC)
    shown = [t for c in model.calls for t in facts_in(c["messages"]).values()]
    assert any("take effect immediately" in t for t in shown)
    claims = [c for s in events[-1].briefing.sections for c in s.claims]
    assert not [c for c in claims if c.text.rstrip(".").endswith(" from") and c.check.verified]
    cut = [c for c in claims if c.text.rstrip(".").endswith(" from")]
    assert all(
        any("breaks off mid-sentence (it ends on “from”)" in r for r in c.check.reasons)
        for c in cut
    )
    whole = [c for c in claims if "may not import goods from or export goods to China" in c.text]
    assert cut or whole, [c.text for c in claims]


def test_saved_after_every_claim(lib: Library) -> None:
    model = ReplayModel([copy_facts()] * 6)
    seen = 0
    for ev in draft(lib, model, get_template("situation-brief"), TOPIC):
        if isinstance(ev, DraftStarted):
            path = briefing_path(lib, ev.briefing.id)
        if isinstance(ev, ClaimAdded):
            saved = Briefing.load(path)
            ids = [c.id for s in saved.sections for c in s.claims]
            assert ev.claim.id in ids and len(ids) == seen + 1
            seen += 1
    assert seen >= 3
    assert path.stem in [b.id for b in list_briefings(lib)]


def test_cancel_keeps_what_was_shown(lib: Library) -> None:
    cancel = CancelToken()
    model = ReplayModel([copy_facts()] * 6)
    shown = []
    for ev in draft(lib, model, get_template("situation-brief"), TOPIC, cancel=cancel):
        if isinstance(ev, ClaimAdded):
            shown.append(ev.claim.id)
            cancel.cancel()
        last = ev
    assert isinstance(last, DraftFinished) and last.cancelled
    saved = Briefing.load(briefing_path(lib, last.briefing.id))
    assert [c.id for s in saved.sections for c in s.claims] == shown
    assert any(s.status == "cancelled" for s in saved.sections)


def test_regenerating_one_section_leaves_the_others_untouched(lib: Library) -> None:
    model = ReplayModel([copy_facts()] * 6)
    first = run(lib, model)[-1].briefing
    before = {s.key: json.dumps(s.to_dict()) for s in first.sections}
    model.answers = [copy_facts(1)]
    events = run(lib, model, briefing=first, sections=["implications"])
    after = events[-1].briefing
    assert [e.section.key for e in events if isinstance(e, SectionStarted)] == ["implications"]
    for s in after.sections:
        if s.key == "implications":
            assert len([c for c in s.claims if not filled(c)]) == 1
        else:
            assert json.dumps(s.to_dict()) == before[s.key]
    assert after.id == first.id


def test_bottom_line_is_drafted_first_from_the_lead_facts_and_cites_them(
    lib: Library,
) -> None:
    model = ReplayModel([copy_facts(1)] * 6)
    events = run(lib, model)
    first = model.calls[0]["messages"]
    assert section_of(first) == "Bottom line"
    lead = facts_in(first)
    key = next(c for c in model.calls if section_of(c["messages"]) == "Key developments")
    # The lead facts are among Key developments' first facts; the one the bottom line stated
    # is not shown to Key developments again.
    shown = list(facts_in(key["messages"]).values())
    assert next(iter(lead.values())) not in shown
    assert set(list(lead.values())[1:]) <= set(shown[: len(lead) + 2])
    (summary,) = events[-1].briefing.section("bottom_line").claims
    assert summary.check.status == "supported" and summary.citations
    assert all(lib.passage(c.passage_id) is not None for c in summary.citations)


def test_a_chronology_found_in_one_passage_is_read_on_into_the_next(tmp_path: Path) -> None:
    """A report's timeline runs over several passages; a timeline section that finds its
    first passage reads on while the passages go on with dated entries, and stops where the
    report moves on to analysis."""
    entries = [
        f"3.{n} {day} {month} {year}. BIS {verb} the {what} on advanced AI chips, "
        f"affecting exporters of accelerators, servers and related technology worldwide."
        for n, (day, month, year, verb, what) in enumerate(
            [
                (7, "October", 2022, "publishes", "first controls"),
                (17, "October", 2023, "revises", "performance thresholds"),
                (2, "December", 2024, "adds", "memory controls"),
                (15, "January", 2025, "issues", "diffusion framework"),
                (13, "May", 2025, "withdraws", "diffusion framework"),
                (15, "September", 2025, "publishes", "frontier compute rule"),
                (14, "November", 2025, "enforces", "frontier compute rule"),
                (15, "January", 2026, "applies", "model weights licences"),
                (2, "February", 2026, "issues", "distillation restrictions"),
                (3, "March", 2026, "lists", "27 entities for diversion"),
                (20, "March", 2026, "welcomes", "Japanese amendment"),
                (25, "March", 2026, "notes", "Dutch packaging measure"),
            ],
            start=1,
        )
    ]
    analysis = " ".join(
        ["4.1 The controls have cut legal shipments, but diversion through third countries "
         "continues and enforcement is the binding constraint on their effect."] * 8
    )  # fmt: skip
    (tmp_path / "report.txt").write_text(
        "Title: Chip controls, 2022 to 2026\nSource: Example Institute\n\n"
        + "\n".join(entries)
        + "\n\n"
        + analysis
        + "\n",
        encoding="utf-8",
    )
    with Library.open(tmp_path / "lib") as lib:
        list(lib.import_paths([tmp_path / "report.txt"]))
        doc = lib.documents()[0]
        passages = [lib.passage(f"{doc.id}:{n}") for n in range(doc.passages)]
        chronology = [p for p in passages if p is not None and "3." in p.text]
        assert len(chronology) >= 2, "the chronology fits one passage: make it longer"
        first = Hit(chronology[0], doc, score=1.0)
        read_on = chronology_after(lib, [first])
    # Every later passage of the chronology, and nothing of the analysis after it.
    assert [h.passage.id for h in read_on] == [p.id for p in chronology[1:]]
    assert len(passages) > len(chronology)


def test_timeline_entries_carry_the_event_date_not_the_publication_date(lib: Library) -> None:
    def answer(messages, schema):
        if section_of(messages) != "Timeline":
            return {"claims": []}
        facts = facts_in(messages)
        rule = next(n for n, t in facts.items() if "2 March 2026" in t and "published" in t)
        listing = next(n for n, t in facts.items() if "20 March 2026" in t)
        return {
            "claims": [
                {"text": facts[listing], "facts": [listing]},
                {"text": "BIS published an interim final rule.", "facts": [rule]},
            ]
        }

    briefing = run(lib, ReplayModel([answer] * 6), template="timeline")[-1].briefing
    claims = briefing.section("timeline").claims
    assert [c.text[:10] for c in claims] == sorted(c.text[:10] for c in claims)
    # The model's bare "BIS published an interim final rule" may have given way to a fuller
    # sentence of the rule's own, quoted (``fold_subsumed``): its entry keeps the event date.
    dated = [next(c for c in claims if c.text[:10] == d) for d in ("2026-03-02", "2026-03-20")]
    dated[1] = next(c for c in claims if c.text[:10] == "2026-03-20" and not filled(c))
    assert all(c.check.status == "supported" for c in dated)
    # Published on 25 or 30 March, the documents date the events themselves.
    assert all(c.citations[0].published[:10] != c.text[:10] for c in dated)


def test_claim_stream_yields_each_claim_once_as_it_completes() -> None:
    text = '{"claims": [{"text": "A {curly} one", "facts": [1]}, {"text": "B", "facts": [2, 3]}]}'
    stream = ClaimStream()
    got = []
    for i in range(0, len(text), 3):
        got.extend(stream.feed(text[i : i + 3]))
    assert got == [{"text": "A {curly} one", "facts": [1]}, {"text": "B", "facts": [2, 3]}]


def test_disagreements_are_stated_with_both_sides_and_whole_phrases(lib: Library) -> None:
    """The demo library plants 31 vs 28 companies and 16 March vs 15 May; BriefDesk states
    them itself, quoting and citing both sides, and never compares unlike figures."""
    model = ReplayModel()
    briefing = run(lib, model)[-1].briefing
    section = briefing.section("disagreements")
    assert section.status == "done" and section.claims
    texts = " ".join(c.text for c in section.claims)
    assert "31 U.S. companies" in texts and "28 American companies" in texts
    assert "16 March 2026" in texts and "15 May 2026" in texts
    assert "entities" not in texts  # "14 entities" is another count
    for claim in section.claims:
        assert len({c.doc_id for c in claim.citations}) == 2
        assert claim.check.verified
        for citation, phrase in zip(claim.citations, claim.text.split("“")[1:], strict=True):
            said = phrase.split("”", 1)[0]
            assert said in citation.quote
            assert re.search(rf"(?<!\w){re.escape(said)}(?!\w)", citation.quote)
    assert "Where sources disagree" not in [section_of(c["messages"]) for c in model.calls]


def test_a_disagreement_is_stated_though_a_section_stated_one_side(lib: Library) -> None:
    """Key developments states when the rule took effect, from one source; that the sources
    disagree on it is still the disagreements section's news."""
    took_effect = cite_where("took effect 14 days later", "The rule took effect on 16 March 2026.")
    answers = [copy_facts(2), took_effect] + [copy_facts(2)] * 4
    briefing = run(lib, ReplayModel(answers), topic=DEMO_TOPIC)[-1].briefing
    stated = [c.text for c in briefing.section("key_developments").claims]
    assert "The rule took effect on 16 March 2026." in stated
    texts = " ".join(c.text for c in briefing.section("disagreements").claims)
    assert "16 March 2026" in texts and "15 May 2026" in texts


def test_claims_record_how_many_documents_state_them(lib: Library) -> None:
    events = run(lib, ReplayModel([copy_facts(12)] * 6))
    claims = claims_of(events)
    assert all(
        c.corroboration == len({x.doc_id for x in c.citations}) for c in claims if c.citations
    )
    assert any(c.corroboration >= 2 for c in claims)


def test_the_briefing_gets_a_title_and_keeps_the_question(lib: Library) -> None:
    question = "What did China do after the U.S. frontier AI model rule?"
    briefing = run(lib, ReplayModel(), topic=question)[-1].briefing
    assert briefing.title == "China after the U.S. frontier AI model rule"
    assert briefing.subtitle == question
    saved = Briefing.load(briefing_path(lib, briefing.id))
    assert (saved.title, saved.subtitle, saved.topic) == (briefing.title, question, question)


VIEW_REPORT = (
    "Title: Diversion after the Entity List\nSource: Example Policy Institute\n\n"
    "The Entity List additions would cut AI chip diversion to China by half within a year.\n\n"
    "BIS added 27 entities to the Entity List on 3 March 2026 for diverting AI chips.\n"
)
VIEW = "the Entity List additions would cut AI chip diversion to China by half within a year."


def _view_answer(text: str):
    def answer(messages, schema):
        facts = facts_in(messages)
        n = next((n for n, t in facts.items() if "would cut" in t), None)
        return {"claims": [{"text": text, "facts": [n]}]} if n else {"claims": []}

    return answer


def _view_library(tmp_path: Path) -> Library:
    (tmp_path / "report.txt").write_text(VIEW_REPORT, encoding="utf-8")
    lib = Library.open(tmp_path / "lib")
    list(lib.import_paths([tmp_path / "report.txt"]))
    return lib


def test_a_forecast_stated_as_fact_gives_way_to_the_sources_attributed_sentence(
    tmp_path: Path,
) -> None:
    with _view_library(tmp_path) as lib:
        model = ReplayModel([_view_answer(VIEW[0].upper() + VIEW[1:])] * 6)
        claims = claims_of(run(lib, model, topic="Entity List additions"))
    stated = [c for c in claims if "would cut" in c.text]
    assert stated, [c.text for c in claims]
    (claim,) = stated
    assert claim.text == f"According to the Example Policy Institute, {VIEW}"
    assert claim.check.status == "supported"
    assert VIEW_AS_FACT in claim.check.reasons[0]


def test_a_claim_naming_its_cited_source_is_checked_on_what_the_source_says(
    tmp_path: Path,
) -> None:
    with _view_library(tmp_path) as lib:
        said = f"Example Policy Institute argues that {VIEW}"
        model = ReplayModel([_view_answer(said)] * 6)
        claims = claims_of(run(lib, model, topic="Entity List additions"))
        # A name that is not the cited source's stays a name the text must hold.
        other = ReplayModel([_view_answer(f"According to CSIS, {VIEW}")] * 6)
        others = claims_of(run(lib, other, topic="Entity List additions"))
    assert [c.check.status for c in claims if c.text == said] == ["supported"]
    wrong = [c for c in others if "CSIS" in c.text]
    assert not wrong or all(c.check.unsupported for c in wrong)


def test_a_section_the_model_leaves_empty_states_its_lead_fact_in_the_sources_words(
    lib: Library,
) -> None:
    events = run(lib, ReplayModel([{"claims": []}] * 6))
    briefing = events[-1].briefing
    quoted = [c for s in briefing.sections for c in s.claims if QUOTED_LEAD in c.check.reasons]
    assert quoted
    for claim in quoted:
        assert claim.check.status == "supported" and len(claim.citations) >= 1
        assert len(claim.text.split()) <= MAX_WORDS
        # In the source's words, given to whoever holds them when the document speaks for
        # itself ("According to X, what ...": rag/drafting/voices.py).
        said = re.sub(r"^According to (?:“[^”]+”|[^,]+), ", "", claim.text)
        passage = " ".join(lib.passage(claim.citations[0].passage_id).text.split())
        assert said[1:] in passage and said[0].lower() in passage.lower()
    # One fact, one place: no two quoted claims state the same sentence.
    assert len({c.text for c in quoted}) == len(quoted)


def test_claims_the_drop_setting_leaves_out_are_counted_in_their_section(
    unquotable: Library,
) -> None:
    wrong = cite_where("27 entities", WRONG_DATE)

    def answer(messages, schema):
        facts = facts_in(messages)
        good = next((n for n, t in facts.items() if "10 March 2026" in t), None)
        claims = wrong(messages, schema)["claims"]
        if good:
            text = "The Entity List additions take effect on 10 March 2026, the notice says."
            claims.append({"text": text, "facts": [good]})
        return {"claims": claims}

    events = run(
        unquotable, ReplayModel([answer] * 6), topic="Entity List additions",
        settings={"failed_claims": "drop"},
    )  # fmt: skip
    sections = events[-1].briefing.sections
    noted = [s for s in sections if s.claims and "left out" in s.note]
    assert noted, [(s.key, s.note, [c.text for c in s.claims]) for s in sections]
    assert all(not c.check.unsupported for s in noted for c in s.claims)


def test_a_claim_over_40_words_once_its_holder_is_named_is_refused(tmp_path: Path) -> None:
    """An opinion column's view in 32 words fits as the model writes it; given to the
    column's long-named publisher ("According to the Institute for ..., ...") it no longer
    does, and is left out rather than shown as a sentence over the limit."""
    long_view = (
        "What an export ban actually removes from the market is not the capability but the "
        "American vendor, with its support contracts, its compliance team and its "
        "accountability to every one of its customers."
    )
    short_view = "What an export ban removes from the market is the American vendor."
    assert len(long_view.split()) <= MAX_WORDS
    claims = [
        c.text
        for c in _drafted_from_one_document(
            tmp_path,
            "Title: Opinion: Washington's model ban is Asia's best sales pitch\n"
            "Source: Institute for Strategic and International Technology Policy Studies\n\n"
            f"{long_view}\n\nWashington imposed the export ban on two AI models in March 2026.\n",
            "Washington's export ban on AI models",
            "What an export ban",
            lambda shown: [long_view, short_view],
        )
    ]
    assert not [c for c in claims if "accountability" in c]
    assert all(len(c.split()) <= MAX_WORDS for c in claims)
    # The short view is kept, given to the column: its holder's name is what the long one
    # would carry too, and with it the long one is over the limit.
    given = [c for c in claims if c.endswith(short_view[1:])]
    assert given and given[0].startswith("According to"), claims
    holder = given[0][: -len(short_view)]
    assert len(holder.split()) + len(long_view.split()) > MAX_WORDS


def test_a_section_the_model_underfills_is_filled_with_its_next_facts_in_the_sources_words(
    lib: Library,
) -> None:
    events = run(lib, ReplayModel([copy_facts(1)] * 6))
    briefing = events[-1].briefing
    template = get_template("situation-brief")
    said = [c for s in briefing.sections for c in s.claims if not c.check.unsupported]
    fills = [c for c in said if filled(c)]
    assert fills, "the model wrote one claim a section: the rest of each section's room is filled"
    for spec in template.sections:
        assert len(briefing.section(spec.key).claims) <= spec.claims
    for claim in fills:
        assert claim.check.status == "supported" and claim.citations
        assert len(claim.text.split()) <= MAX_WORDS
        quoted = re.sub(r"^According to [^,]+, ", "", claim.text)
        source = " ".join(lib.passage(claim.citations[0].passage_id).text.split())
        assert quoted[1:] in clean_source_text(source) or quoted[1:] in source
    # One fact, one place, fills included.
    assert len({c.text for c in said}) == len(said)
