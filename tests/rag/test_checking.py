"""The citation checker (rag.checking.checker): hard terms, word overlap, support decisions with the
real embedding model, reattribution, footnote quotes, and accuracy on the labelled set.

Passages come from the demo library (assets/demo/library, fictional documents written for
BriefDesk; facts in assets/demo/FACTS.md), read and chunked the way the app does it.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from rag.checking import checker as checking
from rag.checking.attribution import reported_by, second_hand
from rag.checking.checker import (
    best_quote,
    check_claim,
    hard_terms,
    lexical_support,
    missing_terms,
    supports,
)
from rag.core.types import Locator, Passage
from rag.models.embedding import Embedder
from rag.models.provision import embedding_model_dir
from rag.reading.chunking import chunk_blocks
from rag.reading.readers import read_document

ROOT = Path(__file__).resolve().parents[2]
LIBRARY = ROOT / "assets" / "demo" / "library"
LABELS = ROOT / "tests" / "data" / "support_labels.json"
MERIDIAN = "01_meridian_wire_china_blacklist.txt"
LEDGER = "02_circuit_ledger_beijing_28_firms.html"
ALDGATE = "05_aldgate_policy_brief.pdf"


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    # Provisioned once per machine by the README's test command; tests never download.
    return Embedder(embedding_model_dir())


@pytest.fixture(scope="module")
def library() -> dict[str, list[Passage]]:
    """The demo documents as the app chunks them; passage ids are ``<file name>:<n>``."""
    return {
        path.name: chunk_blocks(path.name, read_document(path).blocks)
        for path in sorted(LIBRARY.iterdir())
    }


def _find(passages: list[Passage], needle: str) -> Passage:
    hits = [p for p in passages if needle in " ".join(p.text.split())]
    assert len(hits) == 1, f"{needle!r} is in {len(hits)} passages"
    return hits[0]


@pytest.fixture(scope="module")
def evidence(
    library: dict[str, list[Passage]], embedder: Embedder
) -> dict[str, tuple[Passage, np.ndarray]]:
    """A section's evidence: four passages from three documents, with their vectors."""
    chosen = [
        _find(library[MERIDIAN], "Corrigan shares fell 5.1 percent"),
        _find(library[LEDGER], "Stratus Peak shares fell 6.2%"),
        _find(library[ALDGATE], "License Exception LVC"),
        _find(library[ALDGATE], "Frontier Output Integrity Compact"),
    ]
    vectors = embedder.embed([p.text for p in chosen])
    return {p.id: (p, v) for p, v in zip(chosen, vectors, strict=True)}


def _pid(evidence: dict[str, tuple[Passage, np.ndarray]], needle: str) -> str:
    return _find([p for p, _ in evidence.values()], needle).id


# --------------------------------------------------------------------------- hard terms


def test_hard_terms_extracts_numbers_with_and_without_separators() -> None:
    terms = hard_terms(
        "Corrigan shares fell 5.1 percent after China listed 31 companies; LVC allows "
        "1,600 units and Qingluan-Coder was downloaded 400,000 times."
    )
    assert {"5.1", "31", "1600", "400000"} <= set(terms)


def test_hard_terms_extracts_control_codes_and_dockets() -> None:
    terms = hard_terms(
        "The rule (docket BIS-2026-0014) covers weights under 4E091 and chips under ECCN 3A090."
    )
    assert {"BIS-2026-0014", "4E091", "3A090"} <= set(terms)
    assert "ECCN" in terms


def test_hard_terms_extracts_names_but_not_sentence_openers_months_or_titles() -> None:
    terms = hard_terms(
        "Larkspur filed its disclosure with the Commerce Department in February. "
        "Three labs, among them Northwind Intelligence and Oriel Systems, formed a compact "
        "on Tuesday, the company's Chief Executive said in May."
    )
    assert {"Commerce", "Northwind", "Intelligence", "Oriel", "Systems"} <= set(terms)
    for not_a_name in ("Larkspur", "Three", "February", "May", "Tuesday", "Department", "Chief"):
        assert not_a_name not in terms


def test_hard_terms_keeps_a_sentence_initial_acronym() -> None:
    assert "MOFCOM" in hard_terms("MOFCOM named 31 companies.")


def test_a_word_opening_a_quoted_sentence_is_not_taken_for_a_name() -> None:
    assert hard_terms("“Export licences will be denied,” the notice said.") == []
    assert hard_terms('"Export licences will be denied," the notice said.') == []


def test_straight_and_curly_quotes_compare_alike() -> None:
    claim = "The notice called the chips “advanced computing items” on 3 March."
    cited = 'On 3 March the notice called the chips "advanced computing items".'
    assert missing_terms(claim, cited) == []
    assert lexical_support(claim, cited) == lexical_support(claim, cited.replace('"', "”"))
    assert "advanced computing items" in best_quote(claim, cited)


def test_hard_terms_of_a_claim_without_any() -> None:
    assert hard_terms("the rule took effect some weeks later.") == []
    # A count written in words is a number like any other.
    assert hard_terms("the rule took effect three weeks later.") == ["3"]


# --------------------------------------------------------------------------- missing terms


def test_missing_terms_reports_the_wrong_number() -> None:
    passage = "China has placed 28 American companies on its unreliable entity list."
    assert missing_terms("China placed 31 American companies on the list.", passage) == ["31"]
    assert missing_terms("China placed 28 American companies on the list.", passage) == []


