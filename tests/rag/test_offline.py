"""Import and search work with no network at all, and never try to connect anywhere."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest
from netguard import Offline

from rag.indexing.library import Library


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Any attempt to open a network connection is recorded and fails."""
    attempts: list[object] = []

    def refuse(self: socket.socket, address: object, *args: object) -> None:
        if self.family == socket.AF_UNIX:
            return real_connect(self, address, *args)
        attempts.append(address)
        raise OSError("network disabled by test")

    real_connect = socket.socket.connect
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts


def test_import_and_search_make_no_connection(
    no_network: list[object], tmp_path: Path, seeds_dir: Path
) -> None:
    with Library.open(tmp_path / "lib") as lib:
        events = list(lib.import_paths([seeds_dir]))
        assert len(events[-1].imported) == 5
        assert lib.search("China blacklist of 43 companies", k=3)
    assert no_network == []


def test_cli_offline_with_a_fresh_home(tmp_path: Path, seeds_dir: Path) -> None:
    """The real CLI in a network namespace when the machine allows one, with every socket
    guarded either way: no connection attempt, and nothing written outside the data folder."""
    offline = Offline(tmp_path)
    cli = [sys.executable, "-m", "rag.cli.main"]
    imp = subprocess.run(
        offline.command(*cli, "import", str(seeds_dir)),
        env=offline.env, capture_output=True, text=True,
    )  # fmt: skip
    assert imp.returncode == 0, imp.stderr
    assert "5 imported" in imp.stdout
    found = subprocess.run(
        offline.command(*cli, "search", "Kairo", "Tenshu"),
        env=offline.env, capture_output=True, text=True,
    )  # fmt: skip
    assert found.returncode == 0, found.stderr
    assert "Tenshu" in found.stdout
    assert offline.attempts() == []
    assert offline.written_outside() == [], "wrote outside the data folder"


def test_the_guard_sees_a_connection_attempt(tmp_path: Path) -> None:
    """The offline tests' zero counts mean something: an attempt is recorded, and refused."""
    offline = Offline(tmp_path)
    probe = (
        "import socket\n"
        "try:\n    socket.create_connection(('192.0.2.1', 80), timeout=2)\n"
        "except OSError as exc:\n    print('refused', exc)\n"
    )
    run = subprocess.run(
        offline.command(sys.executable, "-c", probe), env=offline.env, capture_output=True,
        text=True,
    )  # fmt: skip
    assert "refused" in run.stdout, run.stderr
    assert offline.attempts(), "the socket guard did not load"
