"""A killed import never leaves half a document, loses no acknowledged one, and resumes.

The importing process (the real CLI) is killed with SIGKILL at named crash points
(rag.core.crashpoints) rather than after a random sleep: every step of a document's import is hit
several times (reading, embedding, copying the original, the uncommitted SQLite write, after
the commit, the Chroma upsert, marking it indexed, the "imported" line, and finishing an
interrupted index write while a library opens), at different documents of one batch. After each
kill the library is reopened and checked: every document listed is whole and found by
searching for its own passages, and no document the CLI acknowledged is missing. Finally the
batch is imported again and everything that was interrupted imports.

``BRIEFDESK_KILL_ROUNDS`` (default 4, about 35 kills) sets how many times the plan's points are
gone through; ``make crash-test`` runs 8 rounds.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from filemakers import make_docx, make_html, make_pdf

from rag.core.crashpoints import ENV
from rag.indexing.library import Library
from rag.reading.ingest import ImportFinished

ROUNDS = int(os.environ.get("BRIEFDESK_KILL_ROUNDS", "4"))
# One round: each step of one document's import, in the order it is reached. "open.sync" right
# after "import.committed" kills the next process while it finishes the interrupted index
# write (nothing is checked in between: the check's own opening would finish it first).
ROUND = [
    "import.read",
    "import.embed",
    "import.copy",
    "store.write",
    "import.committed",
    "open.sync",
    "index.upsert",
    "import.indexed",
    "cli.acknowledged",
]
VOCABULARY = """export licence entity list chip model weights retaliation ministry commerce rule
tariff semiconductor foundry cloud access distillation alliance ban customer allied embargo
compute cluster threshold review filing court appeal exemption vendor supplier capital
investment market shares analyst forecast quarter revenue datacenter accelerator memory
license enforcement penalty audit sanction ministry agency announcement statement treaty"""


def marker(n: int) -> str:
    return f"zq{n:03d}marker"


def make_batch(folder: Path, seeds_dir: Path, reports: int) -> dict[str, str]:
    """PDFs, Word files and web pages with one unique word each, plus the seed articles;
    returns file name -> its word."""
    folder.mkdir()
    words = {}
    rng = random.Random(7)
    vocab = VOCABULARY.split()

    def sentences(k: int) -> list[str]:
        return [" ".join(rng.choices(vocab, k=12)).capitalize() + "." for _ in range(k)]

    for n in range(reports):
        word = marker(n)
        name = f"report-{n:02d}"
        if n % 7 == 5:
            paras = [*sentences(20), f"The unique reference {word} appears here.", *sentences(5)]
            make_docx(folder / f"{name}.docx", [("Normal", p) for p in paras], title=f"Memo {n}")
            words[f"{name}.docx"] = word
        elif n % 7 == 6:
            paras = [*sentences(15), f"The unique reference {word} appears here."]
            make_html(folder / f"{name}.html", f"Page {n}", "Wire", "2026-03-01", paras)
            words[f"{name}.html"] = word
        else:
            # Distinct text on every page, so each passage has a vector of its own.
            pages = [f"Section {p} of report {n}. " + " ".join(sentences(30)) for p in range(4)]
            pages[2] += f" The unique reference {word} appears on this page."
            make_pdf(folder / f"{name}.pdf", pages, title=f"Report {n}")
            words[f"{name}.pdf"] = word
    for seed in sorted(seeds_dir.iterdir()):
        (folder / seed.name).write_bytes(seed.read_bytes())
    return words


def run_import(library: Path, batch: Path, crash_at: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", ENV: crash_at}
    return subprocess.run(
        [sys.executable, "-m", "rag.cli.main", "--library", str(library), "import", str(batch)],
        capture_output=True, text=True, env=env, timeout=600,
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
            passages = lib.passages(doc.id)
            assert len(passages) == doc.passages
            if name in words:  # its unique word: found by keyword, and by the hybrid search
                found = lib.store.passages_by_ids(lib.store.keyword_search(words[name], 3))
                assert [p.doc_id for p in found.values()] == [doc.id], f"{name} not searchable"
                if doc.kind == "pdf":
                    assert next(iter(found.values())).locator.page == 3
                assert doc.id in {h.document.id for h in lib.search(words[name], k=5)}, name
            # The keyword index holds a passage's own words under its id (a sentence of it,
            # searched as a phrase, finds it in its document), and the dense index finds
            # passages by their stored vectors. (Not a ranked search with that sentence: these
            # reports are word salad from one small vocabulary, so where a sentence ranks
            # depends on the length and words of every other document in the library; the
            # unique word above checks the keyword and hybrid searches.)
            probe = passages[len(passages) // 2]
            phrase = " ".join(probe.text.split()[:25]).replace('"', '""')
            with closing(sqlite3.connect(folder / "library.sqlite3")) as db:
                rows = db.execute(
                    "SELECT passage_id FROM passages_fts WHERE passages_fts MATCH ?",
                    (f'"{phrase}"',),
                ).fetchall()
            found_ids = [row[0] for row in rows]
            assert probe.id in found_ids, name
            assert all(pid.startswith(f"{doc.id}:") for pid in found_ids), (name, found_ids)
            ids, _, vectors = lib.store.embeddings_of([doc.id])
            for pid, vector in list(zip(ids, vectors, strict=True))[:3]:
                assert pid in [found for found, _ in lib.index.query(vector, 5)]
        return set(docs)


@dataclass
class Tally:
    made: int = 0  # processes that died by SIGKILL at their crash point
    survived: int = 0  # kills after which the library checked out whole
    lost: set[str] = field(default_factory=set)  # acknowledged, then missing
    at: list[str] = field(default_factory=list)  # "point:n @ file in progress"


def kill_plan(rounds: int) -> list[str]:
    """``point:n`` for each kill. Most rounds kill at the first new document; every third
    round at the second, so that the kills reach the end of the batch (such a round gets
    through about 11 documents, the others about 3)."""
    plan = []
    for r in range(rounds):
        n = 2 if r % 4 == 2 else 1
        plan += [f"{point}:{1 if point == 'open.sync' else n}" for point in ROUND]
    return plan


@pytest.mark.slow
@pytest.mark.timeout(1800)  # about 4 minutes on a quiet 2-core machine; far more on a busy one
def test_kill_import_at_every_step_then_resume(tmp_path: Path, seeds_dir: Path) -> None:
    batch_dir = tmp_path / "batch"
    words = make_batch(batch_dir, seeds_dir, reports=5 * ROUNDS)
    folder = tmp_path / "lib"
    plan = kill_plan(ROUNDS)
    tally = Tally()
    kept: set[str] = set()
    unchecked = 0  # kills since the library was last checked
    started = time.monotonic()
    for step, crash_at in enumerate(plan):
        proc = run_import(folder, batch_dir, crash_at)
        if proc.returncode != -signal.SIGKILL:
            assert proc.returncode == 0, proc.stderr
            break  # the batch is done: nothing left to interrupt
        assert f"crash point {crash_at}" in proc.stderr
        tally.made += 1
        unchecked += 1
        kept |= acknowledged(proc.stderr)
        tally.at.append(
            f"{crash_at} with {len(kept)} documents in the library "
            f"({time.monotonic() - started:.0f} s)"
        )
        if step + 1 < len(plan) and plan[step + 1].startswith("open.sync"):
            continue  # the next process must be the one to find the interrupted write
        listed = check_library(folder, words, set())
        tally.lost |= kept - listed
        assert not tally.lost, f"acknowledged but lost: {tally.lost}"
        tally.survived += unchecked
        unchecked = 0
        kept = listed  # once listed, a document must stay listed

    with Library.open(folder) as lib:
        final = list(lib.import_paths([batch_dir]))[-1]
        assert isinstance(final, ImportFinished) and not final.failed
    assert check_library(folder, words, kept) == {p.name for p in batch_dir.iterdir()}
    tally.survived += unchecked
    print(
        f"\nkills survived {tally.survived} / kills made {tally.made}; "
        f"acknowledged documents lost {len(tally.lost)}; "
        f"batch of {len(words) + len(list(seeds_dir.iterdir()))} files"
    )
    print("\n".join(tally.at))
    # Every point of the plan was reached in the first rounds (the batch ran out after).
    assert tally.made >= min(30, len(plan)), tally.at
    assert {a.split(":")[0] for a in tally.at} == set(ROUND)