def test_missing_terms_matches_whole_numbers_only() -> None:
    assert missing_terms("Talks resumed in 28 cities.", "Talks resume in 2028.") == ["28"]
    assert missing_terms("The figure was 160.", "up to 1,600 units") == ["160"]


def test_missing_terms_reports_a_wrong_docket() -> None:
    missing = missing_terms(
        "The rule was published under docket BIS-2026-0041.",
        "an interim final rule (docket BIS-2026-0014)",
    )
    assert "BIS-2026-0041" in missing


def test_missing_terms_tolerates_pdf_line_breaks() -> None:
    # pypdf wraps lines inside names and dates (FACTS.md, reader notes).
    passage = "It placed 28 U.S. companies on the list, including Larkspur AI, Stratus\nPeak and\n"
    passage += "Corrigan Semiconductor. The rule took effect on 16 March\n2026."
    claim = "Stratus Peak and Corrigan Semiconductor were among 28 U.S. companies listed."
    assert missing_terms(claim, passage) == []
    assert missing_terms("It took effect on 16 March 2026.", passage) == []


def test_missing_terms_tolerates_thousands_separators() -> None:
    assert missing_terms("It allows 1600 units a year.", "up to 1,600 units of 3A090.a") == []
    assert missing_terms("It allows 1,600 units a year.", "up to 1600 units of 3A090.a") == []
    assert missing_terms("It was downloaded 400,000 times.", "more than 400,000 times") == []


def test_missing_terms_tolerates_possessives_and_apostrophes() -> None:
    passage = "The first two models designated are Larkspur's Kestrel 5 and Kestrel Sentinel."
    assert missing_terms("Larkspur designed Kestrel Sentinel.", passage) == []
    assert missing_terms("It named Larkspur’s Kestrel 5.", passage) == []
    assert missing_terms("Only Larkspur's models were named.", "models built by Larkspur") == []


def test_missing_terms_is_case_insensitive() -> None:
    assert missing_terms("ALDGATE says so.", "Aldgate Institute") == []
    assert missing_terms("It is on the Unreliable Entity List.", "its unreliable entity list") == []


def test_missing_terms_does_not_find_a_number_inside_a_decimal() -> None:
    # "4" is not in "4.4%", and "2" is not in "6.2%".
    assert missing_terms("Corrigan lost 4 percent.", "Corrigan Semiconductor lost 4.4%.") == ["4"]
    assert missing_terms("Its shares fell 2 percent.", "Its shares fell 6.2%.") == ["2"]
    assert missing_terms("It fell 6.2%.", "Stratus Peak shares fell 6.2% on Friday.") == []


def test_missing_terms_reads_a_number_unit_compound_as_its_number() -> None:
    # "72-hour" and "72-billion-parameter" are numbers with units, not control codes.
    passage = (
        "Members notify one another within 72 hours; Qingluan-Coder has 72 billion parameters."
    )
    assert missing_terms("Members must give 72-hour notice.", passage) == []
    assert missing_terms("Qingluan-Coder is a 72-billion-parameter model.", passage) == []
    assert missing_terms("Members must give 48-hour notice.", passage) == ["48"]
    assert "Hoshi-2" in hard_terms("Mirai Forge released Hoshi-2.")


def test_missing_terms_reads_ordinals_as_numbers() -> None:
    passage = "The rule took effect on 16 March 2026."
    assert missing_terms("The rule took effect on March 16th.", passage) == []
    assert missing_terms("The rule took effect on March 15th.", passage) == ["March 15th"]
    assert missing_terms("It was the 3rd rule this year.", "the 3 rules") == []


def test_missing_terms_checks_the_month_of_a_date() -> None:
    passage = "The rule took effect on March 16. Comments are due by May 1."
    assert missing_terms("The rule took effect on 16 March.", passage) == []
    assert missing_terms("The rule took effect on Mar. 16, 2026.", passage + " 2026") == []
    assert missing_terms("The rule took effect on May 16.", passage) == ["May 16"]
    assert missing_terms("Comments are due by 1 March.", passage) == ["1 March"]
    # A wrong day is reported once, as the date; the year stays a number of its own.
    assert missing_terms("It took effect on 15 March 2026.", passage) == ["15 March", "2026"]
    assert "March" not in hard_terms("It took effect in March 2026.")


# --------------------------------------------------------------------------- lexical support


def test_lexical_support_is_the_share_of_the_claims_content_words_in_the_text() -> None:
    passage = "Corrigan shares fell 5.1 percent in pre-market trading in New York."
    assert lexical_support("Corrigan shares fell in New York trading.", passage) == 1.0
    # corrigan, shar(es), fell are in the passage; sharp(ly) is not.
    assert lexical_support("Corrigan shares fell sharply.", passage) == pytest.approx(0.75)
    assert lexical_support("Beijing retaliated with minerals.", passage) == 0.0


def test_lexical_support_ignores_stop_words_and_inflection() -> None:
    assert lexical_support("The models were designated.", "BIS designates two models") == 1.0
    assert lexical_support("it is what it was", "anything at all") == 0.0
    assert lexical_support("", "anything") == 0.0


