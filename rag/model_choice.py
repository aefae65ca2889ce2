"""Which drafting model to use: from settings, or a choice named on the command line."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rag import provision
from rag.settings import Settings, load_settings

if TYPE_CHECKING:
    from rag.llm import ChatModel


def open_chat_model(choice: str | None = None, settings: Settings | None = None) -> ChatModel:
    """Load (or reuse) the model: ``choice`` is a role ('default', 'small'), a registered
    name or a path to a GGUF file; None takes the one in settings."""
    from rag.llm import get_model  # llama.cpp loads only when a model is wanted

    settings = settings or load_settings()
    path = provision.gguf_path(choice or settings.model.model)
    return get_model(
        path,
        n_ctx=settings.model.n_ctx or None,
        n_threads=settings.model.n_threads or None,
    )
