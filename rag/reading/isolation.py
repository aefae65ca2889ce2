"""Read untrusted files in a separate process, with a time limit and a memory limit.

Parsing a file someone sent you is untrusted work: a PDF whose page tree loops, a DOCX that
inflates to gigabytes or a page that sends a parser into a pathological path must cost that
one file, never the app. ``read_isolated`` runs ``rag.reading.readers.read_document`` in a worker
process and always comes back with a ParsedDocument or a ReadError carrying a one-line reason;
``read_isolated_steps`` is the same as a generator that yields the worker's progress per page.

Design
------
- The worker is ``python -m rag.reading.isolation`` (a plain subprocess, not
  multiprocessing: "spawn" would re-import the caller's ``__main__``, which for the desktop app
  means Qt). It imports only ``rag.reading.readers`` and the parsers, never chromadb or onnxruntime.
- Starting one costs about 0.5 s on a busy 2-core machine (Python plus pypdf, python-docx and
  lxml), so a worker is reused for many files: each thread that reads files has one worker of
  its own (a batch import is sequential, so one is all it needs). After a timeout, a crash, an
  out-of-memory or a cancel the worker is killed and the next file gets a fresh one; a worker
  is also replaced after ``_MAX_FILES_PER_WORKER`` files or once its heap has grown large, so
  one file's leftovers never narrow the next file's limits.
- Messages are length-prefixed pickles over the worker's stdin/stdout. Answers are unpickled
  with an allow-list of the few classes a ParsedDocument is made of, so a subverted worker
  cannot make the app run code by answering.
- Time: the parent waits with a wall-clock deadline and kills the worker's whole process group
  when it passes. The worker also sets RLIMIT_CPU a little beyond the deadline, as a backstop
  for when nobody is left to kill it. A paged file that is read page by page (a scan, whose
  every page is recognised) reports each page done; each report starts the clock afresh, so
  the limit is per page and a 300-page scan is not cut off while a looping page still is.
- Memory (POSIX): the worker sets RLIMIT_AS to the limit around each read (the worker's whole
  address space, of which the interpreter and parsers take about 70-170 MB). Python then
  raises MemoryError inside the parser (reported as a memory problem); a C library that
  aborts instead, or the kernel's OOM killer, is reported the same way.
- No orphans: on Linux the worker asks for SIGKILL when its parent dies (PR_SET_PDEATHSIG; it
  is tied to the thread that started the worker, which is why workers are per thread). It also
  lives in its own session, so a Ctrl-C in the terminal reaches only the app, which then kills
  it; and on every platform it exits when its stdin closes. Every worker the parent starts is
  reaped: after a failure, by ``shutdown_workers()``, when its thread ends, and at exit.
- Windows has no rlimits: only the time limit applies there (a Job object could cap memory; not
  done yet). The wait uses a helper thread because ``select`` does not work on pipes there.
- A frozen build (PyInstaller and the like) cannot run ``-m``: its entry point must call
  ``run_worker_if_requested()`` first thing, and the worker is started as
  ``<app> --briefdesk-read-worker``.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import pickle
import queue
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Generator
from pathlib import Path
from typing import IO, Any, TypeVar

from rag.core.errors import Cancelled, ReadError
from rag.core.types import CancelToken, ParsedDocument, ReadProgress

_E = TypeVar("_E")

__all__ = [
    "DEFAULT_MEMORY_MB",
    "DEFAULT_TIMEOUT_S",
    "read_isolated",
    "read_isolated_steps",
    "relay_pages",
    "run_worker_if_requested",
    "shutdown_workers",
    "worker_command",
]

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 60.0
DEFAULT_MEMORY_MB = 1024
WORKER_FLAG = "--briefdesk-read-worker"

_POSIX = os.name == "posix"
_HEADER = struct.Struct(">Q")
_STARTUP_TIMEOUT_S = 60.0  # imports only; generous because the machine may be busy
_MAX_FILES_PER_WORKER = 50
_RECYCLE_FRACTION = 0.4  # replace a worker whose peak memory passed this share of the limit
_CPU_GRACE_S = 10  # RLIMIT_CPU backstop beyond the wall-clock limit
_POLL_S = 0.1  # how often a wait looks at the cancel token


def read_isolated(
    path: Path,
    *,
    max_bytes: int,
    timeout: float = DEFAULT_TIMEOUT_S,
    memory_mb: int = DEFAULT_MEMORY_MB,
    cancel: CancelToken | None = None,
) -> ParsedDocument:
    """Read ``path`` in a worker process; a ParsedDocument, or ReadError with a one-line reason.

    ``timeout`` is wall-clock seconds for the read itself (starting a worker is not counted),
    or for each page of a file read page by page; ``memory_mb`` caps the worker's address
    space (POSIX only). Raises nothing but ReadError, except Cancelled when ``cancel`` is set
    during the read (the worker is then killed at once) and KeyboardInterrupt/SystemExit, which
    pass through after the worker is killed.
    """
    steps = read_isolated_steps(
        path, max_bytes=max_bytes, timeout=timeout, memory_mb=memory_mb, cancel=cancel
    )
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value


def read_isolated_steps(
    path: Path,
    *,
    max_bytes: int,
    timeout: float = DEFAULT_TIMEOUT_S,
    memory_mb: int = DEFAULT_MEMORY_MB,
    cancel: CancelToken | None = None,
) -> Generator[ReadProgress, None, ParsedDocument]:
    """``read_isolated``, yielding a ReadProgress for each page the worker reports done.
    Closing the generator early kills the worker, as a cancel does."""
    request = ("read", os.fspath(path), max_bytes, memory_mb, timeout)
    try:
        reply = yield from _call(request, timeout, memory_mb, cancel)
    except _Timeout as late:
        raise ReadError(_timeout_reason(timeout, late.page)) from None
    except _WorkerDied as died:
        raise ReadError(_death_reason(died, timeout, memory_mb)) from None
    except _StartFailed as exc:
        raise ReadError(f"could not start the file reader: {exc}") from None
    status = reply[0]
    if status == "ok" and isinstance(reply[1], ParsedDocument):
        return reply[1]
    if status == "error" and isinstance(reply[1], str):
        raise ReadError(reply[1])
    if status == "memory":
        raise ReadError(_memory_reason(memory_mb))
    raise ReadError("the file reader gave a malformed answer")


def relay_pages(
    steps: Generator[ReadProgress, None, ParsedDocument], event: Callable[[int, int], _E]
) -> Generator[_E, None, ParsedDocument]:
    """``read_isolated_steps`` with each page's progress told as the caller's own event,
    ``event(done, of)``; returns what the reader read."""
    while True:
        try:
            page = next(steps)
        except StopIteration as done:
            return done.value
        yield event(page.done, page.of)


def shutdown_workers() -> None:
    """Stop every worker now (they also stop by themselves at exit). Call it when no read is
    in progress: a read whose worker is stopped fails as if its worker had crashed."""
    with _ALL_LOCK:
        workers = list(_ALL)
    for worker in workers:
        worker.close()


def worker_command() -> list[str]:
    """The command that starts a worker, for this interpreter or this frozen app."""
    if getattr(sys, "frozen", False):
        return [sys.executable, WORKER_FLAG]
    # -P: no current folder at the front of sys.path. With "-m" alone, a folder named "rag" in
    # whatever folder BriefDesk was started from would be imported instead of BriefDesk's own
    # (and run: a downloaded folder could carry one).
    return [sys.executable, "-P", "-m", "rag.reading.isolation"]


def run_worker_if_requested() -> None:
    """For frozen builds: call first thing in the entry point; runs the worker and exits if
    this process was started as one, and returns at once otherwise."""
    if len(sys.argv) > 1 and sys.argv[1] == WORKER_FLAG:
        sys.exit(_worker_main())


# --- the parent side -------------------------------------------------------------------------


class _Timeout(Exception):
    def __init__(self, page: int | None = None) -> None:
        super().__init__("timed out")
        self.page = page  # the page being read when time ran out, for a paged read


class _StartFailed(Exception):
    pass


class _WorkerDied(Exception):
    def __init__(self, returncode: int | None, stderr_tail: str) -> None:
        super().__init__(f"worker died ({returncode})")
        self.returncode = returncode
        self.stderr_tail = stderr_tail


class _Undelivered(Exception):
    """The worker was gone before it got the request: safe to retry with a fresh one."""


_ALL: weakref.WeakSet[_Worker] = weakref.WeakSet()
_ALL_LOCK = threading.Lock()
_LOCAL = threading.local()


def _call(
    request: tuple[Any, ...], timeout: float, memory_mb: int, cancel: CancelToken | None
) -> Generator[ReadProgress, None, tuple[Any, ...]]:
    """Send ``request`` to this thread's worker and return its answer, yielding its progress;
    the worker is killed on any failure (or if the caller stops listening), and replaced
    before the next call."""
    for attempt in range(2):
        worker = _worker_for_this_thread()
        try:
            reply = yield from worker.call(request, timeout, memory_mb, cancel)
        except _Undelivered:
            died = _WorkerDied(worker.returncode(), worker.stderr_tail())
            worker.kill()
            if attempt:
                raise died from None
            continue
        except BaseException:
            worker.kill()
            raise
        worker.served += 1
        recycle = len(reply) > 2 and reply[2]
        if recycle or worker.served >= _MAX_FILES_PER_WORKER:
            worker.close()
        return reply
    raise AssertionError("unreachable")


def _worker_for_this_thread() -> _Worker:
    worker: _Worker | None = getattr(_LOCAL, "worker", None)
    if worker is None or not worker.alive():
        if worker is not None:
            worker.kill()
        worker = _Worker()
        _LOCAL.worker = worker
    return worker


class _Worker:
    """One worker process, used by the thread that started it."""

    def __init__(self) -> None:
        self.served = 0
        # A file, not a pipe: a pipe nobody drains could fill up and block the worker.
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed by _reap
        env = dict(os.environ)
        # The worker must import this same rag, even when it is not installed.
        package_root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
        env["BRIEFDESK_READ_WORKER_PARENT"] = str(os.getpid())
        # glibc gives each thread that allocates its own 64 MB arena of address space; the OCR
        # engine's threads would spend the memory limit on reservations, not on the file.
        env.setdefault("MALLOC_ARENA_MAX", "2")
        options: dict[str, Any] = {}
        if _POSIX:
            options["start_new_session"] = True  # own process group: killed as one, no Ctrl-C
        else:
            options["creationflags"] = getattr(subprocess, "CREATE_NO_WINDOW", 0)
        try:
            self._proc = subprocess.Popen(
                worker_command(),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._stderr,
                env=env,
                close_fds=True,
                **options,
            )
        except OSError as exc:
            self._stderr.close()
            raise _StartFailed(exc.strerror or str(exc)) from None
        self._ready = False
        self._finalizer = weakref.finalize(self, _reap, self._proc, self._stderr)
        with _ALL_LOCK:
            _ALL.add(self)

    def alive(self) -> bool:
        return self._proc.poll() is None

    def returncode(self) -> int | None:
        return self._proc.poll()

    def call(
        self,
        request: tuple[Any, ...],
        timeout: float,
        memory_mb: int,
        cancel: CancelToken | None,
    ) -> Generator[ReadProgress, None, tuple[Any, ...]]:
        limit = max(64, 2 * memory_mb) * 1024 * 1024  # no answer is bigger than the worker
        if not self._ready:
            deadline = time.monotonic() + _STARTUP_TIMEOUT_S
            try:
                ready = self._receive(deadline, cancel, limit)
            except _Timeout:
                raise _StartFailed("it did not start in time") from None
            except _WorkerDied as died:
                raise _StartFailed(died.stderr_tail or f"exit code {died.returncode}") from None
            if ready[0] != "ready":
                raise _StartFailed("it answered out of turn")
            self._ready = True
        self._truncate_stderr()
        try:
            _write_frame(self._proc.stdin, pickle.dumps(request, protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:  # BrokenPipeError: it was already gone
            raise _Undelivered() from None
        page: int | None = None
        while True:
            try:
                reply = self._receive(time.monotonic() + timeout, cancel, limit)
            except _Timeout:
                raise _Timeout(page) from None
            if not _is_progress(reply):
                return reply
            done, of = reply[1], reply[2]
            page = done + 1 if done < of else None
            yield ReadProgress(done, of)

    def _receive(self, deadline: float, cancel: CancelToken | None, limit: int) -> tuple[Any, ...]:
        assert self._proc.stdout is not None
        if _POSIX:
            data = _read_frame_posix(self._proc.stdout, deadline, cancel, limit)
        else:
            data = _read_frame_threaded(self._proc.stdout, deadline, cancel, limit)
        if data is None:  # end of stream: the worker died
            returncode = self._wait_briefly()
            raise _WorkerDied(returncode, self.stderr_tail())
        try:
            reply = _SafeUnpickler(io.BytesIO(data)).load()
        except Exception:
            log.warning("malformed answer from the read worker", exc_info=True)
            reply = ("invalid",)
        return reply if isinstance(reply, tuple) and reply else ("invalid",)

    def _wait_briefly(self) -> int | None:
        try:
            return self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:  # stdout closed but still running: end it
            self.kill()
            return self._proc.poll()

    def _truncate_stderr(self) -> None:
        # The worker shares this file's offset, so this starts its diagnostics afresh.
        with contextlib.suppress(OSError):
            self._stderr.seek(0)
            self._stderr.truncate()

    def stderr_tail(self) -> str:
        try:
            self._stderr.seek(0, os.SEEK_END)
            size = self._stderr.tell()
            self._stderr.seek(max(0, size - 4000))
            text = self._stderr.read().decode("utf-8", "replace")
        except (OSError, ValueError):
            return ""
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        return lines[-1][:200] if lines else ""

    def kill(self) -> None:
        """Kill the worker and everything it started, and reap it."""
        self._forget()
        self._finalizer()

    def close(self) -> None:
        """Ask an idle worker to exit (end of its stdin), killing it if it does not."""
        self._forget()
        with contextlib.suppress(OSError):
            if self._proc.stdin is not None:
                self._proc.stdin.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._proc.wait(timeout=2)
        self._finalizer()

    def _forget(self) -> None:
        if getattr(_LOCAL, "worker", None) is self:
            _LOCAL.worker = None
        with _ALL_LOCK:
            _ALL.discard(self)


def _reap(proc: subprocess.Popen[bytes], stderr: IO[bytes]) -> None:
    """Kill the worker's process group unless it already exited, then wait for it: no zombie.
    Also the finalizer that runs when a worker object is dropped or the app exits."""
    if proc.poll() is None:
        try:
            if _POSIX:
                os.killpg(proc.pid, signal.SIGKILL)
            else:
                proc.kill()
        except (ProcessLookupError, PermissionError, OSError):
            pass
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)
    for stream in (proc.stdin, proc.stdout, stderr):
        with contextlib.suppress(OSError, ValueError):
            if stream is not None:
                stream.close()


def _read_frame_posix(
    stream: IO[bytes], deadline: float, cancel: CancelToken | None, limit: int
) -> bytes | None:
    import selectors

    fd = stream.fileno()
    buffer = bytearray()
    wanted = _HEADER.size
    header_done = False
    # A selector, not select.select: an app with many open files can have fds over 1024.
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while len(buffer) < wanted:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _Timeout()
            if cancel is not None and cancel.cancelled:
                raise Cancelled("cancelled")
            if not selector.select(min(remaining, _POLL_S) if cancel is not None else remaining):
                continue
            chunk = os.read(fd, min(wanted - len(buffer), 1 << 20))
            if not chunk:
                return None
            buffer += chunk
            if not header_done and len(buffer) >= _HEADER.size:
                header_done = True
                size = _HEADER.unpack_from(buffer)[0]
                if size > limit:
                    return _oversized(size)
                wanted = _HEADER.size + size
    return bytes(buffer[_HEADER.size :])


def _read_frame_threaded(
    stream: IO[bytes], deadline: float, cancel: CancelToken | None, limit: int
) -> bytes | None:
    """For Windows: a daemon thread does the blocking read; killing the worker ends it."""
    box: queue.Queue[bytes | BaseException | None] = queue.Queue()

    def read() -> None:
        try:
            header = stream.read(_HEADER.size)
            if len(header) < _HEADER.size:
                box.put(None)
                return
            size = _HEADER.unpack(header)[0]
            if size > limit:
                box.put(_oversized(size))
                return
            body = stream.read(size)
            box.put(body if len(body) == size else None)
        except BaseException as exc:  # handed to the waiting thread
            box.put(exc)

    threading.Thread(target=read, name="read-worker-pipe", daemon=True).start()
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise _Timeout()
        if cancel is not None and cancel.cancelled:
            raise Cancelled("cancelled")
        try:
            item = box.get(timeout=min(remaining, _POLL_S) if cancel is not None else remaining)
        except queue.Empty:
            continue
        if isinstance(item, BaseException):
            return None
        return item


def _is_progress(reply: tuple[Any, ...]) -> bool:
    return (
        len(reply) == 3
        and reply[0] == "progress"
        and all(isinstance(n, int) and not isinstance(n, bool) for n in reply[1:])
    )


def _oversized(size: int) -> bytes:
    log.warning("read worker announced a %d-byte answer; refusing it", size)
    return pickle.dumps(("error", "the file reader gave an answer too large to accept"))


def _write_frame(stream: IO[bytes] | None, payload: bytes) -> None:
    assert stream is not None
    stream.write(_HEADER.pack(len(payload)) + payload)
    stream.flush()


class _SafeUnpickler(pickle.Unpickler):
    """Only the classes a ParsedDocument is made of (and nothing that can run code)."""

    _ALLOWED = frozenset(
        ("rag.core.types", name) for name in ("ParsedDocument", "DocumentMeta", "Block", "Locator")
    )

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in self._ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed")


def _death_reason(died: _WorkerDied, timeout: float, memory_mb: int) -> str:
    code = died.returncode
    if died.stderr_tail:
        log.warning("read worker died (%s): %s", code, died.stderr_tail)
    if code is not None and code < 0:
        signum = -code
        if signum == getattr(signal, "SIGXCPU", None):
            return f"took longer than {_seconds(timeout)} to read; the file may be malformed"
        # Nobody here sent SIGKILL: it is the kernel's OOM killer. SIGABRT/SIGSEGV at the
        # memory limit come from C code whose allocation failed.
        if signum == getattr(signal, "SIGKILL", None) or "MemoryError" in died.stderr_tail:
            return _memory_reason(memory_mb)
        try:
            name = signal.Signals(signum).name
        except ValueError:
            name = f"signal {signum}"
        return f"the file reader crashed ({name}); the file may be malformed"
    if "MemoryError" in died.stderr_tail:
        return _memory_reason(memory_mb)
    return f"the file reader stopped unexpectedly (exit code {code}); the file may be malformed"


def _memory_reason(memory_mb: int) -> str:
    return (
        f"needed more than {memory_mb} MB of memory to read; the file may be a decompression bomb"
    )


def _timeout_reason(timeout: float, page: int | None) -> str:
    late = f"page {page} took" if page is not None else "took"
    return f"{late} longer than {_seconds(timeout)} to read; the file may be malformed"


def _seconds(value: float) -> str:
    return f"{value:g} s"


# --- the worker side -------------------------------------------------------------------------


def _worker_main() -> int:
    """Serve read requests from stdin until it closes. Only rag.reading.readers is imported."""
    _die_with_parent()
    # The protocol gets private copies of stdin/stdout; fds 0 and 1 then point elsewhere so
    # that a library printing to stdout cannot corrupt the answers.
    requests = os.fdopen(os.dup(0), "rb")
    answers = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(2, 1)
    import faulthandler

    faulthandler.enable()  # a crash in C code leaves a traceback in the parent's log
    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
    for handler in logging.getLogger().handlers:  # a handler's filter sees every record
        handler.addFilter(_RateLimit())

    from rag.reading.readers import read_document_steps

    _preload_parsers()
    global _BASELINE_RSS
    _BASELINE_RSS = _peak_rss()
    _send(answers, ("ready", os.getpid()))
    while True:
        try:
            header = requests.read(_HEADER.size)
            if len(header) < _HEADER.size:
                return 0  # the parent closed our stdin or died
            request = pickle.loads(requests.read(_HEADER.unpack(header)[0]))
        except Exception:
            return 2
        _RateLimit.count = 0
        if request[0] == "modules":  # for tests: prove what the worker imported
            _send(answers, ("ok-modules", sorted(sys.modules)))
            continue
        _, path, max_bytes, memory_mb, timeout = request
        reply = _serve_read(read_document_steps, answers, path, max_bytes, memory_mb, timeout)
        _send(answers, reply)


def _serve_read(
    read_steps: Any, answers: IO[bytes], path: str, max_bytes: int, memory_mb: int, timeout: float
) -> tuple[Any, ...]:
    global _READ_MEMORY_MB
    _READ_MEMORY_MB = memory_mb
    _set_limits(memory_mb, timeout)
    try:
        steps = read_steps(Path(path), max_bytes=max_bytes)
        while True:
            try:
                progress = next(steps)
            except StopIteration as done:
                document = done.value
                break
            _send(answers, ("progress", progress.done, progress.of))
            _set_cpu_limit(timeout)  # the CPU backstop is per page too
        reply: tuple[Any, ...] = ("ok", document, _grew_large(memory_mb))
    except ReadError as exc:
        if _from_memory_error(exc):
            reply = ("memory", None, True)
        else:  # a bomb refused halfway (pypdf's 75 MB cap) can still leave a large heap
            reply = ("error", str(exc), _grew_large(memory_mb))
    except MemoryError:
        reply = ("memory", None, True)
    except BaseException:  # read_document promises only ReadError; never trust that
        log.warning("the reader failed unexpectedly", exc_info=True)
        reply = ("error", "could not read file: the reader failed unexpectedly", True)
    finally:
        _lift_memory_limit()  # answering a successful read must not fail for memory
    return reply


def _send(stream: IO[bytes], message: tuple[Any, ...]) -> None:
    try:
        payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:
        payload = pickle.dumps(("memory", None, True))
    except Exception as exc:
        payload = pickle.dumps(("error", f"could not send the result: {exc}", True))
    _write_frame(stream, payload)


def _from_memory_error(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    for _ in range(20):  # the chain is short; the bound guards against cycles
        if seen is None:
            return False
        if isinstance(seen, MemoryError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _preload_parsers() -> None:
    # Imported while the parent is busy with other work; a broken install shows up as a
    # ReadError for each file of that kind, which read_document reports by itself.
    for name in ("pdf", "docx", "html", "text", "image"):
        with contextlib.suppress(Exception):
            __import__(f"rag.reading.readers.{name}")
    with contextlib.suppress(Exception):
        from rag.reading.readers import ocr

        ocr.engine_loading = _engine_loading


_READ_MEMORY_MB = 0  # the memory limit of the read in progress; set by _serve_read
_ENGINE_BYTES = 0  # address space the OCR engine took when it loaded; added to every limit


@contextlib.contextmanager
def _engine_loading() -> Any:
    """The OCR engine loads without the memory limit; from then on the limit is the file's
    allowance plus the engine (see rag.reading.readers.ocr.engine_loading)."""
    global _BASELINE_RSS, _ENGINE_BYTES
    before = _address_space()
    _lift_memory_limit()
    try:
        yield
    finally:
        _ENGINE_BYTES = max(0, _address_space() - before)
        _BASELINE_RSS = max(_BASELINE_RSS, _peak_rss())  # the engine is no reason to recycle
        if _READ_MEMORY_MB:
            _set_memory_limit(_READ_MEMORY_MB)


def _address_space() -> int:
    """This process's current address space in bytes (Linux), 0 where unknown."""
    try:
        with open("/proc/self/status", "rb") as status:
            for line in status:
                if line.startswith(b"VmSize:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _die_with_parent() -> None:
    """Linux: SIGKILL this process when the thread that started it ends (or the app dies)."""
    if _POSIX:  # a worker killed at a limit must not leave a core file in the user's folder
        import resource

        _set_soft(resource.RLIMIT_CORE, 0)
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    parent = os.environ.get("BRIEFDESK_READ_WORKER_PARENT")
    if parent and os.getppid() != int(parent):  # it died before prctl took effect
        os._exit(3)


def _set_limits(memory_mb: int, timeout: float) -> None:
    if not _POSIX:
        return  # Windows: no rlimits; the parent's wall-clock limit is all there is

    _set_cpu_limit(timeout)
    _set_memory_limit(memory_mb)


def _set_memory_limit(memory_mb: int) -> None:
    if _POSIX:
        import resource

        _set_soft(resource.RLIMIT_AS, memory_mb * 1024 * 1024 + _ENGINE_BYTES)


def _set_cpu_limit(timeout: float) -> None:
    """RLIMIT_CPU at the CPU time used so far plus ``timeout`` and a grace."""
    if not _POSIX:
        return
    import resource

    used = resource.getrusage(resource.RUSAGE_SELF)
    # CPU time counts every thread: OCR runs on two, so allow for both.
    cpu = int(used.ru_utime + used.ru_stime + 2 * timeout + _CPU_GRACE_S)
    _set_soft(resource.RLIMIT_CPU, cpu)


def _lift_memory_limit() -> None:
    if _POSIX:
        import resource

        _set_soft(resource.RLIMIT_AS, None)


def _set_soft(which: int, value: int | None) -> None:
    import resource

    _, hard = resource.getrlimit(which)
    soft = hard  # None: as high as allowed
    if value is not None:
        soft = value if hard == resource.RLIM_INFINITY else min(value, hard)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(which, (soft, hard))


def _grew_large(memory_mb: int) -> bool:
    """Whether this worker's peak memory suggests a fresh one for the next file."""
    return _peak_rss() - _BASELINE_RSS > _RECYCLE_FRACTION * memory_mb * 1024 * 1024


def _peak_rss() -> int:
    """This process's peak resident memory in bytes, 0 where unknown.

    Linux: VmHWM, which belongs to this program's own memory map. ru_maxrss will not do there:
    exec carries over the peak of the process it replaced, here the (large) app itself.
    """
    if sys.platform.startswith("linux"):
        try:
            with open("/proc/self/status", "rb") as status:
                for line in status:
                    if line.startswith(b"VmHWM:"):
                        return int(line.split()[1]) * 1024
        except (OSError, ValueError, IndexError):
            return 0
        return 0
    if not _POSIX:
        return 0
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # bytes on macOS, KB elsewhere


_BASELINE_RSS = 0  # the worker's own peak once its imports are done; set in _worker_main


class _RateLimit(logging.Filter):
    """Broken PDFs can log a warning per object; keep the first few of each file."""

    count = 0

    def filter(self, record: logging.LogRecord) -> bool:
        _RateLimit.count += 1
        return _RateLimit.count <= 50


if __name__ == "__main__":
    sys.exit(_worker_main())
