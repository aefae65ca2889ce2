"""Retrieval quality on the evaluation library: recall@5, recall@10 and MRR of dense-only,
keyword-only and hybrid search, per split of the questions.

The library is built from ``eval/corpus`` by ``eval/build_corpus.py OUT_DIR`` (which renders
the long rules to PDF) and imported through the real path. The questions are
``eval/retrieval.json``: ``{"id", "split": "tune" | "test", "question", "answers": [{"file",
"sentence"}]}``. A question is answered at depth k when one of the first k passages returned
comes from an answer's file and contains its sentence, whitespace aside. Weights are tuned on
the "tune" split only (``python -m bench.tune_search``); the "test" split is what is reported.

Modes: ``dense`` (Chroma, cosine), ``keyword`` (FTS5 BM25 on the exact words, as shipped),
``keyword_stemmed`` (BM25 on the stemmed index with acronym long forms), ``shipped_hybrid``
(the first fusion: equal-weight RRF over 50-deep exact-keyword and dense lists, at most two
passages per document) and ``hybrid`` (``Library.search`` as it is now).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import ROOT
from rag.core.types import Passage
from rag.indexing.library import CANDIDATES, Library
from rag.search.diversity import cap_per_document
from rag.search.fusion import rrf_fuse
from rag.search.query import parse

EVAL = ROOT / "eval"
QUESTIONS = EVAL / "retrieval.json"
BUILD = EVAL / "build_corpus.py"
DEPTH = 10
MODES = ("dense", "keyword", "keyword_stemmed", "shipped_hybrid", "hybrid")


def available() -> bool:
    return QUESTIONS.is_file() and BUILD.is_file()


def load_questions(split: str | None = None) -> list[dict[str, Any]]:
    data = json.loads(QUESTIONS.read_text(encoding="utf-8"))
    questions = data["questions"] if isinstance(data, dict) else data
    return [q for q in questions if split is None or q["split"] == split]


def build_library(work: Path) -> Library:
    """The evaluation library in ``work`` (built once; reopened if it is already there)."""
    files = work / "eval-files"
    folder = work / "eval-library"
    if not files.is_dir():
        subprocess.run([sys.executable, str(BUILD), str(files)], cwd=ROOT, check=True)
    lib = Library.open(folder)
    if not lib.documents():
        for event in lib.import_paths([files]):
            if type(event).__name__ == "FileFailed":
                print(f"import failed: {event}", file=sys.stderr)
    return lib


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def answers(passage: Passage, filename: str, question: dict[str, Any]) -> bool:
    text = _norm(passage.text)
    return any(
        Path(a["file"]).name == filename and _norm(a["sentence"]) in text
        for a in question["answers"]
    )


def _rankers(lib: Library) -> dict[str, Callable[[str, np.ndarray], list[str]]]:
    def dense(q: str, vec: np.ndarray) -> list[str]:
        return [pid for pid, _ in lib.index.query(vec, DEPTH)]

    def keyword(q: str, vec: np.ndarray) -> list[str]:
        return lib.store.keyword_search(q, DEPTH)

    def keyword_stemmed(q: str, vec: np.ndarray) -> list[str]:
        asked = parse(q)
        hits = lib.store.keyword_scores(asked.words, DEPTH, phrases=asked.phrases, stemmed=True)
        return [pid for pid, _ in hits]

    def shipped_hybrid(q: str, vec: np.ndarray) -> list[str]:
        dense_ids = [pid for pid, _ in lib.index.query(vec, CANDIDATES)]
        scores = rrf_fuse([dense_ids, lib.store.keyword_search(q, CANDIDATES)])
        ranked = sorted(scores, key=lambda pid: -scores[pid])
        doc_of = {pid: pid.split(":")[0] for pid in ranked}
        return cap_per_document(ranked, doc_of, DEPTH, per_document=2)

    def hybrid(q: str, vec: np.ndarray) -> list[str]:
        return [h.passage.id for h in lib.search(q, DEPTH, vector=vec)]

    return {
        "dense": dense,
        "keyword": keyword,
        "keyword_stemmed": keyword_stemmed,
        "shipped_hybrid": shipped_hybrid,
        "hybrid": hybrid,
    }


def first_answer_rank(lib: Library, ids: list[str], question: dict[str, Any]) -> int | None:
    passages = lib.store.passages_by_ids(ids)
    docs = lib.store.documents_by_ids(p.doc_id for p in passages.values())
    for rank, pid in enumerate(ids, start=1):
        p = passages.get(pid)
        if p is not None and answers(p, docs[p.doc_id].filename, question):
            return rank
    return None


def reachable(lib: Library, question: dict[str, Any]) -> bool:
    """Whether any passage in the library holds a gold sentence (chunking can split one)."""
    files = {Path(a["file"]).name for a in question["answers"]}
    return any(
        answers(p, doc.filename, question)
        for doc in lib.documents()
        if doc.filename in files
        for p in lib.store.passages_of(doc.id)
    )


def metrics(ranks: list[int | None]) -> dict[str, float]:
    n = len(ranks) or 1
    return {
        "recall@5": sum(r is not None and r <= 5 for r in ranks) / n,
        "recall@10": sum(r is not None and r <= 10 for r in ranks) / n,
        "mrr": sum(1.0 / r for r in ranks if r is not None) / n,
    }


def evaluate(
    lib: Library, questions: list[dict[str, Any]], modes: tuple[str, ...] = MODES
) -> dict[str, Any]:
    """Per mode: the metrics, the hybrid's latency, and each question's first-answer rank."""
    rankers = _rankers(lib)
    vectors = lib.embedder.embed([q["question"] for q in questions])
    ranks: dict[str, list[int | None]] = {m: [] for m in modes}
    seconds: list[float] = []
    for question, vec in zip(questions, vectors, strict=True):
        for mode in modes:
            started = time.perf_counter()
            ids = rankers[mode](question["question"], vec)
            if mode == "hybrid":
                seconds.append(time.perf_counter() - started)
            ranks[mode].append(first_answer_rank(lib, ids, question))
    ids = [q["id"] for q in questions]
    return {
        "questions": len(questions),
        "unreachable": [q["id"] for q in questions if not reachable(lib, q)],
        "metrics": {m: metrics(r) for m, r in ranks.items()},
        "ranks": {m: dict(zip(ids, r, strict=True)) for m, r in ranks.items()},
        "hybrid_ms_mean": 1000 * float(np.mean(seconds)) if seconds else None,
    }
