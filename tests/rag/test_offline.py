"""Import and search work with no network at all, and never try to connect anywhere."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from rag.library import Library


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
        assert lib.search("China blacklist of 56 companies", k=3)
    assert no_network == []


def _can_unshare() -> bool:
    if not shutil.which("unshare"):
        return False
    return subprocess.run(["unshare", "-rn", "true"], capture_output=True).returncode == 0


@pytest.mark.skipif(not _can_unshare(), reason="no network namespaces on this machine")
def test_cli_in_a_network_namespace_with_a_fresh_home(tmp_path: Path, seeds_dir: Path) -> None:
    """The real CLI in a process with no network interface; HOME stays untouched."""
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "BRIEFDESK_HOME": str(tmp_path / "data")}
    env.pop("ORT_DISABLE_TELEMETRY", None)  # BriefDesk must set it itself
    cli = [sys.executable, "-m", "rag.cli"]
    imp = subprocess.run(
        ["unshare", "-rn", *cli, "import", str(seeds_dir)], env=env, capture_output=True, text=True
    )
    assert imp.returncode == 0, imp.stderr
    assert "5 imported" in imp.stdout
    found = subprocess.run(
        ["unshare", "-rn", *cli, "search", "Sakana", "Fugu"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert found.returncode == 0, found.stderr
    assert "Fugu" in found.stdout
    assert list(home.rglob("*")) == [], "wrote outside the data folder"
