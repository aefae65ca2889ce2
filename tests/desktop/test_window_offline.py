"""The desktop app, like the command line, works with no network and a fresh HOME: it opens,
imports and searches without a single connection attempt and without writing outside its data
folder (tests/netguard.py: a network namespace where possible, a socket guard always)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from netguard import Offline

HERE = Path(__file__).resolve().parent


@pytest.mark.slow
def test_window_offline_with_a_fresh_home(tmp_path: Path, seeds_dir: Path) -> None:
    offline = Offline(tmp_path)
    env = {**offline.env, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run(
        offline.command(sys.executable, str(HERE / "offline_window.py"), str(seeds_dir),
                        "Kairo Tenshu"),
        env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    assert seen["imported"] == 5 and seen["failed"] == []
    assert seen["hits"], "the search found nothing"
    assert offline.attempts() == [], offline.attempts()
    assert offline.written_outside() == [], "wrote outside the data folder"
    assert (offline.data / "library" / "library.sqlite3").is_file()
