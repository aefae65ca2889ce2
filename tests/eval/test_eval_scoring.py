"""The evaluation's scoring rules (eval/scoring.py), its blind labelling sheet (eval/label.py) and
its report (eval/report.py): fast, no model, records built here as run_eval.py writes them."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "eval"))

import label
import report
import scoring

P1 = (
    "The Ministry of Commerce added 31 U.S. companies to its unreliable entity list on 20 March. "
    "The list was issued as Announcement No. 14 of 2026."
)
P2 = "Exports of advanced chips to the listed firms now need a licence. Officials gave no date."
FACT_31 = {
    "fact": "China added 31 U.S. companies to its unreliable entity list",
    "sentences": [{"file": "wire.txt", "sentence": "The Ministry of Commerce added 31 U.S. "
                   "companies to its unreliable entity list on 20 March."}],
}  # fmt: skip
REASON = "lexical 0.91 semantic 0.88 zq-distinctive-reason"


def pair(
    briefdesk_units: list[dict[str, Any]],
    baseline_text: str,
    *,
    answerable: bool = True,
    topic: str = "blacklist",
    index: int = 0,
) -> dict[str, Any]:
    return {
        "topic": topic,
        "phrasing_index": index,
        "phrasing": "China's blacklist of U.S. firms",
        "answerable": answerable,
        "template": "situation-brief",
        "section_titles": ["Bottom line", "Background", "Outlook"],
        "sources": [
            {"n": 1, "passage_id": "d1:0", "file": "wire.txt", "locator": "", "text": P1},
            {"n": 2, "passage_id": "d2:0", "file": "ledger.txt", "locator": "", "text": P2},
        ],
        "must_cover": [{**FACT_31, "in_evidence": True}],
        "briefdesk": {
            "units": briefdesk_units,
            "instructions": ["Rules: Use only facts stated in the numbered sources and never "
                             "add facts of your own."],
            "seconds": 10.0, "first_claim_seconds": 2.0, "prompt_tokens_sent": 100,
            "prompt_tokens_evaluated": 50, "completion_tokens": 20,
        },
        "baseline": {
            "text": baseline_text, "instructions": ["Write plain sentences."],
            "seconds": 4.0, "first_claim_seconds": 1.0, "prompt_tokens_sent": 80,
            "prompt_tokens_evaluated": 80, "completion_tokens": 30,
        },
    }  # fmt: skip


def unit(text: str, cites: list[str], verdict: str = "supported", **extra: Any) -> dict[str, Any]:
    return {"text": text, "cites": cites, "section": "background", "verdict": verdict,
            "verdict_reasons": [REASON], **extra}  # fmt: skip


def write_run(tmp_path: Path, name: str, pairs: list[dict[str, Any]]) -> Path:
    for p in pairs:
        path = tmp_path / "results" / name / "pairs" / f"{p['topic']}__{p['phrasing_index']}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(p), encoding="utf-8")
    return tmp_path / "results" / name


# -- statistics and text ---------------------------------------------------------------------


def test_wilson_interval_matches_the_textbook_values() -> None:
    lo, hi = scoring.wilson(5, 10)
    assert (round(lo, 4), round(hi, 4)) == (0.2366, 0.7634)
    lo, hi = scoring.wilson(0, 10)
    assert lo == 0.0 and round(hi, 4) == 0.2775
    lo, hi = scoring.wilson(10, 10)
    assert round(lo, 4) == 0.7225 and hi == pytest.approx(1.0)
    assert scoring.wilson(0, 0) == (0.0, 1.0)
    assert str(scoring.Share(5, 10)) == "50% (5/10; 24–76%)"


def test_sentences_split_at_full_stops_but_not_after_abbreviations() -> None:
    text = "The U.S. Commerce Department added 14 entities. China retaliated on 20 March, 2.5 "
    text += "weeks later. The U. S. rule took effect."
    assert scoring.split_sentences(text) == [
        "The U.S. Commerce Department added 14 entities.",
        "China retaliated on 20 March, 2.5 weeks later.",
        "The U. S. rule took effect.",
    ]


def test_free_text_markers_headings_labels_and_refusals() -> None:
    text = (
        "## Background\n"
        "**Bottom line:** China added 31 U.S. companies to its list. [1]\n"
        "- Exports of chips need a licence [2]. Nobody knows what comes next.\n"
        "Outlook\n"
        "Officials cited a source that was never shown [7].\n"
        "Not enough evidence in the library.\n"
    )
    split = scoring.claims_from_units(scoring.units_from_free_text(text), ["d1:0", "d2:0"],
                                      ["Bottom line", "Background", "Outlook"])  # fmt: skip
    got = [(c.text, c.cites, c.invalid_cites) for c in split.claims]
    assert got == [
        ("China added 31 U.S. companies to its list.", ("d1:0",), 0),
        ("Exports of chips need a licence.", ("d2:0",), 0),
        ("Nobody knows what comes next.", (), 0),
        ("Officials cited a source that was never shown.", (), 1),
    ]
    assert split.formatting == ["## Background", "Outlook"]
    assert split.refusals == ["Not enough evidence in the library."]


# -- one scoring path for both systems -------------------------------------------------------


def test_baseline_and_briefdesk_claims_go_through_the_same_scoring(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The same words with the same citations score the same, whoever wrote them: both are
    split by claims_from_units, and a BriefDesk claim of two sentences is two claims, exactly
    as two baseline sentences are."""
    seen: list[int] = []
    real = scoring.claims_from_units

    def spy(units: Any, *args: Any, **kwargs: Any) -> scoring.Split:
        seen.append(len(units))
        return real(units, *args, **kwargs)

    monkeypatch.setattr(scoring, "claims_from_units", spy)
    two = "China added 31 U.S. companies to its list. The list was Announcement No. 14 of 2026."
    record = pair([unit(two, ["d1:0"])], "China added 31 U.S. companies to its list. [1] The "
                  "list was Announcement No. 14 of 2026. [1]")  # fmt: skip
    ours = scoring.briefing_from_record(record, "briefdesk")
    naive = scoring.briefing_from_record(record, "baseline")
    assert len(seen) == 2
    assert [(c.text, c.cites) for c in ours.claims] == [(c.text, c.cites) for c in naive.claims]
    assert len(ours.claims) == 2
    ids = [scoring.claim_id(c, ours.sources) for c in ours.claims]
    assert ids == [scoring.claim_id(c, naive.sources) for c in naive.claims]
    labels = {ids[0]: {"label": "supported", "by": [FACT_31["sentences"][0]["sentence"]]},
              ids[1]: {"label": "partly", "by": []}}  # fmt: skip
    a, b = scoring.summarise([ours], labels), scoring.summarise([naive], labels)
    for key in ("claims", "supported", "partly", "coverage", "duplicates", "words_mean",
                "long_claims", "false_refusals", "citing_nothing"):  # fmt: skip
        assert a[key] == b[key], key
    assert a["supported"] == scoring.Share(1, 2) and a["coverage"] == scoring.Share(1, 1)


