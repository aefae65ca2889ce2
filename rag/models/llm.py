"""The local language model: GGUF metadata, loading, streamed chat with cancel, and prompt stats.

This is the only module that imports ``llama_cpp``. It does so lazily, so that reading a GGUF
header (the settings page, ``briefdesk models``) and another ``ChatModel`` backend work without
the compiled library being loaded.

Prompt processing dominates on a CPU, and llama-cpp-python reuses the KV cache for the longest
common token prefix of consecutive calls on the same ``Llama`` object. Every call therefore
reports how many prompt tokens were sent and how many were actually evaluated, so that callers
can order prompts (stable part first) and measure the effect.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import json
import math
import mmap
import os
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from rag.core.errors import BriefDeskError, ModelMissingError
from rag.core.paths import command_name
from rag.core.types import CancelToken

if TYPE_CHECKING:
    from types import ModuleType

__all__ = [
    "CallStats",
    "ChatModel",
    "Completion",
    "GGUFInfo",
    "LocalModel",
    "SkippedArray",
    "default_n_ctx",
    "get_model",
    "physical_cores",
    "read_gguf_info",
    "reusable_prefix",
    "unload_model",
]

Message = Mapping[str, Any]

# A context larger than this costs memory (the KV cache) that an 8-16 GB laptop cannot spare,
# and briefing prompts do not need it.
MAX_DEFAULT_N_CTX = 8192
# Used only when a GGUF does not declare its training context.
FALLBACK_N_CTX = 4096
# llama-cpp-python derives each call's sampling seed from the model seed, so a fixed default
# makes drafts repeatable for the same prompt.
DEFAULT_SEED = 0


# --------------------------------------------------------------------------------------------
# GGUF header
# --------------------------------------------------------------------------------------------

GGUF_MAGIC = b"GGUF"
_SUPPORTED_VERSIONS = (2, 3)  # version 1 is no longer loaded by llama.cpp either
# Arrays longer than this (tokenizer vocabularies, merges) are skipped, not decoded.
_KEEP_ARRAY_MAX = 64
_MAX_KV_COUNT = 1_000_000  # far above any real file; a larger count means a damaged header

_T_STRING = 8
_T_ARRAY = 9
# GGUF value type -> struct format of its scalar encoding (little-endian).
_SCALAR_FORMATS: dict[int, str] = {
    0: "<B",  # uint8
    1: "<b",  # int8
    2: "<H",  # uint16
    3: "<h",  # int16
    4: "<I",  # uint32
    5: "<i",  # int32
    6: "<f",  # float32
    7: "<?",  # bool
    10: "<Q",  # uint64
    11: "<q",  # int64
    12: "<d",  # float64
}
_TYPE_NAMES: dict[int, str] = {
    0: "uint8", 1: "int8", 2: "uint16", 3: "int16", 4: "uint32", 5: "int32", 6: "float32",
    7: "bool", 8: "string", 9: "array", 10: "uint64", 11: "int64", 12: "float64",
}  # fmt: skip

# llama.cpp's ``enum llama_ftype`` (general.file_type): the quantisation of most tensors.
_FILE_TYPES: dict[int, str] = {
    0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1", 10: "Q2_K",
    11: "Q3_K_S", 12: "Q3_K_M", 13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M", 16: "Q5_K_S",
    17: "Q5_K_M", 18: "Q6_K", 19: "IQ2_XXS", 20: "IQ2_XS", 21: "Q2_K_S", 22: "IQ3_XS",
    23: "IQ3_XXS", 24: "IQ1_S", 25: "IQ4_NL", 26: "IQ3_S", 27: "IQ3_M", 28: "IQ2_S",
    29: "IQ2_M", 30: "IQ4_XS", 31: "IQ1_M", 32: "BF16", 36: "TQ1_0", 37: "TQ2_0",
    38: "MXFP4_MOE",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class SkippedArray:
    """Stands in the metadata for an array too long to be worth decoding (e.g. the vocabulary)."""

    item_type: str
    length: int


@dataclass(frozen=True, slots=True)
class GGUFInfo:
    """What a GGUF file says about itself, read from its header without loading the weights."""

    path: Path
    name: str  # general.name, or the file name without extension
    architecture: str  # general.architecture, e.g. "llama", "qwen2"
    context_length: int | None  # <architecture>.context_length: the training context
    chat_template: str | None  # tokenizer.chat_template (Jinja)
    file_size: int  # bytes
    quantization: str | None  # from general.file_type, e.g. "Q4_K_M"
    version: int  # GGUF format version
    tensor_count: int
    # Every key/value of the header; arrays over 64 items appear as SkippedArray.
    metadata: Mapping[str, object] = field(default_factory=dict, compare=False, repr=False)


class _Truncated(Exception):  # an internal signal, turned into a BriefDeskError
    pass


class _Cursor:
    """Walks a GGUF header held in a memory map; every read is bounds-checked."""

    def __init__(self, buf: mmap.mmap) -> None:
        self.buf = buf
        self.size = len(buf)
        self.pos = 0

    def unpack(self, fmt: str) -> Any:
        n = struct.calcsize(fmt)
        if self.pos + n > self.size:
            raise _Truncated
        (value,) = struct.unpack_from(fmt, self.buf, self.pos)
        self.pos += n
        return value

    def skip(self, n: int) -> None:
        if n < 0 or self.pos + n > self.size:
            raise _Truncated
        self.pos += n

    def string(self) -> str:
        n = self.unpack("<Q")
        start = self.pos
        self.skip(n)
        return self.buf[start : self.pos].decode("utf-8", errors="replace")

    def value(self, vtype: int) -> object:
        if vtype in _SCALAR_FORMATS:
            return self.unpack(_SCALAR_FORMATS[vtype])
        if vtype == _T_STRING:
            return self.string()
        if vtype == _T_ARRAY:
            return self.array()
        raise _BadHeader(f"unknown value type {vtype}")

    def array(self) -> object:
        item_type = self.unpack("<I")
        count = self.unpack("<Q")
        min_item = (
            struct.calcsize(_SCALAR_FORMATS[item_type]) if item_type in _SCALAR_FORMATS else 8
        )
        if count * min_item > self.size - self.pos:
            raise _Truncated  # also catches absurd counts before looping over them
        if count <= _KEEP_ARRAY_MAX:
            return [self.value(item_type) for _ in range(count)]
        self.skip_items(item_type, count)
        return SkippedArray(_TYPE_NAMES.get(item_type, str(item_type)), count)

    def skip_items(self, item_type: int, count: int) -> None:
        if item_type in _SCALAR_FORMATS:
            self.skip(count * struct.calcsize(_SCALAR_FORMATS[item_type]))
        elif item_type == _T_STRING:
            self._skip_strings(count)
        else:  # arrays of arrays: rare, walk them one by one
            for _ in range(count):
                self.value(item_type)

    def _skip_strings(self, count: int) -> None:
        # A vocabulary holds 50k-250k strings: a tight local loop keeps this to tens of ms.
        buf, pos, size, unpack_from = self.buf, self.pos, self.size, struct.unpack_from
        for _ in range(count):
            if pos + 8 > size:
                raise _Truncated
            pos += 8 + unpack_from("<Q", buf, pos)[0]
        if pos > size:
            raise _Truncated
        self.pos = pos


class _BadHeader(Exception):
    pass


def read_gguf_info(path: Path | str) -> GGUFInfo:
    """Read a GGUF file's header metadata without loading its weights.

    Raises ModelMissingError if the file does not exist and BriefDeskError if it is not a GGUF
    file, is truncated, or uses a GGUF version llama.cpp does not load.
    """
    path = Path(path)
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise _missing_file(path) from None
    except OSError as exc:
        raise BriefDeskError(f"Cannot read the model file {path}: {exc.strerror}.") from exc
    return _read_gguf_info_cached(path.resolve(), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=16)
def _read_gguf_info_cached(path: Path, size: int, mtime_ns: int) -> GGUFInfo:
    # Keyed on size and mtime so that a replaced file is read again.
    del mtime_ns
    if size < 4:
        raise BriefDeskError(_not_gguf_message(path))
    try:
        with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as buf:
            return _parse_header(path, _Cursor(buf), size)
    except OSError as exc:
        raise BriefDeskError(f"Cannot read the model file {path}: {exc.strerror}.") from exc


def _parse_header(path: Path, cur: _Cursor, size: int) -> GGUFInfo:
    if cur.buf[:4] != GGUF_MAGIC:
        raise BriefDeskError(_not_gguf_message(path))
    try:
        cur.skip(4)
        version = cur.unpack("<I")
        _check_version(path, version)
        tensor_count = cur.unpack("<Q")
        kv_count = cur.unpack("<Q")
        if kv_count > _MAX_KV_COUNT:
            raise _BadHeader(f"implausible key count {kv_count}")
        metadata: dict[str, object] = {}
        for _ in range(kv_count):
            key = cur.string()
            metadata[key] = cur.value(cur.unpack("<I"))
    except _Truncated:
        raise BriefDeskError(
            f"The model file {path.name} is truncated: its GGUF header ends early. "
            "The download or copy is probably incomplete; fetch the file again."
        ) from None
    except _BadHeader as exc:
        raise BriefDeskError(
            f"The model file {path.name} has a damaged GGUF header ({exc})."
        ) from None
    return _info_from_metadata(path, metadata, version, tensor_count, size)


def _check_version(path: Path, version: int) -> None:
    if version in _SUPPORTED_VERSIONS:
        return
    if struct.unpack("<I", struct.pack(">I", version))[0] in _SUPPORTED_VERSIONS:
        raise BriefDeskError(
            f"The model file {path.name} is a big-endian GGUF file, which llama.cpp cannot "
            "load on this computer. Use the ordinary (little-endian) build of the model."
        )
    raise BriefDeskError(
        f"The model file {path.name} uses GGUF version {version}, which is not supported "
        f"(supported: {', '.join(map(str, _SUPPORTED_VERSIONS))}). Convert it with a current "
        "llama.cpp or download a newer build of the model."
    )


def _info_from_metadata(
    path: Path, metadata: dict[str, object], version: int, tensor_count: int, size: int
) -> GGUFInfo:
    arch = _str_or_none(metadata.get("general.architecture")) or ""
    ctx = metadata.get(f"{arch}.context_length")
    file_type = metadata.get("general.file_type")
    quant = None
    if isinstance(file_type, int) and not isinstance(file_type, bool):
        quant = _FILE_TYPES.get(file_type, f"type {file_type}")
    return GGUFInfo(
        path=path,
        name=_str_or_none(metadata.get("general.name")) or path.stem,
        architecture=arch,
        context_length=ctx if isinstance(ctx, int) and ctx > 0 else None,
        chat_template=_str_or_none(metadata.get("tokenizer.chat_template")),
        file_size=size,
        quantization=quant,
        version=version,
        tensor_count=tensor_count,
        metadata=MappingProxyType(metadata),  # read-only: the GGUFInfo is cached and shared
    )


def _str_or_none(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _not_gguf_message(path: Path) -> str:
    return (
        f"{path.name} is not a GGUF model file (it does not start with 'GGUF'). "
        "BriefDesk runs quantised models in the GGUF format used by llama.cpp."
    )


def _missing_file(path: Path) -> ModelMissingError:
    return ModelMissingError(
        f"The model file {path} is not there.",
        f"{command_name()} models install",
        after=" to provision the default models, or choose another GGUF file in Settings.",
    )


# --------------------------------------------------------------------------------------------
# Results and the backend protocol
# --------------------------------------------------------------------------------------------


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
    except BriefDeskError as exc:
        return str(exc)
    return None


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
class _Meter:
    """Filled in by _MeteredLlama.generate during one call."""

    prompt: list[int] | None = None
    predicted_reuse: int = 0
    sampled: int = 0
    last_token: int | None = None
    first_token_at: float | None = None
    grammar_resampled: int = 0  # tokens the grammar refused, sampled again under it


@functools.cache
def _metered_llama_class() -> type:
    """A Llama that records what each generation really sent, reused and produced.

    ``create_chat_completion`` formats and tokenises the prompt, then calls ``self.generate``;
    overriding it is the one place that sees the exact prompt tokens and the context they meet.
    """
    llama_cpp = _llama_cpp()

    class _MeteredLlama(llama_cpp.Llama):  # type: ignore[misc,name-defined]
        meter: _Meter = _Meter()
        # Grammar-constrained sampling as llama.cpp's own tools do it: sample without the
        # grammar, check only that token against it, and sample again under the grammar only
        # when it is refused. llama-cpp-python applies the grammar to every token of the
        # vocabulary (151k for Qwen) at every step: about 40 ms a token with the default model
        # on two cores, a fifth of its generation time (BENCHMARKS.md). Greedy sampling gives
        # exactly the same tokens either way.
        check_grammar_first: bool = True
        _grammar_check: Any = None  # a sampler chain holding only the grammar
        _constrained: Any = None  # the full chain with the grammar, for refused tokens

        def _init_sampler(self, *args: Any, grammar: Any = None, **kwargs: Any) -> Any:
            self._grammar_check = self._constrained = None
            if grammar is None or not self.check_grammar_first:
                return super()._init_sampler(*args, grammar=grammar, **kwargs)
            self._constrained = super()._init_sampler(*args, grammar=grammar, **kwargs)
            self._grammar_check = llama_cpp._internals.LlamaSampler()
            self._grammar_check.add_grammar(self._model, grammar)
            return super()._init_sampler(*args, grammar=None, **kwargs)

        def sample(self, *args: Any, idx: int | None = None, **kwargs: Any) -> int:
            check, constrained, free = self._grammar_check, self._constrained, self._sampler
            if check is None or constrained is None or free is None:
                return int(super().sample(*args, idx=idx, **kwargs))
            offset = idx - self.n_tokens if idx is not None else -1
            token = int(free.sample(self._ctx, offset))
            if _grammar_allows(llama_cpp, check, token):
                constrained.accept(token)  # keeps its grammar and history in step
            else:
                token = int(constrained.sample(self._ctx, offset))
                self.meter.grammar_resampled += 1
            check.accept(token)
            return token

        def generate(self, tokens: Sequence[int], *args: Any, **kwargs: Any) -> Iterator[int]:
            meter = self.meter
            meter.prompt = list(tokens)
            meter.predicted_reuse = reusable_prefix(
                self._input_ids.tolist(),
                meter.prompt,
                logits_fresh=not getattr(self, "_requires_eval", True),
            )
            inner = super().generate(tokens, *args, **kwargs)
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

    return _MeteredLlama


def _grammar_allows(llama_cpp: ModuleType, check: Any, token: int) -> bool:
    """Whether the grammar in ``check`` (its current state) lets ``token`` come next."""
    data = llama_cpp.llama_token_data(token, 0.0, 0.0)
    one = llama_cpp.llama_token_data_array(ctypes.pointer(data), 1, -1, False)
    llama_cpp.llama_sampler_apply(check.sampler, ctypes.byref(one))
    return bool(data.logit != -math.inf)


class _AbortFlag:
    """What llama.cpp's abort callback looks at during a decode.

    Prompt evaluation runs in llama.cpp for seconds at a time (a 512-token batch of a 1.5B
    model takes ~2.7 s on two cores); the callback lets a cancel stop it mid-batch. It is
    armed only while a call with a CancelToken runs: each check takes the GIL.
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


