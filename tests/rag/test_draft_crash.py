"""A drafting process killed with SIGKILL reopens with every claim it had shown.

The real CLI drafts with the real small model and kills itself (rag.core.crashpoints) right after
printing its n-th claim; the briefing saved in the library must then hold every claim printed,
with citations that resolve, and must list, open again and export.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from rag.briefs.briefing import Briefing
from rag.core.crashpoints import ENV
from rag.indexing.library import Library

TOPIC = "U.S. restrictions on Halvard's frontier models and China's response"
SHOWN = "      - "  # how the CLI prints a claim as it arrives (the first 110 characters)
UNSUPPORTED_FLAG = "  (unsupported)"


def cli(library: Path, *args: str, crash_at: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    if crash_at:
        env[ENV] = crash_at
    return subprocess.run(
        [sys.executable, "-m", "rag.cli.main", "--library", str(library), *args],
        capture_output=True, text=True, env=env, timeout=900,
    )  # fmt: skip


def shown_claims(stderr: str) -> list[str]:
    out = []
    for line in stderr.splitlines():
        if line.startswith(SHOWN):
            text = line[len(SHOWN) :]
            out.append(text.removesuffix(UNSUPPORTED_FLAG))
    return out


@pytest.mark.slow
@pytest.mark.parametrize("kill_after", [2])
def test_killed_draft_reopens_with_every_claim_shown(
    tmp_path: Path, seeds_dir: Path, kill_after: int
) -> None:
    folder = tmp_path / "lib"
    with Library.open(folder) as lib:
        list(lib.import_paths([seeds_dir]))

    proc = cli(
        folder, "draft", "--topic", TOPIC, "--model", "small",
        crash_at=f"cli.claim_shown:{kill_after}",
    )  # fmt: skip
    assert proc.returncode == -signal.SIGKILL, (
        f"the draft was not killed (exit {proc.returncode}): the model wrote fewer than "
        f"{kill_after} claims?\n{proc.stderr[-2000:]}"
    )
    shown = shown_claims(proc.stderr)
    assert len(shown) == kill_after

    saved = list((folder / "briefings").glob("*.json"))
    assert len(saved) == 1, saved
    assert not list((folder / "briefings").glob(".*.tmp")), "a half-written save was left"
    briefing = Briefing.load(saved[0])
    claims = [c for s in briefing.sections for c in s.claims]
    for text in shown:
        assert any(c.text[:110] == text for c in claims), f"shown but lost: {text!r}"
    assert briefing.topic == TOPIC
    with Library.open(folder) as lib:
        for claim in claims:
            for citation in claim.citations:
                passage = lib.passage(citation.passage_id)
                assert passage is not None and passage.doc_id == citation.doc_id

    # The interrupted briefing is listed and exports, saying what was not finished.
    listed = cli(folder, "briefings")
    assert listed.returncode == 0 and briefing.id[:8] in listed.stdout
    out = tmp_path / "killed.docx"
    exported = cli(folder, "export", briefing.id[:8], "--out", str(out))
    assert exported.returncode == 0, exported.stderr
    import docx

    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert shown[0][:60] in text
