"""A library written before the stemmed keyword index (schema 1) is migrated when it opens:
its passages become searchable by word form, nothing else changes, and a migration killed
halfway leaves the old library as it was."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from rag.indexing.library import Library
from rag.indexing.store import SCHEMA_VERSION, Store
from rag.models import provision
from rag.models.embedding import get_embedder

# The schema as BriefDesk wrote it before the stemmed index (schema 1), verbatim.
SCHEMA_1 = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    filename TEXT NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    publisher TEXT NOT NULL DEFAULT '',
    published TEXT NOT NULL DEFAULT '',
    author TEXT NOT NULL DEFAULT '',
    pages INTEGER,
    chars INTEGER NOT NULL,
    passages INTEGER NOT NULL,
    imported_at TEXT NOT NULL,
    stored_path TEXT NOT NULL,
    tags TEXT NOT NULL DEFAULT '[]',
    indexed INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS passages (
    id TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    text TEXT NOT NULL,
    locator TEXT NOT NULL,
    embedding BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS passages_by_doc ON passages(doc_id, ordinal);
CREATE VIRTUAL TABLE IF NOT EXISTS passages_fts USING fts5(
    passage_id UNINDEXED, doc_id UNINDEXED, text, title,
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE IF NOT EXISTS passages_vocab USING fts5vocab(passages_fts, 'row');
"""

TEXTS = [
    "Regulators restricted shipments of germanium wafers after inspectors discovered "
    "mislabelled consignments.",
    "The ministry publishes its licensing statistics every quarter.",
]


def _old_library(folder: Path, vectors: np.ndarray) -> Path:
    """A library folder as schema 1 left it: one document, its passages, exact keywords."""
    folder.mkdir(parents=True)
    (folder / "files").mkdir()
    db = sqlite3.connect(folder / "library.sqlite3")
    db.executescript(SCHEMA_1)
    db.execute("INSERT INTO meta VALUES ('schema', '1')")
    db.execute(
        "INSERT INTO documents(id, filename, kind, title, published, chars, passages, "
        "imported_at, stored_path, indexed) VALUES (?, ?, 'txt', ?, '2025-05-01', ?, ?, "
        "'2025-05-01T00:00:00', ?, 1)",
        ("d1", "notes.txt", "Shipping notes", sum(map(len, TEXTS)), len(TEXTS),
         str(folder / "files" / "d1.txt")),
    )  # fmt: skip
    for i, text in enumerate(TEXTS):
        db.execute(
            "INSERT INTO passages VALUES (?, 'd1', ?, ?, ?, ?)",
            (f"d1:{i}", i, text, json.dumps({"lines": [i + 1, i + 1]}),
             vectors[i].astype(np.float32).tobytes()),
        )  # fmt: skip
        db.execute(
            "INSERT INTO passages_fts VALUES (?, 'd1', ?, 'Shipping notes')", (f"d1:{i}", text)
        )
    db.commit()
    db.close()
    return folder


@pytest.fixture(scope="module")
def vectors() -> np.ndarray:
    return get_embedder(provision.embedding_model_dir()).embed(TEXTS)


def test_an_old_library_is_migrated_on_open_and_finds_word_forms(
    tmp_path: Path, vectors: np.ndarray
) -> None:
    folder = _old_library(tmp_path / "lib", vectors)
    question = ["restricting", "shipment", "discovering"]
    with Library.open(folder) as lib:
        assert lib.store.get_meta("schema") == str(SCHEMA_VERSION) == "2"
        assert [d.title for d in lib.documents()] == ["Shipping notes"]
        # The exact index is untouched: these word forms are not in it.
        assert lib.store.keyword_scores(question, 5) == []
        assert [pid for pid, _ in lib.store.keyword_scores(question, 5, stemmed=True)] == ["d1:0"]
        hit = lib.search("restricting a shipment after discovering a consignment", k=2)[0]
        assert hit.passage.id == "d1:0" and hit.keyword_rank == 1
        lib.update_document("d1", title="Border inspections")
        assert lib.store.keyword_scores(["inspection"], 5, stemmed=True)
    # Opening again does not build the index a second time (it would double every entry).
    with Library.open(folder) as lib:
        rows = lib.store._query("SELECT count(*) AS n FROM passages_stem")
        assert rows[0]["n"] == len(TEXTS)
        lib.remove_document("d1")
        assert lib.store.keyword_scores(["shipment"], 5, stemmed=True) == []


def test_a_migration_killed_halfway_leaves_the_old_library_as_it_was(
    tmp_path: Path, vectors: np.ndarray
) -> None:
    folder = _old_library(tmp_path / "lib", vectors)
    path = folder / "library.sqlite3"
    env = {**os.environ, "BRIEFDESK_CRASH_AT": "store.migrate:1",
           "PYTHONPATH": str(Path(__file__).resolve().parents[2])}  # fmt: skip
    code = f"import pathlib, rag.indexing.store as s; s.Store(pathlib.Path({str(path)!r}))"
    proc = subprocess.run([sys.executable, "-c", code], env=env, check=False, timeout=120)
    assert proc.returncode == -signal.SIGKILL
    db = sqlite3.connect(path)
    assert db.execute("SELECT value FROM meta WHERE key='schema'").fetchone() == ("1",)
    assert db.execute("SELECT count(*) FROM passages_stem").fetchone() == (0,)
    db.close()
    store = Store(path)  # the next open migrates it whole
    assert store.get_meta("schema") == "2"
    assert [pid for pid, _ in store.keyword_scores(["shipment"], 5, stemmed=True)] == ["d1:0"]
    store.close()
