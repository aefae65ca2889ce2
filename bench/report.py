"""The benchmark's table: each figure beside its baseline, their ratio, the target and whether
it was met. Writes ``bench/results/<timestamp>.json`` (everything the phases measured) and
``<timestamp>.md`` (the table), and copies the table to ``bench/results/latest.md``."""

from __future__ import annotations

import json
import math
import re
import shutil
from pathlib import Path
from typing import Any

from rag.core.atomic import atomic_write, write_text_atomic

_TARGET = re.compile(r"^(value|ratio)\s*(<=|>=|<|>)\s*([0-9.]+)$")


def ratio(fig: dict[str, Any]) -> float | None:
    value, base = fig.get("value"), fig.get("baseline")
    if value is None or base is None or base == 0 or _bad(value) or _bad(base):
        return None
    return value / base


def _bad(x: float) -> bool:
    return isinstance(x, float) and (math.isnan(x) or math.isinf(x))


def verdict(fig: dict[str, Any]) -> str:
    """'met', 'missed', 'no figure' (the phase could not measure it) or '' (no target)."""
    target = fig.get("target") or ""
    if not target:
        return ""
    m = _TARGET.match(target.replace(" ", ""))
    if not m:
        raise ValueError(f"unreadable target {target!r}")
    on, op, limit = m.group(1), m.group(2), float(m.group(3))
    x = fig.get("value") if on == "value" else ratio(fig)
    if x is None or _bad(x):
        return "no figure"
    ok = {"<": x < limit, "<=": x <= limit, ">": x > limit, ">=": x >= limit}[op]
    return "met" if ok else "missed"


def shortfall(fig: dict[str, Any]) -> str:
    """By how much a missed target was missed, e.g. '1.3x too slow' or '12% short'."""
    if verdict(fig) != "missed":
        return ""
    m = _TARGET.match(fig["target"].replace(" ", ""))
    assert m
    on, op, limit = m.group(1), m.group(2), float(m.group(3))
    x = fig["value"] if on == "value" else ratio(fig)
    assert x is not None
    if op.startswith("<"):
        return f"{x / limit:.2f}x the limit"
    return f"{(1 - x / limit) * 100:.0f}% short"


def _num(x: float | None, unit: str = "") -> str:
    if x is None or _bad(x):
        return "—"
    if abs(x) >= 100:
        s = f"{x:.0f}"
    elif abs(x) >= 10:
        s = f"{x:.1f}"
    else:
        s = f"{x:.3g}" if abs(x) < 1 else f"{x:.2f}"
    return f"{s} {unit}".strip()


def _target_text(target: str) -> str:
    if not target:
        return ""
    m = _TARGET.match(target.replace(" ", ""))
    if not m:
        return target
    on, op, limit = m.groups()
    op = {"<=": "≤", ">=": "≥"}.get(op, op)
    return f"{op} {limit}x baseline" if on == "ratio" else f"{op} {limit}"


def rows(results: list[dict[str, Any]]) -> list[list[str]]:
    out = []
    for result in results:
        if result.get("error"):
            out.append([result["phase"], "(the phase failed: see the JSON)", "—", "—", "—", "",
                        "failed"])  # fmt: skip
        for fig in result["figures"]:
            r = ratio(fig)
            v = verdict(fig)
            if v == "missed":
                v = f"**missed** ({shortfall(fig)})"
            out.append([
                result["phase"],
                fig["name"],
                _num(fig["value"], fig["unit"]),
                _num(fig["baseline"], fig["unit"]) + (
                    f" ({fig['baseline_name']})" if fig.get("baseline_name") else ""
                ),
                f"{r:.2f}x" if r is not None else "—",
                _target_text(fig.get("target", "")),
                v,
            ])  # fmt: skip
    return out


HEADER = ["phase", "figure", "value", "baseline", "ratio", "target", "result"]


def markdown_table(results: list[dict[str, Any]]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(c.replace("|", "/") for c in row) + " |" for row in rows(results)]
    return "\n".join(lines)


def markdown(results: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    parts = [f"# Benchmark run {meta.get('started', '')}", ""]
    parts += [f"- {k}: {v}" for k, v in meta.items() if k != "started"]
    parts += ["", markdown_table(results), ""]
    notes = [
        f"- {r['phase']} / {f['name']}: {f['note']}"
        for r in results
        for f in r["figures"]
        if f.get("note")
    ]
    if notes:
        parts += ["Notes:", "", *notes, ""]
    parts += [
        "Peak RSS of each phase's process (MB): "
        + ", ".join(f"{r['phase']} {r.get('peak_rss_mb', '—')}" for r in results),
        "",
    ]
    return "\n".join(parts)


def plain_table(results: list[dict[str, Any]]) -> str:
    """The table for a terminal: aligned columns, no Markdown."""
    table = [HEADER, *[[c.replace("**", "") for c in row] for row in rows(results)]]
    widths = [max(len(row[i]) for row in table) for i in range(len(HEADER))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in table]
    return "\n".join(lines)


def write_report(
    results_dir: Path, stamp: str, results: list[dict[str, Any]], meta: dict[str, Any]
) -> Path:
    """Write the run's JSON and Markdown, and make the Markdown the latest; return its path."""
    with atomic_write(results_dir / f"{stamp}.json", "w") as fh:
        json.dump({"meta": meta, "results": results}, fh, indent=1)
    md = results_dir / f"{stamp}.md"
    write_text_atomic(md, markdown(results, meta))
    latest = results_dir / "latest.md"
    with open(md, "rb") as src, atomic_write(latest) as dst:
        shutil.copyfileobj(src, dst)
    return md
