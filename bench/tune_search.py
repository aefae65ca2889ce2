"""Tune the hybrid search's weights on the TUNE split of the evaluation questions only.

``python -m bench.tune_search --work DIR`` builds (or reuses) the evaluation library in DIR,
then walks each weight over a few values in turn, keeping a change only when it raises
recall@5 + recall@10 + MRR on the tune split, for two rounds. It prints the result; the
chosen values are copied into rag/search/fusion.py and rag/search/diversity.py by hand, and the
test split is measured afterwards by the benchmark (bench/phase_search.py), never here.
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path
from typing import Any

from bench import retrieval_eval
from rag.indexing.library import Library
from rag.search import diversity, fusion

GRID: dict[str, tuple[float, ...]] = {
    "keyword": (0.0, 0.3, 0.6, 0.8, 1.0, 1.2, 1.5),
    "keyword_exact": (0.0, 0.2, 0.3, 0.45, 0.6, 0.8, 1.0),
    "dense": (0.2, 0.4, 0.6, 0.8, 1.0, 1.3),
    "dense_floor": (0.0, 0.1, 0.15, 0.2, 0.3),
    "exact": (0.0, 0.3, 0.6, 0.8, 1.2, 2.0),
    "names": (0.0, 0.15, 0.3, 0.5, 0.8),
    "pairs": (0.0, 0.1, 0.2, 0.4, 0.6),
    "year": (0.0, 0.2, 0.5, 1.0, 3.0),
    "redundancy": (0.0, 0.1, 0.2, 0.35, 0.5, 0.8),
}


def _apply(params: dict[str, float]) -> None:
    fields = {f.name for f in dataclasses.fields(fusion.Weights)}
    fusion.WEIGHTS = fusion.Weights(**{k: v for k, v in params.items() if k in fields})
    diversity.REDUNDANCY = params["redundancy"]


def score(lib: Library, questions: list[dict[str, Any]], vectors: Any) -> dict[str, float]:
    ranks = []
    for question, vec in zip(questions, vectors, strict=True):
        ids = [h.passage.id for h in lib.search(question["question"], 10, vector=vec)]
        ranks.append(retrieval_eval.first_answer_rank(lib, ids, question))
    return retrieval_eval.metrics(ranks)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--work", type=Path, required=True)
    p.add_argument("--rounds", type=int, default=2)
    args = p.parse_args()
    lib = retrieval_eval.build_library(args.work)
    questions = retrieval_eval.load_questions("tune")
    vectors = lib.embedder.embed([q["question"] for q in questions])
    params: dict[str, float] = {
        **dataclasses.asdict(fusion.WEIGHTS),
        "redundancy": diversity.REDUNDANCY,
    }

    def objective() -> tuple[float, dict[str, float]]:
        _apply(params)
        m = score(lib, questions, vectors)
        return m["recall@5"] + m["recall@10"] + m["mrr"], m

    best, metrics = objective()
    print(f"start {params} -> {metrics}")
    for _ in range(args.rounds):
        for name, values in GRID.items():
            for value in values:
                kept = params[name]
                params[name] = value
                value_score, value_metrics = objective()
                if value_score > best + 1e-9:
                    best, metrics = value_score, value_metrics
                    print(f"{name}={value} -> {metrics}", flush=True)
                else:
                    params[name] = kept
    _apply(params)
    print(f"best on the tune split ({len(questions)} questions): {metrics}")
    print(f"params: {params}")
    lib.close()


if __name__ == "__main__":
    main()
