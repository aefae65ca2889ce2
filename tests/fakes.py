"""Small deterministic stand-ins for the expensive parts, for fast unit tests.

Each has a real counterpart that the end-to-end tests use (the small GGUF model).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from rag.core.types import CancelToken
from rag.models.protocol import CallStats, Completion, drain

Answer = dict[str, Any] | str | Callable[[list[dict[str, Any]], dict[str, Any] | None], Any]


@dataclass
class ReplayModel:
    """Replays queued answers (dicts become JSON), streaming them a few characters at a time.

    Records every call's messages and schema so tests can look at the prompts. A callable
    answer gets (messages, schema) and returns the answer, for answers that depend on them.
    """

    answers: list[Answer] = field(default_factory=list)
    name: str = "replay-model"
    n_ctx: int = 8192
    piece: int = 7
    calls: list[dict[str, Any]] = field(default_factory=list)
    on_piece: Callable[[int], None] | None = None  # called with the piece index, for tests
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def count_tokens(self, text: str) -> int:
        return max(1, len(text) // 4)

    def stream(
        self,
        messages: list[dict[str, Any]],
        *,
        schema: dict[str, Any] | None = None,
        max_tokens: int = 512,
        temperature: float = 0.2,
        cancel: CancelToken | None = None,
    ) -> Iterator[str]:
        with self._lock:
            self.calls.append({"messages": messages, "schema": schema})
            answer = self.answers.pop(0) if self.answers else {"claims": []}
        if callable(answer):
            answer = answer(messages, schema)
        text = answer if isinstance(answer, str) else json.dumps(answer)
        sent = sum(self.count_tokens(m["content"]) for m in messages)
        out = []
        for i in range(0, len(text), self.piece):
            if cancel is not None and cancel.cancelled:
                return Completion(
                    "".join(out), "cancelled", True, CallStats(sent, sent, i, 0.01, 0.0)
                )
            if self.on_piece:
                self.on_piece(i // self.piece)
            out.append(text[i : i + self.piece])
            yield text[i : i + self.piece]
        return Completion(text, "stop", False, CallStats(sent, sent, len(text) // 4, 0.01, 0.0))

    def chat(self, messages: list[dict[str, Any]], **kwargs: Any) -> Completion:
        on_text = kwargs.pop("on_text", None)
        return drain(self.stream(messages, **kwargs), on_text)
