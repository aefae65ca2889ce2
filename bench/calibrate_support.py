"""Calibrate the citation checker's support thresholds on the labelled set.

Run: ``.venv/bin/python bench/calibrate_support.py [--labels PATH] [--all-misses]``

For each (claim, passage, label) item of ``tests/data/support_labels.json`` this computes what
``rag.checking.checker`` computes for a claim citing one passage: word overlap
(``lexical_support``), cosine similarity of the two embeddings (unit vectors, so a dot product) and
the hard terms the passage lacks (``missing_terms``). It then grid-searches SEMANTIC_FLOOR and
LEXICAL_MIN (0.00..0.90, step 0.025) for the decision of ``rag.checking.checker.supports`` — no
missing term, lexical >= LEXICAL_MIN and semantic >= SEMANTIC_FLOOR — maximising accuracy, ties
broken by recall of the supported items, then precision, then closeness to the middle of the tied
region (a pair in the middle of a plateau is less fragile than one on its edge).

"Positive" below means "supported": precision is the share of claims the checker passes that
really are supported; recall is the share of supported claims it passes.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from rag.checking import checker as checking  # noqa: E402
from rag.models.embedding import Embedder  # noqa: E402
from rag.models.provision import embedding_model_dir  # noqa: E402

LABELS = ROOT / "tests" / "data" / "support_labels.json"
GRID = np.round(np.arange(0.0, 0.90 + 1e-9, 0.025), 3)


@dataclass(frozen=True)
class Scored:
    index: int
    item: dict
    lexical: float
    semantic: float
    missing: list[str]

    @property
    def supported(self) -> bool:
        return self.item["label"] == "supported"


@dataclass(frozen=True)
class Metrics:
    semantic_min: float
    lexical_min: float
    accuracy: float
    precision: float
    recall: float
    tp: int
    fp: int
    tn: int
    fn: int


def decide(s: Scored, semantic_min: float, lexical_min: float) -> bool:
    """The rule of ``rag.checking.checker.supports`` with the thresholds as parameters."""
    return not s.missing and s.lexical >= lexical_min and s.semantic >= semantic_min


def score_items(items: list[dict], embedder: Embedder) -> list[Scored]:
    cache: dict[str, np.ndarray] = {}

    def vec(text: str) -> np.ndarray:
        if text not in cache:
            cache[text] = embedder.embed_one(text)
        return cache[text]

    scored = []
    for i, item in enumerate(items):
        claim, passage = item["claim"], item["passage"]
        scored.append(
            Scored(
                i,
                item,
                checking.lexical_support(claim, passage),
                float(np.dot(vec(claim), vec(passage))),
                checking.missing_terms(claim, passage),
            )
        )
    return scored


def evaluate(scored: list[Scored], semantic_min: float, lexical_min: float) -> Metrics:
    tp = fp = tn = fn = 0
    for s in scored:
        predicted = decide(s, semantic_min, lexical_min)
        if predicted and s.supported:
            tp += 1
        elif predicted:
            fp += 1
        elif s.supported:
            fn += 1
        else:
            tn += 1
    return Metrics(
        semantic_min,
        lexical_min,
        (tp + tn) / len(scored),
        tp / (tp + fp) if tp + fp else 0.0,
        tp / (tp + fn) if tp + fn else 0.0,
        tp,
        fp,
        tn,
        fn,
    )


def grid_search(scored: list[Scored]) -> tuple[Metrics, list[Metrics]]:
    """The best pair, and every pair tied with it on accuracy, recall and precision."""
    results = [evaluate(scored, float(s), float(lx)) for s in GRID for lx in GRID]

    def key(m: Metrics) -> tuple[float, float, float]:
        return (round(m.accuracy, 9), round(m.recall, 9), round(m.precision, 9))

    top = max(key(m) for m in results)
    tied = [m for m in results if key(m) == top]
    centre_s = float(np.mean([m.semantic_min for m in tied]))
    centre_l = float(np.mean([m.lexical_min for m in tied]))
    best = min(
        tied,
        key=lambda m: ((m.semantic_min - centre_s) ** 2 + (m.lexical_min - centre_l) ** 2,
                       m.semantic_min, m.lexical_min),
    )  # fmt: skip
    return best, tied


def _row(name: str, m: Metrics) -> str:
    return (
        f"{name:<22} {m.semantic_min:>12.3f} {m.lexical_min:>11.3f} {m.accuracy:>9.3f} "
        f"{m.precision:>10.3f} {m.recall:>7.3f}   {m.tp:>3} {m.fp:>3} {m.tn:>3} {m.fn:>3}"
    )


def _describe(s: Scored) -> str:
    lines = [
        f"  #{s.index:<3} [{s.item['label']}, {s.item.get('kind', '?')}] {s.item['source']}  "
        f"lex={s.lexical:.2f} sem={s.semantic:.2f} missing={s.missing or '-'}",
        f"       claim: {s.item['claim']}",
        f"       why:   {s.item['why']}",
    ]
    return "\n".join(lines)


def decide_current(s: Scored) -> bool:
    return checking.supports(s.lexical, s.semantic, s.missing)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument(
        "--all-misses", action="store_true", help="also list misses of the current constants"
    )
    args = parser.parse_args(argv)

    items = json.loads(args.labels.read_text(encoding="utf-8"))
    embedder = Embedder(embedding_model_dir())
    scored = score_items(items, embedder)

    current = evaluate(scored, checking.SEMANTIC_FLOOR, checking.LEXICAL_MIN)
    # The bench's rule must be the checker's rule, or the calibration calibrates something else.
    mismatched = [s.index for s in scored if decide(s, current.semantic_min, current.lexical_min)
                  != decide_current(s)]  # fmt: skip
    if mismatched:
        print(f"rag.checking.checker.supports disagrees with this bench on items {mismatched}")
        return 2
    best, tied = grid_search(scored)

    n_sup = sum(s.supported for s in scored)
    hard_fail = [s for s in scored if s.missing]
    print(f"{args.labels.relative_to(ROOT) if args.labels.is_relative_to(ROOT) else args.labels}: "
          f"{len(scored)} items, {n_sup} supported, {len(scored) - n_sup} unsupported")  # fmt: skip
    print(
        f"hard terms missing in {len(hard_fail)} items "
        f"({sum(not s.supported for s in hard_fail)} unsupported, "
        f"{sum(s.supported for s in hard_fail)} supported): the thresholds cannot change these"
    )
    print()
    print(f"{'':<22} {'SEMANTIC_MIN':>12} {'LEXICAL_MIN':>11} {'accuracy':>9} "
          f"{'precision':>10} {'recall':>7}    TP  FP  TN  FN")  # fmt: skip
    print(_row("current (checking.py)", current))
    print(_row("best on the grid", best))
    sem_range = (min(m.semantic_min for m in tied), max(m.semantic_min for m in tied))
    lex_range = (min(m.lexical_min for m in tied), max(m.lexical_min for m in tied))
    print(
        f"\n{len(tied)} grid pairs tie with the best (SEMANTIC_MIN {sem_range[0]:.3f}.."
        f"{sem_range[1]:.3f}, LEXICAL_MIN {lex_range[0]:.3f}..{lex_range[1]:.3f}); "
        "the reported pair is the one nearest their centre."
    )

    for name, sem_min, lex_min in (
        ("semantic only", None, 9.0),
        ("lexical only", 9.0, None),
    ):
        sub = [
            evaluate(scored, float(g) if sem_min is None else sem_min,
                     float(g) if lex_min is None else lex_min)
            for g in GRID
        ]  # fmt: skip
        m = max(sub, key=lambda x: (x.accuracy, x.recall))
        which = m.semantic_min if sem_min is None else m.lexical_min
        print(f"best {name:<14} threshold {which:.3f}: accuracy {m.accuracy:.3f}, "
              f"precision {m.precision:.3f}, recall {m.recall:.3f}")  # fmt: skip

    kinds = sorted({s.item.get("kind", "?") for s in scored})
    if kinds != ["?"]:
        print(f"\n{'accuracy by kind':<22} {'items':>5} {'current':>8} {'best':>6}")
        for kind in kinds:
            group = [s for s in scored if s.item.get("kind", "?") == kind]
            cur = sum(decide_current(s) == s.supported for s in group)
            bst = sum(decide(s, best.semantic_min, best.lexical_min) == s.supported for s in group)
            label = "+" if group[0].supported else "-"
            print(f"{label} {kind:<20} {len(group):>5} {cur / len(group):>8.2f} "
                  f"{bst / len(group):>6.2f}")  # fmt: skip

    print(f"\nMisclassified with the best pair (SEMANTIC_MIN={best.semantic_min:.3f}, "
          f"LEXICAL_MIN={best.lexical_min:.3f}):")  # fmt: skip
    for s in scored:
        if decide(s, best.semantic_min, best.lexical_min) != s.supported:
            print(_describe(s))
    if args.all_misses:
        print("\nMisclassified with the current constants:")
        for s in scored:
            if decide_current(s) != s.supported:
                print(_describe(s))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
