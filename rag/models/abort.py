"""Stopping llama.cpp in the middle of a decode when the user cancels."""

from __future__ import annotations

import contextlib
import ctypes
from collections.abc import Iterator
from types import ModuleType
from typing import Any

from rag.core.types import CancelToken

__all__ = ["AbortFlag"]


class AbortFlag:
    """What llama.cpp's abort callback looks at during a decode.

    Prompt evaluation runs in llama.cpp for seconds at a time (a 512-token batch of a 1.5B
    model takes ~2.7 s on two cores); the callback lets a cancel stop it mid-batch. It is
    armed only while a call with a CancelToken runs: each check takes the GIL. ``llama_cpp``
    is the runtime module as ``rag.models.local`` (the only module that imports it) loaded it.
    """

    def __init__(self, llama_cpp: ModuleType, ctx: Any) -> None:
        self.token: CancelToken | None = None
        self._llama_cpp = llama_cpp
        self._ctx = ctx
        # Kept on self: llama.cpp holds only a raw pointer to it.
        self._callback = llama_cpp.ggml_abort_callback(self._should_abort)
        self._null = llama_cpp.ggml_abort_callback()

    def _should_abort(self, _data: ctypes.c_void_p) -> bool:
        token = self.token
        return token is not None and token.cancelled

    @contextlib.contextmanager
    def armed(self, token: CancelToken | None) -> Iterator[None]:
        if token is None:
            yield
            return
        self.token = token
        self._llama_cpp.llama_set_abort_callback(self._ctx, self._callback, None)
        try:
            yield
        finally:
            self._llama_cpp.llama_set_abort_callback(self._ctx, self._null, None)
            self.token = None
