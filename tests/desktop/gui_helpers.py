"""Helpers for the desktop tests: real drag-and-drop events, replayed model answers."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QDropEvent, QWindow
from PySide6.QtWidgets import QApplication

from desktop.main_window import MainWindow
from rag.core.paths import assets_dir
from rag.drafting.claim_text import MAX_WORDS, clean_claim

DEMO = assets_dir() / "demo" / "library"

QUICK_TEMPLATE = """\
name = "Quick test"
purpose = "Two short sections, for tests."

[[sections]]
key = "developments"
title = "Key developments"
claims = 1
queries = ["blacklist of U.S. companies"]
instruction = "State the main development in one sentence."

[[sections]]
key = "outlook"
title = "Outlook"
claims = 1
queries = ["what comes next"]
instruction = "Say what may come next, in one sentence."
"""


def mime_for(paths: Sequence[Path]) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def window_handle(window: MainWindow) -> QWindow:
    """Where the platform delivers a drag: the window's QWindow, which hands it on to the widget
    under the cursor exactly as a real drag from a file manager would be handed on."""
    handle = window.windowHandle()
    assert handle is not None
    return handle


def drag_over(window: MainWindow, paths: Sequence[Path], where: QPoint | None = None) -> bool:
    """Send a real QDragEnterEvent carrying ``paths`` at ``where`` (window coordinates; default:
    the middle of the window); whether the window accepted it."""
    where = where or QPoint(window.width() // 2, window.height() // 2)
    mime = mime_for(paths)  # the event does not own it: keep it alive while it is sent
    event = QDragEnterEvent(
        where,
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(window_handle(window), event)
    return event.isAccepted()


def drag_leave(window: MainWindow) -> None:
    QApplication.sendEvent(window_handle(window), QDragLeaveEvent())


def drop(window: MainWindow, paths: Sequence[Path], where: QPoint | None = None) -> bool:
    """Drag ``paths`` over the window and drop them, with real Qt events."""
    where = where or QPoint(window.width() // 2, window.height() // 2)
    accepted = drag_over(window, paths, where)
    mime = mime_for(paths)
    event = QDropEvent(
        QPointF(where),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(window_handle(window), event)
    return accepted and event.isAccepted()


def sources_in(messages: list[dict[str, Any]]) -> dict[int, str]:
    """Fact number -> its sentence, parsed back out of the drafting prompt's numbered list."""
    import re

    content = messages[-1]["content"]
    parts = re.split(r"\n(?:FACTS|CLAIMS OF THE OTHER SECTIONS)\n", content, maxsplit=1)
    if len(parts) < 2:
        return {}
    out = {}
    for line in parts[1].split("\n\nTASK\n", 1)[0].splitlines():
        number, text = line.split(". ", 1)
        out[int(number)] = re.sub(r" \([^()]*\)$", "", text)
    return out


def cite_where(phrase: str, text: str):
    """A replayed answer: one claim citing whichever source holds ``phrase``."""

    def answer(messages, schema):
        found = [n for n, t in sources_in(messages).items() if phrase in t]
        return {"claims": [{"text": text, "facts": found[:1]}] if found else []}

    return answer


def cite_first(text: str):
    """A replayed answer: one claim citing fact 1."""
    return lambda messages, schema: {"claims": [{"text": text, "facts": [1]}]}


def by_section(answers: dict[str, Any]):
    """A replayed answer chosen by the section the prompt asks for (its title)."""

    def answer(messages, schema):
        content = messages[-1]["content"]
        section = content.split("\nSection: ", 1)[1].split("\n", 1)[0]
        chosen = answers.get(section, {"claims": []})
        return chosen(messages, schema) if callable(chosen) else chosen

    return answer


def replay_model(answers: dict[str, Any], calls: int = 20, **options: Any):
    """A ReplayModel (tests/fakes.py) that answers each section from ``answers``."""
    from fakes import ReplayModel

    return ReplayModel(answers=[by_section(answers)] * calls, **options)


class Quoting:
    """A replayed answer that cites the first source holding one of ``phrases`` (else source
    1) with the sentence holding it, word for word: a claim the checker finds supported.
    ``claims`` records what was answered, for the test to compare with the screen."""

    def __init__(
        self, *phrases: str, avoid: list[str] | None = None, saying: str | None = None
    ) -> None:
        self.phrases = phrases
        self.claims: list[str] = []
        self.avoid = avoid if avoid is not None else []  # sentences never to quote
        # The claim in fewer words than its source sentence (which may be too long to quote).
        self.saying = saying

    def __call__(self, messages, schema):
        sources = sources_in(messages)
        if self.saying is not None:
            for phrase in self.phrases:
                found = [k for k, t in sources.items() if phrase in t]
                if found:
                    self.claims.append(self.saying)
                    return {"claims": [{"text": self.saying, "facts": found[:1]}]}
        # Only a sentence the engine takes as a claim (at most 40 words as the prompt shows
        # it, relative dates written out: "late on Friday" is "late on March 20, 2026").
        fits = {
            (k, x): x for k, t in sources.items() for x in _sentences(t)
            if len(_shown(x).split()) <= MAX_WORDS
        }  # fmt: skip
        for phrase in self.phrases:
            found = [(k, x) for (k, x) in fits if phrase in x]
            if found:
                n, sentence = found[0]
                break
        else:
            n, sentence = max(
                ((k, x) for (k, x) in fits if _shown(x) not in self.avoid),
                key=lambda pair: (pair[0] == 1, len(pair[1])),
            )
        self.claims.append(_shown(sentence))
        return {"claims": [{"text": sentence, "facts": [n]}]}


def _shown(sentence: str) -> str:
    """What the window shows of a claim answered as ``sentence``: the engine's cleaning (an
    opening quotation mark where the prompt shows every double quote as a closing one) is the
    only change."""
    return " ".join(clean_claim(sentence).sentences) or sentence


def _sentences(text: str) -> list[str]:
    import re

    # A sentence ends at a full stop after a lower-case word or a number, not after "U.S.", or
    # at a closing quote after a full stop (source text reaches the model with curly closers).
    parts = re.split(r"(?<=[a-z0-9)][.!?])\s+(?=[A-Z\"“”])|(?<=[.!?][\"”])\s+", text)
    return [s.strip() for s in parts if len(s.split()) >= 5]


BLACKLIST = "countermeasures against 31 U.S. companies"
OUTLOOK = "the first time the unreliable entity list has been used"
TOPIC = "China's response to U.S. controls on frontier AI models"
