"""The pure parts of search: reading a question, fusing scores, choosing diverse passages."""

from __future__ import annotations

import numpy as np

from rag.search.acronyms import related_forms
from rag.search.diversity import mmr
from rag.search.fusion import Candidate, fuse
from rag.search.query import normalise, parse


def _forms(question: str) -> list[tuple[str, ...]]:
    return [t.forms for t in parse(question).hard_terms]


def test_figures_codes_and_names_are_hard_terms_and_the_year_is_apart() -> None:
    q = parse("Did Nvidia ship H20 chips under ECCN 3A090 to 12 firms in 2024?")
    exact = {t.forms[0] for t in q.hard_terms if t.exact}
    names = {t.forms[0] for t in q.hard_terms if not t.exact}
    assert exact == {"H20", "3A090", "12"}
    assert {"Nvidia", "ECCN"} <= names and "Did" not in names
    assert q.years == ["2024"]
    assert parse("What changed on 1 January?").years == []


def test_an_acronym_and_its_long_form_find_each_other() -> None:
    assert related_forms("What did BIS add?") == [("BIS", ("Bureau of Industry and Security",))]
    assert related_forms("the bureau of industry and security's list") == [
        ("Bureau of Industry and Security", ("BIS",))
    ]
    assert related_forms("tell us more") == []  # "us" is not the US
    q = parse("What did MOFCOM announce?")
    assert q.phrases == ["Ministry of Commerce"]
    assert ("MOFCOM", "Ministry of Commerce") in _forms("What did MOFCOM announce?")


def test_a_candidate_holding_the_exact_code_outranks_better_keyword_and_dense_scores() -> None:
    q = parse("Which items does 4A090 control?")
    scores = fuse(
        q,
        [
            Candidate("near", bm25=9.0, similarity=0.80, text="Items that 3A090 controls."),
            Candidate("code", bm25=6.0, similarity=0.70, text="4A090 covers computers."),
        ],
    )
    assert scores["code"] > scores["near"]


def test_a_candidate_from_the_question_year_gains() -> None:
    q = parse("entity list additions in 2024")
    alike = dict(bm25=5.0, similarity=0.6, text="Entity list additions.")
    scores = fuse(
        q,
        [
            Candidate("old", published="2023-05-01", **alike),  # type: ignore[arg-type]
            Candidate("dated", published="2024-05-01", **alike),  # type: ignore[arg-type]
            Candidate("mentions", bm25=5.0, similarity=0.6, text="Entity list additions in 2024."),
        ],
    )
    assert scores["dated"] > scores["old"] and scores["mentions"] > scores["old"]


def _unit(v: list[float]) -> np.ndarray:
    a = np.array(v, dtype=np.float32)
    return a / np.linalg.norm(a)


def test_one_long_document_can_fill_most_of_the_top_five_when_it_alone_answers() -> None:
    # Four passages of one rule, each on a different obligation (their vectors differ), and
    # four weakly relevant passages from four other documents.
    rule = {f"rule:{i}": _unit([1.0 if j == i else 0.15 for j in range(8)]) for i in range(4)}
    others = {f"doc{i}:0": _unit([0.1] * 4 + [1.0 if j == i else 0.0 for j in range(4)])
              for i in range(4)}  # fmt: skip
    vectors = {**rule, **others}
    scores = {**{k: 1.5 - 0.05 * n for n, k in enumerate(rule)}, **dict.fromkeys(others, 0.4)}
    ranked = sorted(scores, key=lambda k: -scores[k])
    chosen = mmr(ranked, scores, vectors, 5)
    assert sum(c.startswith("rule:") for c in chosen) >= 3


def test_a_near_copy_gives_way_to_a_passage_that_says_something_new() -> None:
    vectors = {
        "wire:0": _unit([1.0, 0.0, 0.0]),
        "copy:0": _unit([1.0, 0.02, 0.0]),  # the same story in another outlet
        "other:0": _unit([0.3, 1.0, 0.0]),
    }
    scores = {"wire:0": 1.0, "copy:0": 0.98, "other:0": 0.9}
    chosen = mmr(["wire:0", "copy:0", "other:0"], scores, vectors, 2)
    assert chosen == ["wire:0", "other:0"]


def test_british_and_american_spellings_both_reach_keyword_search() -> None:
    assert {"licences", "licenses"} <= set(parse("Who needs licences?").words)
    assert {"defense", "defence"} <= set(parse("defense firms").words)


def test_a_date_in_the_question_is_one_term_in_every_written_form() -> None:
    q = parse("What did BIS announce on March 3, 2026?")
    dates = [t for t in q.hard_terms if t.date]
    assert [t.date for t in dates] == ["2026-03-03"]
    assert not any(t.forms == ("3",) for t in q.hard_terms)  # the day is no figure of its own
    assert q.years == ["2026"]
    assert [t.date for t in parse("rules of 15 September 2025").hard_terms] == ["2025-09-15"]
    assert [t.date for t in parse("the 2025-09-15 rule").hard_terms] == ["2025-09-15"]
    assert all("may" not in t.forms[0] for t in parse("in may 5 cases").hard_terms)
    alike = dict(bm25=5.0, similarity=0.6)
    scores = fuse(
        q,
        [
            Candidate("section 3", text="Section 3 sets out what BIS did.", **alike),  # type: ignore[arg-type]
            Candidate("written", text="On 3 March 2026 BIS added 27 entities.", **alike),  # type: ignore[arg-type]
            Candidate("published", text="BIS today added 27 entities.",
                      published="2026-03-03", **alike),  # type: ignore[arg-type]
        ],
    )  # fmt: skip
    assert scores["written"] > scores["section 3"]
    assert scores["published"] > scores["section 3"]


def test_a_possessive_leaves_the_name_and_no_stray_word() -> None:
    q = parse("What did Corvane's CFO say about the H40L?")
    assert ("Corvane",) in [t.forms for t in q.hard_terms]
    assert "s" not in q.words and "corvane cfo" in q.pairs


def test_a_month_of_a_year_meets_the_documents_published_in_it() -> None:
    q = parse("What did Corvane say in April 2026?")
    (term,) = [t for t in q.hard_terms if t.date]
    assert term.date == "2026-04" and not term.exact
    assert term.found_in(" nothing here ", published="2026-04-17")
    assert not term.found_in(" nothing here ", published="2026-05-01")
    assert term.found_in(normalise("In April 2026, Corvane said ..."))
    assert parse("in may 2026 we may").hard_terms == []  # lowercase "may" is the verb
