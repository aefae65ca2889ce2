"""Fixtures for the packaging scripts' tests.

``packaging/`` is a folder of scripts, not a package (an importable ``packaging`` would shadow
the PyPI library of that name), so its modules are loaded from their files.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

PACKAGING = Path(__file__).resolve().parents[2] / "packaging"


def load_script(name: str) -> ModuleType:
    module_name = f"briefdesk_packaging_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, PACKAGING / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def build_script() -> ModuleType:
    return load_script("build")


@pytest.fixture(scope="session")
def entry() -> ModuleType:
    return load_script("briefdesk_main")


@pytest.fixture(scope="session")
def smoke_script() -> ModuleType:
    return load_script("smoke_test")


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """Pretend to be a one-folder PyInstaller app at ``<tmp>/apps/BriefDesk/``."""
    app = tmp_path / "apps" / "BriefDesk"
    internal = app / "_internal"
    internal.mkdir(parents=True)
    (app / "BriefDesk").write_bytes(b"")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(internal), raising=False)
    monkeypatch.setattr(sys, "executable", str(app / "BriefDesk"))
    monkeypatch.delenv("BRIEFDESK_MODELS_DIR", raising=False)
    return app
