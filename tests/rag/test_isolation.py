"""read_isolated: a file is read in a worker process that a time limit, a memory limit, a
crash or a cancel can end without touching the app, and that is always reaped."""

from __future__ import annotations

import io
import os
import pickle
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from filemakers import slow_pdf

from rag.core.errors import Cancelled, ReadError
from rag.core.types import CancelToken
from rag.reading import isolation
from rag.reading.readers import read_document

LINUX = sys.platform.startswith("linux")
MB = 1024 * 1024
SLOW_MAX = 16 * MB  # room for slow_pdf's 7 MB content stream


def many_lines(path: Path, size_mb: int = 30) -> Path:
    """A large, perfectly ordinary text file: reading it needs a few hundred MB."""
    line = "Export licence line with a few words in it.\n"
    path.write_text(line * (size_mb * MB // len(line)), encoding="utf-8")
    return path


def children() -> set[int]:
    """Live or zombie child processes of this process (Linux: from /proc)."""
    me = os.getpid()
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == me:
            found.add(int(entry.name))
    return found


def gone(pid: int, within: float = 10.0) -> bool:
    """True once ``pid`` no longer exists (not even as a zombie)."""
    end = time.monotonic() + within
    while time.monotonic() < end:
        if not Path(f"/proc/{pid}").exists():
            return True
        time.sleep(0.05)
    return False


def dead(pid: int, within: float = 10.0) -> bool:
    """True once ``pid`` has exited: gone, or a zombie waiting for a process that is not ours
    (the worker of a killed app is reaped by whatever adopts it, if that reaps at all)."""
    end = time.monotonic() + within
    while time.monotonic() < end:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return True
        if state in ("Z", "X"):
            return True
        time.sleep(0.05)
    return False


def worker_pid() -> int:
    worker = isolation._LOCAL.worker
    assert worker is not None
    return worker._proc.pid


def ask_worker(request: tuple[object, ...]) -> tuple[object, ...]:
    steps = isolation._call(request, 30, 1024, None)
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value


@pytest.fixture
def text_file(tmp_path: Path) -> Path:
    path = tmp_path / "note.txt"
    path.write_text("Title: Chip rule\n\nThe rule covers advanced computing items.\n")
    return path


def test_reads_in_a_reused_worker_that_imports_only_the_readers(text_file: Path) -> None:
    isolation.shutdown_workers()  # a worker left by an earlier test may have read a scan
    first = isolation.read_isolated(text_file, max_bytes=MB)
    assert first == read_document(text_file, max_bytes=MB)
    pid = worker_pid()
    assert pid != os.getpid()
    start = time.monotonic()
    isolation.read_isolated(text_file, max_bytes=MB)
    assert time.monotonic() - start < 1.0, "a warm worker answers without starting anew"
    assert worker_pid() == pid
    modules = ask_worker(("modules",))[1]
    # The OCR engine (onnxruntime, OpenCV) loads on the first scan, not for every worker.
    heavy = {"chromadb", "onnxruntime", "numpy", "tokenizers", "llama_cpp", "PySide6", "cv2"}
    assert not heavy & {name.split(".")[0] for name in modules}
    assert "rag.reading.readers.pdf" in modules and "rag.indexing.library" not in modules


@pytest.mark.skipif(not LINUX, reason="the inherited peak is a Linux exec quirk")
def test_a_large_app_does_not_make_every_worker_look_large(text_file: Path) -> None:
    # exec keeps the replaced process's peak in ru_maxrss: a worker started by a 500 MB app
    # must not take that for its own growth and be replaced after every file.
    isolation.shutdown_workers()
    ballast = bytearray(b"x") * (500 * MB)
    try:
        isolation.read_isolated(text_file, max_bytes=MB)
        pid = worker_pid()
        isolation.read_isolated(text_file, max_bytes=MB)
        assert worker_pid() == pid
    finally:
        del ballast


def test_reader_errors_pass_through_unchanged(tmp_path: Path) -> None:
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"not a pdf at all" * 10)
    for path, max_bytes in ((junk, MB), (junk, 20), (tmp_path / "missing.docx", MB)):
        with pytest.raises(ReadError) as direct:
            read_document(path, max_bytes=max_bytes)
        with pytest.raises(ReadError) as isolated:
            isolation.read_isolated(path, max_bytes=max_bytes)
        assert str(isolated.value) == str(direct.value)


@pytest.mark.skipif(not LINUX, reason="counts child processes through /proc")
def test_timeout_kills_the_worker_and_the_next_file_gets_a_fresh_one(
    tmp_path: Path, text_file: Path
) -> None:
    isolation.read_isolated(text_file, max_bytes=MB)  # a warm worker: start-up is not timed
    pid = worker_pid()
    start = time.monotonic()
    with pytest.raises(ReadError) as info:
        isolation.read_isolated(slow_pdf(tmp_path / "slow.pdf"), max_bytes=SLOW_MAX, timeout=1.0)
    elapsed = time.monotonic() - start
    assert str(info.value) == "took longer than 1 s to read; the file may be malformed"
    assert elapsed < 4.0
    assert gone(pid, within=1.0) and pid not in children()
    assert isolation.read_isolated(text_file, max_bytes=MB).blocks
    assert worker_pid() != pid


@pytest.mark.skipif(os.name != "posix", reason="the memory limit is POSIX only")
def test_memory_limit_gives_a_clear_reason(tmp_path: Path, text_file: Path) -> None:
    big = many_lines(tmp_path / "big.txt")
    with pytest.raises(ReadError) as info:
        isolation.read_isolated(big, max_bytes=100 * MB, memory_mb=200)
    assert str(info.value) == (
        "needed more than 200 MB of memory to read; the file may be a decompression bomb"
    )
    assert isolation.read_isolated(big, max_bytes=100 * MB, memory_mb=1024).blocks
    assert isolation.read_isolated(text_file, max_bytes=MB).blocks


@pytest.mark.skipif(not LINUX, reason="counts child processes through /proc")
@pytest.mark.parametrize(
    ("signum", "reason"),
    [
        (signal.SIGSEGV, "the file reader crashed (SIGSEGV); the file may be malformed"),
        (signal.SIGKILL, "needed more than 1024 MB of memory to read"),  # the OOM killer's
    ],
)
def test_a_worker_killed_by_a_signal_costs_one_file(
    tmp_path: Path, text_file: Path, signum: int, reason: str
) -> None:
    isolation.read_isolated(text_file, max_bytes=MB)
    pid = worker_pid()
    killer = threading.Timer(0.5, os.kill, (pid, signum))
    killer.start()
    try:
        with pytest.raises(ReadError) as info:
            isolation.read_isolated(slow_pdf(tmp_path / "slow.pdf"), max_bytes=SLOW_MAX)
    finally:
        killer.join()
    assert str(info.value).startswith(reason)
    assert gone(pid, within=1.0)
    assert isolation.read_isolated(text_file, max_bytes=MB).blocks


@pytest.mark.skipif(not LINUX, reason="counts child processes through /proc")
def test_cancel_stops_a_read_at_once(tmp_path: Path, text_file: Path) -> None:
    isolation.read_isolated(text_file, max_bytes=MB)
    pid = worker_pid()
    cancel = CancelToken()
    timer = threading.Timer(0.5, cancel.cancel)
    timer.start()
    start = time.monotonic()
    try:
        with pytest.raises(Cancelled):
            isolation.read_isolated(
                slow_pdf(tmp_path / "slow.pdf"), max_bytes=SLOW_MAX, cancel=cancel
            )
    finally:
        timer.join()
    assert time.monotonic() - start < 3.0
    assert gone(pid, within=1.0)


@pytest.mark.skipif(not LINUX, reason="PR_SET_PDEATHSIG is Linux only")
def test_a_killed_app_leaves_no_worker_behind(tmp_path: Path, text_file: Path) -> None:
    script = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from rag.reading import isolation
        isolation.read_isolated(Path({str(text_file)!r}), max_bytes=1 << 20)
        print(isolation._LOCAL.worker._proc.pid, flush=True)
        isolation.read_isolated(Path({str(slow_pdf(tmp_path / "slow.pdf"))!r}),
                                max_bytes={SLOW_MAX}, timeout=600)
        """
    )
    app = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert app.stdout is not None
        pid = int(app.stdout.readline())
        time.sleep(0.3)  # the worker is now busy with the slow file
        assert Path(f"/proc/{pid}").exists()
    finally:
        app.kill()
        app.wait()
        if app.stdout is not None:
            app.stdout.close()
    assert dead(pid, within=5.0), "the worker outlived the app that started it"


@pytest.mark.skipif(not LINUX, reason="counts child processes through /proc")
def test_shutdown_leaves_no_child_process(text_file: Path) -> None:
    isolation.read_isolated(text_file, max_bytes=MB)
    assert children()
    isolation.shutdown_workers()
    assert not children()


def test_answers_cannot_smuggle_code() -> None:
    hostile = pickle.dumps(("ok", os.system))
    with pytest.raises(pickle.UnpicklingError):
        isolation._SafeUnpickler(io.BytesIO(hostile)).load()
