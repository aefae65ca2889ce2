"""The benchmark's table: ratios, verdicts against targets, and the files it writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.common import figure, percentile
from bench.report import markdown_table, plain_table, ratio, shortfall, verdict, write_report


def test_ratio_is_value_over_baseline_and_absent_without_a_baseline() -> None:
    assert ratio(figure("x", 30.0, "passages/s", baseline=10.0)) == pytest.approx(3.0)
    assert ratio(figure("x", 30.0, "passages/s")) is None
    assert ratio(figure("x", 30.0, "passages/s", baseline=0.0)) is None
    assert ratio(figure("x", None, "passages/s", baseline=3.0)) is None


@pytest.mark.parametrize(
    ("fig", "expected"),
    [
        (figure("import", 25.0, "p/s", baseline=10.0, target="ratio>=2"), "met"),
        (figure("import", 15.0, "p/s", baseline=10.0, target="ratio>=2"), "missed"),
        (figure("p95", 49.0, "ms", target="value<50"), "met"),
        (figure("p95", 50.0, "ms", target="value<50"), "missed"),
        (figure("time", 60.0, "s", baseline=100.0, target="ratio<=0.6"), "met"),
        (figure("time", 61.0, "s", baseline=100.0, target="ratio <= 0.6"), "missed"),
        (figure("recall", 0.8, ""), ""),
        (figure("time", None, "s", baseline=100.0, target="ratio<=0.6"), "no figure"),
        (figure("time", float("nan"), "s", target="value<5"), "no figure"),
    ],
)
def test_verdict_against_the_target(fig: dict, expected: str) -> None:
    assert verdict(fig) == expected


def test_a_miss_says_by_how_much() -> None:
    assert shortfall(figure("p95", 75.0, "ms", target="value<50")) == "1.50x the limit"
    assert shortfall(figure("i", 15.0, "p/s", baseline=10.0, target="ratio>=2")) == "25% short"
    assert shortfall(figure("p95", 10.0, "ms", target="value<50")) == ""


def test_an_unreadable_target_is_an_error_not_a_pass() -> None:
    with pytest.raises(ValueError):
        verdict(figure("x", 1.0, "", target="fast enough"))


def test_percentile_is_nearest_rank() -> None:
    values = list(range(1, 101))  # 1..100
    assert percentile(values, 50) == 50
    assert percentile(values, 95) == 95
    assert percentile([3.0], 95) == 3.0


def _results() -> list[dict]:
    return [
        {"phase": "import", "peak_rss_mb": 512.0, "figures": [
            figure("passages/s", 42.0, "passages/s", baseline=10.0,
                   baseline_name="stock Chroma", target="ratio>=2", note="240 files"),
        ]},
        {"phase": "search", "peak_rss_mb": 700.0, "figures": [
            figure("p95 at 10k", 80.0, "ms", baseline=20.0, target="value<50",
                   higher_is_better=False),
        ]},
        {"phase": "gui", "figures": [], "error": "Traceback: boom"},
    ]  # fmt: skip


def test_the_table_has_every_figure_its_ratio_and_verdict() -> None:
    table = markdown_table(_results())
    lines = table.splitlines()
    assert lines[0].startswith("| phase | figure | value | baseline | ratio | target | result")
    assert "| import | passages/s | 42.0 passages/s | 10.0 passages/s (stock Chroma) |" in table
    assert "| 4.20x |" in table
    assert "≥ 2x baseline | met |" in table
    assert "| search | p95 at 10k | 80.0 ms |" in table and "**missed** (1.60x the limit)" in table
    assert "| gui | (the phase failed" in table
    assert "**" not in plain_table(_results())


def test_write_report_writes_json_markdown_and_latest(tmp_path: Path) -> None:
    meta = {"started": "2026-12-03T10:00:00+00:00", "cpus": 2, "load average at start": "2.5"}
    md = write_report(tmp_path, "20261203T100000Z", _results(), meta)
    assert md == tmp_path / "20261203T100000Z.md"
    saved = json.loads((tmp_path / "20261203T100000Z.json").read_text(encoding="utf-8"))
    assert saved["meta"]["cpus"] == 2 and saved["results"][0]["figures"][0]["value"] == 42.0
    latest = (tmp_path / "latest.md").read_text(encoding="utf-8")
    assert latest == md.read_text(encoding="utf-8")
    assert "load average at start: 2.5" in latest and "240 files" in latest
    assert not list(tmp_path.glob(".*.tmp"))  # atomic writes leave no temp file behind
