"""The engine under test, whichever checkout ``rag`` was imported from.

``run_eval.py --engine-dir PATH`` runs the same runner with ``PYTHONPATH=PATH``, so ``rag`` may
be today's package layout (``rag.drafting.engine``...) or the flat one of older commits
(``rag.drafting``, ``rag.library``...). This module finds the same few entry points in either;
everything else the runner needs is read from the objects by name.
"""

from __future__ import annotations

import importlib
import subprocess
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

# (today's module, the flat layout's module) for each role.
_MODULES = {
    "engine": ("rag.drafting.engine", "rag.drafting"),
    "templates": ("rag.briefs.templates", "rag.templates"),
    "settings": ("rag.core.settings", "rag.settings"),
    "library": ("rag.indexing.library", "rag.library"),
    "choice": ("rag.models.choice", "rag.model_choice"),
    "ingest": ("rag.reading.ingest", "rag.ingest"),
    "paths": ("rag.core.paths", "rag.paths"),
    "types": ("rag.core.types", "rag.types"),
}


def _module(role: str) -> ModuleType:
    errors = []
    for name in _MODULES[role]:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            errors.append(str(exc))
            continue
        # In the flat layout rag.drafting is the engine; in today's it is a package.
        if role == "engine" and not hasattr(module, "draft"):
            continue
        return module
    raise ImportError(f"no {role} module in this rag ({'; '.join(errors)})")


@dataclass
class Engine:
    engine: ModuleType
    templates: ModuleType
    settings: ModuleType
    library: ModuleType
    choice: ModuleType
    ingest: ModuleType
    paths: ModuleType
    types: ModuleType
    rag_dir: Path

    def template(self, name: str) -> Any:
        return self.templates.get_template(name)


def load() -> Engine:
    import rag

    return Engine(**{role: _module(role) for role in _MODULES},
                  rag_dir=Path(rag.__file__).resolve().parent.parent)  # fmt: skip


def git_commit(folder: Path) -> dict[str, Any]:
    """The checkout's commit and whether it has uncommitted changes (None outside git)."""

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", "-C", str(folder), *args], capture_output=True, text=True, timeout=30
            )
        except OSError:
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no") if commit else None
    return {"commit": commit, "dirty": bool(status) if status is not None else None}