def test_supports_needs_all_hard_terms_and_the_claims_words() -> None:
    lexical, floor = checking.LEXICAL_MIN, checking.SEMANTIC_FLOOR
    assert supports(lexical, floor, [])
    # Close in meaning is not enough: a forecast or consequence in the model's own words.
    assert not supports(lexical - 0.01, 1.0, [])
    assert not supports(1.0, floor - 0.01, [])
    assert not supports(1.0, 1.0, ["31"])


# --------------------------------------------------------------------------- check_claim


def test_a_faithful_claim_stays_supported(
    embedder: Embedder, evidence: dict[str, tuple[Passage, np.ndarray]]
) -> None:
    claim = "Corrigan shares fell 5.1 percent in pre-market trading in New York."
    cited = _pid(evidence, "Corrigan shares fell 5.1 percent")
    result = check_claim(claim, embedder.embed_one(claim), [cited], evidence)
    assert result.check.status == "supported"
    assert result.passage_ids == [cited]
    assert result.check.missing_terms == []
    assert result.check.lexical >= checking.LEXICAL_MIN


def test_a_claim_with_a_wrong_number_is_unsupported(
    embedder: Embedder, evidence: dict[str, tuple[Passage, np.ndarray]]
) -> None:
    claim = "Corrigan shares fell 7.5 percent in pre-market trading in New York."
    cited = _pid(evidence, "Corrigan shares fell 5.1 percent")
    result = check_claim(claim, embedder.embed_one(claim), [cited], evidence)
    assert result.check.status == "unsupported"
    assert "7.5" in result.check.missing_terms
    assert any("7.5" in reason for reason in result.check.reasons)
    assert result.passage_ids == [cited]


def test_a_claim_citing_the_wrong_passage_is_reattributed(
    embedder: Embedder, evidence: dict[str, tuple[Passage, np.ndarray]]
) -> None:
    claim = (
        "License Exception LVC allows exports of up to 1,600 units of 3A090.a chips per end "
        "user per calendar year."
    )
    wrong = _pid(evidence, "Corrigan shares fell 5.1 percent")
    right = _pid(evidence, "License Exception LVC")
    result = check_claim(claim, embedder.embed_one(claim), [wrong], evidence)
    assert result.check.status == "reattributed"
    assert result.passage_ids == [right]
    assert evidence[right][0].locator.page == 3
    assert "1600" in result.check.missing_terms  # what the wrongly cited passage lacked


def test_a_claim_citing_nothing_is_attributed_to_the_supporting_passage(
    embedder: Embedder, evidence: dict[str, tuple[Passage, np.ndarray]]
) -> None:
    claim = "Stratus Peak shares fell 6.2% on Friday in New York."
    result = check_claim(claim, embedder.embed_one(claim), [], evidence)
    assert result.check.status == "reattributed"
    assert result.passage_ids == [_pid(evidence, "Stratus Peak shares fell 6.2%")]
    assert "cites no passage" in result.check.reasons


def test_an_unrelated_co_cited_passage_is_dropped(
    embedder: Embedder, evidence: dict[str, tuple[Passage, np.ndarray]]
) -> None:
    claim = "Corrigan shares fell 5.1 percent in pre-market trading in New York."
    right = _pid(evidence, "Corrigan shares fell 5.1 percent")
    unrelated = _pid(evidence, "Frontier Output Integrity Compact")
    result = check_claim(claim, embedder.embed_one(claim), [right, unrelated], evidence)
    assert result.check.status == "supported"
    assert result.passage_ids == [right]


def test_a_claim_no_passage_supports_stays_unsupported(
    embedder: Embedder, evidence: dict[str, tuple[Passage, np.ndarray]]
) -> None:
    claim = "The European Union joined the controls on 9 April."
    cited = _pid(evidence, "License Exception LVC")
    result = check_claim(claim, embedder.embed_one(claim), [cited], evidence)
    assert result.check.status == "unsupported"
    assert result.passage_ids == [cited]
    assert {"European", "Union"} <= set(result.check.missing_terms)


# --------------------------------------------------------------------------- best_quote


def test_best_quote_picks_the_sentence_holding_the_claims_numbers(
    library: dict[str, list[Passage]],
) -> None:
    page3 = _find(library[ALDGATE], "License Exception LVC").text
    quote = best_quote("Exporters must file a report within 30 days of each shipment.", page3)
    assert quote.startswith("A new License Exception LVC")
    assert "within 30 days of each shipment" in quote
    quote = best_quote("BIS added 14 entities to its list.", page3)
    assert quote.startswith("In a companion action on 2 March, BIS added 14 entities")
    assert "LVC" not in quote


def test_best_quote_does_not_take_a_number_inside_another_for_the_claims() -> None:
    # The claim's "2" is in the third sentence, not in the first one's "6.2".
    passage = (
        "Shares fell 6.2 percent. Volumes were light. "
        "Corrigan's shares slipped by 2 percent on Friday."
    )
    quote = best_quote("Corrigan shares fell 2 percent.", passage)
    assert quote == "Corrigan's shares slipped by 2 percent on Friday."


def test_best_quote_is_cut_to_the_limit_on_a_word_boundary() -> None:
    passage = "word " * 100
    quote = best_quote("word", passage.strip(), limit=40)
    assert len(quote) <= 40
    assert quote.endswith("…")
    assert not quote[:-1].endswith(" ")


# --------------------------------------------------------------------------- labelled set


def _labels() -> list[dict]:
    return json.loads(LABELS.read_text(encoding="utf-8"))


