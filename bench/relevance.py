"""Relevance labels for recall@5: the evaluation set's facts (eval/cases.json) as questions,
each labelled with the passages of the demo library and seed articles that state it.

The labels were made once by ``python -m bench.relevance --write`` (a passage is relevant when
it holds one of the fact's support phrases, whitespace and case aside) and are committed in
``bench/relevance.json``; the benchmark reads them and never relabels. A label names a file
and a passage ordinal, so it survives a new library but not a change to chunking: the
benchmark checks that each labelled passage still holds its phrase and says so if not.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
from pathlib import Path
from typing import Any

from bench.common import DEMO, ROOT, SEEDS
from rag.core.atomic import write_text_atomic
from rag.indexing.library import Library

LABELS = Path(__file__).with_name("relevance.json")
CASES = ROOT / "eval" / "cases.json"


def library_files() -> list[Path]:
    return sorted(DEMO.iterdir()) + sorted(SEEDS.glob("*.txt"))


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_labels(lib: Library) -> dict[str, Any]:
    by_name = {p.name: sha256(p) for p in library_files()}
    cases = json.loads(CASES.read_text(encoding="utf-8"))["cases"]
    questions = []
    for case in cases:
        for fact in case.get("facts", []):
            relevant = []
            for support in fact["support"]:
                doc_id = by_name[support["file"]]
                for p in lib.store.passages_of(doc_id):
                    if _norm(support["phrase"]) in _norm(p.text):
                        relevant.append(
                            {"file": support["file"], "ordinal": p.ordinal,
                             "phrase": support["phrase"]}
                        )  # fmt: skip
            if relevant:
                questions.append(
                    {"id": f"{case['id']}/{fact['id']}", "question": fact["fact"],
                     "relevant": relevant}
                )  # fmt: skip
    return {
        "about": "Made once by `python -m bench.relevance --write`; see bench/relevance.py.",
        "questions": questions,
    }


def load_labels() -> list[dict[str, Any]]:
    return json.loads(LABELS.read_text(encoding="utf-8"))["questions"]


def relevant_ids(lib: Library, question: dict[str, Any]) -> tuple[set[str], list[str]]:
    """Passage ids labelled relevant, and labels that no longer hold their phrase."""
    by_name = {p.name: sha256(p) for p in library_files()}
    ids, stale = set(), []
    for label in question["relevant"]:
        pid = f"{by_name[label['file']]}:{label['ordinal']}"
        passage = lib.passage(pid)
        if passage is None or _norm(label["phrase"]) not in _norm(passage.text):
            stale.append(pid)
        ids.add(pid)
    return ids, stale


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--write", action="store_true", help="(re)write bench/relevance.json")
    p.add_argument("--library", type=Path, required=True, help="a scratch library folder")
    args = p.parse_args()
    with Library.open(args.library) as lib:
        for _ in lib.import_paths(library_files()):
            pass
        labels = make_labels(lib)
    print(f"{len(labels['questions'])} questions")
    if args.write:
        write_text_atomic(LABELS, json.dumps(labels, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
