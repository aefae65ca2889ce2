"""Memory figures that are compared are measured each in a process of its own: a child's peak
RSS is its own, whatever the process that started it holds (the import phase's stock-Chroma
figure once included BriefDesk's import, which had run before it in the same process)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.common import peak_rss_mb, run_in_child

MB = 1024 * 1024

CHILD = """
import sys
from pathlib import Path

from bench.common import write_child_result

out = Path(sys.argv[sys.argv.index("--out") + 1])
if "--fail" in sys.argv:
    raise SystemExit("the child could not measure anything")
held = b"\\x01" * ({mb} * 1024 * 1024)  # written, so resident
write_child_result(out, {{"held_mb": len(held) // (1024 * 1024)}})
"""


@pytest.fixture
def child_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    (tmp_path / "memory_child.py").write_text(CHILD.format(mb=64), encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))  # run_in_child starts it from the checkout
    return "memory_child"


def test_a_child_reports_its_own_peak_not_the_parents(child_module: str, tmp_path: Path) -> None:
    parent_holds = b"\x02" * (256 * MB)
    assert peak_rss_mb() >= 256  # what a figure taken in this process would include

    result = run_in_child(child_module, tmp_path / "child.json")

    assert result["held_mb"] == 64
    assert 64 <= result["peak_rss_mb"] < 256
    assert len(parent_holds) == 256 * MB  # still held while the child ran


def test_a_failing_child_is_an_error_with_its_message(child_module: str, tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="could not measure anything"):
        run_in_child(child_module, tmp_path / "child.json", "--fail")
