"""Named crash points, so that tests can kill a process at an exact step of its work.

Crash safety is only believable when it has been tested at every step, and killing a process
after a random sleep hits the long steps (embedding) over and over and the short ones (the
commit, the rename of a copied file) almost never. So the import and drafting paths call
``crash_point("<name>")`` at each step that matters, and a test starts the process with::

    BRIEFDESK_CRASH_AT=<name>:<n>

The process then kills itself with SIGKILL (no cleanup, no ``finally``, no flush: exactly
what a power cut or the OOM killer does to it) the n-th time it reaches that point. Without the
variable, ``crash_point`` is a dictionary lookup and does nothing.

The points, in the order an import reaches them for one document (see docs/security.md):

- ``import.read``       the file was read and parsed (in the isolated worker)
- ``import.embed``      a batch of passages was embedded
- ``import.copy``       the original was copied to a temporary file, not yet renamed
- ``store.write``       the document's rows are written, the transaction not yet committed
- ``import.committed``  committed to SQLite; vectors not yet in the index
- ``index.upsert``      one batch of vectors written to Chroma (also reached on reopen)
- ``import.indexed``    the document is marked indexed
- ``cli.acknowledged``  the CLI printed "imported ..." for it
- ``open.sync``         opening a library finished a document's interrupted index write
- ``cli.claim_shown``   the CLI printed a drafted claim
- ``store.migrate``     opening an older library rebuilt its stemmed keyword index, uncommitted
"""

from __future__ import annotations

import os
import signal
import sys
from collections import Counter

ENV = "BRIEFDESK_CRASH_AT"


def _target(value: str) -> tuple[str, int] | None:
    name, _, count = value.strip().rpartition(":")
    if not name or not count.isdigit() or int(count) < 1:
        return None
    return name, int(count)


_TARGET = _target(os.environ.get(ENV, ""))
_REACHED: Counter[str] = Counter()


def crash_point(name: str) -> None:
    """Kill this process here if ``BRIEFDESK_CRASH_AT`` names this point and this count."""
    if _TARGET is None or _TARGET[0] != name:
        return
    _REACHED[name] += 1
    if _REACHED[name] == _TARGET[1]:
        sys.stderr.write(f"crash point {name}:{_REACHED[name]}\n")
        sys.stderr.flush()
        kill = getattr(signal, "SIGKILL", None)
        if kill is None:  # Windows: no signals; the nearest thing is an exit without cleanup
            os._exit(137)
        os.kill(os.getpid(), kill)
