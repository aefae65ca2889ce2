"""Repeated facts in a run's briefings, counted by a reader rather than by a rule.

    .venv/bin/python eval/repeats_read.py sheet RUN          # eval/labels/RUN.repeats.sheet.txt
    .venv/bin/python eval/repeats_read.py read RUN [SHEET]   # -> eval/labels/RUN.repeats.json
    .venv/bin/python eval/repeats_read.py agree RUN OTHER_ANSWERS  # a second reader's answers
    .venv/bin/python eval/repeats_read.py report RUN [RUN2 ...]

``scoring.duplicates`` counts a repeat only when two claims share most of their words and
all their figures, and the engine avoids repeats by rules of the same kind: counted that way,
the product would grade itself. The sheet shows each briefing's claims (every section but the
gaps and the disagreement lines, which are the engine's own sentences), numbered in reading
order with their section, and nothing else: not who wrote them, not the checker's verdict.
The reader writes, under the briefing, one line per claim that states a fact an earlier claim
of the briefing already states (in other words, or in full with a detail added, counts):
``repeats: 4 2`` (claim 4 repeats claim 2). A briefing without repeats gets ``repeats: none``.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from pathlib import Path

EVAL = Path(__file__).resolve().parent
RESULTS = EVAL / "results"
LABELS = EVAL / "labels"
LEFT_OUT = ("gaps", "disagreements")

HEADER = """\
# BriefDesk evaluation, repeated facts. Run: {run}. Briefings: {count}.
# Each briefing's claims are numbered in reading order. Under each briefing write one line
#   repeats: N M
# for every claim N that states a fact claim M (earlier) already states: in other words, or
# the same fact again with a detail added. A claim that only shares a topic or a name with an
# earlier one, and states something else, is not a repeat. If no claim repeats another, write
#   repeats: none
# Lines starting with # are ignored.
"""


def claims_of(pair: dict) -> list[tuple[str, str]]:
    """(section, text) of a drafted briefing's claims, in reading order."""
    units = (pair.get("briefdesk") or {}).get("units") or []
    return [(u["section"], u["text"]) for u in units if u.get("section") not in LEFT_OUT]


def briefings(run: str) -> dict[str, list[tuple[str, str]]]:
    out = {}
    for path in sorted((RESULTS / run / "pairs").glob("*.json")):
        claims = claims_of(json.loads(path.read_text("utf-8")))
        if len(claims) >= 2:
            out[path.stem] = claims
    return out


def write_sheet(run: str) -> Path:
    found = briefings(run)
    lines = [HEADER.format(run=run, count=len(found))]
    for name, claims in found.items():
        lines.append(f"=== {name}")
        lines += [f"{n}. [{section}] {text}" for n, (section, text) in enumerate(claims, 1)]
        lines.append("repeats:\n")
    path = LABELS / f"{run}.repeats.sheet.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def parse(run: str, sheet: Path) -> dict[str, list[list[int]]]:
    """Briefing -> [[later, earlier], ...] from a filled sheet or a reader's answer file."""
    found = briefings(run)
    marks: dict[str, list[list[int]]] = {}
    current = None
    for line in sheet.read_text("utf-8").splitlines():
        # A reader's answer file gives each line its briefing: "t02__1 5 3", "t04__0 none".
        if m := re.match(r"^(\S+__\d+)\s+(none\b|\d+\s+\d+)", line):
            current = m[1]
            marks.setdefault(current, [])
            line = f"repeats: {m[2]}"
        if line.startswith("=== "):
            current = line[4:].strip()
        elif current and (m := re.match(r"^repeats:\s*(\d+)\s+(\d+)", line)):
            later, earlier = int(m[1]), int(m[2])
            if current not in found or not 1 <= earlier < later <= len(found[current]):
                sys.exit(f"{current}: claim {later} cannot repeat claim {earlier}")
            marks.setdefault(current, []).append([later, earlier])
        elif current and re.match(r"^repeats:\s*none\b", line):
            marks.setdefault(current, [])
    missing = sorted(set(found) - set(marks))
    if missing:
        sys.exit(f"no answer for: {', '.join(missing)}")
    return marks


def read_sheet(run: str, sheet: Path) -> Path:
    path = LABELS / f"{run}.repeats.json"
    marks = parse(run, sheet)
    path.write_text(json.dumps(marks, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return path


def agree(run: str, other: Path) -> None:
    """How often a second reader marks the same claims as repeats as the stored answers."""
    first = json.loads((LABELS / f"{run}.repeats.json").read_text("utf-8"))
    second = parse(run, other)
    same = total = both = either = 0
    for name, claims in briefings(run).items():
        a = {later for later, _ in first.get(name, [])}
        b = {later for later, _ in second.get(name, [])}
        total += len(claims)
        same += len(claims) - len(a ^ b)
        both += len(a & b)
        either += len(a | b)
    print(f"claims judged alike: {same} of {total}; marked a repeat by both: {both} of {either}")


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    if n == 0:
        return 0.0, 0.0
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def report(runs: list[str]) -> None:
    print("| run | claims | claims repeating an earlier one | briefings with a repeat |")
    print("|---|---|---|---|")
    for run in runs:
        marks = json.loads((LABELS / f"{run}.repeats.json").read_text("utf-8"))
        found = briefings(run)
        claims = sum(len(c) for c in found.values())
        repeating = sum(len({later for later, _ in pairs}) for pairs in marks.values())
        low, high = wilson(repeating, claims)
        with_repeat = sum(bool(pairs) for pairs in marks.values())
        print(
            f"| {run} | {claims} | {repeating} ({repeating / max(claims, 1):.0%}; "
            f"{low:.0%}-{high:.0%}) | {with_repeat} of {len(found)} |"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=("sheet", "read", "agree", "report"))
    parser.add_argument("runs", nargs="+")
    args = parser.parse_args()
    if args.command == "sheet":
        print(write_sheet(args.runs[0]))
    elif args.command == "read":
        run = args.runs[0]
        sheet = Path(args.runs[1]) if len(args.runs) > 1 else LABELS / f"{run}.repeats.sheet.txt"
        print(read_sheet(run, sheet))
    elif args.command == "agree":
        agree(args.runs[0], Path(args.runs[1]))
    else:
        report(args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
