"""Take the screenshots for the README and for review: ``python -m desktop.screenshots OUTDIR``.

Opens the real window on a throwaway data folder (the installed models are used, never
copied), imports the demo documents, drafts the demo briefing with the SMALL model and saves:

    01-empty.png           the window on an empty library
    02-importing.png       the window while the demo documents import (one file fails)
    03-draft-evidence.png  a finished draft, a claim selected, its evidence beside it
    04-settings.png        the settings dialog

Runs offscreen when there is no display; under Xvfb or a desktop it uses the real one.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from desktop.main_window import MainWindow

SIZE = (1440, 900)


def blank_pdf() -> bytes:
    """A well-formed PDF whose only page is empty: it fails, showing how a failure looks
    (scans are read by OCR now, so a scan would import)."""
    objects = [
        b"<</Type /Catalog /Pages 2 0 R>>",
        b"<</Type /Pages /Kids [3 0 R] /Count 1>>",
        b"<</Type /Page /Parent 2 0 R /MediaBox [0 0 612 792]>>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<</Size %d /Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _prepare_environment() -> Path:
    """A throwaway data folder that still sees the installed models; offscreen if headless."""
    from rag.api import models_dir

    os.environ.setdefault("BRIEFDESK_MODELS_DIR", str(models_dir()))
    home = Path(tempfile.mkdtemp(prefix="briefdesk-screens-"))
    os.environ["BRIEFDESK_HOME"] = str(home)
    from desktop.launcher import has_display

    if not has_display():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    return home


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m desktop.screenshots", description=__doc__)
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--model", default="small", help="drafting model (default: small)")
    parser.add_argument(
        "--draft-minutes",
        type=float,
        default=20,
        help="stop the draft after this long and take the picture anyway (default 20)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the throwaway data folder")
    args = parser.parse_args(argv)
    home = _prepare_environment()
    try:
        return _shoot(args.outdir, args.model, args.draft_minutes)
    except TimeoutError as exc:
        print(exc, file=sys.stderr)
        return 1
    finally:
        if args.keep:
            print(f"data folder kept at {home}", file=sys.stderr)
        else:
            shutil.rmtree(home, ignore_errors=True)


def _shoot(outdir: Path, model: str, draft_minutes: float) -> int:
    from PySide6.QtWidgets import QApplication

    from desktop.app import application, create_window
    from rag.api import load_settings, save_settings

    outdir.mkdir(parents=True, exist_ok=True)
    settings = load_settings()
    settings.model.model = model
    settings.model.n_ctx = 4096  # fewer sources per prompt: the same screens, in half the time
    settings.export.author = "Analyst, Trade Controls Desk"
    save_settings(settings)

    app = application()
    window = create_window()
    window.resize(*SIZE)
    window.show()
    try:
        return _take(app, window, outdir, draft_minutes)
    finally:
        window.close()  # cancels any work and joins the threads, even after a timeout
        QApplication.processEvents()


def _take(app: QApplication, window: MainWindow, outdir: Path, draft_minutes: float) -> int:
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QWidget

    from desktop.settings_dialog import SettingsDialog
    from rag.api import DEMO_TOPIC, demo_library_dir

    def wait(condition: Callable[[], bool], what: str, seconds: float = 120) -> None:
        deadline = time.monotonic() + seconds
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError(f"screenshots: timed out waiting for {what}")
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)

    def settle(ms: int = 400) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def save(widget: QWidget, name: str, settle_ms: int = 400) -> None:
        settle(settle_ms)
        path = outdir / name
        widget.grab().save(str(path), "PNG", 0)  # 0: the smallest file
        print(f"saved {path} ({path.stat().st_size // 1024} KB)")

    wait(lambda: window.library.is_open, "the library to open")
    save(window, "01-empty.png")

    batch = Path(tempfile.mkdtemp(prefix="briefdesk-batch-"))
    scanned = batch / "00_blank_page_from_the_printer.pdf"
    scanned.write_bytes(blank_pdf())
    panel = window.library_pane.import_panel
    window.library.import_paths([scanned, demo_library_dir()])
    wait(lambda: len(panel.outcome_texts()) >= 3, "three files to import")
    save(window, "02-importing.png", settle_ms=50)
    wait(lambda: not window.library.importing, "the import to finish")
    shutil.rmtree(batch, ignore_errors=True)

    pane = window.briefing_pane
    pane.topic_edit.setText(DEMO_TOPIC)
    pane.template_combo.setCurrentIndex(max(0, pane.template_combo.findData("situation-brief")))
    finished: list[object] = []
    window.briefing.draftFinished.connect(finished.append)
    window.briefing.draft()
    try:
        wait(lambda: bool(finished), "the draft", seconds=draft_minutes * 60)
    except TimeoutError:
        # A slow machine: stop, and show what was drafted (the stopped sections say so).
        print(f"the draft took over {draft_minutes:g} minutes: stopping it", file=sys.stderr)
        window.briefing.stop()
        wait(lambda: bool(finished), "the draft to stop")
    window.library.search("Which companies did China add to its blacklist?")
    widgets = window.briefing.claim_widgets()
    chosen = next(
        (w for w in widgets if w.claim.citations and w.claim.check.status == "supported"),
        next((w for w in widgets if w.claim.citations), None),
    )
    if chosen is not None:
        shown: list[bool] = []
        window.evidence.shown.connect(lambda: shown.append(True))
        window.briefing.select_claim(chosen.claim.id, 0)
        wait(lambda: bool(shown), "the evidence")
    save(window, "03-draft-evidence.png")

    def describe(path: Path, done: Callable[[object], None]) -> None:
        window.backend.model_info(path, on_done=done, on_error=done)

    dialog = SettingsDialog(window.settings, describe, window)
    dialog.show()
    picker = dialog.widgets[("model", "model")]
    wait(lambda: "Reading" not in picker.info.text(), "the model description")  # type: ignore[attr-defined]
    save(dialog, "04-settings.png")
    dialog.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