def test_no_citation_is_moved_for_either_system() -> None:
    """A claim citing the wrong passage keeps that citation: the labeller sees the passage it
    cites, not one a checker would have preferred."""
    record = pair([unit("China added 31 U.S. companies to its list.", ["d2:0"], "reattributed")],
                  "China added 31 U.S. companies to its list. [2]")  # fmt: skip
    for system in scoring.SYSTEMS:
        (claim,) = scoring.briefing_from_record(record, system).claims
        assert claim.cites == ("d2:0",)


# -- coverage ------------------------------------------------------------------------------


def _claims(*texts_and_cites: tuple[str, tuple[str, ...]]) -> list[scoring.Claim]:
    return [scoring.Claim(t, c, 0, "", None, False) for t, c in texts_and_cites]


SOURCES = {"d1:0": P1, "d2:0": P2}


def test_a_fact_is_covered_by_a_supported_claim_resting_on_its_sentence() -> None:
    claims = _claims(("Commerce put 31 firms from the U.S. on the list.", ("d1:0",)))
    by = [FACT_31["sentences"][0]["sentence"]]
    assert scoring.fact_covered(FACT_31, claims, {0: {"label": "supported", "by": by}}, SOURCES)
    # The same claim judged only partly supported covers nothing.
    assert not scoring.fact_covered(FACT_31, claims, {0: {"label": "partly", "by": by}}, SOURCES)
    # Unlabelled claims cover nothing either.
    assert not scoring.fact_covered(FACT_31, claims, {}, SOURCES)


