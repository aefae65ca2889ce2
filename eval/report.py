"""The evaluation's figures, side by side, from runs and their blind labels.

    .venv/bin/python eval/report.py NEW_RUN OLD_RUN [--name NEW_RUN="BriefDesk (new)"] \\
        [--baseline-of NEW_RUN] [--out eval/results/report.md]

One column per run for BriefDesk, then the naive baseline of one run (by default the first:
it was shown the same passages as that run's BriefDesk). Every figure comes from
``scoring.summarise``, the same function for each column; shares carry their 95% Wilson
interval. Label-based rows count labelled claims only: label a run completely
(``label.py status``) before quoting them.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import label
import scoring

EVAL = Path(__file__).resolve().parent


def _num(x: float | None, digits: int = 0) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


ROWS: list[tuple[str, Callable[[dict[str, Any]], str], bool]] = [
    # (metric, how to show it, shown for the baseline too)
    ("briefings (answerable + unanswerable phrasings)",
     lambda s: f"{s['answerable']} + {s['unanswerable']}", True),
    ("  ended in an error (counted as drafting nothing)", lambda s: str(s["errors"]), True),
    ("claims (sentences scored)", lambda s: str(s["claims"]), True),
    ("  of which labelled", lambda s: str(s["labelled"]), True),
    ("**fully supported** by the sentences they cite", lambda s: str(s["supported"]), True),
    ("  partly supported", lambda s: str(s["partly"]), True),
    ("  unsupported", lambda s: str(s["unsupported"]), True),
    ("  not a claim (junk)", lambda s: str(s["not_a_claim"]), True),
    ("leaked prompt text (automatic)", lambda s: str(s["leaked"]), True),
    ("claims citing nothing", lambda s: str(s["citing_nothing"]), True),
    ("**checker precision**: says supported, labelled supported",
     lambda s: str(s["checker_precision"]), False),
    ("  checker flags unsupported, labelled supported",
     lambda s: str(s["flagged_but_supported"]), False),
    ("  claims drafted, failed the check and left out (not scored)",
     lambda s: str(s["dropped"]), False),
    ("  claims stamped supported without a check (left out above)",
     lambda s: str(s["stamped"]), False),
    ("  gap statements, citing nothing, verdict \"gap\" (left out above)",
     lambda s: str(s.get("gaps", 0)), False),
    ("**must-cover facts covered** (answerable phrasings)", lambda s: str(s["coverage"]), True),
    ("  facts whose sentence was among the passages shown",
     lambda s: str(s["facts_shown"]), True),
    ("duplicate claims (same fact as an earlier claim)", lambda s: str(s["duplicates"]), True),
    ("claims in a cited source's own words (8+ words copied)", lambda s: str(s["verbatim"]), True),
    ("words per claim: mean / max",
     lambda s: f"{_num(s['words_mean'], 1)} / {s['words_max']}", True),
    (f"claims over {scoring.LONG_CLAIM_WORDS} words", lambda s: str(s["long_claims"]), True),
    ("**false refusals** (answerable, nothing drafted)",
     lambda s: str(s["false_refusals"]), True),
    ("**\"not enough evidence\"** (unanswerable, nothing drafted)",
     lambda s: str(s["not_enough_evidence"]), True),
    ("seconds per briefing (mean)", lambda s: _num(s["seconds"]), True),
    ("seconds to the first claim (mean)", lambda s: _num(s["first_claim_seconds"], 1), True),
    ("prompt tokens sent / evaluated per briefing",
     lambda s: f"{_num(s['prompt_tokens_sent'])} / {_num(s['prompt_tokens_evaluated'])}", True),
    ("completion tokens per briefing", lambda s: _num(s["completion_tokens"]), True),
]  # fmt: skip


def column(run_dir: Path, system: str, labels_dir: Path) -> dict[str, Any]:
    briefings = [b[system] for _, b in scoring.load_run(run_dir) if system in b]
    return scoring.summarise(briefings, label.load_labels(run_dir.name, labels_dir))


def table(columns: Sequence[tuple[str, str, dict[str, Any]]]) -> str:
    """Markdown: one row per metric, one column per (title, system, summary)."""
    lines = ["| metric | " + " | ".join(t for t, _, _ in columns) + " |",
             "|---|" + "---|" * len(columns)]  # fmt: skip
    for name, show, for_baseline in ROWS:
        cells = [show(s) if system == "briefdesk" or for_baseline else "-"
                 for _, system, s in columns]  # fmt: skip
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def describe(run_dir: Path) -> str:
    meta_path = run_dir / "run.json"
    if not meta_path.exists():
        return f"- {run_dir.name}: no run.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    sessions = meta.get("sessions", [])
    engines = sorted({
        (s["engine"].get("commit") or "")[:7] + ("-dirty" if s["engine"].get("dirty") else "")
        or s["engine"].get("label") or "?"
        for s in sessions
    })  # fmt: skip
    harness = sorted({(s["harness"].get("commit") or "?")[:7] for s in sessions})
    hosts = sorted({f"{s['machine']['cpu']} x{s['machine']['cpus']}" for s in sessions})
    model = meta.get("model", {})
    return (
        f"- **{run_dir.name}**: model {model.get('name')} (n_ctx {model.get('n_ctx')}, threads "
        f"{model.get('threads')}), split {meta.get('split')}, engine {', '.join(engines)}, "
        f"harness {', '.join(harness)}, {len(sessions)} session(s) on {'; '.join(hosts)}; "
        f"{len(meta.get('problems', []))} problem(s) with the topic set"
    )


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("runs", nargs="+", help="run names under --results")
    p.add_argument("--name", action="append", default=[], help='RUN="column title"')
    p.add_argument("--baseline-of", default=None, help="whose baseline to show (default: first)")
    p.add_argument("--results", type=Path, default=EVAL / "results")
    p.add_argument("--labels", type=Path, default=label.LABELS)
    p.add_argument("--out", type=Path, default=None, help="also write the Markdown here")
    args = p.parse_args(argv)

    names = dict(n.split("=", 1) for n in args.name)
    columns = [
        (f"BriefDesk ({names.get(r, r)})", "briefdesk", column(args.results / r, "briefdesk",
                                                               args.labels))
        for r in args.runs
    ]  # fmt: skip
    base = args.baseline_of or args.runs[0]
    columns.append((f"naive baseline ({names.get(base, base)})", "baseline",
                    column(args.results / base, "baseline", args.labels)))  # fmt: skip
    runs = list(dict.fromkeys([*args.runs, base]))
    text = "\n".join([
        table(columns), "", "Runs:", *(describe(args.results / r) for r in runs), "",
        "Shares: percent (count/total; 95% Wilson interval).",
    ])  # fmt: skip
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
