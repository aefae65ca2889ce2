"""The evaluation end to end through the real path: files written here, imported into a real
library (Chroma), drafted by the real engine and the small model, then the blind sheet, the
labels and the report; a second run resumes and drafts nothing again."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EVAL = REPO / "eval"

WIRE = """Title: Valdoria adds 12 chip firms to its export blacklist
Source: Harbour Wire (fictional test document)
Date: 2026-05-04

Valdoria's trade ministry added 12 foreign chip firms to its export blacklist on 3 May 2026.
The ministry said the firms had shipped accelerator chips to military end users.
Exports of lithography parts to the listed firms now need a licence from the ministry.
"""
REVIEW = """Title: What the Valdoria blacklist means for chip buyers
Source: Copperleaf Review (fictional test document)
Date: 2026-05-06

Analysts at Copperleaf expect the blacklist to delay two fabrication plants by a year.
Valdoria's blacklist now names 12 firms, up from none at the start of the year.
"""
TOPICS = {
    "topics": [
        {
            "id": "valdoria", "split": "tune", "template": "situation-brief", "answerable": True,
            "phrasings": ["Valdoria's export blacklist of foreign chip firms"],
            "must_cover": [{
                "fact": "Valdoria added 12 foreign chip firms to its export blacklist",
                "sentences": [{"file": "wire.txt", "sentence": "Valdoria's trade ministry added "
                               "12 foreign chip firms to its export blacklist on 3 May 2026."}],
            }],
        },
        {
            "id": "zembla", "split": "tune", "template": "situation-brief", "answerable": False,
            "phrasings": ["Zembla's tariffs on Ruritanian soybeans"], "must_cover": [],
        },
    ]
}  # fmt: skip


def _python(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env,
                          cwd=REPO, timeout=1200, check=check)  # fmt: skip


@pytest.mark.slow
def test_a_run_records_both_systems_labels_blind_and_reports(tmp_path: Path) -> None:
    library = tmp_path / "docs"
    library.mkdir()
    (library / "wire.txt").write_text(WIRE)
    (library / "review.txt").write_text(REVIEW)
    topics = tmp_path / "topics.json"
    topics.write_text(json.dumps(TOPICS))
    results, labels = tmp_path / "results", tmp_path / "labels"
    run = [str(EVAL / "run_eval.py"), "--model", "small", "--threads", "1", "--split", "tune",
           "--topics-file", str(topics), "--library-dir", str(library), "--out", str(results),
           "--run", "real"]  # fmt: skip
    done = _python(*run)
    pairs = sorted((results / "real" / "pairs").glob("*.json"))
    assert [p.name for p in pairs] == ["valdoria__0.json", "zembla__0.json"], done.stderr

    meta = json.loads((results / "real" / "run.json").read_text())
    assert meta["problems"] == []  # the must-cover sentence was found in the library
    (session,) = meta["sessions"]
    assert session["engine"]["rag_dir"] == "."  # this checkout's engine
    assert session["harness"]["commit"] and session["machine"]["cpus"]
    assert "SmolLM2" in meta["model"]["name"] or "mollm2" in meta["model"]["name"].lower()

    answered = json.loads(pairs[0].read_text())
    shown = {s["passage_id"] for s in answered["sources"]}
    assert shown and answered["must_cover"][0]["in_evidence"]
    ours, naive = answered["briefdesk"], answered["baseline"]
    assert ours["units"] and all(set(u["cites"]) <= shown for u in ours["units"])
    assert all(u["verdict"] for u in ours["units"])
    assert naive["text"].strip() and naive["seconds"] > 0
    for side in (ours, naive):
        assert side["prompt_tokens_sent"] > 0 and side["completion_tokens"] > 0
        assert side["instructions"] and not any("<source n=" in t for t in side["instructions"])
    assert ours["first_claim_seconds"] <= ours["seconds"]
    refused = json.loads(pairs[1].read_text())
    assert refused["briefdesk"]["units"] == [] and refused["sources"] == []

    # Run again: everything is recorded, nothing is drafted or rewritten.
    stamps = [p.stat().st_mtime_ns for p in pairs]
    again = _python(*run)
    assert "0 of 2 briefings to draft" in again.stderr
    assert stamps == [p.stat().st_mtime_ns for p in pairs]

    # Label every claim "unsupported" on the JSON sheet, read it back, report.
    common = ["--results", str(results), "--labels", str(labels)]
    _python(str(EVAL / "label.py"), "sheet", "real", "--json", *common)
    sheet_path = labels / "real.sheet.json"
    sheet = json.loads(sheet_path.read_text())
    assert sheet["claims"] and all("verdict" not in c for c in sheet["claims"])
    for claim in sheet["claims"]:
        claim["label"] = "u"
    sheet_path.write_text(json.dumps(sheet))
    _python(str(EVAL / "label.py"), "read", "real", str(sheet_path), *common)
    table = _python(str(EVAL / "report.py"), "real", *common).stdout
    assert "| **fully supported** by the sentences they cite | 0% (0/" in table
    (row,) = [line for line in table.splitlines() if line.startswith("|   of which labelled")]
    assert row.count("| 100% (") == 2  # BriefDesk and the baseline: every claim was on the sheet
    assert "**must-cover facts covered** (answerable phrasings) | 0% (0/1;" in table
