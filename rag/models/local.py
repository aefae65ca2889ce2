"""The model in process: a GGUF file loaded through llama-cpp-python, streamed chat with cancel,
and what each call cost.

This is the only module that imports ``llama_cpp``. It does so lazily, so that reading a GGUF
header (``rag.models.gguf``) and another ``ChatModel`` backend work without the compiled
library being loaded. The ``Llama`` subclass it builds adds metering (``rag.models.metering``)
and, when the start-up check passes, grammar-first sampling (``rag.models.grammar_sampling``).
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import re
import threading
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rag.core.errors import BriefDeskError
from rag.core.types import CancelToken
from rag.models.abort import AbortFlag
from rag.models.cpu import physical_cores
from rag.models.gguf import GGUFInfo, read_gguf_info
from rag.models.grammar_sampling import GrammarFirstSampling, hook_problems
from rag.models.metering import Meter, MeteredGeneration
from rag.models.protocol import DEFAULT_SEED, CallStats, ChatFromStream, Completion, Message

if TYPE_CHECKING:
    from types import ModuleType

__all__ = ["LocalModel", "default_n_ctx", "preload_runtime"]

log = logging.getLogger(__name__)

# A context larger than this costs memory (the KV cache) that an 8-16 GB laptop cannot spare,
# and briefing prompts do not need it.
MAX_DEFAULT_N_CTX = 8192
# Used only when a GGUF does not declare its training context.
FALLBACK_N_CTX = 4096


# --------------------------------------------------------------------------------------------
# llama-cpp-python
# --------------------------------------------------------------------------------------------


def _llama_cpp() -> ModuleType:
    try:
        import llama_cpp
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise BriefDeskError(
            "The local model runtime (llama-cpp-python) is not installed or failed to load: "
            f"{exc}. Reinstall BriefDesk with its dependencies."
        ) from exc
    return llama_cpp


def preload_runtime() -> str | None:
    """Import llama-cpp-python now, so that the first draft does not. In the window, importing
    it on the writer thread as the first draft began stalled the GUI thread for ~0.3 s (the GUI
    phase of ``python -m bench``, whose stall sampler showed the writer inside that import);
    imported before the window opens, it costs ~0.25 s of start-up instead. Returns why it
    could not load, or None; the same reason is raised when a model is opened."""
    try:
        _llama_cpp()
        _llama_class()  # also checks the grammar sampler's hooks, logging a mismatch now
    except BriefDeskError as exc:
        return str(exc)
    return None


# llama.cpp compiled for the machine it was built on (-march=native) includes its AMX matrix
# kernels when the CPU advertises AMX, and uses them for the quantisations BriefDesk's models
# have. On virtual machines that advertise AMX without supporting it, the first tile
# instruction (ldtilecfg) raises a general protection fault and the process dies: on a 2-core
# Xeon VM every model crashed at its first token. The AMX kernels are one of llama.cpp's
# "extra buffer types"; a model loaded without them runs on the AVX-512 / AVX2 kernels. The
# Makefile builds llama-cpp-python without AMX; this guards a library built some other way.
_AMX_BUILT = re.compile(r"\bAMX_INT8 = 1\b")


def amx_built(system_info: str) -> bool:
    """Whether llama.cpp's system info (``llama_print_system_info``) says its AMX kernels are
    compiled in."""
    return bool(_AMX_BUILT.search(system_info))


def _without_extra_buffer_types(llama_cpp: ModuleType) -> None:
    """Make every model load without extra buffer types. ``Llama.__init__`` takes its model
    parameters from ``llama_model_default_params`` and offers no argument for this one, so
    that function is wrapped (once) to turn ``use_extra_bufts`` off."""
    bindings = llama_cpp.llama_cpp
    defaults = bindings.llama_model_default_params
    if getattr(defaults, "briefdesk_no_extra_bufts", False):
        return

    def params() -> Any:
        value = defaults()
        value.use_extra_bufts = False
        return value

    params.briefdesk_no_extra_bufts = True  # type: ignore[attr-defined]
    bindings.llama_model_default_params = params


@functools.cache
def _guard_amx(llama_cpp: ModuleType) -> None:
    """Load models without the AMX kernels if this llama.cpp has them; said once a process."""
    if amx_built(llama_cpp.llama_print_system_info().decode(errors="replace")):
        _without_extra_buffer_types(llama_cpp)
        log.warning(
            "This llama.cpp was built with AMX kernels, which crash on machines that advertise "
            "AMX without supporting it; models load without them (AVX-512 / AVX2 kernels). "
            "Build llama-cpp-python as the Makefile does to keep its other fast kernels."
        )


@functools.cache
def _llama_class() -> type:
    """llama-cpp-python's ``Llama`` with metering and, if its hooks are as expected,
    grammar-first sampling. Built once per process; a mismatch is logged once."""
    llama_cpp = _llama_cpp()
    _guard_amx(llama_cpp)
    problems = hook_problems(llama_cpp)
    if problems:
        log.warning(
            "llama-cpp-python %s is not what BriefDesk's grammar sampler was written for (%s). "
            "Using llama-cpp-python's own grammar sampling instead: replies keep to the same "
            "JSON schema, but generation is slower. Install the version pyproject.toml pins.",
            getattr(llama_cpp, "__version__", "?"), "; ".join(problems),
        )  # fmt: skip
    mixins = (MeteredGeneration,) if problems else (MeteredGeneration, GrammarFirstSampling)
    namespace = {"runtime": llama_cpp, "check_grammar_first": not problems}
    return type("BriefDeskLlama", (*mixins, llama_cpp.Llama), namespace)


def grammar_first_sampling() -> bool:
    """Whether tokens are checked against the grammar one at a time (the start-up check
    passed) or llama-cpp-python's own grammar sampling runs."""
    return GrammarFirstSampling in _llama_class().__mro__


