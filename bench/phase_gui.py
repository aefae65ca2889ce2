"""Responsiveness: the longest gap between ticks of a 10 ms timer on the GUI thread while the
real window imports a batch of files and drafts a briefing through its real worker threads
(offscreen; ``python -m bench.phase_gui``).

The draft uses the small model and a two-section template in both modes: what is measured is
the GUI thread, and a longer draft or a bigger model would add minutes without loading the GUI
thread differently (the model runs on the worker thread either way). The baseline is the same
timer on the idle window.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QTimer

from bench.common import DEMO, figure, llm_threads, percentile, phase_args, write_result
from bench.corpus import build_corpus
from bench.phase_draft import topic
from bench.stall_sampler import StallSampler
from rag.core.paths import user_templates_dir
from rag.core.settings import Settings, save_settings

TICK_MS = 10
IDLE_SECONDS = 5.0
GUI_TEMPLATE_ID = "bench-gui"
GUI_TEMPLATE = """\
name = "Benchmark: two sections"
purpose = "A short draft for the GUI responsiveness benchmark."

[[sections]]
key = "bottom_line"
title = "Bottom line"
kind = "bottom_line"
claims = 2
queries = ["government response retaliation"]
instruction = "Give the main judgements a senior reader needs."

[[sections]]
key = "key_developments"
title = "Key developments"
claims = 4
queries = ["entity list additions companies", "export controls advanced AI chips rule"]
instruction = "Set out the concrete developments, most important first."
"""


class GapRecorder:
    def __init__(self) -> None:
        self.gaps: list[float] = []
        # (seconds since start, gap ms, GUI thread's CPU ms in the gap) for gaps over 50 ms: CPU
        # near the gap means the GUI thread was busy itself; near zero, it was kept waiting.
        self.long: list[tuple[float, float, float]] = []
        self._start = self._last = time.perf_counter()
        self._last_cpu = time.thread_time()
        self.timer = QTimer(interval=TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.sampler = StallSampler()

    def start(self) -> None:
        self.gaps = []
        self.long = []
        self._start = self._last = time.perf_counter()
        self._last_cpu = time.thread_time()
        self.timer.start()
        self.sampler.start()

    def stop(self) -> None:
        self.timer.stop()
        self.sampler.stop()

    def _tick(self) -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        self.sampler.tick()
        gap = (now - self._last) * 1000
        self.gaps.append(gap)
        if gap > 50:
            cpu_ms = (cpu - self._last_cpu) * 1000
            self.long.append((round(now - self._start, 2), round(gap, 1), round(cpu_ms, 1)))
        self._last, self._last_cpu = now, cpu


def wait(until: Callable[[], bool], timeout_s: float) -> bool:
    """Run the event loop until ``until()`` holds (checked every 20 ms) or the time is up."""
    loop = QEventLoop()
    deadline = time.monotonic() + timeout_s

    def check() -> None:
        if until() or time.monotonic() > deadline:
            loop.quit()

    poll = QTimer(interval=20)
    poll.timeout.connect(check)
    poll.start()
    loop.exec()
    poll.stop()
    return until()


def main() -> None:
    args = phase_args()
    settings = Settings()
    settings.model.model = "small"
    settings.model.n_threads = llm_threads() or 0
    save_settings(settings)
    user_templates_dir().mkdir(parents=True, exist_ok=True)
    (user_templates_dir() / f"{GUI_TEMPLATE_ID}.toml").write_text(GUI_TEMPLATE, encoding="utf-8")
    corpus = build_corpus(args.work / "corpus", quick=True)

    from desktop.app import application, create_window

    app = application()
    window = create_window()
    window.show()
    if not wait(lambda: window.library.is_open, 120):
        raise SystemExit("the library did not open")
    recorder = GapRecorder()

    recorder.start()  # the baseline: the same window, idle
    wait(lambda: False, IDLE_SECONDS)
    recorder.stop()
    idle = list(recorder.gaps)

    finished: dict[str, Any] = {}

    def imported(done: object) -> None:
        finished.setdefault("import", done)
        finished.setdefault("import_at", round(time.perf_counter() - started, 2))

    window.library.importFinished.connect(imported)
    window.briefing.draftFinished.connect(lambda b: finished.setdefault("draft", b))
    pane = window.briefing_pane
    pane.template_combo.setCurrentIndex(pane.template_combo.findData(GUI_TEMPLATE_ID))
    started = time.perf_counter()
    recorder.start()
    window.library.import_paths([DEMO, *corpus.files])
    wait(lambda: window.documents.rowCount() >= 1, 120)
    pane.topic_edit.setText(topic())
    pane.draft_button.click()  # queues behind the import on the worker thread
    wait(lambda: "import" in finished and "draft" in finished, 900)
    recorder.stop()
    busy = list(recorder.gaps)
    long_gaps = list(recorder.long)
    stall_stacks = recorder.sampler.report()
    seconds = time.perf_counter() - started
    window.close()
    app.processEvents()
    n_imported = len(finished["import"].imported) if "import" in finished else None
    draft_stats = dict(finished["draft"].stats) if "draft" in finished else {}
    figures = [
        figure(
            "GUI thread: longest stall during import + draft", max(busy), "ms",
            baseline=max(idle), baseline_name="same window, idle", target="value<100",
            higher_is_better=False,
            note=f"{len(busy)} ticks over {seconds:.0f} s; {n_imported} files imported",
        ),
    ]  # fmt: skip
    write_result(
        args.out, "gui", figures,
        {"busy_ms": {"max": max(busy), "p99": percentile(busy, 99), "ticks": len(busy)},
         "idle_ms": {"max": max(idle), "p99": percentile(idle, 99), "ticks": len(idle)},
         "gaps_over_50ms": long_gaps, "stall_stacks": stall_stacks,
         "import_seconds": finished.get("import_at"),
         "seconds": seconds, "imported": n_imported, "draft": draft_stats,
         "finished": sorted(finished)},
    )  # fmt: skip


if __name__ == "__main__":
    main()