def test_citing_the_passage_is_not_enough_the_claim_must_rest_on_the_sentence() -> None:
    """A supported claim about another sentence of the same passage does not cover the fact."""
    claims = _claims(("The list was issued as Announcement No. 14 of 2026.", ("d1:0",)))
    no_by = {0: {"label": "supported", "by": []}}
    assert not scoring.fact_covered(FACT_31, claims, no_by, SOURCES)
    named_other = {0: {"label": "supported", "by": ["The list was issued as Announcement No. 14 "
                                                    "of 2026."]}}  # fmt: skip
    assert not scoring.fact_covered(FACT_31, claims, named_other, SOURCES)
    # Without sentence numbers from the labeller, a claim drawn from the fact's sentence counts.
    drawn = _claims(("The Ministry of Commerce added 31 U.S. companies on 20 March.", ("d1:0",)))
    assert scoring.fact_covered(FACT_31, drawn, no_by, SOURCES)


def test_a_supported_claim_that_states_the_fact_covers_it_whatever_it_cites() -> None:
    claims = _claims(("China added 31 U.S. companies to its unreliable entity list.", ("d9:0",)))
    assert scoring.fact_covered(FACT_31, claims, {0: {"label": "supported"}}, SOURCES)
    assert not scoring.states_fact("China added 28 firms.", FACT_31["fact"])


# -- duplicates, leaks, refusals -----------------------------------------------------------


def test_duplicates_are_claims_of_one_briefing_stating_the_same_fact() -> None:
    claims = _claims(
        ("China added 31 U.S. companies to its unreliable entity list.", ()),
        ("Beijing blacklisted 28 American firms.", ()),
        ("China added 31 US companies to the unreliable entity list", ()),
        ("China added 28 U.S. companies to its unreliable entity list.", ()),
        ("Beijing blacklisted 28 American firms.", ()),
    )
    assert scoring.duplicates(claims) == [(0, 2), (1, 4)]
    assert not scoring.same_fact("China added 31 companies.", "China added 28 companies.")


def test_prompt_wording_in_a_claim_is_a_leak_source_wording_is_not() -> None:
    record = pair([
        unit("Use only facts stated in the numbered sources and never add facts.", ["d1:0"]),
        unit("The Ministry of Commerce added 31 U.S. companies to its unreliable entity list.",
             ["d1:0"]),
        unit('{"claims": [{"text": "..."}]}', ["d1:0"]),
    ], "")  # fmt: skip
    assert scoring.leaked_claims(scoring.briefing_from_record(record, "briefdesk")) == [0, 2]


def test_claims_fed_back_to_the_model_are_not_prompt_text() -> None:
    """BriefDesk's bottom-line prompt lists the claims drafted so far; repeating one of them is
    not a leak, but a claim copied from the instructions stays a leak even when listed."""
    copied = "Use only facts stated in the numbered sources and never add facts."
    own = "Exports of lithography parts to the listed firms need a ministry licence."
    record = pair([unit(copied, ["d1:0"]), unit(own, ["d2:0"])], "")
    record["briefdesk"]["instructions"].append(
        f"TASK\nClaims already drafted in the other sections:\n- {copied} [1]\n- {own} [2]"
    )
    assert scoring.leaked_claims(scoring.briefing_from_record(record, "briefdesk")) == [0]


def test_a_briefing_with_only_a_refusal_declined_one_with_claims_did_not() -> None:
    declined = scoring.briefing_from_record(
        pair([], "Not enough evidence in the library.", answerable=True), "baseline"
    )
    drafted = scoring.briefing_from_record(
        pair([], "Brazil raised tariffs on soybeans. Not enough evidence in the library.",
             answerable=False, index=1), "baseline")  # fmt: skip
    assert declined.declined and not drafted.declined
    s = scoring.summarise([declined, drafted], {})
    assert s["false_refusals"] == scoring.Share(1, 1)
    assert s["not_enough_evidence"] == scoring.Share(0, 1)


