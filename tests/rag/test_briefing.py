"""The briefing data model: round trips, atomic saves, and the citation numbering export uses."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from rag.briefs.briefing import (
    Briefing,
    BriefingError,
    Citation,
    Claim,
    Section,
    SupportCheck,
    new_briefing,
)
from rag.briefs.templates import get_template
from rag.checking.verdict import GAP_REASON
from rag.core import atomic
from rag.core.types import Locator


def cite(passage: str, locator: Locator | None = None, url: str = "") -> Citation:
    doc = passage.split(":")[0]
    return Citation(
        passage_id=passage,
        doc_id=doc,
        locator=locator or Locator(page=int(passage.split(":")[1]) + 1),
        quote=f"quoted text of {passage}",
        doc_title=f"Title of {doc}",
        publisher="Reuters",
        published="2025-03-14",
        url=url,
    )


def claim(text: str, *passages: str, status: str = "supported") -> Claim:
    check = SupportCheck(status=status, reasons=[] if status == "supported" else ["no match"])
    return Claim(id=text[:8], text=text, citations=[cite(p) for p in passages], check=check)


def sample() -> Briefing:
    briefing = new_briefing("Chip export controls", get_template("situation-brief"), "m.gguf", {})
    by_key = {s.key: s for s in briefing.sections}
    by_key["key_developments"].claims = [
        claim("BIS published a rule.", "a:1", "b:4"),
        claim("A rival says 75%.", "c:2", status="unsupported"),
        claim("The rule took effect.", "a:1"),
    ]
    by_key["bottom_line"].claims = [claim("Controls tightened.", "b:4", "d:0")]
    by_key["gaps"].status = "insufficient"
    by_key["gaps"].note = "Not enough evidence in the library for this section."
    by_key["bottom_line"].claims[0].citations[1] = cite(
        "d:0", Locator(para_start=4, para_end=6, heading="Scope"), url="https://example.org/d"
    )
    by_key["bottom_line"].claims[0].check = SupportCheck(
        status="reattributed",
        reasons=["moved from d:1"],
        lexical=0.61,
        semantic=0.83,
        missing_terms=["10^26"],
    )
    briefing.stats = {"prompt_tokens": 1234, "seconds": 9.5}
    return briefing


def test_new_briefing_has_every_template_section_pending() -> None:
    template = get_template("situation-brief")
    briefing = new_briefing("Topic", template, "model.gguf", {"temperature": 0.2})
    assert [s.key for s in briefing.sections] == [s.key for s in template.sections]
    assert [s.kind for s in briefing.sections] == [s.kind for s in template.sections]
    assert {s.status for s in briefing.sections} == {"pending"}
    assert all(s.claims == [] for s in briefing.sections)
    assert (briefing.template_id, briefing.template_name) == ("situation-brief", template.name)
    assert briefing.settings == {"temperature": 0.2}
    assert len(briefing.id) == 32
    assert briefing.id != new_briefing("Topic", template, "model.gguf", {}).id


def test_dict_round_trip_is_exact() -> None:
    briefing = sample()
    data = briefing.to_dict()
    json.dumps(data)  # everything in it is plain JSON
    assert Briefing.from_dict(data) == briefing


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    briefing = sample()
    path = tmp_path / "briefings" / "b.json"
    briefing.save(path)
    loaded = Briefing.load(path)
    assert loaded == briefing
    locator = loaded.section("bottom_line").claims[0].citations[1].locator
    assert locator == Locator(para_start=4, para_end=6, heading="Scope")
    assert loaded.section("bottom_line").claims[0].check.missing_terms == ["10^26"]
    assert [p.name for p in path.parent.iterdir()] == ["b.json"]  # no temp files left


def test_a_save_that_fails_midway_keeps_the_previous_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "b.json"
    briefing = sample()
    briefing.save(path)
    before = path.read_bytes()

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    briefing.section("outlook").claims.append(claim("New claim.", "a:1"))
    monkeypatch.setattr(atomic.os, "fsync", disk_full)
    with pytest.raises(OSError):
        briefing.save(path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["b.json"]


def test_citations_in_order_deduplicates_by_passage_bottom_line_first() -> None:
    ordered = [c.passage_id for c in sample().citations_in_order()]
    # The bottom line leads the document, so its citations are numbered first.
    assert ordered == ["b:4", "d:0", "a:1", "c:2"]


def test_citations_in_order_can_leave_out_unsupported_claims() -> None:
    ordered = [c.passage_id for c in sample().citations_in_order(skip_unsupported=True)]
    assert ordered == ["b:4", "d:0", "a:1"]


def test_bottom_line_leads_even_if_the_template_puts_it_later() -> None:
    briefing = sample()
    briefing.sections.append(briefing.sections.pop(0))
    assert briefing.sections_in_reading_order()[0].kind == "bottom_line"
    assert briefing.citations_in_order()[0].passage_id == "b:4"


def test_load_refuses_damaged_or_newer_files(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{not json", encoding="utf-8")
    with pytest.raises(BriefingError, match=r"garbage\.json"):
        Briefing.load(garbage)
    partial = tmp_path / "partial.json"
    partial.write_text(json.dumps({"id": "x"}), encoding="utf-8")
    with pytest.raises(BriefingError, match="incomplete"):
        Briefing.load(partial)
    newer = sample().to_dict() | {"format": 99}
    with pytest.raises(BriefingError, match="newer BriefDesk"):
        Briefing.from_dict(newer)


def test_section_defaults_survive_a_minimal_dict() -> None:
    section = Section.from_dict({"key": "k", "title": "T"})
    assert (section.kind, section.status, section.claims, section.note) == (
        "claims",
        "pending",
        [],
        "",
    )


def test_a_file_saved_before_titles_and_source_counts_opens_with_both(tmp_path: Path) -> None:
    data = sample().to_dict()
    data["topic"] = "What did China do after the U.S. frontier model rule?"
    del data["title"], data["subtitle"]
    for section in data["sections"]:
        for c in section["claims"]:
            del c["corroboration"]
    path = tmp_path / "old.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    old = Briefing.load(path)
    assert old.title == "China after the U.S. frontier model rule"
    assert old.subtitle == data["topic"]
    for c in (c for s in old.sections for c in s.claims):
        assert c.corroboration == len({x.doc_id for x in c.citations})
    old.save(path)
    again = json.loads(path.read_text(encoding="utf-8"))
    assert again["title"] == old.title and again["subtitle"] == data["topic"]


def test_only_checked_and_supported_claims_count_as_verified() -> None:
    assert SupportCheck("supported").verified and SupportCheck("reattributed").verified
    assert not SupportCheck.unchecked().verified
    assert not SupportCheck("unsupported").verified


def test_a_gap_is_established_but_never_verified() -> None:
    gap = SupportCheck.gap(GAP_REASON)
    assert gap.established and not gap.verified
    assert not SupportCheck("unsupported").established
    assert not SupportCheck.unchecked().established


def test_a_gap_saved_as_supported_by_an_older_version_opens_as_a_gap(tmp_path: Path) -> None:
    data = sample().to_dict()
    gap = {
        "id": "g1",
        "text": "The library does not establish what penalties apply.",
        "citations": [],
        "check": {"status": "supported", "reasons": [GAP_REASON]},
    }
    data["sections"][0]["claims"].append(gap)
    path = tmp_path / "old.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    old = Briefing.load(path)
    by_id = {c.id: c for s in old.sections for c in s.claims}
    assert by_id["g1"].check.status == "gap"
    # Every other claim keeps the verdict it was saved with.
    saved = {c["id"]: c["check"]["status"] for s in data["sections"] for c in s["claims"]}
    assert {i: c.check.status for i, c in by_id.items() if i != "g1"} == {
        i: v for i, v in saved.items() if i != "g1"
    }
