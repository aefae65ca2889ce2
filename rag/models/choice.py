"""Which drafting model to use: from settings, or a choice named on the command line; in this
process (rag.models.local) or on a model server (rag.models.remote) when settings name one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rag.core.settings import Settings, load_settings
from rag.models import provision

if TYPE_CHECKING:
    from rag.models.protocol import ChatModel


def open_chat_model(choice: str | None = None, settings: Settings | None = None) -> ChatModel:
    """Load (or reuse) the model: ``choice`` is a role ('default', 'small'), a registered
    name or a path to a GGUF file; None takes the one in settings. With a model server in
    settings (``model.server``), the server's model drafts and ``choice`` is not used: the
    server was started with its model."""
    settings = settings or load_settings()
    if settings.model.server:
        from rag.models.remote import RemoteModel

        return RemoteModel(settings.model.server, n_ctx=settings.model.n_ctx or None)

    from rag.models.loaded_model import get_model  # llama.cpp loads only when a model is wanted

    path = provision.gguf_path(choice or settings.model.model)
    return get_model(
        path,
        n_ctx=settings.model.n_ctx or None,
        n_threads=settings.model.n_threads or None,
    )
