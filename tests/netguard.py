"""Running BriefDesk processes with no network: a network namespace where the machine allows
one (``unshare -rn``: no interface but loopback, so nothing can leave, C libraries included),
and always a socket guard (tests/netguard_site/sitecustomize.py) that records every attempt
made through Python's socket module, so that a test can require there were none.

Also a fresh HOME and TMPDIR, so that a test can require nothing was written outside the
data folder (caches, telemetry such as onnxruntime's ~/.cache/Microsoft, Qt settings)."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from pathlib import Path

GUARD_SITE = Path(__file__).resolve().parent / "netguard_site"


@functools.cache
def can_unshare() -> bool:
    if not shutil.which("unshare"):
        return False
    return subprocess.run(["unshare", "-rn", "true"], capture_output=True).returncode == 0


class Offline:
    """An environment for child processes: fresh HOME, TMPDIR and data folder; guarded
    sockets; ``command(...)`` prefixes ``unshare -rn`` when it is available."""

    def __init__(self, root: Path) -> None:
        self.home = root / "home"
        self.tmp = root / "tmp"
        self.data = root / "data"
        self.log = root / "net-attempts.log"
        for folder in (self.home, self.tmp):
            folder.mkdir(parents=True)
        python_path = [str(GUARD_SITE), *filter(None, [os.environ.get("PYTHONPATH")])]
        self.env = {
            **os.environ,
            "HOME": str(self.home),
            "TMPDIR": str(self.tmp),
            "BRIEFDESK_HOME": str(self.data),
            "BRIEFDESK_NET_LOG": str(self.log),
            "PYTHONPATH": os.pathsep.join(python_path),
        }
        # BriefDesk must switch telemetry off itself, and must not rely on XDG folders that
        # point outside HOME.
        for name in ("ORT_DISABLE_TELEMETRY", "ANONYMIZED_TELEMETRY", "XDG_CACHE_HOME",
                     "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_RUNTIME_DIR"):  # fmt: skip
            self.env.pop(name, None)
        self.namespace = can_unshare()

    def command(self, *args: str) -> list[str]:
        return ["unshare", "-rn", *args] if self.namespace else list(args)

    def attempts(self) -> list[str]:
        return self.log.read_text().splitlines() if self.log.exists() else []

    def written_outside(self) -> list[str]:
        """Files left in HOME or TMPDIR."""
        return sorted(str(p) for folder in (self.home, self.tmp) for p in folder.rglob("*"))
