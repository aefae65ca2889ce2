"""rag's boundaries, checked by machine: it stays headless (never imports Qt or the desktop
app), its stages are layered without cycles, and its clients (the desktop app, the command
line) use rag.api only."""

from __future__ import annotations

import ast
import os
import pkgutil
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import grimp
import pytest

import rag

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

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


def rag_children() -> set[str]:
    """rag's stages: its direct subpackages and top-level modules."""
    return {f"rag.{m.name}" for m in pkgutil.iter_modules(rag.__path__)}


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
    proc = subprocess.run(
        [str(LINT_IMPORTS)], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


# -- no cycles -------------------------------------------------------------------------------


def import_cycles(package: str, search_path: Path | None = None) -> list[list[str]]:
    """Every group of modules of ``package`` that import one another in a circle (the strongly
    connected components of its import graph with more than one module, or a module importing
    itself). Imports made only for type checkers count: they are still a circular design."""
    if search_path is not None:
        sys.path.insert(0, str(search_path))
    try:
        graph = grimp.build_graph(package, cache_dir=None)
    finally:
        if search_path is not None:
            sys.path.remove(str(search_path))
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(module: str) -> None:  # Tarjan's algorithm
        order[module] = low[module] = len(order)
        stack.append(module)
        on_stack.add(module)
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if imported not in order:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], order[imported])
        if low[module] == order[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1 or module in graph.find_modules_directly_imported_by(module):
                cycles.append(sorted(group))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for module in sorted(graph.modules):
        if module not in order:
            visit(module)
    return cycles


@pytest.mark.parametrize("package", ["rag", "desktop"])
def test_no_import_cycle_anywhere(package: str) -> None:
    assert import_cycles(package) == []


def test_the_cycle_finder_finds_cycles(tmp_path: Path) -> None:
    """A package with a cycle through three modules, one import only for type checkers, and a
    module outside it: the check above would pass vacuously if this found nothing."""
    pkg = tmp_path / "cyclic_probe"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from cyclic_probe import b\n")
    (pkg / "b.py").write_text("import cyclic_probe.c\n")
    (pkg / "c.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from cyclic_probe.a import x\n"
    )
    (pkg / "d.py").write_text("from cyclic_probe import a\n")
    assert import_cycles("cyclic_probe", tmp_path) == [
        ["cyclic_probe.a", "cyclic_probe.b", "cyclic_probe.c"]
    ]


# -- the clients use rag.api only ------------------------------------------------------------


def contracts() -> dict[str, dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return {c["name"]: c for c in config["tool"]["importlinter"]["contracts"]}


def test_the_client_contracts_name_every_stage_but_the_api() -> None:
    """A stage added later is forbidden to the clients from the start, and placed in a layer."""
    found = contracts()
    stages = rag_children()
    assert {"rag.api", "rag.cli", "rag.core", "rag.opening"} <= stages
    desktop = found["desktop uses rag through rag.api only"]
    assert set(desktop["forbidden_modules"]) == stages - {"rag.api"}
    cli = found["the command line uses rag through rag.api only"]
    assert set(cli["forbidden_modules"]) == stages - {"rag.api", "rag.cli"}
    layers = found["rag's stages are layered: none imports a later one"]
    declared = {f"rag.{name.strip()}" for layer in layers["layers"] for name in layer.split("|")}
    assert declared == stages and layers["exhaustive"]


def rag_imports(path: Path) -> Iterator[tuple[int, str]]:
    """(line, module) for every import of rag in a file, the root package included (which the
    import-linter contracts cannot forbid without forbidding rag.api)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            if name == "rag" or name.startswith("rag."):
                yield node.lineno, name


def test_desktop_and_cli_import_rag_api_only() -> None:
    wrong = []
    for path in sorted((ROOT / "desktop").rglob("*.py")):
        for line, module in rag_imports(path):
            handed_off = path.name == "launcher.py" and module == "rag.cli.main"
            if module != "rag.api" and not handed_off:
                wrong.append(f"{path.relative_to(ROOT)}:{line} {module}")
    for path in sorted((ROOT / "rag" / "cli").rglob("*.py")):
        for line, module in rag_imports(path):
            if module != "rag.api" and not module.startswith("rag.cli"):
                wrong.append(f"{path.relative_to(ROOT)}:{line} {module}")
    assert wrong == []


VIOLATIONS = {
    "desktop uses rag through rag.api only": (
        "desktop/theme.py",
        "from rag.core.errors import BriefDeskError\n",
    ),
    "rag's stages are layered: none imports a later one": (
        "rag/indexing/store.py",
        "from rag.shared import remote_store\n",
    ),
    "export and drafting do not know each other: a saved briefing exports without a model": (
        "rag/export/word.py",
        "from rag.drafting import disagreements\n",
    ),
}


@pytest.mark.parametrize("contract", list(VIOLATIONS))
def test_a_contract_breaks_when_its_rule_is_broken(contract: str, tmp_path: Path) -> None:
    """The contracts hold today; each of these would break one of them."""
    for folder in ("rag", "desktop"):
        shutil.copytree(
            ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    path, line = VIOLATIONS[contract]
    with open(tmp_path / path, "a", encoding="utf-8") as fh:
        fh.write(line)
    env = dict(os.environ, PYTHONPATH=str(tmp_path))
    proc = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], capture_output=True, text=True, cwd=tmp_path, env=env,
        timeout=300,
    )  # fmt: skip
    assert proc.returncode != 0
    report = " ".join(proc.stdout.split())  # long contract names are wrapped
    assert f"{contract} BROKEN" in report, proc.stdout + proc.stderr
