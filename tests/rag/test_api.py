"""rag.api, the one module the desktop app and the command line use: every name it lists is
there, it loads only what is used, and ``open_library`` picks the library the settings name."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import rag.api
from rag.api import Library, LibraryError, Settings, open_library
from rag.indexing.folder_backend import FolderBackend

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("chromadb", "onnxruntime", "llama_cpp", "docx")


def test_every_listed_name_is_there() -> None:
    missing = [name for name in rag.api.__all__ if getattr(rag.api, name, None) is None]
    assert missing == []
    assert rag.api.provision.install  # a module exported whole
    with pytest.raises(AttributeError):
        rag.api.Store  # noqa: B018 - internal: not part of the API


def type_checking_imports() -> dict[str, str]:
    """name -> module, as the TYPE_CHECKING block of rag/api.py imports it."""
    tree = ast.parse((ROOT / "rag" / "api.py").read_text(encoding="utf-8"))
    block = next(
        n for n in tree.body if isinstance(n, ast.If) and ast.unparse(n.test) == "TYPE_CHECKING"
    )
    found = {}
    for node in block.body:
        assert isinstance(node, ast.ImportFrom) and node.module
        for alias in node.names:
            found[alias.asname or alias.name] = node.module
    return found


def test_the_lazy_table_matches_what_type_checkers_and_contracts_see() -> None:
    """The import-linter contracts and PyInstaller see the TYPE_CHECKING imports, the running
    program the table: they must name the same things from the same places."""
    table = {**rag.api._EXPORTS, **{n: m.rsplit(".", 1)[0] for n, m in rag.api._MODULES.items()}}
    assert type_checking_imports() == table
    assert set(rag.api.__all__) == set(table) | {"__version__"}


PROBE = """
import sys
names = sys.argv[1:]
if names == ["reader"]:
    import rag.reading.readers.text, rag.core.settings
else:
    exec("from rag.api import " + ", ".join(names))
print(" ".join(m for m in {heavy!r} if m in sys.modules))
"""


def loaded_after(*names: str) -> set[str]:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY), *names],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return set(proc.stdout.split())


def test_light_names_do_not_load_chroma_or_the_models() -> None:
    # What the desktop imports when its window module loads, on the GUI thread.
    assert loaded_after("Document", "Settings", "ImportFinished", "Briefing", "ClaimAdded") == set()
    assert loaded_after("reader") == set()  # rag itself imports nothing
    # The probe sees heavy imports when there are some.
    assert "chromadb" in loaded_after("open_library")


def test_open_library_opens_a_folder_library_without_a_server(tmp_path: Path) -> None:
    with open_library(tmp_path / "lib", Settings()) as lib:
        assert isinstance(lib.backend, FolderBackend)
        assert lib.location == str(tmp_path / "lib") and lib.documents() == []
    assert (tmp_path / "lib" / "library.sqlite3").is_file()


def test_library_open_never_opens_a_local_library_for_a_shared_one(tmp_path: Path) -> None:
    """Settings naming a server must not quietly give a different, local library."""
    settings = Settings()
    settings.library.server, settings.library.name = "http://127.0.0.1:9", "team"
    with pytest.raises(LibraryError, match="open_library"):
        Library.open(tmp_path / "lib", settings=settings)
    assert not (tmp_path / "lib").exists()
