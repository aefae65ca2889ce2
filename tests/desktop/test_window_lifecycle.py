"""Crashes and closing: a draft survives the app being killed, and closing the window during
work stops it cleanly (no hang, no thread left, nothing half-written)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from gui_helpers import BLACKLIST, OUTLOOK, TOPIC, Quoting, drop, replay_model
from PySide6.QtCore import Qt

from desktop.workers import running_workers

HERE = Path(__file__).resolve().parent
WAIT = 60_000


def saved_briefings(home: Path) -> list[dict]:
    out = []
    for path in (home / "library" / "briefings").glob("*.json"):
        try:
            out.append(json.loads(path.read_text("utf-8")))
        except (OSError, ValueError):
            continue  # caught between the temporary file and its rename
    return out


def test_a_killed_app_brings_back_its_draft_on_restart(
    make_window, qtbot, quick_template, isolated_home: Path
) -> None:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(HERE), str(HERE.parent), env.get("PYTHONPATH", "")])
    child = subprocess.Popen(
        [sys.executable, str(HERE / "draft_in_window.py"), quick_template],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:

        def mid_draft() -> bool:
            found = saved_briefings(isolated_home)
            if not found:
                return False
            sections = {s["key"]: s for s in found[0]["sections"]}
            return bool(sections["developments"]["claims"]) and (
                sections["outlook"]["status"] == "drafting"
            )

        qtbot.waitUntil(mid_draft, timeout=120_000)
    finally:
        child.kill()  # SIGKILL: no chance to save anything more
        output = child.communicate(timeout=30)[0].decode(errors="replace")
    assert child.returncode != 0, output
    on_screen = saved_briefings(isolated_home)[0]
    drafted = [c["text"] for c in on_screen["sections"][0]["claims"]]

    outlook = Quoting(OUTLOOK)
    model = replay_model({"Outlook": outlook})
    window = make_window(model_opener=lambda settings: model)
    qtbot.waitUntil(lambda: window.briefing.briefing is not None, timeout=WAIT)
    view = window.briefing_pane.view
    assert window.briefing.briefing.id == on_screen["id"]
    assert window.briefing_pane.topic_edit.text() == TOPIC
    assert [w.claim.text for w in view.sections["developments"].claims] == drafted
    assert view.sections["outlook"].chip.text() == "Interrupted"
    banner = window.briefing_pane.banner
    assert banner.key == "unfinished" and "Finish drafting" in banner.button_labels()

    with qtbot.waitSignal(window.briefing.draftFinished, timeout=WAIT) as done:
        banner.click("Finish drafting")
    briefing = done.args[0]
    assert [c.text for c in briefing.section("developments").claims] == drafted
    assert [c.text for c in briefing.section("outlook").claims] == outlook.claims
    assert banner.isHidden()


def test_closing_during_an_import_stops_it_cleanly(make_window, qtbot, tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(40):
        (folder / f"note-{i:02}.txt").write_text(
            f"Title: Note {i}\n\n" + f"Entity list note {i}. " * 300, encoding="utf-8"
        )
    window = make_window()
    panel = window.library_pane.import_panel
    drop(window, [folder])
    qtbot.waitUntil(lambda: len(panel.outcome_texts("imported")) >= 2, timeout=WAIT)
    started = time.monotonic()
    window.close()
    closed_in = time.monotonic() - started
    assert not running_workers()
    assert closed_in < 15, f"closing took {closed_in:.1f} s"

    again = make_window()  # the library's lock was released; no half document was left
    count = again.documents.rowCount()
    assert 2 <= count < 40
    assert all(d.passages > 0 for d in again.documents.documents())


def test_closing_during_a_draft_stops_it_and_keeps_what_was_drafted(
    make_window, qtbot, quick_template
) -> None:
    slow = {"Key developments": Quoting(BLACKLIST), "Outlook": Quoting(OUTLOOK)}
    # Each piece of the answer takes a moment, as a real model's tokens do.
    model = replay_model(slow, piece=2, on_piece=lambda i: time.sleep(0.02))
    window = make_window(model_opener=lambda settings: model)
    with qtbot.waitSignal(window.library.importFinished, timeout=WAIT):
        window.import_demo()
    pane = window.briefing_pane
    pane.topic_edit.setText(TOPIC)
    pane.template_combo.setCurrentIndex(pane.template_combo.findData(quick_template))
    shown: list[str] = []
    window.briefing.claimShown.connect(shown.append)
    qtbot.mouseClick(pane.draft_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(shown), timeout=WAIT)
    briefing_id = window.briefing.briefing.id
    started = time.monotonic()
    window.close()
    assert time.monotonic() - started < 15
    assert not running_workers()

    again = make_window(model_opener=lambda settings: model)
    qtbot.waitUntil(lambda: window_shows(again, briefing_id), timeout=WAIT)
    restored = again.briefing.briefing
    assert [c.id for c in restored.section("developments").claims] == shown[:1]
    assert restored.section("outlook").status in ("cancelled", "pending", "drafting")


def window_shows(window, briefing_id: str) -> bool:
    return window.briefing.briefing is not None and window.briefing.briefing.id == briefing_id
