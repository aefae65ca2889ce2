"""The desktop app's own rules, checked by machine: threads start in desktop/workers.py only,
and the panes (views) never call rag or the workers themselves."""

from __future__ import annotations

import ast
from pathlib import Path

DESKTOP = Path(__file__).resolve().parents[2] / "desktop"
THREAD_NAMES = {"QThread", "Thread", "QThreadPool", "ThreadPoolExecutor", "QRunnable"}
VIEWS = ("library_pane.py", "briefing_pane.py", "evidence_pane.py", "import_panel.py")


def names_used(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    used = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            used.add(node.id)
        elif isinstance(node, ast.Attribute):
            used.add(node.attr)
        elif isinstance(node, ast.ImportFrom):
            used.update(a.name for a in node.names)
            used.add(node.module or "")
        elif isinstance(node, ast.Import):
            used.update(a.name for a in node.names)
    return used


def test_threads_live_in_the_workers_module_only() -> None:
    offenders = {
        path.name: sorted(names_used(path) & THREAD_NAMES)
        for path in DESKTOP.glob("*.py")
        if path.name != "workers.py" and names_used(path) & THREAD_NAMES
    }
    assert offenders == {}


def test_views_hold_layout_only() -> None:
    for name in VIEWS:
        used = names_used(DESKTOP / name)
        assert not {m for m in used if m.startswith("rag")}, name
        assert not used & {"Backend", "Worker", "desktop.backend", "desktop.workers"}, name
