"""Fixtures shared by the rag tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.core.demo import demo_library_dir
from rag.indexing.library import Library


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A library folder with the demo documents imported (the real reader, index and store)."""
    folder = tmp_path_factory.mktemp("demo-lib")
    with Library.open(folder) as lib:
        list(lib.import_paths([demo_library_dir()]))
    return folder
