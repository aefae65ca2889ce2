"""Where a GUI-thread stall is spent: a watchdog thread that samples every thread's Python stack
while the GUI thread has not ticked for a while.

A tick counter tells how long the GUI thread has gone without running its event loop; a long
gap alone does not say why. PySide releases the GIL around calls into Qt, so a sampler on its
own thread can read the GUI thread's Python stack during the stall: either a Python call that
is slow on the GUI thread (it shows on top of the GUI stack), or the GUI thread waiting for the
GIL (the GUI stack sits in ordinary event-loop code and another thread's stack shows the work
that held it).
"""

from __future__ import annotations

import collections
import sys
import threading
import time
import traceback
from pathlib import Path

STALE_MS = 40.0
SAMPLE_MS = 5.0
FRAMES = 12


def _stack(frame: object) -> list[str]:
    summary = traceback.extract_stack(frame)[-FRAMES:]  # type: ignore[arg-type]
    return [f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in summary]


class StallSampler:
    """Call ``tick()`` from the GUI thread's timer; ``start()``/``stop()`` around the work.

    ``report()`` gives, for every stall over ``STALE_MS``, its length and the most common
    innermost lines of each thread's stack while it lasted."""

    def __init__(self) -> None:
        self._gui_id = threading.get_ident()
        self._last = time.perf_counter()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._stalls: list[dict] = []

    def tick(self) -> None:
        self._last = time.perf_counter()

    def start(self) -> None:
        self._stop.clear()
        self._stalls = []
        self._last = time.perf_counter()
        self._thread = threading.Thread(target=self._run, name="stall-sampler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        current: dict | None = None
        names: dict[int | None, str] = {}
        while not self._stop.wait(SAMPLE_MS / 1000):
            stale = (time.perf_counter() - self._last) * 1000
            if stale < STALE_MS:
                if current is not None:
                    self._close(current)
                    current = None
                continue
            if current is None:
                current = {"t0": time.perf_counter(), "samples": collections.Counter()}
                names = {t.ident: t.name for t in threading.enumerate()}
            for ident, frame in sys._current_frames().items():
                if ident == threading.get_ident():
                    continue
                who = "GUI" if ident == self._gui_id else names.get(ident, str(ident))
                current["samples"][(who, tuple(_stack(frame)))] += 1
        if current is not None:  # stopped during a stall: keep it
            self._close(current)

    def _close(self, stall: dict) -> None:
        # Detected STALE_MS after the last tick: that much of it came before the first sample.
        stall["ms"] = round((time.perf_counter() - stall["t0"]) * 1000 + STALE_MS)
        self._stalls.append(stall)

    def report(self, longest: int = 3) -> list[dict]:
        """The ``longest`` stalls, each with its length and its commonest stacks per thread."""
        out = []
        for stall in sorted(self._stalls, key=lambda s: -s["ms"])[:longest]:
            stacks = [
                {"thread": who, "samples": n, "stack": list(stack)}
                for (who, stack), n in stall["samples"].most_common(6)
            ]
            out.append({"ms": stall["ms"], "stacks": stacks})
        return out