def test_labelled_set_is_balanced_and_quotes_the_demo_documents(
    library: dict[str, list[Passage]],
) -> None:
    """Items quote the demo documents, except those written for the checker's holes (source
    "invented": one-sentence facts the demo documents do not have, such as a country swap)."""
    items = _labels()
    assert 100 <= len(items) <= 140
    supported = sum(item["label"] == "supported" for item in items)
    assert 0.4 <= supported / len(items) <= 0.6
    texts = {
        name: " ".join("\n".join(p.text for p in passages).split())
        for name, passages in library.items()
    }
    for item in items:
        assert set(item) >= {"claim", "passage", "label", "why", "source"}
        assert item["label"] in {"supported", "unsupported"}
        assert 300 <= len(item["passage"]) <= 1000
        if item["source"] != "invented":
            assert " ".join(item["passage"].split()) in texts[item["source"]], item["claim"]
    assert sum(item["source"] == "invented" for item in items) <= 0.4 * len(items)


def test_checker_accuracy_on_the_labelled_set(embedder: Embedder) -> None:
    """With the constants in rag/checking/checker.py (see bench/calibrate_support.py).

    Measured 0.917 (122 of 133) when this bound was set; 0.692 before the clause checks of
    rag/checking/statements.py (the original 86 demo items: 0.849 -> 0.884). What is left:
    an opinion stated as fact, or a contradiction in other words than the source's, repeats
    the passage's words (docs/evaluation.md); catching those needs an entailment judgement,
    not a looser threshold."""
    items = _labels()
    wrong = []
    for item in items:
        claim, passage = item["claim"], item["passage"]
        semantic = float(np.dot(embedder.embed_one(claim), embedder.embed_one(passage)))
        verdict = supports(lexical_support(claim, passage), semantic, missing_terms(claim, passage))
        if verdict != (item["label"] == "supported"):
            wrong.append(f"[{item['label']}] {claim}")
    accuracy = 1 - len(wrong) / len(items)
    assert accuracy >= 0.90, f"accuracy {accuracy:.3f}; misclassified:\n" + "\n".join(wrong)


def test_a_heading_is_not_a_claim_but_a_name_heavy_sentence_is() -> None:
    from rag.checking.checker import looks_like_heading

    assert looks_like_heading("The March 2026 Frontier AI Export Rule")
    assert looks_like_heading("Beijing Blacklists 28 American Firms")
    assert not looks_like_heading("Larkspur AI and Stratus Peak were listed by MOFCOM on 20 March")
    assert not looks_like_heading("The March 2026 Frontier AI Export Rule took effect.")
    # A section title in sentence case, as the small model lifted it from the demo's PDF.
    assert looks_like_heading("The rule and its scope")
    assert not looks_like_heading("The rule and its scope changed.")
    assert not looks_like_heading("MOFCOM listed 31 firms")  # a figure: a statement


# --------------------------------------------------------------------------- what a clause states
# Sentences invented for these tests, in the domain; each pair differs in one way a reader
# would call a different fact while sharing (nearly) every word.

PERMITS = (
    "Malaysia imposed a permit requirement on exports of advanced AI accelerators on Monday. "
    "Vietnam said it would study the measure but has not announced any rule of its own. "
    "Officials in Kuala Lumpur did not say how long licence reviews would take."
)


def test_a_dropped_or_added_negation_is_not_supported() -> None:
    assert missing_terms("Vietnam has not announced a rule of its own.", PERMITS) == []
    assert any(
        "negation" in m for m in missing_terms("Vietnam has announced a rule of its own.", PERMITS)
    )
    banned = "The ministry banned sales of the Vireo chips to Russian buyers."
    assert (
        missing_terms("The ministry banned sales of Vireo chips to Russian buyers.", banned) == []
    )
    assert any(
        "negation" in m
        for m in missing_terms("The ministry did not ban sales of Vireo chips.", banned)
    )


def test_a_negation_paraphrased_stays_supported() -> None:
    """Negative facts said another way are not taken for a dropped negation."""
    may_not = "The ministry said listed companies may not import goods from China."
    assert (
        missing_terms("Listed companies are barred from importing goods from China.", may_not) == []
    )
    assert missing_terms("Listed companies may import goods from China.", may_not)
    none_yet = "BIS says other models may be designated later; none has been so far."
    assert missing_terms("No other models have been designated so far.", none_yet) == []
    assert missing_terms("BIS says other models can be designated later.", none_yet) == []
    rejected = (
        "Claims that Larkspur withdrew its models voluntarily are wrong: the company has said "
        "it will apply for licences."
    )
    assert missing_terms("Larkspur did not withdraw its models voluntarily.", rejected) == []
    assert missing_terms("Larkspur has said it will apply for licences.", rejected) == []
    assert any(
        "rejects" in m for m in missing_terms("Larkspur withdrew its models voluntarily.", rejected)
    )


