"""The GUI phase's stall sampler names the code a stalled thread was in."""

from __future__ import annotations

import time

from bench.stall_sampler import STALE_MS, StallSampler


def _slow_handler_on_the_gui_thread(seconds: float) -> None:
    time.sleep(seconds)  # stands in for work done on the GUI thread between two ticks


def test_a_stall_is_reported_with_the_stack_it_was_spent_in() -> None:
    sampler = StallSampler()  # made on this thread, so this thread is "GUI"
    sampler.start()
    try:
        for _ in range(5):  # ticking: no stall
            sampler.tick()
            time.sleep(0.005)
        sampler.tick()
        _slow_handler_on_the_gui_thread(0.3)
        for _ in range(10):  # ticking again: the sampler sees it and closes the stall
            sampler.tick()
            time.sleep(0.005)
    finally:
        sampler.stop()
    stalls = sampler.report()
    assert len(stalls) == 1
    assert 250 <= stalls[0]["ms"] < 1000
    gui = [s for s in stalls[0]["stacks"] if s["thread"] == "GUI"]
    assert gui and any("_slow_handler_on_the_gui_thread" in line for line in gui[0]["stack"])


def test_no_stall_while_the_thread_ticks() -> None:
    sampler = StallSampler()
    sampler.start()
    try:
        deadline = time.perf_counter() + 0.3
        while time.perf_counter() < deadline:
            sampler.tick()
            time.sleep(STALE_MS / 4000)
    finally:
        sampler.stop()
    assert sampler.report() == []


def test_a_stall_still_going_when_sampling_stops_is_kept() -> None:
    sampler = StallSampler()
    sampler.start()
    sampler.tick()
    _slow_handler_on_the_gui_thread(0.2)
    sampler.stop()
    stalls = sampler.report()
    assert len(stalls) == 1 and stalls[0]["ms"] >= 150
