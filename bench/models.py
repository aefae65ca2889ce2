"""Model wrappers the drafting benchmark needs: one that records what each call was sent (so the
raw llama-cpp-python run gets the very same prompt), one that forbids KV-cache reuse (the
baseline: every section's full prompt evaluated fresh)."""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

from rag.core.types import CancelToken
from rag.models.local import LocalModel
from rag.models.protocol import Completion


class Recording:
    """Delegates to a LocalModel; keeps each call's messages, schema and answer budget."""

    def __init__(self, inner: LocalModel, *, fresh_prompts: bool = False) -> None:
        self.inner = inner
        self.fresh_prompts = fresh_prompts
        self.calls: list[dict[str, Any]] = []

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def n_ctx(self) -> int:
        return self.inner.n_ctx

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def chat(self, messages: list[dict[str, Any]], **kw: Any) -> Completion:
        on_text: Callable[[str], None] | None = kw.pop("on_text", None)
        from rag.models.protocol import drain

        return drain(self.stream(messages, **kw), on_text)

    def stream(
        self,
        messages: list[dict[str, Any]],
        *,
        schema: dict[str, Any] | None = None,
        max_tokens: int = 512,
        temperature: float = 0.2,
        cancel: CancelToken | None = None,
    ) -> Generator[str, None, Completion]:
        self.calls.append(
            {"messages": messages, "schema": schema, "max_tokens": max_tokens,
             "temperature": temperature}
        )  # fmt: skip
        if self.fresh_prompts:
            # Llama.reset() forgets the context's tokens, so the next call shares no prefix
            # with anything and evaluates its whole prompt: llama-cpp-python without reuse.
            self.inner._llama.reset()
        completion = yield from self.inner.stream(
            messages, schema=schema, max_tokens=max_tokens, temperature=temperature,
            cancel=cancel,
        )  # fmt: skip
        self.calls[-1]["stats"] = {
            "sent": completion.stats.prompt_tokens_sent,
            "evaluated": completion.stats.prompt_tokens_evaluated,
            "completion": completion.stats.completion_tokens,
            "seconds": completion.stats.seconds,
            "first_token_seconds": completion.stats.first_token_seconds,
        }
        return completion