def test_a_plan_or_a_possibility_is_not_an_event() -> None:
    planned = "Japan's trade ministry plans to impose identity checks on cloud customers."
    assert missing_terms("Japan plans to impose identity checks on cloud customers.", planned) == []
    for claim in (
        "Japan imposed identity checks on cloud customers.",
        "Japan's trade ministry imposed identity checks on cloud customers.",
    ):
        assert any("modality" in m for m in missing_terms(claim, planned)), claim
    imposed = "Japan imposed identity checks on cloud customers on Tuesday."
    assert any(
        "modality" in m
        for m in missing_terms("Japan may impose identity checks on cloud customers.", imposed)
    )
    may = "The rule may take effect in October after a comment period."
    assert any("modality" in m for m in missing_terms("The rule took effect in October.", may))
    # "May" the month is not a hedge.
    assert missing_terms("The rule took effect on 1 May.", "The rule took effect on 1 May.") == []


def test_a_forecast_is_not_told_as_done() -> None:
    forecast = (
        "South Korea will announce controls on high-bandwidth memory exports before the end "
        "of 2026, but they will be narrower than the American test."
    )
    told = "South Korea announced controls on high-bandwidth memory exports before the end of 2026."
    assert any("tense" in m for m in missing_terms(told, forecast))
    # Kept in the future, or from a source that reports it done, it stands.
    kept = "South Korea will announce controls on high-bandwidth memory exports."
    assert not [m for m in missing_terms(kept, forecast) if "tense" in m]
    done = "South Korea announced controls on high-bandwidth memory exports on Monday."
    assert not [m for m in missing_terms(told, done) if "tense" in m]


def test_proposed_is_not_final_and_denied_is_not_confirmed() -> None:
    proposed = "The ministry published a proposed rule on cloud identity checks on Tuesday."
    assert (
        missing_terms("The ministry published a proposed rule on identity checks.", proposed) == []
    )
    assert missing_terms("The ministry published a final rule on identity checks.", proposed)
    denied = "Kaito Cloud denied reports that it had suspended service to customers in Hong Kong."
    assert (
        missing_terms("Kaito Cloud denied that it had suspended service in Hong Kong.", denied)
        == []
    )
    assert missing_terms(
        "Kaito Cloud confirmed that it had suspended service in Hong Kong.", denied
    )


def test_the_actor_opening_a_claim_must_be_the_actor_of_its_sentence() -> None:
    # Vietnam is in the passage, but not in the sentence that states the permit rule.
    assert (
        missing_terms("Malaysia imposed a permit requirement on AI accelerator exports.", PERMITS)
        == []
    )
    wrong = missing_terms(
        "Vietnam imposed a permit requirement on AI accelerator exports.", PERMITS
    )
    assert any("Vietnam" in m and "actor" in m for m in wrong), wrong
    orders = (
        "The European Commission ordered Aldermoor Systems to suspend sales of its Vireo chips. "
        "In a separate move, Halcyon Labs withdrew its open-weight model Lumen-7."
    )
    assert missing_terms("Halcyon Labs ordered Aldermoor Systems to suspend Vireo sales.", orders)
    # A pronoun carries the actor of the sentence before; an acronym its spelled-out name.
    carried = (
        "The Bureau of Industry and Security added 14 entities to the Entity List on 16 March. "
        "On 23 March it published guidance on License Exception LVC."
    )
    assert missing_terms("BIS published guidance on License Exception LVC.", carried) == []


def test_what_only_appears_so_is_not_stated_as_done() -> None:
    appeared = (
        "Lumen Labs said that a model released by Kestrel Systems appeared to have been "
        "trained on outputs of Lumen-4."
    )
    assert any(
        "modality" in m
        for m in missing_terms(
            "Lumen Labs said a Kestrel Systems model was trained on outputs of Lumen-4.", appeared
        )
    )
    hedged = "Lumen Labs said a Kestrel Systems model appeared to have been trained on Lumen-4."
    assert not [m for m in missing_terms(hedged, appeared) if "modality" in m]


def test_the_doer_of_a_passive_deed_is_not_given_to_another() -> None:
    """The sentence's "a model released by Kestrel Systems": the speaker did not release it,
    and "a Chinese developer" beside a Chinese company's deed is not that company."""
    released = (
        "Lumen Labs said on Friday that a new model released by China's Kestrel Systems was "
        "trained on outputs of Lumen-4."
    )
    for wrong in (
        "Lumen Labs released a new model trained on outputs of Lumen-4.",
        "Lumen Labs is a Chinese developer that released a new model trained on outputs of "
        "Lumen-4.",
    ):
        problems = missing_terms(wrong, released)
        assert any(m.startswith("Lumen Labs is not the actor") for m in problems), problems
    for right in (
        "Kestrel Systems released a new model trained on outputs of Lumen-4.",
        "Lumen Labs said Kestrel Systems released a new model trained on outputs of Lumen-4.",
        "Lumen Labs said a new model released by Kestrel Systems was trained on Lumen-4.",
        "The company released a new model trained on outputs of Lumen-4.",
    ):
        assert not [m for m in missing_terms(right, released) if "actor" in m], right
    # An acronym is its spelled-out doer; a date after "by" is no doer.
    issued = "The rule, issued by the Bureau of Industry and Security on 2 March, adds 27 entities."
    assert not [m for m in missing_terms("BIS issued the rule on 2 March.", issued) if "actor" in m]
    assert [m for m in missing_terms("MOFCOM issued the rule on 2 March.", issued) if "actor" in m]
    fell = "Exports to Malaysia fell by March 2026 to half their level."
    assert not [m for m in missing_terms("Exports to Malaysia fell.", fell) if "actor" in m]