def physical_cores() -> int:
    """Physical CPU cores this process may use: llama.cpp runs slower on hyper-threads."""
    count = None
    if sys.platform.startswith("linux"):
        count = _linux_physical_cores()
    elif sys.platform == "darwin":
        count = _sysctl_int("hw.physicalcpu")
    if count:
        return count
    # Elsewhere (Windows) assume two hardware threads per core when there are several.
    logical = os.cpu_count() or 1
    return max(1, logical // 2) if logical >= 4 else logical


def _linux_physical_cores() -> int | None:
    try:
        allowed = os.sched_getaffinity(0)
    except (AttributeError, OSError):
        allowed = set(range(os.cpu_count() or 1))
    cores = set()
    for cpu in allowed:
        topo = Path(f"/sys/devices/system/cpu/cpu{cpu}/topology")
        try:
            package = (topo / "physical_package_id").read_text().strip()
            core = (topo / "core_id").read_text().strip()
        except OSError:
            return len(allowed) or None
        cores.add((package, core))
    return len(cores) or None


def _sysctl_int(name: str) -> int | None:
    try:
        out = subprocess.run(
            ["sysctl", "-n", name], capture_output=True, text=True, timeout=5, check=True
        )
        return int(out.stdout.strip())
    except (OSError, subprocess.SubprocessError, ValueError):
        return None


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
        self._abort = _AbortFlag(_llama_cpp(), self._llama.ctx)

    def _load(self) -> Any:
        try:
            llama = _metered_llama_class()(
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
            meter = _Meter()
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

    def _stats(self, llama: Any, meter: _Meter, prompt: list[int], started: float) -> CallStats:
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

    def _evaluated(self, llama: Any, meter: _Meter, sent: int) -> int:
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


# --------------------------------------------------------------------------------------------
# One loaded model per process
# --------------------------------------------------------------------------------------------

# Only one model stays loaded: two multi-gigabyte models do not fit an 8-16 GB laptop.
_cache_lock = threading.Lock()
_cached: LocalModel | None = None
_cached_key: tuple[object, ...] | None = None


def get_model(
    path: Path | str, n_ctx: int | None = None, n_threads: int | None = None
) -> LocalModel:
    """The loaded model for ``path``, loading it only if the file or the settings changed.

    Loading another model first unloads the current one, which waits for a running call:
    cancel it first if the user is waiting.
    """
    global _cached, _cached_key
    path = Path(path)
    with _cache_lock:
        info = read_gguf_info(path)  # ModelMissingError / BriefDeskError before anything else
        stat = info.path.stat()
        key = (
            info.path,
            stat.st_size,
            stat.st_mtime_ns,
            n_ctx or default_n_ctx(info),
            n_threads or physical_cores(),
        )
        if _cached is not None and _cached_key == key:
            return _cached
        _unload_locked()
        _cached = LocalModel(path, n_ctx=key[3], n_threads=key[4])  # type: ignore[arg-type]
        _cached_key = key
        return _cached


def unload_model() -> None:
    """Free the cached model, if any (waits for a running call to finish)."""
    with _cache_lock:
        _unload_locked()


def _unload_locked() -> None:
    global _cached, _cached_key
    model, _cached, _cached_key = _cached, None, None
    if model is not None:
        model.close()
