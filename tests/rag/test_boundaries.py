"""The core stays headless: rag never imports Qt or the desktop app (checked by machine)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import rag

ROOT = Path(__file__).resolve().parents[2]

BLOCKER = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('PySide6', 'shiboken6', 'desktop'):
            raise ImportError(f'rag must not import {name}')
        return None
sys.meta_path.insert(0, Block())
import importlib
for name in sys.argv[1:]:
    importlib.import_module(name)
print('ok')
"""


def rag_modules() -> list[str]:
    return sorted(m.name for m in pkgutil.walk_packages(rag.__path__, "rag."))


def test_every_rag_module_imports_with_qt_blocked() -> None:
    modules = rag_modules()
    assert "rag.indexing.library" in modules and "rag.cli.main" in modules
    proc = subprocess.run(
        [sys.executable, "-c", BLOCKER, *modules],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().endswith("ok")


def test_blocker_really_blocks() -> None:
    """The check above would pass vacuously if the blocker did nothing."""
    proc = subprocess.run(
        [sys.executable, "-c", BLOCKER, "PySide6"], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode != 0
    assert "rag must not import PySide6" in proc.stderr


def test_import_linter_contracts_hold() -> None:
    exe = Path(sys.executable).with_name("lint-imports")
    proc = subprocess.run([str(exe)], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
