"""Blind labelling of a run's claims: a sheet to fill in, and the labels it gives.

    .venv/bin/python eval/label.py sheet RUN            # eval/labels/RUN.sheet.txt: claims to label
    .venv/bin/python eval/label.py read RUN [SHEET] [--labeller NAME]  # -> eval/labels/RUN.json
    .venv/bin/python eval/label.py agree RUN SHEET      # a second labeller's sheet vs the labels
    .venv/bin/python eval/label.py status RUN           # how many are labelled
    .venv/bin/python eval/label.py reuse RUN OTHER_RUN  # reuse labels of identical claims

The sheet shows each claim of the run (BriefDesk's and the baseline's alike, shuffled) with
only its text and the sentences of the passages it cites. It never shows which system wrote
the claim or what BriefDesk's checker said about it: those are joined to the labels only by
``report.py``. A claim's id is a hash of its words and the text it cites, so the same sentence
citing the same text (twice in a run, or in another run) is labelled once.

Labels: ``supported`` (the cited sentences state all of it), ``partly`` (some of it, or it
overstates), ``unsupported`` (they do not state it, or it cites nothing), ``not_a_claim`` (a
heading, fragment, instruction or refusal). For ``supported`` and ``partly``, the numbers of
the sentences that support it. Shortcuts on the sheet: s, p, u, n.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import scoring

EVAL = Path(__file__).resolve().parent
RESULTS = EVAL / "results"
LABELS = EVAL / "labels"
SHORT = {"s": "supported", "p": "partly", "u": "unsupported", "n": "not_a_claim"}
CITES_NOTHING = "(nothing)"

HEADER = """\
# BriefDesk evaluation, blind labels. Run: {run}. Claims on this sheet: {count}.
# Read each claim against the sentences it cites (and nothing else), then write after "label:"
#   s  supported    the cited sentences state everything the claim says
#   p  partly       they state some of it, or the claim overstates them
#   u  unsupported  they do not state it (a claim citing nothing is unsupported)
#   n  not_a_claim  a heading, fragment, instruction, refusal or prompt text
# and, after s or p, the numbers of the sentences that support it:  label: s 2 5
# Each cited passage opens with whom it comes from, as the briefing's footnote names it
# ([from: publisher · title · date]). A claim saying who holds a view ("According to X, ...",
# "X argues ...") is supported only if X is that source, or the sentences say X holds it.
# A sentence's relative date ("today", "on Tuesday", "next month") may be stated as the date
# it falls on, counted from the date on its [from: ...] line (a weekday: the last one on or
# before that date, or the next one when the sentence looks ahead: "will take effect Monday").
# Leave "label:" empty to skip a claim; lines starting with # are ignored.
# Then: .venv/bin/python eval/label.py read {run}
"""


def labels_path(run: str, folder: Path = LABELS) -> Path:
    return folder / f"{run}.json"


def load_labels(run: str, folder: Path = LABELS) -> dict[str, dict[str, Any]]:
    path = labels_path(run, folder)
    if not path.exists():
        return {}
    return dict(json.loads(path.read_text(encoding="utf-8"))["labels"])


def save_labels(run: str, labels: Mapping[str, Any], folder: Path = LABELS) -> Path:
    path = labels_path(run, folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"run": run, "labels": dict(sorted(labels.items()))}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


def items_to_label(run_dir: Path) -> dict[str, dict[str, Any]]:
    """Every distinct claim of the run: id -> its text, its cited sentences and whom each
    cited passage comes from (as a footnote names it), nothing else."""
    documents = _documents(run_dir)
    out: dict[str, dict[str, Any]] = {}
    for _, briefings in scoring.load_run(run_dir):
        for b in briefings.values():
            for claim in b.claims:
                cid = scoring.claim_id(claim, b.sources)
                origins = [
                    _origin(documents.get(pid.split(":", 1)[0]))
                    for pid in claim.cites if pid in b.sources
                ]  # fmt: skip
                out.setdefault(cid, {
                    "id": cid, "claim": claim.text,
                    "cites": scoring.cited_sentences(claim, b.sources), "origins": origins,
                })  # fmt: skip
    return out


def _documents(run_dir: Path) -> dict[str, dict[str, str]]:
    path = run_dir / "documents.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _origin(doc: Mapping[str, str] | None) -> str:
    """ "Aldgate Institute · Anatomy of the March 2026 Frontier AI Controls · 2026-03-30"."""
    if not doc:
        return ""
    who = doc.get("publisher") or doc.get("author") or ""
    return " · ".join(x for x in (who, doc.get("title", ""), doc.get("published", "")) if x)


def shuffled(items: Mapping[str, Any], run: str) -> list[dict[str, Any]]:
    """A fixed order for a run (the same sheet twice), unrelated to system or topic."""
    order = sorted(items)
    random.Random(f"labels:{run}").shuffle(order)
    return [items[i] for i in order]


def sheet_text(run: str, entries: Sequence[dict[str, Any]]) -> str:
    parts = [HEADER.format(run=run, count=len(entries))]
    for e in entries:
        lines = [f"=== {e['id']}", f"claim: {e['claim']}", "cites:"]
        n = 0
        origins = e.get("origins") or []
        for k, group in enumerate(e["cites"]):
            if k:
                lines.append("  --")
            if k < len(origins) and origins[k]:
                lines.append(f"  [from: {origins[k]}]")
            for sentence in group:
                n += 1
                lines.append(f"  {n}. {sentence}")
        if not n:
            lines[-1] = f"cites: {CITES_NOTHING}"
        lines.append(f"label: {e.get('label', '')}".rstrip())
        parts.append("\n".join(lines) + "\n")
    return "\n".join(parts)


def sheet_json(run: str, entries: Sequence[dict[str, Any]]) -> str:
    data = {
        "run": run,
        "labels": list(SHORT.values()),
        "claims": [
            {"id": e["id"], "claim": e["claim"], "cites": e["cites"],
             "from": e.get("origins", []),
             "label": e.get("label") or None, "by": e.get("by_numbers", [])}
            for e in entries
        ],
    }  # fmt: skip
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def _flat(cites: Sequence[Sequence[str]]) -> list[str]:
    return [s for group in cites for s in group]


def parse_label(value: str, cites: Sequence[Sequence[str]]) -> dict[str, Any] | None:
    """ "s 2 5" -> {"label": "supported", "by": [sentence 2, sentence 5], ...}; "" -> None."""
    tokens = value.replace(",", " ").split()
    if not tokens:
        return None
    label = SHORT.get(tokens[0].lower(), tokens[0].lower())
    if label not in scoring.LABELS:
        raise ValueError(f"unknown label {tokens[0]!r} (use s, p, u or n)")
    sentences = _flat(cites)
    numbers = [int(t) for t in tokens[1:] if t.isdigit()]
    bad = [n for n in numbers if not 1 <= n <= len(sentences)]
    if bad:
        raise ValueError(f"no cited sentence {bad[0]} (there are {len(sentences)})")
    return {
        "label": label,
        "by_numbers": numbers,
        "by": [sentences[n - 1] for n in numbers],
        "labelled": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def read_sheet(path: Path, items: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Labels filled in on a text or JSON sheet, by claim id (claims left empty are absent)."""
    out: dict[str, dict[str, Any]] = {}
    if path.suffix == ".json":
        for e in json.loads(path.read_text(encoding="utf-8"))["claims"]:
            value = " ".join([e.get("label") or "", *map(str, e.get("by") or [])])
            if e["id"] in items and (parsed := parse_label(value, items[e["id"]]["cites"])):
                out[e["id"]] = parsed
        return out
    current = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith("#"):
            continue
        if line.startswith("=== "):
            current = line[4:].strip()
        elif line.startswith("label:") and current:
            if current not in items:  # redrafted since the sheet was written
                print(f"{path}:{number}: claim {current} is no longer in this run; skipped")
                continue
            try:
                parsed = parse_label(line[6:], items[current]["cites"])
            except ValueError as exc:
                raise SystemExit(f"{path}:{number}: {exc}") from exc
            if parsed:
                out[current] = parsed
    return out


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("command", choices=["sheet", "read", "status", "reuse", "agree"])
    p.add_argument("run")
    p.add_argument("extra", nargs="?", help="read, agree: the sheet; reuse: the other run")
    p.add_argument("--labeller", default="", help="read: who filled the sheet, kept per label")
    p.add_argument("--results", type=Path, default=RESULTS)
    p.add_argument("--labels", type=Path, default=LABELS)
    p.add_argument("--all", action="store_true", help="sheet: labelled claims too")
    p.add_argument("--json", action="store_true", help="sheet: JSON instead of text")
    args = p.parse_args(argv)

    items = items_to_label(args.results / args.run)
    labels = load_labels(args.run, args.labels)
    default_sheet = args.labels / f"{args.run}.sheet.{'json' if args.json else 'txt'}"
    if args.command == "sheet":
        entries = [
            {**e, **{k: v for k, v in labels.get(i, {}).items() if k in ("by_numbers",)},
             "label": _shown_label(labels.get(i), e)}
            for i, e in items.items() if args.all or i not in labels
        ]  # fmt: skip
        entries = shuffled({e["id"]: e for e in entries}, args.run)
        out = Path(args.extra) if args.extra else default_sheet
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text((sheet_json if args.json else sheet_text)(args.run, entries), "utf-8")
        print(f"{len(entries)} claims to label: {out}")
    elif args.command == "read":
        sheet = Path(args.extra) if args.extra else default_sheet
        new = read_sheet(sheet, items)
        if args.labeller:
            new = {i: {**v, "labeller": args.labeller} for i, v in new.items()}
        labels.update(new)
        print(f"{len(new)} labels read; {save_labels(args.run, labels, args.labels)}")
    elif args.command == "agree":
        if not args.extra:
            p.error("agree needs the second labeller's sheet")
        print(agreement(labels, read_sheet(Path(args.extra), items)))
    elif args.command == "reuse":
        if not args.extra:
            p.error("reuse needs the other run's name")
        other = load_labels(args.extra, args.labels)
        taken = {i: other[i] for i in items if i in other and i not in labels}
        labels.update(taken)
        print(f"{len(taken)} labels taken from {args.extra}; "
              f"{save_labels(args.run, labels, args.labels)}")  # fmt: skip
    done = sum(i in labels for i in items)
    print(f"{args.run}: {done} of {len(items)} distinct claims labelled")
    return 0


