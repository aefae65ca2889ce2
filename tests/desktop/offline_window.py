"""Run by test_window_offline.py in a child process (no network, fresh HOME): the real
window opens its library, imports the folder given on the command line, searches it and
closes. Prints one JSON line with what it saw. Not a test module."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QTimer

from desktop.app import application, create_window

TIMEOUT_MS = 300_000


def main() -> int:
    folder, query = Path(sys.argv[1]), sys.argv[2]
    app = application()
    window = create_window()
    window.show()
    seen: dict[str, object] = {}

    def imported(done: object) -> None:
        seen["imported"] = len(done.imported)  # type: ignore[attr-defined]
        seen["failed"] = [str(p) for p, _ in done.failed]  # type: ignore[attr-defined]
        window.library.search(query)

    def searched(text: str, hits: list) -> None:
        if text != query:
            return
        seen["hits"] = [h.document.title for h in hits]
        window.close()  # the normal way out: workers stopped, threads joined
        app.quit()

    window.library.opened.connect(lambda _: window.library.import_paths([folder]))
    window.library.importFinished.connect(imported)
    window.library.searchFinished.connect(searched)
    QTimer.singleShot(TIMEOUT_MS, lambda: app.exit(3))
    status = app.exec()
    print(json.dumps(seen), flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
