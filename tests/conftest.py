"""Shared fixtures. Every test gets its own empty data folder; models are shared read-only.

The models are provisioned once per machine by the README's test command
(``briefdesk models install --embedding --small``) into the normal data folder, or wherever
``BRIEFDESK_MODELS_DIR`` points; tests never download anything.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")

# The seed articles: five fictional news pieces saved the way users save them (tests/data/
# ARTICLES.md says what each one holds). In the repository, so a fresh clone tests alone.
SEEDS = Path(__file__).resolve().parent / "data" / "articles"


def _models_dir() -> Path:
    from rag.core import paths

    return paths.models_dir()


MODELS_DIR = _models_dir()  # resolved before any test moves BRIEFDESK_HOME


@pytest.fixture(autouse=True)
def isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    home = tmp_path_factory.mktemp("briefdesk-home")
    monkeypatch.setenv("BRIEFDESK_HOME", str(home))
    monkeypatch.setenv("BRIEFDESK_MODELS_DIR", str(MODELS_DIR))
    return home


@pytest.fixture(autouse=True)
def no_thread_left_behind() -> object:
    """A test that leaves a thread running has a bug a user would meet as a hang on exit."""
    before = set(threading.enumerate())
    yield
    for _ in range(50):
        extra = [
            t for t in threading.enumerate()
            if t not in before and t.is_alive() and not t.daemon
        ]  # fmt: skip
        if not extra:
            return
        threading.Event().wait(0.1)
    pytest.fail(f"test left threads running: {[t.name for t in extra]}")


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS
