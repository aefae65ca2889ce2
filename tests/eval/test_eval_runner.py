"""The runner's own rules (eval/run_eval.py) that need no model: which prompt text counts as
instructions, when the baseline's first claim is done, which topics and options a run takes."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "eval"))

import run_eval


def test_instructions_leave_the_sources_out() -> None:
    calls = [
        {"messages": [
            {"role": "system", "content": "You are BriefDesk. Rules: cite sources."},
            {"role": "user", "content": 'SOURCES\n\n<source n="1">Secret passage text.</source>'
                                        "\n\nTASK\nSection: Outlook"},
        ]},
        {"messages": [
            {"role": "system", "content": "You are BriefDesk. Rules: cite sources."},
            {"role": "user", "content": "SOURCES\n\n[1] Plain passage.\n\nTASK\nWrite a brief."},
        ]},
    ]  # fmt: skip
    got = run_eval.instructions_of(calls)
    assert got == ["You are BriefDesk. Rules: cite sources.", "\nTASK\nSection: Outlook",
                   "\nTASK\nWrite a brief."]  # fmt: skip
    assert not any("passage" in t.lower() for t in got)


def test_the_baseline_first_claim_is_done_at_its_full_stop() -> None:
    shown, titles = ["d1:0"], ["Background"]
    assert not run_eval.first_claim_at("## Background\nChina added 31", shown, titles)
    assert not run_eval.first_claim_at("## Background\n", shown, titles)
    assert run_eval.first_claim_at("## Background\nChina added 31 firms. [1] Then", shown, titles)


def test_topics_by_split_or_id(tmp_path: Path) -> None:
    topics = [{"id": "a", "split": "tune"}, {"id": "b", "split": "test"}]
    assert [t["id"] for t in run_eval.select_topics(topics, "test", None)] == ["b"]
    assert [t["id"] for t in run_eval.select_topics(topics, "all", None)] == ["a", "b"]
    assert [t["id"] for t in run_eval.select_topics(topics, "test", "a")] == ["a"]
    with pytest.raises(SystemExit, match="unknown topic"):
        run_eval.select_topics(topics, None, "zz")
    bad = tmp_path / "topics.json"
    bad.write_text('[{"id": "x", "split": "tune"}]')
    with pytest.raises(SystemExit, match="lacks answerable, phrasings, template"):
        run_eval.load_topics(bad)


def test_the_engine_dir_run_gets_every_other_option() -> None:
    argv = ["--split", "test", "--engine-dir", "/x", "--model", "small", "--engine-dir=/y",
            "--engine-label", "old", "--background"]  # fmt: skip
    assert run_eval._without(argv, "--engine-dir", "--engine-label", "--background") == [
        "--split", "test", "--model", "small"]  # fmt: skip


def test_the_baseline_gets_the_passages_of_either_kind_of_evidence() -> None:
    """A numbered pool is taken as it is; per-section facts give the passages of the facts
    handed to a section, each once, in the engine's order."""

    def hit(pid: str) -> SimpleNamespace:
        return SimpleNamespace(passage=SimpleNamespace(id=pid))

    pool = SimpleNamespace(hits=[hit("a"), hit("b")])
    assert [h.passage.id for h in run_eval.evidence_hits(pool)] == ["a", "b"]

    def fact(*pids: str) -> SimpleNamespace:
        return SimpleNamespace(members=[SimpleNamespace(hit=hit(p)) for p in pids])

    f1, f2, unused, f3 = fact("p2", "p1"), fact("p3"), fact("p9"), fact("p1")
    facts = SimpleNamespace(facts=[f1, f2, unused, f3], by_section={"x": [f3, f1], "y": [f2]})
    assert [h.passage.id for h in run_eval.evidence_hits(facts)] == ["p2", "p1", "p3"]
    assert run_eval.evidence_hits(None) == []


def test_recorded_briefings_take_the_current_must_cover_facts(tmp_path: Path) -> None:
    topic = {"id": "t1", "template": "situation-brief", "answerable": True,
             "phrasings": ["Valdoria's blacklist", "edited since"]}  # fmt: skip
    for index, phrasing in enumerate(["Valdoria's blacklist", "as first written"]):
        run_eval._write_json(run_eval.pair_path(tmp_path, "t1", index), {
            "phrasing": phrasing, "template": "situation-brief", "answerable": True,
            "sources": [{"passage_id": "d1:0"}], "must_cover": [{"fact": "old"}],
        })  # fmt: skip
    assert run_eval.recorded(tmp_path, topic, 0) and not run_eval.recorded(tmp_path, topic, 1)
    located = {"t1": [{"fact": "new", "sentences": [{"passage_ids": ["d1:0"]}]},
                      {"fact": "unseen", "sentences": [{"passage_ids": ["d9:0"]}]}]}  # fmt: skip
    assert run_eval.refresh_must_cover(tmp_path, [topic], located) == 1
    pair = json.loads(run_eval.pair_path(tmp_path, "t1", 0).read_text())
    assert [(f["fact"], f["in_evidence"]) for f in pair["must_cover"]] == [
        ("new", True), ("unseen", False)]  # fmt: skip
    stale = json.loads(run_eval.pair_path(tmp_path, "t1", 1).read_text())
    assert stale["must_cover"] == [{"fact": "old"}]  # to be drafted again, not patched
    assert run_eval.refresh_must_cover(tmp_path, [topic], located) == 0
