"""Real servers for tests: a Chroma server (``chroma run``) and a model server
(``python -m llama_cpp.server`` with the small model), each on a free 127.0.0.1 port, waited
for until they answer, and always stopped (their output is kept in a log for failures).
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag.core import paths

MODELS_DIR = paths.models_dir()  # resolved before any test moves BRIEFDESK_HOME
START_TIMEOUT_S = 120.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(port: int, path: str) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        conn.request("GET", path)
        return conn.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        conn.close()


class ServerProcess:
    """One server process that can be stopped and started again on the same port."""

    def __init__(self, name: str, command: list[str], port: int, ready_path: str, log: Path):
        self.name = name
        self.command = command
        self.port = port
        self.ready_path = ready_path
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = dict(os.environ, ANONYMIZED_TELEMETRY="False", PYTHONUNBUFFERED="1")
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                self.command, stdout=log, stderr=subprocess.STDOUT, env=env,
                start_new_session=True,  # its own process group: stopped with its children
            )  # fmt: skip
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.stop()
                pytest.fail(f"{self.name} exited at start:\n{self.log_tail()}", pytrace=False)
            if _answers(self.port, self.ready_path):
                return
            time.sleep(0.2)
        self.stop()
        pytest.fail(f"{self.name} did not answer in time:\n{self.log_tail()}", pytrace=False)

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=5)  # a model server busy with a prompt may not stop at once
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=15)

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])


def chroma_command(data: Path, port: int) -> list[str]:
    chroma = Path(sys.executable).with_name("chroma")  # the CLI that ships with chromadb
    return [str(chroma), "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)]


@contextlib.contextmanager
def chroma_server(folder: Path) -> Iterator[ServerProcess]:
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    server = ServerProcess(
        "chroma run", chroma_command(folder / "data", port), port, "/api/v2/heartbeat",
        folder / "chroma.log",
    )  # fmt: skip
    server.start()
    try:
        yield server
    finally:
        server.stop()


def small_model_path() -> Path:
    from rag.models import provision

    os.environ.setdefault("BRIEFDESK_MODELS_DIR", str(MODELS_DIR))
    return provision.gguf_path("small")


@contextlib.contextmanager
def model_server(
    folder: Path, n_ctx: int = 8192, *, interrupt_requests: bool = False
) -> Iterator[ServerProcess]:
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    command = [
        sys.executable, "-m", "llama_cpp.server", "--model", str(small_model_path()),
        "--n_ctx", str(n_ctx), "--host", "127.0.0.1", "--port", str(port),
        "--n_threads", "2", "--seed", "0", "--interrupt_requests", str(interrupt_requests),
    ]  # fmt: skip
    server = ServerProcess("llama_cpp.server", command, port, "/v1/models", folder / "model.log")
    server.start()
    try:
        yield server
    finally:
        server.stop()
