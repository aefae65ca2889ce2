"""How many physical CPU cores this process may use: llama.cpp and onnxruntime both run slower
on hyper-threads than on one thread per core. Standard library only."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

__all__ = ["physical_cores"]


def physical_cores() -> int:
    """Physical CPU cores this process may use: llama.cpp runs slower on hyper-threads."""
    count = None
    if sys.platform.startswith("linux"):
        count = _linux_physical_cores()
    elif sys.platform == "darwin":
        count = _sysctl_int("hw.physicalcpu")
    if count:
        return count
    # Elsewhere (Windows) assume two hardware threads per core when there are several.
    logical = os.cpu_count() or 1
    return max(1, logical // 2) if logical >= 4 else logical


def _linux_physical_cores() -> int | None:
    try:
        allowed = os.sched_getaffinity(0)
    except (AttributeError, OSError):
        allowed = set(range(os.cpu_count() or 1))
    cores = set()
    for cpu in allowed:
        topo = Path(f"/sys/devices/system/cpu/cpu{cpu}/topology")
        try:
            package = (topo / "physical_package_id").read_text().strip()
            core = (topo / "core_id").read_text().strip()
        except OSError:
            return len(allowed) or None
        cores.add((package, core))
    return len(cores) or None


def _sysctl_int(name: str) -> int | None:
    try:
        out = subprocess.run(
            ["sysctl", "-n", name], capture_output=True, text=True, timeout=5, check=True
        )
        return int(out.stdout.strip())
    except (OSError, subprocess.SubprocessError, ValueError):
        return None
