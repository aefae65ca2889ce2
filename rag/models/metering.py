"""What each generation really sent, took from the KV cache and produced.

Prompt processing dominates on a CPU, and llama-cpp-python reuses the KV cache for the longest
common token prefix of consecutive calls on the same ``Llama`` object. Every call therefore
reports how many prompt tokens were sent and how many were actually evaluated, so that callers
can order prompts (stable part first) and measure the effect.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["Meter", "MeteredGeneration", "reusable_prefix"]


def reusable_prefix(
    previous: Sequence[int], prompt: Sequence[int], *, logits_fresh: bool = False
) -> int:
    """How many of ``prompt``'s tokens llama-cpp-python takes from the KV cache.

    Mirrors ``Llama.generate`` (0.3.x): it keeps the longest common prefix of the tokens
    already in the context and the new prompt. When the whole prompt is already there it
    re-evaluates the last prompt token to get fresh logits, unless the context holds exactly
    the prompt and its logits are still current (``logits_fresh``).
    """
    if not previous:
        return 0
    common = 0
    for a, b in zip(previous, prompt, strict=False):
        if a != b:
            break
        common += 1
    if common == len(prompt):
        if len(previous) == len(prompt) and logits_fresh:
            return common
        return common - 1
    return common


@dataclass(slots=True)
class Meter:
    """Filled in by MeteredGeneration.generate during one call."""

    prompt: list[int] | None = None
    predicted_reuse: int = 0
    sampled: int = 0
    last_token: int | None = None
    first_token_at: float | None = None
    grammar_resampled: int = 0  # tokens the grammar refused, sampled again under it


class MeteredGeneration:
    """A mixin for llama-cpp-python's ``Llama`` that records each generation in ``self.meter``.

    ``create_chat_completion`` formats and tokenises the prompt, then calls ``self.generate``;
    overriding it is the one place that sees the exact prompt tokens and the context they meet.
    """

    meter: Meter = Meter()
    _input_ids: Any  # set by Llama

    def generate(self, tokens: Sequence[int], *args: Any, **kwargs: Any) -> Iterator[int]:
        meter = self.meter
        meter.prompt = list(tokens)
        meter.predicted_reuse = reusable_prefix(
            self._input_ids.tolist(),
            meter.prompt,
            logits_fresh=not getattr(self, "_requires_eval", True),
        )
        inner = super().generate(tokens, *args, **kwargs)  # type: ignore[misc]
        try:
            reply = None
            while True:
                try:
                    token = inner.send(reply)
                except StopIteration:
                    return
                if meter.first_token_at is None:
                    meter.first_token_at = time.perf_counter()
                meter.sampled += 1
                meter.last_token = token
                reply = yield token
        finally:
            inner.close()
