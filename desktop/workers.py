"""The app's threads, all of them: a worker runs jobs one at a time on its own QThread.

The rest of ``desktop`` never starts a thread. A job is a plain function that gets a
``JobContext`` (its cancel token and an ``emit`` for progress events); it knows nothing of Qt.
Everything a job emits, returns or raises is carried back to the GUI thread by a queued
signal and handed to the callbacks given to ``Worker.submit``, so widgets are only ever
touched on the GUI thread.

The app runs two workers (see ``desktop.backend``): the *writer*, which owns the library's
writes and the model, and the *reader*, for short read-only jobs (search, passages, saved
briefings, export) that must not wait behind a draft that takes minutes.

Shutting down cancels the running job and everything queued, runs the worker's ``on_exit``
on its own thread (the writer closes the library there) and joins the thread.
"""

from __future__ import annotations

import itertools
import logging
import queue
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal

from rag.api import BriefDeskError, Cancelled, CancelToken

log = logging.getLogger(__name__)

_ids = itertools.count(1)
_live: weakref.WeakSet[Worker] = weakref.WeakSet()


def running_workers() -> list[str]:
    """Names of workers whose thread is still running (tests assert this is empty)."""
    return [w.name for w in list(_live) if w.is_running()]


class JobContext:
    """What a job sees while it runs on a worker thread."""

    def __init__(self, job_id: int, cancel: CancelToken, post: Callable[[tuple], None]):
        self._id = job_id
        self.cancel = cancel
        self._post = post

    def emit(self, payload: Any) -> None:
        """Send a progress event to the job's ``on_event`` callback on the GUI thread."""
        self._post((self._id, "event", payload))


class JobHandle(QObject):
    """The GUI thread's view of a submitted job: cancel it, or wait for ``finished``."""

    finished = Signal()

    def __init__(self, job_id: int, name: str, cancel: CancelToken):
        super().__init__()
        self.id = job_id
        self.name = name
        self._cancel = cancel
        self.done = False
        self.failed = False

    def cancel(self) -> None:
        self._cancel.cancel()

    @property
    def cancelled(self) -> bool:
        return self._cancel.cancelled


@dataclass
class _Job:
    id: int
    name: str
    fn: Callable[[JobContext], Any]
    cancel: CancelToken


@dataclass
class _Callbacks:
    handle: JobHandle
    on_event: Callable[[Any], None] | None
    on_done: Callable[[Any], None] | None
    on_error: Callable[[str], None] | None


class _Relay(QObject):
    """Lives on the GUI thread; the worker thread emits, Qt queues the call across."""

    message = Signal(object)


class _Thread(QThread):
    def __init__(
        self,
        name: str,
        jobs: queue.Queue,
        post: Callable[[tuple], None],
        on_exit: Callable[[], None] | None,
    ) -> None:
        super().__init__()
        self.setObjectName(name)
        self._jobs = jobs
        self._post = post
        self._on_exit = on_exit
        self.current: _Job | None = None

    def run(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                break
            self.current = job
            self._run_one(job)
            self.current = None
        if self._on_exit is not None:
            try:
                self._on_exit()
            except Exception:
                log.exception("cleaning up the %s worker failed", self.objectName())

    def _run_one(self, job: _Job) -> None:
        if job.cancel.cancelled:
            self._post((job.id, "cancelled", None))
            return
        try:
            result = job.fn(JobContext(job.id, job.cancel, self._post))
        except Cancelled:
            self._post((job.id, "cancelled", None))
        except BriefDeskError as exc:
            self._post((job.id, "error", str(exc)))
        except Exception as exc:  # a bug, or a library failing in a way nobody foresaw
            log.exception("job %s failed", job.name)
            self._post((job.id, "error", f"Unexpected error: {type(exc).__name__}: {exc}"))
        else:
            self._post((job.id, "done", result))


class Worker(QObject):
    """One thread that runs submitted jobs in order. Create and use it on the GUI thread."""

    busyChanged = Signal(bool)

    def __init__(
        self, name: str, on_exit: Callable[[], None] | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.name = name
        self._jobs: queue.Queue[_Job | None] = queue.Queue()
        self._callbacks: dict[int, _Callbacks] = {}
        self._closed = False
        self._relay = _Relay()
        self._relay.message.connect(self._deliver)
        self._thread = _Thread(name, self._jobs, self._relay.message.emit, on_exit)
        self._thread.start()
        _live.add(self)

    # -- GUI thread ---------------------------------------------------------------------------

    def submit(
        self,
        name: str,
        fn: Callable[[JobContext], Any],
        *,
        on_event: Callable[[Any], None] | None = None,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[str], None] | None = None,
    ) -> JobHandle:
        """Queue ``fn`` to run on this worker's thread. The callbacks run on the GUI thread:
        ``on_event`` for each ``ctx.emit``, then ``on_done(result)`` or ``on_error(message)``.
        A job cancelled before it returns a result calls neither ``on_done`` nor ``on_error``;
        its handle's ``finished`` is emitted either way."""
        job_id = next(_ids)
        cancel = CancelToken()
        handle = JobHandle(job_id, name, cancel)
        if self._closed:
            cancel.cancel()
            handle.done = True
            return handle
        self._callbacks[job_id] = _Callbacks(handle, on_event, on_done, on_error)
        was_busy = self.busy
        self._jobs.put(_Job(job_id, name, fn, cancel))
        if not was_busy:
            self.busyChanged.emit(True)
        return handle

    @property
    def busy(self) -> bool:
        """True while a job is queued or running."""
        return bool(self._callbacks)

    def pending(self) -> list[str]:
        """Names of the jobs queued or running, oldest first."""
        return [c.handle.name for c in self._callbacks.values()]

    def is_running(self) -> bool:
        return self._thread.isRunning()

    def shutdown(self) -> None:
        """Cancel everything, let the thread clean up and join it. Safe to call twice."""
        if not self._closed:
            self._closed = True
            for callbacks in self._callbacks.values():
                callbacks.handle.cancel()
            self._jobs.put(None)
        self._thread.wait()
        self._callbacks.clear()
        _live.discard(self)

    def _deliver(self, message: tuple) -> None:
        job_id, kind, payload = message
        callbacks = self._callbacks.get(job_id)
        if callbacks is None or self._closed:
            return  # the window is closing: nobody is left to tell
        try:
            if kind == "event":
                if callbacks.on_event is not None:
                    callbacks.on_event(payload)
                return
            if kind == "done" and callbacks.on_done is not None:
                callbacks.on_done(payload)
            elif kind == "error":
                callbacks.handle.failed = True
                if callbacks.on_error is not None:
                    callbacks.on_error(payload)
                else:
                    log.error("%s failed: %s", callbacks.handle.name, payload)
        finally:
            if kind != "event":
                self._finish(job_id)

    def _finish(self, job_id: int) -> None:
        callbacks = self._callbacks.pop(job_id, None)
        if callbacks is None:
            return
        callbacks.handle.done = True
        callbacks.handle.finished.emit()
        if not self._callbacks:
            self.busyChanged.emit(False)