def test_a_country_named_in_the_object_is_not_the_actor() -> None:
    """The sentence names China, as where the companies are: China did not add them."""
    listed = (
        "The United States on Tuesday added 31 companies in China and Singapore to its trade "
        "blacklist, accusing them of diverting advanced American AI chips."
    )
    wrong = missing_terms("China added 31 companies to its trade blacklist.", listed)
    assert any("actor" in m for m in wrong), wrong
    assert missing_terms("Washington added 31 companies to its trade blacklist.", listed) == []
    retaliation = "China added 18 U.S. companies to its unreliable entity list on Thursday."
    assert (
        missing_terms("Beijing added 18 U.S. companies to its unreliable entity list.", retaliation)
        == []
    )


def test_a_denial_negates_what_it_denies() -> None:
    denial = (
        "Britain's trade department denied that it had granted a licence to Orrin Analytics "
        "for the export of model weights."
    )
    assert any(
        "negation" in m
        for m in missing_terms(
            "Britain's trade department granted Orrin Analytics a licence.", denial
        )
    )
    assert missing_terms("Britain denied granting a licence to Orrin Analytics.", denial) == []


def test_a_sentence_opening_with_a_country_does_not_borrow_the_actor_before() -> None:
    text = (
        "Britain denied that it had granted a licence to Orrin Analytics. "
        "The Netherlands, meanwhile, confirmed that it had revoked two licences for lithography "
        "tools. The ministry said both licences had been issued in 2025."
    )
    assert missing_terms("The Netherlands revoked two licences for lithography tools.", text) == []
    assert missing_terms("Britain revoked two licences for lithography tools.", text)
    # "The ministry..." is a description: its actor is named in the sentence before.
    assert missing_terms("The Netherlands had issued both licences in 2025.", text) == []


def test_a_country_the_sentence_does_not_name_is_a_swap() -> None:
    text = (
        "Kaito Cloud denied reports that it had suspended service to customers in Hong Kong. "
        "South Korea's trade ministry is drafting similar guidance."
    )
    assert missing_terms("Kaito Cloud denied suspending service in Hong Kong.", text) == []
    swapped = missing_terms("Kaito Cloud denied suspending service in South Korea.", text)
    assert any("south korea" in m for m in swapped), swapped
    # A country named by its adjective or its capital is the same country.
    assert missing_terms("Malaysian officials imposed a permit requirement.", PERMITS) == []
    assert missing_terms("Beijing listed 28 firms.", "China listed 28 firms on Friday.") == []


def test_each_clause_must_be_stated_by_one_sentence_with_its_own_actor() -> None:
    orders = (
        "The European Commission ordered Aldermoor Systems to suspend sales of its Vireo chips "
        "to buyers in Russia. In a separate move, Halcyon Labs withdrew its open-weight model "
        "Lumen-7 from a public repository."
    )
    both = (
        "The European Commission ordered Aldermoor Systems to suspend Vireo chip sales to "
        "Russia, and Halcyon Labs withdrew its Lumen-7 model from a public repository."
    )
    assert missing_terms(both, orders) == []
    merged = (
        "The European Commission ordered Aldermoor Systems to suspend Vireo chip sales to "
        "Russia and withdrew the Lumen-7 model from a public repository."
    )
    assert any("actor" in m for m in missing_terms(merged, orders))
    # A list inside the actor is not two clauses.
    rivals = "Rivals in Tokyo and Hangzhou offer models outside the rule."
    assert (
        missing_terms(rivals, "Rivals in Tokyo and Hangzhou offer models outside the rule.") == []
    )


def test_a_phrase_the_cited_text_says_nothing_of_fails_the_claim() -> None:
    """The rest of the claim carries the word overlap past the threshold; the appended
    phrase is judged on its own."""
    rule = (
        "The Chinese listing answers an interim final rule published on March 2, 2026 by the "
        "Bureau of Industry and Security (BIS) that requires licences for advanced chips."
    )
    stated = (
        "The Chinese listing answers an interim final rule published on March 2 by BIS "
        "that requires licences for advanced chips."
    )
    assert missing_terms(stated, rule) == []
    added = stated.removesuffix(".") + ", affecting supply chains and markets."
    assert lexical_support(added, rule) >= checking.LEXICAL_MIN  # overlap alone passes it
    assert missing_terms(added, rule) == [
        "the cited text says nothing of: affecting supply chains and markets"
    ]
    # One word of the phrase in the text is a paraphrase, not an addition; a date or a
    # one-word aside is left to the other checks.
    assert (
        missing_terms(stated.removesuffix(".") + ", covering advanced semiconductors.", rule) == []
    )
    assert missing_terms("On Monday, " + stated[0].lower() + stated[1:], rule) == []
    assert (
        missing_terms(
            "2026-03-02 — BIS published an interim final rule that requires licences for "
            "advanced chips.",
            rule,
        )
        == []
    )


def test_counts_in_words_and_digits_compare_both_ways() -> None:
    digits = "BIS added 14 entities in 4 countries to the Entity List."
    words = "BIS added fourteen entities in four countries to the Entity List."
    assert missing_terms(words, digits) == []
    assert missing_terms(digits, words) == []
    assert missing_terms("BIS added fourteen entities in five countries.", digits) == ["5"]
    assert missing_terms("BIS added 14 entities in 5 countries.", words) == ["5"]
    assert missing_terms("The rule covers 31 product lines.", "It covers thirty-one lines.") == []
    assert missing_terms("The rule covers twenty-one product lines.", "It covers 31 lines.")


