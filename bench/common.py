"""What every phase shares: where things are, peak memory, percentiles, writing a result."""

from __future__ import annotations

import json
import math
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from rag.core.atomic import atomic_write  # noqa: E402

# The tests' seed articles (fictional, in the repository; tests/data/ARTICLES.md).
SEEDS = ROOT / "tests" / "data" / "articles"
DEMO = ROOT / "assets" / "demo" / "library"


def peak_rss_mb() -> float:
    """This process's peak resident set size so far (VmHWM), in MB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    # ru_maxrss is kB on Linux, bytes on macOS.
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def run_in_child(module: str, out: Path, *args: str) -> dict[str, Any]:
    """Run ``python -m module --out out *args`` and return the JSON it wrote to ``out``.

    Memory figures that are to be compared are taken this way, each in its own process: a
    process's peak (and even its resident size after a reset) still holds whatever ran in it
    before, such as another contender's loaded models. The child reports its own peak RSS
    (``write_child_result``)."""
    cmd = [sys.executable, "-m", module, "--out", str(out), *args]
    proc = subprocess.run(cmd, cwd=ROOT, check=False, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0 or not out.is_file():
        tail = "\n".join(proc.stderr.strip().splitlines()[-15:])
        raise RuntimeError(f"{module} failed ({proc.returncode}):\n{tail}")
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return result


def write_child_result(out: Path, result: dict[str, Any]) -> None:
    """A child's result for ``run_in_child``, with its own peak RSS (``peak_rss_mb``)."""
    with atomic_write(out, "w") as fh:
        json.dump({**result, "peak_rss_mb": peak_rss_mb()}, fh)


def reset_peak_rss() -> bool:
    """Start a new peak (Linux >= 4.0), so a baseline run later in the same process does not
    count in the app's figure. False where the kernel does not allow it."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def llm_threads() -> int | None:
    """llama.cpp threads set by ``--llm-threads`` (None: the app's default)."""
    value = os.environ.get("BENCH_LLM_THREADS", "")
    return int(value) if value.isdigit() and int(value) > 0 else None


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100), nearest-rank on sorted values: no interpolation games."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


class Stopwatch:
    def __enter__(self) -> Stopwatch:
        self.start = time.perf_counter()
        self.seconds = 0.0
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.start


def figure(
    name: str,
    value: float | None,
    unit: str,
    *,
    baseline: float | None = None,
    baseline_name: str = "",
    target: str = "",
    note: str = "",
    higher_is_better: bool = True,
) -> dict[str, Any]:
    """One row of the table, as a phase reports it; report.py computes ratio and verdict.

    ``target`` is a small expression: ``ratio>=2``, ``ratio<=0.6``, ``value<50``, ``value<=0.5``.
    """
    return {
        "name": name,
        "value": value,
        "unit": unit,
        "baseline": baseline,
        "baseline_name": baseline_name,
        "target": target,
        "note": note,
        "higher_is_better": higher_is_better,
    }


def write_result(out: Path, phase: str, figures: list[dict[str, Any]], raw: dict[str, Any]) -> None:
    payload = {
        "phase": phase,
        "figures": figures,
        "raw": raw,
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "loadavg": os.getloadavg(),
    }
    with atomic_write(out, "w") as fh:
        json.dump(payload, fh, indent=1)


def phase_args(argv: list[str] | None = None) -> Any:
    import argparse

    p = argparse.ArgumentParser()
    p.add_argument("--out", type=Path, required=True, help="the phase's result JSON")
    p.add_argument("--work", type=Path, required=True, help="a scratch folder for this phase")
    p.add_argument("--quick", action="store_true", help="small model, smaller sizes")
    return p.parse_args(argv)
