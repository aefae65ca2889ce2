"""Search: p50/p95 latency of hybrid search at 1k/10k/100k generated passages beside brute-force
NumPy cosine on the same vectors; recall@5 of dense-only, keyword-only and hybrid search on the
evaluation facts; recall@5, recall@10 and MRR on the evaluation library's test questions
(bench/retrieval_eval.py) (``python -m bench.phase_search``)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from bench import retrieval_eval
from bench.common import Stopwatch, figure, median, percentile, phase_args, write_result
from bench.corpus import seed_sentences
from bench.relevance import library_files, load_labels, relevant_ids
from bench.synthetic import generate, make_pool
from rag.core.types import Document, Locator, Passage
from rag.indexing.library import CANDIDATES, Library

SIZES = (1_000, 10_000, 100_000)
QUICK_SIZES = (1_000, 10_000)
TARGET_P95_MS = {10_000: 50, 100_000: 250}
PASSES = 2


def _queries() -> list[str]:
    import json

    from bench.relevance import CASES

    cases = json.loads(CASES.read_text(encoding="utf-8"))["cases"]
    return [q["question"] for q in load_labels()] + [c["topic"] for c in cases]


def _add_synthetic(lib: Library, texts: list[str], vecs: np.ndarray, n: int) -> None:
    doc_id = f"synthetic{n:07d}"
    passages = [
        Passage(f"{doc_id}:{i}", doc_id, i, t, Locator(page=i // 3 + 1))
        for i, t in enumerate(texts)
    ]
    doc = Document(
        id=doc_id, filename=f"{doc_id}.pdf", kind="pdf", title=f"Synthetic report {n}",
        publisher="Bench", published="2026-03-01", author="", pages=len(texts) // 3 + 1,
        chars=sum(map(len, texts)), passages=len(texts), imported_at="2026-03-01T00:00:00",
        stored_path="",
    )  # fmt: skip
    lib.store.add_document(doc, passages, vecs)
    lib.index.upsert([p.id for p in passages], [doc_id] * len(passages), vecs)
    lib.store.mark_indexed([doc_id])


def _brute_force(lib: Library, matrix: np.ndarray, query: str) -> list[int]:
    q = lib.embedder.embed_one(query)
    scores = matrix @ q
    top = np.argpartition(-scores, CANDIDATES)[:CANDIDATES]
    return top[np.argsort(-scores[top])].tolist()


def latency(work: Path, sizes: tuple[int, ...]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    figures: list[dict[str, Any]] = []
    raw: dict[str, Any] = {}
    queries = _queries()
    lib = Library.open(work / "synthetic-library")
    pool = make_pool(lib.embedder, seed_sentences())
    stream = generate(pool, max(sizes), seed=7)
    chunks: list[np.ndarray] = []
    have = 0
    for size in sizes:
        with Stopwatch() as build:
            while have < size:
                texts, vecs = next(stream)
                _add_synthetic(lib, texts, vecs, have)
                chunks.append(vecs)
                have += len(texts)
        matrix = np.vstack(chunks)
        for q in queries[:5]:  # warm caches (SQLite pages, HNSW, ORT) for both columns
            lib.search(q, 8)
            _brute_force(lib, matrix, q)
        hybrid, brute, dense, keyword = [], [], [], []
        for _ in range(PASSES):
            for q in queries:
                t = time.perf_counter()
                lib.search(q, 8)
                hybrid.append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                _brute_force(lib, matrix, q)
                brute.append((time.perf_counter() - t) * 1000)
                vec = lib.embedder.embed_one(q)
                t = time.perf_counter()
                lib.index.query(vec, CANDIDATES)
                dense.append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                lib.store.keyword_search(q, CANDIDATES)
                keyword.append((time.perf_counter() - t) * 1000)
        label = f"{size // 1000}k"
        raw[label] = {
            "build_seconds": build.seconds,
            "queries": len(hybrid),
            "hybrid_ms": {"p50": median(hybrid), "p95": percentile(hybrid, 95)},
            "numpy_ms": {"p50": median(brute), "p95": percentile(brute, 95)},
            "dense_query_ms": {"p50": median(dense), "p95": percentile(dense, 95)},
            "keyword_query_ms": {"p50": median(keyword), "p95": percentile(keyword, 95)},
        }
        limit = TARGET_P95_MS.get(size)
        figures.append(
            figure(
                f"search p50 at {label} passages", median(hybrid), "ms",
                baseline=median(brute), baseline_name="NumPy brute-force cosine",
                higher_is_better=False,
            )
        )  # fmt: skip
        figures.append(
            figure(
                f"search p95 at {label} passages", percentile(hybrid, 95), "ms",
                baseline=percentile(brute, 95), baseline_name="NumPy brute-force cosine",
                target=f"value<{limit}" if limit else "", higher_is_better=False,
            )
        )  # fmt: skip
    lib.close()
    return figures, raw


def recall(work: Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    lib = Library.open(work / "eval-library")
    for _ in lib.import_paths(library_files()):
        pass
    labels = load_labels()
    found = {"dense": [], "keyword": [], "hybrid": []}  # type: dict[str, list[float]]
    stale: list[str] = []
    for question in labels:
        relevant, gone = relevant_ids(lib, question)
        stale += gone
        q = question["question"]
        ranked = {
            "dense": [pid for pid, _ in lib.index.query(lib.embedder.embed_one(q), 5)],
            "keyword": lib.store.keyword_search(q, 5),
            "hybrid": [h.passage.id for h in lib.search(q, 5)],
        }
        for mode, ids in ranked.items():
            found[mode].append(len(relevant & set(ids[:5])) / len(relevant))
    lib.close()
    means = {m: float(np.mean(v)) for m, v in found.items()}
    note = f"{len(labels)} questions" + (f"; {len(stale)} stale labels" if stale else "")
    figures = [
        figure("recall@5, dense only", means["dense"], "", note=note),
        figure("recall@5, keyword only", means["keyword"], "", note=note),
        figure(
            "recall@5, hybrid", means["hybrid"], "", baseline=max(means["dense"], means["keyword"]),
            baseline_name="better of dense-only and keyword-only", note=note,
        ),
    ]  # fmt: skip
    return figures, {"recall_at_5": means, "stale_labels": stale}


TARGETS = {"recall@5": 0.92, "recall@10": 0.98}
LABELS = {"dense": "dense only", "keyword": "keyword only (exact BM25)",
          "keyword_stemmed": "keyword only (stemmed BM25)",
          "shipped_hybrid": "first hybrid (RRF, two per document)", "hybrid": "hybrid"}  # fmt: skip


def retrieval(work: Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The evaluation library's questions: figures for the test split, raw for both."""
    if not retrieval_eval.available():
        return [], {"retrieval": "eval/retrieval.json or eval/build_corpus.py missing"}
    lib = retrieval_eval.build_library(work)
    raw: dict[str, Any] = {"documents": len(lib.documents()),
                           "passages": lib.store.passage_count()}  # fmt: skip
    for split in ("tune", "test"):
        raw[split] = retrieval_eval.evaluate(lib, retrieval_eval.load_questions(split))
    lib.close()
    test = raw["test"]
    note = f"test split, {test['questions']} questions" + (
        f"; {len(test['unreachable'])} with no passage holding a gold sentence"
        if test["unreachable"]
        else ""
    )
    figures = []
    for metric in ("recall@5", "recall@10", "mrr"):
        by_mode = {m: test["metrics"][m][metric] for m in retrieval_eval.MODES}
        for mode in retrieval_eval.MODES:
            if mode == "hybrid":
                better = max(by_mode["dense"], by_mode["keyword"])
                limit = TARGETS.get(metric)
                figures.append(
                    figure(
                        f"{metric}, {LABELS[mode]}", by_mode[mode], "", baseline=better,
                        baseline_name="better of dense only and keyword only (exact)",
                        target=f"value>={limit}" if limit else "", note=note,
                    )
                )  # fmt: skip
            else:
                figures.append(figure(f"{metric}, {LABELS[mode]}", by_mode[mode], "", note=note))
    return figures, {"retrieval": raw}


def main() -> None:
    args = phase_args()
    ret_figures, ret_raw = retrieval(args.work)
    rec_figures, rec_raw = recall(args.work)
    lat_figures, lat_raw = latency(args.work, QUICK_SIZES if args.quick else SIZES)
    write_result(
        args.out, "search", lat_figures + ret_figures + rec_figures,
        {**lat_raw, **ret_raw, **rec_raw},
    )  # fmt: skip


if __name__ == "__main__":
    main()