def test_a_timeline_entrys_iso_date_is_compared_as_a_date() -> None:
    passage = "BIS added 14 entities to the Entity List on 16 March 2026."
    assert missing_terms("2026-03-16 — BIS added 14 entities to the Entity List.", passage) == []
    us_style = "BIS added 14 entities to the Entity List on March 16, 2026."
    assert missing_terms("2026-03-16 — BIS added 14 entities to the Entity List.", us_style) == []
    assert missing_terms("2026-03-18 — BIS added 14 entities.", passage) == ["18 March"]
    assert missing_terms("2025-03-16 — BIS added 14 entities.", passage) == ["2025"]


def test_a_gap_claim_needs_a_sentence_that_says_it_is_not_known() -> None:
    gap = "The sources do not establish how long Malaysian licence reviews will take."
    assert missing_terms(gap, PERMITS) == []
    assert lexical_support(gap, PERMITS) >= checking.LEXICAL_MIN  # judged on what is missing
    stated = "The library does not establish whether Malaysia imposed a permit requirement."
    assert any("not known" in m for m in missing_terms(stated, PERMITS))
    assert any(
        "negation" in m
        for m in missing_terms("Malaysia has not imposed a permit requirement.", PERMITS)
    )


def test_the_new_checks_through_check_claim_with_single_sentences(embedder: Embedder) -> None:
    """As the drafting engine calls it: one-sentence passages with their real vectors."""
    sentences = [
        "Malaysia imposed a permit requirement on exports of advanced AI accelerators.",
        "Vietnam said it would study the measure but has not announced any rule of its own.",
        "Japan's trade ministry published a proposed rule requiring cloud providers to verify "
        "the identity of foreign customers.",
    ]
    passages = [Passage(f"s:{i}", "s", i, text, Locator()) for i, text in enumerate(sentences)]
    vectors = embedder.embed(sentences)
    evidence = {p.id: (p, v) for p, v in zip(passages, vectors, strict=True)}

    def check(claim: str, cited: list[str]) -> tuple[str, list[str]]:
        result = check_claim(claim, embedder.embed_one(claim), cited, evidence)
        return result.check.status, result.passage_ids

    claim = "Malaysia imposed a permit requirement on exports of advanced AI accelerators."
    assert check(claim, ["s:0"]) == ("supported", ["s:0"])
    # The same words with the neighbour's country: no sentence states it.
    swapped = "Vietnam imposed a permit requirement on exports of advanced AI accelerators."
    assert check(swapped, ["s:0", "s:1"])[0] == "unsupported"
    assert check("Vietnam has announced a rule of its own.", ["s:1"])[0] == "unsupported"
    dropped = "Vietnam has announced a rule of its own."
    result = check_claim(dropped, embedder.embed_one(dropped), ["s:1"], evidence)
    assert any(r.startswith("negation") for r in result.check.reasons), result.check.reasons
    assert check("Vietnam has not announced a rule of its own.", ["s:1"])[0] == "supported"
    final = (
        "Japan's trade ministry published a final rule requiring cloud providers to verify the "
        "identity of foreign customers."
    )
    assert check(final, ["s:2"])[0] == "unsupported"
    # Cited wrongly but true: moved to the sentence that states it.
    assert check(claim, ["s:1"]) == ("reattributed", ["s:0"])


def test_a_view_is_not_given_to_another_group_than_the_one_that_holds_it() -> None:
    """The sentence before speaks of the lab's supporters, so every word of the swapped claim
    is in the passage; the view is the critics'."""
    passage = (
        "The lab's supporters say the ban protects years of research. "
        "Critics say the ban will be hard to enforce because outputs can be collected through "
        "third parties."
    )
    swapped = missing_terms(
        "The lab's supporters argue that the ban will be hard to enforce because outputs can be "
        "collected through third parties.",
        passage,
    )
    assert any(m.startswith("holder:") and "critic" in m for m in swapped), swapped
    for right in (
        "Critics say the ban will be hard to enforce because outputs can be collected through "
        "third parties.",
        "Critics argue that the ban will be hard to enforce since outputs can be collected "
        "through third parties.",
    ):
        assert not [m for m in missing_terms(right, passage) if m.startswith("holder:")], right
    # A view two groups hold may be given to either; "according to" names a holder too.
    both = "Officials and analysts said the controls would slow China's chip industry."
    assert not [
        m
        for m in missing_terms("Analysts said the controls would slow China's chip industry.", both)
        if m.startswith("holder:")
    ]
    according = "The controls would slow China's chip industry, according to analysts."
    assert [
        m
        for m in missing_terms(
            "Officials said the controls would slow China's chip industry.", according
        )
        if m.startswith("holder:")
    ]


def test_a_view_its_document_holds_is_not_given_to_a_role_the_passage_never_names() -> None:
    """A think tank's numbered finding, told as an executive's belief (seen on the test
    split): every other word is the sentence's."""
    finding = "Third, the distillation ban addresses a real problem but will be hard to enforce."

    def holder(claim: str, text: str) -> list[str]:
        return [m for m in missing_terms(claim, text) if m.startswith("holder:")]

    assert holder(
        "One executive believes the distillation ban addresses a real problem but will be "
        "hard to enforce.",
        finding,
    )
    assert holder("Critics argue the ban will be porous.", "The ban will be porous.")
    # A role word used of a thing, or as the object, holds nothing.
    assert not holder("The executive order says chips need a licence.", "Chips need a licence.")
    assert not holder("Official statistics estimate output at 5 million.", "Output is 5 million.")
    assert not holder("The ministry told investors it expects growth.", "Growth will come.")
    # The role is the sentence's own, or the sentence names whose view it is.
    assert not holder(
        "Nvidia's chief executive thinks the ban will fail.",
        "Nvidia chief Jensen Huang thinks the ban will fail.",
    )
    assert not holder(
        "Executives fear the rule will cut sales.",
        "Executives at three chipmakers fear the rule will cut sales.",
    )
    assert not holder(
        "Officials expect the rule to take effect in May.",
        "The ministry said it expects the rule to take effect in May.",
    )
    assert not holder(
        "One executive said the company no longer plans for any licences.",
        "Chief Financial Officer Arjun Mehra has said that the company no longer plans for "
        "any licences.",
    )


def test_a_body_named_by_another_kind_is_another_body() -> None:
    """The U.S. Commerce Department is not China's Ministry of Commerce, though every word
    but the kind of body is in the sentence."""
    said = (
        "The Ministry of Commerce said the companies, which include Corvane Semiconductor, had "
        '"cooperated with" US export controls.'
    )
    swapped = missing_terms(
        "The Commerce Department said the companies, which include Corvane Semiconductor, had "
        "“cooperated with” US export controls.",
        said,
    )
    assert "Department of Commerce" in swapped, swapped
    for same in (
        "The Commerce Ministry said the companies, which include Corvane Semiconductor, had "
        "“cooperated with” US export controls.",
        "The Ministry of Commerce said the companies, which include Corvane Semiconductor, had "
        "“cooperated with” US export controls.",
    ):
        assert not [m for m in missing_terms(same, said) if "Commerce" in m], same
    # The same body in either order.
    assert (
        missing_terms(
            "The Department of Commerce added 27 entities.",
            "The U.S. Commerce Department added 27 entities.",
        )
        == []
    )


def test_a_co_cited_passage_on_another_event_is_not_kept_as_a_footnote(embedder: Embedder) -> None:
    """The model cited a second fact of the same week and topic; only the one that states
    the claim stays a citation, so its footnote points where it should."""
    texts = {
        "rule": "On 2 March 2026 the Bureau of Industry and Security (BIS) published an interim "
        "final rule titled 'Controls on Frontier AI Model Access' (docket BIS-2026-0014).",
        "compact": "On 24 March 2026 Larkspur AI, Northwind Intelligence and Oriel Systems "
        "announced the Frontier Output Integrity Compact, a private agreement.",
        "date": "The rule was published on 2 March 2026.",
    }
    evidence = {
        k: (Passage(k, k, 0, t, Locator(page=1)), embedder.embed_one(t)) for k, t in texts.items()
    }
    claim = (
        "On March 2, 2026, BIS published an interim final rule titled 'Controls on Frontier AI "
        "Model Access' (docket BIS-2026-0014)."
    )
    result = checking.check_claim(claim, embedder.embed_one(claim), ["rule", "compact"], evidence)
    assert result.check.status == "supported"
    assert result.passage_ids == ["rule"]
    # A passage that alone holds one of the claim's figures stays, however little else it says.
    dated = "BIS published an interim final rule on frontier AI model access on 2 March 2026."
    kept = checking._bearing(dated, embedder.embed_one(dated), ["rule", "compact", "date"], {
        "rule": (Passage("rule", "r", 0, "BIS published an interim final rule on frontier AI "
                         "model access.", Locator(page=1)), embedder.embed_one(texts["rule"])),
        "compact": evidence["compact"],
        "date": (Passage("date", "d", 0, "Comments were due within weeks of 2 March 2026.",
                         Locator(page=1)), embedder.embed_one("Comments were due within weeks.")),
    })  # fmt: skip
    assert kept == ["rule", "date"]


def test_whom_a_sentence_has_its_content_from() -> None:
    assert reported_by("Output will reach 120,000 a month, according to Chinese state media.") == (
        "Chinese state media"
    )
    assert reported_by("According to customs data, exports fell 20% in May.") == "customs data"
    # A party named by a description is most often the document's own publisher, whom the
    # claim names better; a sentence without the phrase names none.
    assert reported_by("According to the report, exports fell.") == ""
    assert reported_by("Exports fell, according to the ministry.") == ""
    assert reported_by("Exports fell, according to the Financial Times.") == "the Financial Times"
    assert reported_by("Exports fell, according to a statement.") == ""
    # A name cut at an abbreviation's full stop is no name; a decimal point is no full stop.
    assert reported_by("Exports fell, according to the U.S. Commerce Department.") == ""
    assert reported_by("x, according to Section 744.23 of the rule.") == (
        "Section 744.23 of the rule"
    )
    assert second_hand("EU", ["Output will rise, according to Reuters."]) == "Reuters"
    assert reported_by("Exports fell sharply in May.") == ""
    state_media = "Output will rise, according to state media."
    assert second_hand("Example Institute", [state_media]) == "state media"
    assert second_hand("Example Institute", [state_media, "Output will rise."]) == ""
    assert second_hand("Reuters", ["Output will rise, according to Reuters."]) == ""
