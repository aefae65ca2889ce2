"""What drafting needs from a model, whichever runs it: the ``ChatModel`` protocol, the reply
(``Completion``) and what one call cost (``CallStats``).

The in-process model (``rag.models.local``) and the model-server client (``rag.models.remote``)
both implement it, so the drafting engine and the tests' fakes depend on this module only.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from rag.core.types import CancelToken

__all__ = [
    "DEFAULT_SEED",
    "CallStats",
    "ChatFromStream",
    "ChatModel",
    "Completion",
    "Message",
    "drain",
]

Message = Mapping[str, Any]

# llama-cpp-python derives each call's sampling seed from the model seed, so a fixed default
# makes drafts repeatable for the same prompt; a model server is sent the same seed.
DEFAULT_SEED = 0


@dataclass(frozen=True, slots=True)
class CallStats:
    """What one chat call cost."""

    prompt_tokens_sent: int  # the formatted prompt's length in tokens
    prompt_tokens_evaluated: int  # of those, how many were computed (the rest came from cache)
    completion_tokens: int  # tokens generated (end-of-generation token not counted)
    seconds: float  # wall time of the whole call
    first_token_seconds: float | None  # until the first token was generated; None if none was

    @property
    def prompt_tokens_reused(self) -> int:
        return self.prompt_tokens_sent - self.prompt_tokens_evaluated

    @property
    def decode_seconds(self) -> float | None:
        """Time spent generating after the first token: prompt evaluation left out."""
        if self.first_token_seconds is None:
            return None
        return max(0.0, self.seconds - self.first_token_seconds)

    @property
    def decode_tokens_per_second(self) -> float | None:
        """Generation speed as llama.cpp reports it (tokens after the first over the time after
        it); the whole call's tokens/s mixes in prompt evaluation, which dominates on a CPU."""
        decode = self.decode_seconds
        if decode is None or decode <= 0 or self.completion_tokens < 2:
            return None
        return (self.completion_tokens - 1) / decode


@dataclass(frozen=True, slots=True)
class Completion:
    """A model's reply: the text (JSON when a schema was given), why it ended, what it cost."""

    text: str
    finish_reason: str  # "stop", "length", or "cancelled"
    cancelled: bool
    stats: CallStats


@runtime_checkable
class ChatModel(Protocol):
    """What the drafting engine needs from a model; LocalModel is one, a server client another."""

    @property
    def name(self) -> str: ...

    @property
    def n_ctx(self) -> int:
        """Tokens of context the model runs with (prompt plus answer)."""
        ...

    def count_tokens(self, text: str) -> int: ...

    def chat(
        self,
        messages: list[dict[str, Any]],
        *,
        schema: dict[str, Any] | None = None,
        max_tokens: int = 512,
        temperature: float = 0.2,
        cancel: CancelToken | None = None,
        on_text: Callable[[str], None] | None = None,
    ) -> Completion: ...

    def stream(
        self,
        messages: list[dict[str, Any]],
        *,
        schema: dict[str, Any] | None = None,
        max_tokens: int = 512,
        temperature: float = 0.2,
        cancel: CancelToken | None = None,
    ) -> Generator[str, None, Completion]:
        """The same call as a generator of text pieces returning the Completion."""
        ...


def drain(
    gen: Generator[str, None, Completion], on_text: Callable[[str], None] | None = None
) -> Completion:
    """Run a ``stream`` generator to its end, passing each piece to ``on_text``."""
    try:
        while True:
            try:
                piece = next(gen)
            except StopIteration as stop:
                return stop.value
            if on_text is not None:
                on_text(piece)
    finally:
        gen.close()


class ChatFromStream:
    """``chat`` for a model that has ``stream``: the one way both the in-process model and the
    model-server client turn a stream into a finished reply."""

    def chat(
        self,
        messages: list[dict[str, Any]],
        *,
        schema: dict[str, Any] | None = None,
        max_tokens: int = 512,
        temperature: float = 0.2,
        cancel: CancelToken | None = None,
        on_text: Callable[[str], None] | None = None,
    ) -> Completion:
        """Generate a reply, passing each piece of text to ``on_text``; see ``stream``.
        An exception raised by ``on_text`` ends the call and propagates."""
        return drain(
            self.stream(
                messages, schema=schema, max_tokens=max_tokens, temperature=temperature,
                cancel=cancel,
            ),
            on_text,
        )  # fmt: skip