# -- the blind sheet and the report ------------------------------------------------------------


def test_the_label_sheet_never_shows_a_verdict_or_the_system(tmp_path: Path) -> None:
    stamped = unit("Sources disagree on how many companies: 31 or 28.", ["d1:0", "d2:0"],
                   verdict_reasons=["found by comparing the sources"], stamped=True)  # fmt: skip
    record = pair(
        [unit("China added 31 U.S. companies to its list.", ["d1:0"]),
         unit("Exports of chips need a licence from Beijing.", ["d2:0"], "unsupported"),
         unit("The list has 31 names and took effect.", ["d2:0"], "reattributed"), stamped],
        "Officials gave no date for the licences. [2] Markets fell sharply.",
    )  # fmt: skip
    run_dir = write_run(tmp_path, "r1", [record])
    # Whom each cited passage comes from, as a footnote names it (never the file name).
    documents = {
        "d1": {
            "file": "wire.txt",
            "title": "China lists 31 firms",
            "publisher": "Example Wire",
            "author": "",
            "published": "2026-03-20",
        }
    }
    (run_dir / "documents.json").write_text(json.dumps(documents), encoding="utf-8")
    labels_dir = tmp_path / "labels"
    common = ["--results", str(tmp_path / "results"), "--labels", str(labels_dir)]
    assert label.main(["sheet", "r1", *common]) == 0
    assert label.main(["sheet", "r1", *common, "--json"]) == 0
    text = (labels_dir / "r1.sheet.txt").read_text()
    sheet = json.loads((labels_dir / "r1.sheet.json").read_text())
    body = text.split("\n=== ", 1)[1]  # after the instructions
    hidden = (
        "reattributed",
        "zq-distinctive-reason",
        "found by comparing",
        "verdict",
        "stamped",
        "briefdesk",
        "BriefDesk",
        "baseline",
        "background",
        "wire.txt",
    )
    for leak in hidden:
        assert leak not in body
        assert leak not in json.dumps(sheet["claims"])
    assert all(set(c) == {"id", "claim", "cites", "from", "label", "by"} for c in sheet["claims"])
    assert "[from: Example Wire · China lists 31 firms · 2026-03-20]" in body
    assert len(sheet["claims"]) == 6
    # Only the claim citing nothing is pre-filled (unsupported: nothing to read it against).
    assert [c["claim"] for c in sheet["claims"] if c["label"]] == ["Markets fell sharply."]
    # Shuffled, but the same order every time.
    order = [c["id"] for c in sheet["claims"]]
    assert label.main(["sheet", "r1", *common, "--json"]) == 0
    assert order == [
        c["id"] for c in json.loads((labels_dir / "r1.sheet.json").read_text())["claims"]
    ]


def fill_sheet(sheet: Path, answers: dict[str, str], out_path: Path) -> None:
    """Write ``sheet`` filled in to ``out_path``: each claim gets the answer of its prefix."""
    out, claim = [], ""
    for line in sheet.read_text().splitlines():
        claim = line[7:] if line.startswith("claim: ") else claim
        if line.startswith("label:"):
            line = "label: " + next(v for k, v in answers.items() if claim.startswith(k))
        out.append(line)
    out_path.write_text("\n".join(out) + "\n")


