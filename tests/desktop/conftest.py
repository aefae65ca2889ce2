"""Fixtures for the desktop app's tests: real windows on throwaway libraries, offscreen.

Every window gets its own data folder (the autouse ``isolated_home`` in tests/conftest.py) and
is closed at the end of its test, which joins its worker threads; a test that leaves a worker
thread running fails.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from gui_helpers import QUICK_TEMPLATE

from desktop.app import create_window
from desktop.main_window import MainWindow
from desktop.workers import running_workers
from rag.core import paths

OPEN_TIMEOUT_MS = 60_000


@pytest.fixture(autouse=True)
def usable_qt_binding() -> None:
    """A known-broken Qt binding would abort the whole test run, rag's tests included: fail
    each desktop test with the reason instead."""
    from desktop.compat import binding_problem

    problem = binding_problem()
    if problem:
        pytest.fail(problem, pytrace=False)


@pytest.fixture(autouse=True)
def no_worker_left_running() -> Iterator[None]:
    yield
    assert not running_workers(), f"worker threads still running: {running_workers()}"


@pytest.fixture(autouse=True)
def quiet_file_opening(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Never launch a real viewer from a test; record what would have been opened."""
    opened: list[Path] = []

    def fake_open(path: Path) -> bool:
        opened.append(Path(path))
        return True

    monkeypatch.setattr("desktop.status.open_path", fake_open)
    monkeypatch.setattr("desktop.library_controller.open_path", fake_open)
    monkeypatch.setattr("desktop.evidence_controller.open_path", fake_open)
    return opened


@pytest.fixture
def quick_template() -> str:
    """A two-section user template with one claim each: drafts in seconds."""
    folder = paths.user_templates_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "quick.toml").write_text(QUICK_TEMPLATE, encoding="utf-8")
    return "quick"


@pytest.fixture
def make_window(qtbot) -> Iterator[Callable[..., MainWindow]]:
    windows: list[MainWindow] = []

    def make(**options: object) -> MainWindow:
        window = create_window(**options)  # type: ignore[arg-type]
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: window.library.is_open, timeout=OPEN_TIMEOUT_MS)
        windows.append(window)
        return window

    yield make
    while windows:
        windows.pop().close()
    # A window and its controllers refer to each other, so the cycle collector frees them.
    # Free them now, with every worker thread joined, not at whatever moment of a later test
    # the collector next runs: fresh-clone runs crashed (SIGSEGV on the GUI thread, in the
    # collector, inside a later window's event loop while its worker was mid-call).
    gc.collect()
