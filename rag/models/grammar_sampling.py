"""Grammar-constrained sampling as llama.cpp's own tools do it, and a check that it still fits.

Sample each token without the grammar, check only that token against it, and sample again under
the grammar only when it is refused. llama-cpp-python applies the grammar to every token of the
vocabulary (151k for Qwen) at every step: about 40 ms a token with the default model on two
cores, a fifth of its generation time (BENCHMARKS.md). Greedy sampling gives exactly the same
tokens either way.

This overrides private methods of llama-cpp-python's ``Llama`` (``_init_sampler``, ``sample``)
and uses its internal ``LlamaSampler``. The version is pinned in pyproject.toml, and
``hook_problems`` checks at start-up that everything used is still there with the signature
relied on; if not, ``rag.models.local`` leaves this mixin out, so llama-cpp-python's own (slower)
grammar sampling runs and drafting still works.
"""

from __future__ import annotations

import ctypes
import inspect
import math
from collections.abc import Callable
from types import ModuleType
from typing import Any

__all__ = ["GrammarFirstSampling", "hook_problems"]


class GrammarFirstSampling:
    """A mixin for llama-cpp-python's ``Llama``; ``runtime`` is the ``llama_cpp`` module."""

    runtime: ModuleType  # set by the class that mixes this in
    check_grammar_first: bool = True
    _grammar_check: Any = None  # a sampler chain holding only the grammar
    _constrained: Any = None  # the full chain with the grammar, for refused tokens
    # Set by Llama (or MeteredGeneration) on the instance:
    _sampler: Any
    _ctx: Any
    _model: Any
    n_tokens: int
    meter: Any

    def _init_sampler(self, *args: Any, grammar: Any = None, **kwargs: Any) -> Any:
        self._grammar_check = self._constrained = None
        parent = super()._init_sampler  # type: ignore[misc]
        if grammar is None or not self.check_grammar_first:
            return parent(*args, grammar=grammar, **kwargs)
        self._constrained = parent(*args, grammar=grammar, **kwargs)
        self._grammar_check = self.runtime._internals.LlamaSampler()
        self._grammar_check.add_grammar(self._model, grammar)
        return parent(*args, grammar=None, **kwargs)

    def sample(self, *args: Any, idx: int | None = None, **kwargs: Any) -> int:
        check, constrained, free = self._grammar_check, self._constrained, self._sampler
        if check is None or constrained is None or free is None:
            return int(super().sample(*args, idx=idx, **kwargs))  # type: ignore[misc]
        offset = idx - self.n_tokens if idx is not None else -1
        token = int(free.sample(self._ctx, offset))
        if grammar_allows(self.runtime, check, token):
            constrained.accept(token)  # keeps its grammar and history in step
        else:
            token = int(constrained.sample(self._ctx, offset))
            self.meter.grammar_resampled += 1
        check.accept(token)
        return token


def grammar_allows(llama_cpp: ModuleType, check: Any, token: int) -> bool:
    """Whether the grammar in ``check`` (its current state) lets ``token`` come next."""
    data = llama_cpp.llama_token_data(token, 0.0, 0.0)
    one = llama_cpp.llama_token_data_array(ctypes.pointer(data), 1, -1, False)
    llama_cpp.llama_sampler_apply(check.sampler, ctypes.byref(one))
    return bool(data.logit != -math.inf)


# --------------------------------------------------------------------------------------------
# The start-up check
# --------------------------------------------------------------------------------------------

_SELF = object()  # stands for ``self`` when binding a method's signature


def hook_problems(llama_cpp: ModuleType) -> list[str]:
    """What in ``llama_cpp`` is not as ``GrammarFirstSampling`` uses it; empty when all is.

    Checks names, call signatures and struct fields without loading a model, so it costs
    nothing at start-up. What it cannot see (the C library's behaviour) the tests check
    against the pinned version.
    """
    problems: list[str] = []
    llama = getattr(llama_cpp, "Llama", None)
    internals = getattr(llama_cpp, "_internals", None)
    sampler = getattr(internals, "LlamaSampler", None)
    if llama is None or sampler is None:
        missing = "llama_cpp.Llama" if llama is None else "llama_cpp._internals.LlamaSampler"
        return [f"{missing} is missing"]

    def call(owner: object, name: str, *args: object, **kwargs: object) -> None:
        _check_call(problems, owner, name, (_SELF, *args), kwargs)

    call(llama, "_init_sampler", grammar=None)
    call(llama, "sample", idx=0)
    # Llama.generate must still build its sampler with _init_sampler and draw through sample.
    uses = _names_used(getattr(llama, "generate", None))
    for name in ("_init_sampler", "sample", "_sampler"):
        if name not in uses:
            problems.append(f"Llama.generate no longer uses {name}")
    call(sampler, "__init__")
    if "sampler" not in _names_used(getattr(sampler, "__init__", None)):
        problems.append("LlamaSampler no longer sets its .sampler")
    call(sampler, "add_grammar", None, None)
    call(sampler, "sample", None, -1)
    call(sampler, "accept", 0)
    _check_struct(problems, llama_cpp, "llama_token_data", ("id", "logit", "p"))
    _check_struct(
        problems, llama_cpp, "llama_token_data_array", ("data", "size", "selected", "sorted")
    )
    if not callable(getattr(llama_cpp, "llama_sampler_apply", None)):
        problems.append("llama_cpp.llama_sampler_apply is missing")
    return problems


def _check_call(
    problems: list[str],
    owner: object,
    name: str,
    args: tuple[object, ...],
    kwargs: dict[str, object],
) -> None:
    label = f"{getattr(owner, '__name__', owner)}.{name}"
    method = getattr(owner, name, None)
    if not callable(method):
        problems.append(f"{label} is missing")
        return
    try:
        inspect.signature(method).bind(*args, **kwargs)
    except TypeError as exc:
        problems.append(f"{label} has another signature ({exc})")
    except ValueError:  # no signature to read (a builtin): nothing to hold against it
        pass


def _names_used(function: Callable[..., Any] | None) -> set[str]:
    """Attribute and global names a Python function's code refers to (empty if it has none).

    Read from the compiled code, not the source, so that it works in the frozen app too."""
    code = getattr(function, "__code__", None)
    if code is None:
        return set()
    names: set[str] = set(code.co_names)
    for const in code.co_consts:  # nested functions and generator bodies
        if inspect.iscode(const):
            names |= set(const.co_names)
    return names


def _check_struct(
    problems: list[str], llama_cpp: ModuleType, name: str, fields: tuple[str, ...]
) -> None:
    struct = getattr(llama_cpp, name, None)
    have = tuple(f[0] for f in getattr(struct, "_fields_", ()))
    if struct is None:
        problems.append(f"llama_cpp.{name} is missing")
    elif have[: len(fields)] != fields:
        problems.append(f"llama_cpp.{name} has fields {have}, not {fields}")