def default_n_ctx(info: GGUFInfo) -> int:
    if info.context_length is None:
        return FALLBACK_N_CTX
    return min(MAX_DEFAULT_N_CTX, info.context_length)


class LocalModel(ChatFromStream):
    """A GGUF model loaded once in process through llama-cpp-python.

    One call at a time: a lock serialises concurrent calls, because a llama.cpp context holds
    one conversation's state. Calls reuse the KV cache of the previous call's common prefix.
    """

    def __init__(
        self,
        path: Path | str,
        n_ctx: int | None = None,
        n_threads: int | None = None,
        seed: int = DEFAULT_SEED,
    ) -> None:
        self.path = Path(path)
        self.info = read_gguf_info(self.path)
        self.n_ctx = n_ctx or default_n_ctx(self.info)
        self.n_threads = n_threads or physical_cores()
        self.seed = seed
        self._lock = threading.Lock()
        self._owner: int | None = None
        started = time.perf_counter()
        self._llama: Any = self._load()
        self.load_seconds = time.perf_counter() - started
        self._abort = AbortFlag(_llama_cpp(), self._llama.ctx)

    def _load(self) -> Any:
        try:
            llama = _llama_class()(
                model_path=str(self.path),
                n_ctx=self.n_ctx,
                n_threads=self.n_threads,
                n_threads_batch=self.n_threads,
                seed=self.seed,
                verbose=False,
            )
        except (ValueError, RuntimeError) as exc:
            raise BriefDeskError(
                f"llama.cpp could not load the model {self.path.name}: {exc}. The file may be "
                "damaged, or built for an architecture this version of llama.cpp does not run."
            ) from exc
        self._formatter = self._chat_formatter(llama)
        # Handed to llama-cpp-python explicitly so that format_prompt_tokens() formats exactly
        # the prompt the model is sent.
        to_handler = _llama_cpp().llama_chat_format.chat_formatter_to_chat_completion_handler
        llama.chat_handler = to_handler(self._formatter)
        return llama

    def _chat_formatter(self, llama: Any) -> Callable[..., Any]:
        """The GGUF's own chat template, built exactly as llama-cpp-python builds its default.

        Without a template: ChatML, the most common instruct format (llama-cpp-python itself
        would fall back to Llama-2's [INST] format, which few current models understand).
        """
        chat_format = _llama_cpp().llama_chat_format
        if self.info.chat_template is None:
            return chat_format.format_chatml
        eos_id, bos_id = llama.token_eos(), llama.token_bos()
        return chat_format.Jinja2ChatFormatter(
            template=self.info.chat_template,
            eos_token=llama._model.token_get_text(eos_id) if eos_id != -1 else "",
            bos_token=llama._model.token_get_text(bos_id) if bos_id != -1 else "",
            stop_token_ids=[eos_id],
        )

    # -- ChatModel ------------------------------------------------------------------------

    @property
    def name(self) -> str:
        return self.info.name

    def count_tokens(self, text: str) -> int:
        """Tokens in ``text`` as this model tokenises it (no BOS). Waits while the model runs."""
        if not text:
            return 0
        with self._using() as llama:
            return len(llama.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def format_prompt_tokens(self, messages: Sequence[Message]) -> list[int]:
        """The prompt tokens ``chat(messages)`` sends: chat template applied, then tokenised."""
        with self._using() as llama:
            return self._format_locked(llama, messages)

    def stream(
        self,
        messages: list[dict[str, Any]],
        *,
        schema: dict[str, Any] | None = None,
        max_tokens: int = 512,
        temperature: float = 0.2,
        cancel: CancelToken | None = None,
    ) -> Generator[str, None, Completion]:
        """Generate a reply as a generator of text pieces; its return value (``StopIteration``
        value) is the ``Completion``. A generator, not a callback, so that a caller that is
        itself a generator (drafting) can pass claims on as they are written.

        With ``schema`` (a JSON schema), llama.cpp constrains sampling with a grammar so the
        text is JSON of that shape (unless cut short by ``max_tokens``). Setting ``cancel``
        from another thread stops the call within a fraction of a second, even during prompt
        evaluation; the result then has ``cancelled=True`` and the text produced so far.
        The model stays locked until the generator finishes or is closed.
        """
        with self._using() as llama:
            started = time.perf_counter()
            prompt = self._format_locked(llama, messages)
            self._check_fits(len(prompt))
            meter = Meter()
            llama.meter = meter
            _reset_perf_counters(llama.ctx)
            pieces: list[str] = []
            finish: str | None = None
            with self._abort.armed(cancel):
                for piece, reason in self._stream(
                    llama, messages, schema, max_tokens, temperature, cancel
                ):
                    if piece:
                        pieces.append(piece)
                        yield piece
                    finish = reason or finish
            stats = self._stats(llama, meter, prompt, started)
        # A call that ran to its end is complete even if cancel came a moment later.
        cancelled = finish is None and cancel is not None and cancel.cancelled
        return Completion(
            text="".join(pieces),
            finish_reason="cancelled" if cancelled else finish or "stop",
            cancelled=cancelled,
            stats=stats,
        )

    def close(self) -> None:
        """Free the model's memory (waits for a running call). The object is unusable after."""
        if self._owner == threading.get_ident():
            raise BriefDeskError("The model cannot be unloaded from inside its own call.")
        with self._lock:
            llama, self._llama = self._llama, None
            if llama is not None:
                llama.close()

    # -- internals ------------------------------------------------------------------------

    @contextlib.contextmanager
    def _using(self) -> Iterator[Any]:
        me = threading.get_ident()
        if self._owner == me:
            # e.g. an on_text callback calling back into the model: it would corrupt the
            # running generation (or deadlock), so refuse clearly.
            raise BriefDeskError("The model is already busy with a call from this thread.")
        with self._lock:
            if self._llama is None:
                raise BriefDeskError(f"The model {self.name} has been unloaded.")
            self._owner = me
            try:
                yield self._llama
            finally:
                self._owner = None

    def _format_locked(self, llama: Any, messages: Sequence[Message]) -> list[int]:
        try:
            result = self._formatter(messages=list(messages))
        except Exception as exc:  # the template is the model's Jinja code: report, not crash
            # e.g. Mistral's template raises on a "system" message or on non-alternating roles.
            raise BriefDeskError(
                f"The chat template of {self.name} rejected the conversation: {exc}"
            ) from exc
        return llama.tokenize(
            result.prompt.encode("utf-8"), add_bos=not result.added_special, special=True
        )

    def _check_fits(self, prompt_tokens: int) -> None:
        if prompt_tokens >= self.n_ctx:
            raise BriefDeskError(
                f"The prompt needs {prompt_tokens} tokens but the model's context holds "
                f"{self.n_ctx}. Use fewer or shorter sources, or a larger context in Settings."
            )

    def _stream(
        self,
        llama: Any,
        messages: list[dict[str, Any]],
        schema: dict[str, Any] | None,
        max_tokens: int,
        temperature: float,
        cancel: CancelToken | None,
    ) -> Iterator[tuple[str, str | None]]:
        """The streamed completion as (text piece, finish_reason or None) pairs."""
        if cancel is not None and cancel.cancelled:
            return
        kwargs: dict[str, Any] = {}
        if schema is not None:
            _check_schema(json.dumps(schema, sort_keys=True))
            kwargs["response_format"] = {"type": "json_object", "schema": schema}
        chunks = llama.create_chat_completion(
            messages=messages,
            stream=True,
            max_tokens=max_tokens,
            temperature=temperature,
            **kwargs,
        )
        try:
            yield from _pieces(chunks, cancel)
        finally:
            # Closing now (not at garbage collection) ends llama-cpp-python's generator while
            # we still hold the lock.
            chunks.close()

    def _stats(self, llama: Any, meter: Meter, prompt: list[int], started: float) -> CallStats:
        sent = len(meter.prompt) if meter.prompt is not None else len(prompt)
        evaluated = self._evaluated(llama, meter, sent)
        completion = meter.sampled
        if meter.last_token is not None and _llama_cpp().llama_vocab_is_eog(
            llama._model.vocab, meter.last_token
        ):
            completion -= 1
        first = meter.first_token_at - started if meter.first_token_at is not None else None
        return CallStats(
            prompt_tokens_sent=sent,
            prompt_tokens_evaluated=evaluated,
            completion_tokens=completion,
            seconds=time.perf_counter() - started,
            first_token_seconds=first,
        )

    def _evaluated(self, llama: Any, meter: Meter, sent: int) -> int:
        if meter.prompt is None:  # cancelled before the prompt reached the model
            return 0
        if meter.first_token_at is None:
            # Cancelled during prompt evaluation: llama.cpp does not count an aborted batch,
            # but the context holds every batch that completed.
            return max(0, llama.n_tokens - meter.predicted_reuse)
        predicted = sent - meter.predicted_reuse
        # llama.cpp's own counter is the truth (it also sees a cache that could not be reused,
        # e.g. on recurrent models). It cannot tell 0 from 1 (it reports at least 1, and counts
        # a lone token as generation), so the prediction decides there.
        counted = _llama_cpp().llama_perf_context(llama.ctx).n_p_eval
        return counted if 1 < counted <= sent else predicted


def _reset_perf_counters(ctx: Any) -> None:
    llama_cpp = _llama_cpp()
    # An aborted decode leaves its tokens queued for the counters; synchronising books them
    # now, so the reset below clears them instead of adding them to the next call's count.
    llama_cpp.llama_synchronize(ctx)
    llama_cpp.llama_perf_context_reset(ctx)


@functools.lru_cache(maxsize=64)
def _check_schema(schema_json: str) -> None:
    """Refuse a schema llama-cpp-python cannot turn into a grammar.

    Left to itself it would silently fall back to "any JSON" and drop the constraint, e.g. the
    enum of allowed source ids that keeps citations pointing at real passages.
    """
    try:
        _llama_cpp().llama_grammar.json_schema_to_gbnf(schema_json)
    except Exception as exc:  # the converter raises AssertionError, KeyError, ...
        raise BriefDeskError(
            f"The JSON schema for the model's answer is not usable: {exc}"
        ) from exc


def _pieces(
    chunks: Iterator[dict[str, Any]], cancel: CancelToken | None
) -> Iterator[tuple[str, str | None]]:
    """(text, finish_reason) per streamed chunk; stops at once when ``cancel`` is set."""
    while cancel is None or not cancel.cancelled:
        try:
            chunk = next(chunks)
        except StopIteration:
            return
        except RuntimeError as exc:
            # llama_decode returns 2 when the abort callback stopped it: that is our cancel.
            if cancel is not None and cancel.cancelled:
                return
            raise BriefDeskError(f"The model failed while generating: {exc}") from exc
        if cancel is not None and cancel.cancelled:
            return  # do not deliver text that arrived after the user cancelled
        choice = chunk["choices"][0]
        yield choice.get("delta", {}).get("content") or "", choice.get("finish_reason")