def test_labels_from_the_sheet_meet_the_verdicts_only_in_the_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record = pair(
        [unit("China added 31 U.S. companies to its list.", ["d1:0"]),
         unit("Exports of chips need a licence from Beijing.", ["d2:0"]),
         unit("The rule will surely be repealed next year.", ["d2:0"], "unsupported")],
        "China added 31 U.S. companies to its list. [1]",
    )  # fmt: skip
    write_run(tmp_path, "r1", [record])
    common = ["--results", str(tmp_path / "results"), "--labels", str(tmp_path / "labels")]
    label.main(["sheet", "r1", *common])
    sheet = tmp_path / "labels" / "r1.sheet.txt"
    answers = {"China added 31": "s 1", "Exports of chips": "p 1", "The rule will": "u"}
    fill_sheet(sheet, answers, sheet)
    assert label.main(["read", "r1", *common]) == 0
    stored = label.load_labels("r1", tmp_path / "labels")
    assert sorted(x["label"] for x in stored.values()) == ["partly", "supported", "unsupported"]
    assert "verdict" not in json.dumps(stored)

    summary = report.column(tmp_path / "results" / "r1", "briefdesk", tmp_path / "labels")
    # Two claims the checker called supported; one of them a person found fully supported.
    assert summary["checker_precision"] == scoring.Share(1, 2)
    assert summary["supported"] == scoring.Share(1, 3)
    assert summary["coverage"] == scoring.Share(1, 1)
    base = report.column(tmp_path / "results" / "r1", "baseline", tmp_path / "labels")
    assert base["supported"] == scoring.Share(1, 1)  # the same sentence, the same label
    assert report.main(["r1", *common[:2], "--labels", str(tmp_path / "labels")]) == 0
    table = capsys.readouterr().out
    row = "| **fully supported** by the sentences they cite | 33% (1/3; 6–79%) | 100% (1/1; "
    assert row in table


def test_a_second_labeller_is_recorded_and_compared(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record = pair(
        [unit("China added 31 U.S. companies to its list.", ["d1:0"]),
         unit("Exports of chips need a licence from Beijing.", ["d2:0"])],
        "China added 31 U.S. companies to its list. [1]",
    )  # fmt: skip
    write_run(tmp_path, "r1", [record])
    common = ["--results", str(tmp_path / "results"), "--labels", str(tmp_path / "labels")]
    label.main(["sheet", "r1", *common])
    sheet = tmp_path / "labels" / "r1.sheet.txt"

    first, second = tmp_path / "first.txt", tmp_path / "second.txt"
    fill_sheet(sheet, {"China added": "s 1", "Exports": "p 1"}, first)
    fill_sheet(sheet, {"China added": "s 1", "Exports": "u"}, second)
    assert label.main(["read", "r1", str(first), "--labeller", "ana", *common]) == 0
    stored = label.load_labels("r1", tmp_path / "labels")
    assert {x["labeller"] for x in stored.values()} == {"ana"}
    capsys.readouterr()
    assert label.main(["agree", "r1", str(second), *common]) == 0
    out = capsys.readouterr().out
    assert "1 of 2 claims labelled alike (50%)" in out
    assert "partly (labels) vs unsupported (sheet): 1" in out
    # Comparing does not change the stored labels.
    assert label.load_labels("r1", tmp_path / "labels") == stored


def test_a_claim_copying_its_cited_passage_word_for_word_is_counted_as_verbatim() -> None:
    sources = {"d1:0": "BEIJING - China on Thursday added 18 U.S. companies to its list. More."}

    def claim(text: str) -> scoring.Claim:
        return scoring.Claim(text, ("d1:0",), 0, "", "supported", False)

    assert scoring.copies_its_source(
        claim("China on Thursday added 18 U.S. companies to its list."), sources
    )
    assert scoring.copies_its_source(
        claim("According to Example Wire, China on Thursday added 18 U.S. companies to its list."),
        sources,
    )
    assert scoring.copies_its_source(
        claim("2026-03-12 — China on Thursday added 18 U.S. companies to its list."), sources
    )
    assert not scoring.copies_its_source(
        claim("China listed 18 American firms on Thursday, Example Wire says."), sources
    )
    assert not scoring.copies_its_source(claim("China added 18 firms."), sources)


def test_a_run_drafted_without_the_baseline_is_reported_beside_another_runs_baseline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with_baseline = pair([unit("China added 31 U.S. companies to its list.", ["d1:0"])], "x. [1]")
    only_ours = {k: v for k, v in with_baseline.items() if k != "baseline"}  # --no-baseline
    write_run(tmp_path, "old", [with_baseline])
    write_run(tmp_path, "new", [only_ours])
    ((_, briefings),) = scoring.load_run(tmp_path / "results" / "new")
    assert set(briefings) == {"briefdesk"}
    common = ["--results", str(tmp_path / "results"), "--labels", str(tmp_path / "labels")]
    assert report.main(["new", "old", "--baseline-of", "old", *common]) == 0
    assert "naive baseline (old)" in capsys.readouterr().out
