"""A killed import never leaves half a document, loses no acknowledged one, and resumes."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from filemakers import make_pdf

from rag.ingest import ImportFinished
from rag.library import Library

KILLS = int(os.environ.get("BRIEFDESK_KILLS", "6"))
VOCABULARY = """export licence entity list chip model weights retaliation ministry commerce rule
tariff semiconductor foundry cloud access distillation alliance ban customer allied embargo
compute cluster threshold review filing court appeal exemption vendor supplier capital
investment market shares analyst forecast quarter revenue datacenter accelerator memory
license enforcement penalty audit sanction ministry agency announcement statement treaty"""


def marker(n: int) -> str:
    return f"zq{n:03d}marker"


def make_batch(folder: Path, seeds_dir: Path) -> dict[str, str]:
    """Files with one unique word each; returns file name -> its word."""
    folder.mkdir()
    words = {}
    rng = random.Random(7)
    vocab = VOCABULARY.split()
    for n in range(10):
        word = marker(n)
        # Distinct text on every page, so each passage has a vector of its own to be found by.
        pages = [
            f"Section {p} of report {n}. "
            + ". ".join(" ".join(rng.choices(vocab, k=12)) for _ in range(30))
            for p in range(4)
        ]
        pages[2] += f" The unique reference {word} appears on this page."
        make_pdf(folder / f"report-{n}.pdf", pages, title=f"Report {n}")
        words[f"report-{n}.pdf"] = word
    for seed in sorted(seeds_dir.iterdir()):
        (folder / seed.name).write_bytes(seed.read_bytes())
    return words


def start_import(library: Path, batch: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "rag.cli", "--library", str(library), "import", str(batch)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip


def acknowledged(stderr: str) -> set[str]:
    return {
        Path(line.split()[1]).name for line in stderr.splitlines() if line.startswith("imported ")
    }


def check_library(folder: Path, words: dict[str, str], must_have: set[str]) -> set[str]:
    """Every listed document is whole and searchable; returns the listed file names."""
    with Library.open(folder) as lib:
        docs = {d.filename: d for d in lib.documents()}
        assert must_have <= set(docs), f"acknowledged but lost: {must_have - set(docs)}"
        assert lib.index.count() == lib.store.passage_count()
        for name, doc in docs.items():
            assert len(lib.passages(doc.id)) == doc.passages
            if name in words:
                hits = lib.search(words[name], k=3)
                assert hits and hits[0].document.id == doc.id, f"{name} not searchable"
                assert hits[0].passage.locator.page == 3
            # the dense index holds every passage of the document
            for p in lib.passages(doc.id)[:3]:
                found = [pid for pid, _ in lib.index.query(lib.embedder.embed_one(p.text), 5)]
                assert p.id in found
        return set(docs)


@pytest.mark.slow
def test_kill_import_at_many_points_then_resume(tmp_path: Path, seeds_dir: Path) -> None:
    batch_dir = tmp_path / "batch"
    words = make_batch(batch_dir, seeds_dir)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}

    # How long a whole import takes here, so the kills spread over all of it.
    started = time.monotonic()
    probe = start_import(tmp_path / "probe", batch_dir, env)
    probe.communicate(timeout=600)
    duration = time.monotonic() - started
    assert probe.returncode == 0

    folder = tmp_path / "lib"
    listed: set[str] = set()
    kept: set[str] = set()
    for k in range(KILLS):
        proc = start_import(folder, batch_dir, env)
        time.sleep(0.3 + duration * (k + 0.5) / KILLS * 0.9)
        proc.send_signal(signal.SIGKILL)
        _, err = proc.communicate(timeout=60)
        kept |= acknowledged(err)
        listed = check_library(folder, words, kept)
        assert listed >= kept
        kept = listed  # once listed, a document must stay listed

    with Library.open(folder) as lib:
        final = list(lib.import_paths([batch_dir]))[-1]
        assert isinstance(final, ImportFinished) and not final.failed
    assert check_library(folder, words, kept) == {p.name for p in batch_dir.iterdir()}