def agreement(first: Mapping[str, Any], second: Mapping[str, Any]) -> str:
    """How often two labellers gave the same label to the claims both labelled, and where not."""
    both = sorted(set(first) & set(second))
    if not both:
        return "no claim labelled by both"
    same = sum(first[i]["label"] == second[i]["label"] for i in both)
    pairs: dict[tuple[str, str], int] = {}
    for i in both:
        if first[i]["label"] != second[i]["label"]:
            key = (first[i]["label"], second[i]["label"])
            pairs[key] = pairs.get(key, 0) + 1
    lines = [f"{same} of {len(both)} claims labelled alike ({same / len(both):.0%})"]
    lines += [f"  {a} (labels) vs {b} (sheet): {n}" for (a, b), n in sorted(pairs.items())]
    return "\n".join(lines)


def _shown_label(label: Mapping[str, Any] | None, entry: Mapping[str, Any]) -> str:
    """What the sheet pre-fills: the labeller's own earlier label, or "u" for a claim that
    cites nothing (there is nothing to read it against)."""
    if label:
        key = {v: k for k, v in SHORT.items()}[label["label"]]
        return " ".join([key, *map(str, label.get("by_numbers", []))])
    return "" if _flat(entry["cites"]) else "u"


if __name__ == "__main__":
    sys.exit(main())
