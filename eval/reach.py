"""How many must-cover facts reach the model: evidence gathering alone, without a model.

Run from a checkout::

    PYTHONPATH=$PWD .venv/bin/python eval/reach.py            # the tuning split
    PYTHONPATH=$PWD .venv/bin/python eval/reach.py --split test

For every answerable phrasing, ``gather`` collects the evidence a briefing would be drafted
from, as ``draft`` does. A must-cover fact *reaches* the model when one of its sentences is a
fact given to a section (its passage among the evidence is not enough: the sentence itself
may have been filtered or clustered away). A fact no sentence of which reaches the model
cannot be covered, whatever the model does, so this bounds coverage and measures retrieval
changes in minutes instead of hours. Tune on the tuning split; the test split is for reports.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "eval")]

import run_eval  # noqa: E402
import scoring  # noqa: E402

from rag.briefs.templates import get_template  # noqa: E402
from rag.core.settings import Settings, save_settings  # noqa: E402
from rag.drafting.section_evidence import gather  # noqa: E402
from rag.indexing.library import Library  # noqa: E402


def _squash(text: str) -> str:
    return "".join(ch for ch in scoring.normalise(text) if ch.isalnum())


def reached(evidence: object, sentences: list[dict]) -> tuple[bool, bool]:
    """(its passage is among the evidence, its sentence is a fact given to a section)."""
    given = [f for facts in evidence.by_section.values() for f in facts]  # type: ignore[attr-defined]
    passages = {m.hit.passage.id for f in given for m in f.members}
    # The source's own words: a fact's text has "today" written out as a date.
    texts = {_squash(m.cited) for f in given for m in f.members}
    in_passage = any(set(s["passage_ids"]) & passages for s in sentences)
    as_fact = any(
        _squash(s["sentence"]) in t or (t and t in _squash(s["sentence"]))
        for s in sentences
        for t in texts
    )
    return in_passage, as_fact


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", default="tune", choices=("tune", "test", "all"))
    parser.add_argument("--topics", default=None, help="comma-separated topic ids")
    args = parser.parse_args()
    topics = run_eval.select_topics(
        run_eval.load_topics(run_eval.EVAL / "topics.json"), args.split, args.topics
    )
    home = Path(tempfile.mkdtemp(prefix="briefdesk-reach-"))
    os.environ["BRIEFDESK_HOME"] = str(home)
    try:
        folder = run_eval.build_corpus(home / "corpus")
        save_settings(Settings())
        with Library.open(home / "library") as library:
            list(library.import_paths([folder]))
            located, _ = run_eval.locate_must_cover(library, topics)
            total = passage_hits = fact_hits = 0
            for topic in topics:
                template = get_template(topic["template"])
                if not topic["answerable"]:
                    for index, phrasing in enumerate(topic["phrasings"]):
                        judgement = gather(library, phrasing, template).judgement
                        verdict = "answerable" if judgement.sufficient else "not enough"
                        print(f"{topic['id']} #{index} unanswerable, judged {verdict}: {phrasing}")
                    continue
                for index, phrasing in enumerate(topic["phrasings"]):
                    evidence = gather(library, phrasing, template)
                    marks = []
                    for fact in located[topic["id"]]:
                        in_passage, as_fact = reached(evidence, fact["sentences"])
                        total += 1
                        passage_hits += in_passage
                        fact_hits += as_fact
                        marks.append("F" if as_fact else ("p" if in_passage else "."))
                    # A false refusal loses the whole briefing, whatever reached the sections.
                    refused = "" if evidence.judgement.sufficient else "  REFUSED"
                    line = f"{topic['id']} #{index} {''.join(marks)}  {phrasing}{refused}"
                    print(line, flush=True)
            print(
                f"must-cover facts: {total}; passage among the evidence: {passage_hits} "
                f"({passage_hits / max(total, 1):.0%}); sentence given as a fact: {fact_hits} "
                f"({fact_hits / max(total, 1):.0%})"
            )
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
