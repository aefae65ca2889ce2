"""Run the benchmark: each phase in a fresh process (so peak RSS is per phase), then the table.

``python -m bench`` runs everything with the default model (about 45 minutes on 2 cores, most
of it the drafting baseline without KV reuse; BENCHMARKS.md); ``--quick`` uses the small
model and smaller sizes (about 3-5 minutes) to check the instrument; ``--only import,search``
runs some phases. Scratch data goes to a temporary folder (removed
unless ``--keep``); results go to ``bench/results/``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.common import ROOT
from bench.report import plain_table, write_report

PHASES = ("import", "ocr", "search", "draft", "raw", "gui")
RESULTS = Path(__file__).with_name("results")


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal:")
        )
        memory = f"{mem_kb / 1024 / 1024:.1f} GB"
    except (OSError, StopIteration):
        memory = "?"
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
            check=False,
        ).stdout.strip()  # fmt: skip
    except OSError:
        commit = "?"
    return {
        "cpu": cpu or platform.processor(),
        "cpus": os.cpu_count(),
        "memory": memory,
        "os": platform.platform(),
        "python": platform.python_version(),
        "commit": commit,
    }


def run_phase(phase: str, scratch: Path, out_dir: Path, quick: bool) -> dict[str, Any]:
    from rag.core.paths import models_dir

    out = out_dir / f"{phase}.json"
    env = dict(os.environ)
    env.update(
        BRIEFDESK_HOME=str(scratch / f"home-{phase}"),
        BRIEFDESK_MODELS_DIR=str(models_dir()),
        ORT_DISABLE_TELEMETRY="1",
        ANONYMIZED_TELEMETRY="False",
        PYTHONPATH=os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
    )
    cmd = [sys.executable, "-m", f"bench.phase_{phase}", "--out", str(out), "--work",
           str(scratch / phase)] + (["--quick"] if quick else [])  # fmt: skip
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, check=False, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - started
    if proc.returncode != 0 or not out.is_file():
        tail = "\n".join(proc.stderr.strip().splitlines()[-15:])
        print(f"  phase {phase} FAILED ({proc.returncode}):\n{tail}", file=sys.stderr)
        return {"phase": phase, "figures": [], "raw": {}, "error": tail, "seconds": seconds}
    result = json.loads(out.read_text(encoding="utf-8"))
    result["seconds"] = round(seconds, 1)
    return result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    p.add_argument("--quick", action="store_true", help="small model, smaller sizes")
    p.add_argument("--only", default=",".join(PHASES), help=f"comma list of {PHASES}")
    p.add_argument("--results", type=Path, default=RESULTS)
    p.add_argument("--keep", action="store_true", help="keep the scratch folder")
    p.add_argument(
        "--llm-threads", type=int, default=0,
        help="llama.cpp threads for every model run (app, baselines, GUI); default: the app's "
        "own choice (physical cores). On a machine loaded by other work, 1 avoids llama.cpp's "
        "spinning threads waiting on each other; the same value applies to both columns",
    )  # fmt: skip
    args = p.parse_args(argv)
    phases = [x.strip() for x in args.only.split(",") if x.strip()]
    unknown = set(phases) - set(PHASES)
    if unknown:
        p.error(f"unknown phase(s): {', '.join(sorted(unknown))}")
    if "raw" in phases and "draft" not in phases:
        p.error("the raw phase needs the draft phase (it replays its prompt)")

    started = datetime.now(UTC)
    stamp = started.strftime("%Y%m%dT%H%M%SZ") + ("-quick" if args.quick else "")
    scratch = Path(tempfile.mkdtemp(prefix="briefdesk-bench-"))
    out_dir = scratch / "results"
    out_dir.mkdir()
    meta: dict[str, Any] = {
        "started": started.isoformat(timespec="seconds"),
        "mode": "quick (small model, smaller sizes)" if args.quick else "full (default model)",
        **machine(),
        "load average at start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }
    if args.llm_threads:
        os.environ["BENCH_LLM_THREADS"] = str(args.llm_threads)
        meta["llama.cpp threads"] = args.llm_threads
    results = []
    t0 = time.perf_counter()
    try:
        for phase in phases:
            print(f"phase {phase} ...", file=sys.stderr, flush=True)
            result = run_phase(phase, scratch, out_dir, args.quick)
            print(f"  {result['seconds']:.0f} s", file=sys.stderr, flush=True)
            results.append(result)
    finally:
        if args.keep:
            print(f"scratch kept in {scratch}", file=sys.stderr)
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    meta["load average at end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    meta["minutes"] = round((time.perf_counter() - t0) / 60, 1)
    meta["phase seconds"] = ", ".join(f"{r['phase']} {r['seconds']:.0f}" for r in results)
    md = write_report(args.results, stamp, results, meta)
    print(plain_table(results))
    for r in results:
        if r.get("error"):
            print(f"phase {r['phase']} failed; see {md.with_suffix('.json')}")
    print(f"\nwritten: {md} (and latest.md, {md.with_suffix('.json').name})")
    return 1 if any(r.get("error") for r in results) else 0
