"""A file already in the library is recognised by its bytes before any parsing, and the early
look at a file never hangs on something that is not a regular file."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

import rag.indexing.library
from rag.indexing.library import Library
from rag.reading.ingest import FileDuplicate, FileFailed


def test_known_file_is_not_parsed_again(
    tmp_path: Path, seeds_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Library.open(tmp_path / "lib") as lib:
        assert len(list(lib.import_paths([seeds_dir]))[-1].imported) == 5

        def no_parsing(path: Path, **_: object) -> None:
            raise AssertionError(f"{path.name} was parsed again")

        monkeypatch.setattr(rag.indexing.library, "read_isolated_steps", no_parsing)
        events = list(lib.import_paths([seeds_dir]))
        assert sum(isinstance(e, FileDuplicate) for e in events) == 5
        assert len(events[-1].duplicates) == 5


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes: POSIX")
def test_a_named_pipe_is_refused_without_hanging(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe.txt"
    os.mkfifo(pipe)
    done = threading.Event()
    with Library.open(tmp_path / "lib") as lib:
        result: list[object] = []

        def run() -> None:
            result.extend(lib.import_paths([pipe]))
            done.set()

        worker = threading.Thread(target=run)
        worker.start()
        finished = done.wait(60)
        if not finished:  # unblock the reader so that the thread can end, then fail
            with open(pipe, "wb"):
                pass
        worker.join(60)
    assert finished, "importing a named pipe hung"
    failed = [e for e in result if isinstance(e, FileFailed)]
    assert len(failed) == 1 and failed[0].reason == "not a regular file"


def test_reader_ignores_a_rag_folder_where_briefdesk_was_started(
    tmp_path: Path, seeds_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The read worker imports BriefDesk's own rag, never one in the current folder (which a
    downloaded folder could carry)."""
    from rag.reading import isolation

    shadow = tmp_path / "cwd" / "rag"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise SystemExit('the shadow rag ran')\n")
    monkeypatch.chdir(shadow.parent)
    isolation.shutdown_workers()  # a fresh worker, started from this folder
    try:
        seed = sorted(seeds_dir.iterdir())[0]
        assert isolation.read_isolated(seed, max_bytes=10**8).blocks
    finally:
        isolation.shutdown_workers()
