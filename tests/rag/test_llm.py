"""The in-process model (rag.models.local and the modules it is built from) against a real
GGUF model (SmolLM2-135M: loads in well under a second, fast on a CPU).

The model comes from BRIEFDESK_TEST_GGUF, defaulting to the file the test setup provisions.
A missing model fails the tests instead of skipping them: CI must exercise the real path.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import shutil
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rag.core import paths
from rag.core.errors import BriefDeskError, ModelMissingError
from rag.core.types import CancelToken
from rag.models import cpu, gguf, local
from rag.models.gguf import GGUFInfo, SkippedArray, read_gguf_info
from rag.models.grammar_sampling import hook_problems
from rag.models.loaded_model import get_model, unload_model
from rag.models.local import LocalModel
from rag.models.metering import reusable_prefix
from rag.models.protocol import ChatModel, Completion

# The small model where `briefdesk models install --small` (run by `make test`) puts it.
DEFAULT_GGUF = paths.models_dir() / "SmolLM2-135M-Instruct.Q4_1.gguf"

# One thread: test jobs often share a runner's cores, and llama.cpp's spinning worker threads
# then slow down by an order of magnitude; the 135M model is quick enough on one core.
TEST_THREADS = 1

CLAIMS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "claims": {
            "type": "array",
            "minItems": 1,
            "maxItems": 3,
            "items": {
                "type": "object",
                "properties": {
                    "text": {"type": "string"},
                    "sources": {
                        "type": "array",
                        "minItems": 1,
                        "items": {"type": "integer", "enum": [1, 2, 3]},
                    },
                },
                "required": ["text", "sources"],
            },
        }
    },
    "required": ["claims"],
}

SOURCES = (
    "[1] On 3 March the U.S. Commerce Department restricted exports of frontier AI model "
    "weights to China.\n"
    "[2] China's Ministry of Commerce added 56 U.S. companies to its unreliable entity list.\n"
    "[3] Sakana AI released Fugu, a model trained without distillation from U.S. models.\n"
)


@pytest.fixture(scope="session")
def gguf_path() -> Path:
    path = Path(os.environ.get("BRIEFDESK_TEST_GGUF", str(DEFAULT_GGUF)))
    if not path.is_file():
        pytest.fail(
            f"Test model {path} is missing: run `briefdesk models install` and point "
            "BRIEFDESK_TEST_GGUF at the SmolLM2 .gguf, or provision it at the default path."
        )
    return path


@pytest.fixture(scope="module")
def model(gguf_path: Path) -> Iterator[LocalModel]:
    m = LocalModel(gguf_path, n_ctx=4096, n_threads=TEST_THREADS)
    yield m
    m.close()


def fresh_model(path: Path) -> LocalModel:
    """A model with an empty KV cache and the initial seed, for tests that depend on either."""
    return LocalModel(path, n_ctx=4096, n_threads=TEST_THREADS)


def common_prefix(a: list[int], b: list[int]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


# -- GGUF header ---------------------------------------------------------------------------


def test_gguf_info_matches_what_llama_cpp_reads(model: LocalModel, gguf_path: Path) -> None:
    info = read_gguf_info(gguf_path)
    # llama.cpp's own reading of the same header is the oracle (it returns scalars as text).
    theirs: dict[str, str] = model._llama.metadata
    arch = theirs["general.architecture"]
    assert info.architecture == arch
    assert info.name == theirs.get("general.name", gguf_path.stem)
    assert info.context_length == int(theirs[f"{arch}.context_length"])
    assert info.chat_template == theirs["tokenizer.chat_template"]
    assert info.file_size == gguf_path.stat().st_size
    assert info.version in (2, 3)
    for key, text in theirs.items():
        ours = info.metadata[key]
        if isinstance(ours, bool):
            assert str(ours).lower() == text, key
        elif isinstance(ours, int | str):
            assert str(ours) == text, key
    # The vocabulary array was skipped, not decoded, and walked past correctly.
    tokens = info.metadata["tokenizer.ggml.tokens"]
    assert isinstance(tokens, SkippedArray)
    assert tokens.item_type == "string"
    assert tokens.length == model._llama.n_vocab()
    assert model.info == info


def test_gguf_info_of_the_default_test_model(gguf_path: Path) -> None:
    if gguf_path.resolve() != DEFAULT_GGUF.resolve():
        pytest.skip("known values hold for the default SmolLM2 file only")
    info = read_gguf_info(gguf_path)
    assert info.architecture == "llama"
    assert info.context_length == 8192
    assert info.quantization == "Q4_1"
    assert info.name == "Smollm2 135M 8k Lc100K Mix1 Ep2"
    assert info.chat_template is not None and "<|im_start|>" in info.chat_template
    assert info.metadata["general.languages"] == ["en"]  # a small array is kept


def test_gguf_header_is_read_quickly_without_loading_weights(gguf_path: Path) -> None:
    gguf._read_gguf_info_cached.cache_clear()
    started = time.perf_counter()
    read_gguf_info(gguf_path)
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "not a GGUF model file"),
        (b"PK\x03\x04 this is a zip, not a model", "not a GGUF model file"),
        (b"<html><body>Download failed</body></html>", "not a GGUF model file"),
        (b"GGUF\x01\x00\x00\x00" + b"\x00" * 16, "GGUF version 1"),
        (b"GGUF\x00\x00\x00\x03" + b"\x00" * 16, "big-endian"),
    ],
)
def test_a_file_that_is_not_a_usable_gguf_raises_a_clear_error(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "model.gguf"
    path.write_bytes(content)
    with pytest.raises(BriefDeskError, match=message):
        read_gguf_info(path)
    with pytest.raises(BriefDeskError, match=message):
        LocalModel(path)  # refused before llama.cpp sees it


@pytest.mark.parametrize("keep", [6, 24, 300, 5000, 1_500_000])
def test_a_truncated_gguf_raises_a_clear_error(gguf_path: Path, tmp_path: Path, keep: int) -> None:
    path = tmp_path / "partial.gguf"
    with gguf_path.open("rb") as src, path.open("wb") as dst:
        dst.write(src.read(keep))  # cuts the header in the counts, a key, a value, the vocab
    with pytest.raises(BriefDeskError, match="truncated"):
        read_gguf_info(path)


def test_a_damaged_header_does_not_hang_or_allocate(tmp_path: Path) -> None:
    # One key whose string length claims 2**62 bytes.
    path = tmp_path / "damaged.gguf"
    header = b"GGUF" + (3).to_bytes(4, "little") + (0).to_bytes(8, "little")
    path.write_bytes(header + (1).to_bytes(8, "little") + (2**62).to_bytes(8, "little"))
    with pytest.raises(BriefDeskError, match="truncated"):
        read_gguf_info(path)


def test_a_missing_model_file_says_what_to_run(tmp_path: Path) -> None:
    missing = tmp_path / "nope.gguf"
    with pytest.raises(ModelMissingError, match="briefdesk models install"):
        LocalModel(missing)
    with pytest.raises(ModelMissingError):
        read_gguf_info(missing)
    with pytest.raises(ModelMissingError):
        get_model(missing)


def test_name_falls_back_to_the_file_name(gguf_path: Path, tmp_path: Path) -> None:
    # A minimal header with no general.name, no template and no file type.
    path = tmp_path / "my-model.Q8_0.gguf"
    kv = _gguf_kv("general.architecture", "qwen2") + _gguf_kv("qwen2.context_length", 32768)
    path.write_bytes(
        b"GGUF" + (3).to_bytes(4, "little") + (0).to_bytes(8, "little") + (2).to_bytes(8, "little")
    )
    with path.open("ab") as fh:
        fh.write(kv)
    info = read_gguf_info(path)
    assert (info.name, info.architecture, info.context_length) == ("my-model.Q8_0", "qwen2", 32768)
    assert info.chat_template is None and info.quantization is None


def _gguf_kv(key: str, value: str | int) -> bytes:
    raw_key = key.encode()
    out = len(raw_key).to_bytes(8, "little") + raw_key
    if isinstance(value, str):
        raw = value.encode()
        return out + (8).to_bytes(4, "little") + len(raw).to_bytes(8, "little") + raw
    return out + (4).to_bytes(4, "little") + value.to_bytes(4, "little")


# -- loading and caching ---------------------------------------------------------------------


def test_local_model_defaults_come_from_the_gguf(gguf_path: Path) -> None:
    info = read_gguf_info(gguf_path)
    m = LocalModel(gguf_path, n_threads=TEST_THREADS)
    try:
        assert m.n_ctx == min(8192, info.context_length or 4096)
        assert m._llama.n_ctx() == m.n_ctx
        assert m.name == info.name
        assert isinstance(m, ChatModel)
        assert m.load_seconds < 10
    finally:
        m.close()
    with pytest.raises(BriefDeskError, match="unloaded"):
        m.count_tokens("x")


def test_physical_cores_is_sane() -> None:
    assert 1 <= cpu.physical_cores() <= (os.cpu_count() or 1)


def test_get_model_caches_and_reloads_only_on_change(gguf_path: Path, tmp_path: Path) -> None:
    unload_model()
    try:
        a = get_model(gguf_path, n_threads=TEST_THREADS)
        assert get_model(gguf_path, n_threads=TEST_THREADS) is a
        assert get_model(str(gguf_path), n_ctx=a.n_ctx, n_threads=TEST_THREADS) is a

        b = get_model(gguf_path, n_ctx=2048, n_threads=TEST_THREADS)  # settings changed
        assert b is not a and b.n_ctx == 2048
        assert a._llama is None  # the previous model was freed, not kept beside the new one

        copy = tmp_path / "copy.gguf"
        shutil.copyfile(gguf_path, copy)
        c = get_model(copy, n_ctx=2048, n_threads=TEST_THREADS)  # another file
        assert c is not b and b._llama is None

        unload_model()
        assert c._llama is None
        assert get_model(copy, n_ctx=2048, n_threads=TEST_THREADS) is not c
    finally:
        unload_model()


# -- chat ------------------------------------------------------------------------------------


def test_schema_constrains_the_reply_to_parseable_json_with_allowed_sources(
    model: LocalModel,
) -> None:
    messages = [
        {"role": "system", "content": "You write briefing claims. Sources:\n" + SOURCES},
        {
            "role": "user",
            "content": "Write two claims. Cite sources 4 and 7 for each claim.",  # not allowed
        },
    ]
    reply = model.chat(messages, schema=CLAIMS_SCHEMA, max_tokens=400, temperature=0.7)
    assert reply.finish_reason == "stop", reply.text
    assert not reply.cancelled
    data = json.loads(reply.text)
    assert isinstance(data["claims"], list) and 1 <= len(data["claims"]) <= 3
    for claim in data["claims"]:
        assert isinstance(claim["text"], str)
        assert claim["sources"] and set(claim["sources"]) <= {1, 2, 3}


FORBIDDEN_SOURCES = [
    {"role": "system", "content": "You write briefing claims. Sources:\n" + SOURCES},
    {"role": "user", "content": "Write two claims. Cite sources 4 and 7 for each claim."},
]


def _chat_checking_grammar_first(
    gguf_path: Path, monkeypatch: pytest.MonkeyPatch, checked_first: bool, **options: Any
) -> tuple[Completion, int]:
    """A reply from a fresh model, and how many of its tokens the grammar refused."""
    monkeypatch.setattr(local._llama_class(), "check_grammar_first", checked_first)
    m = fresh_model(gguf_path)
    try:
        reply = m.chat(FORBIDDEN_SOURCES, schema=CLAIMS_SCHEMA, **options)
        return reply, m._llama.meter.grammar_resampled
    finally:
        m.close()


def test_checking_each_token_against_the_grammar_gives_the_same_greedy_reply(
    gguf_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The grammar checks each sampled token alone and is applied to the whole vocabulary only
    for a token it refuses; greedy decoding must give exactly the grammar-first reply."""
    fast, refused = _chat_checking_grammar_first(
        gguf_path, monkeypatch, True, max_tokens=60, temperature=0.0
    )
    full, none = _chat_checking_grammar_first(
        gguf_path, monkeypatch, False, max_tokens=60, temperature=0.0
    )
    assert fast.text == full.text
    assert 0 < refused < fast.stats.completion_tokens  # both paths were taken
    assert none == 0


def test_tokens_the_grammar_refuses_are_sampled_again_under_it(
    gguf_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sources 4 and 7 do not exist: the model's own choices are refused, and the reply is
    still valid JSON citing only sources that exist."""
    reply, refused = _chat_checking_grammar_first(
        gguf_path, monkeypatch, True, max_tokens=400, temperature=0.7
    )
    assert reply.finish_reason == "stop", reply.text
    data = json.loads(reply.text)
    assert data["claims"] and all(set(c["sources"]) <= {1, 2, 3} for c in data["claims"])
    assert refused > 0


def test_the_pinned_llama_cpp_python_has_every_hook_the_grammar_sampler_uses() -> None:
    import llama_cpp

    assert hook_problems(llama_cpp) == []
    assert local.grammar_first_sampling()


def _remove_sampler_apply(monkeypatch: pytest.MonkeyPatch) -> None:
    import llama_cpp

    monkeypatch.delattr(llama_cpp, "llama_sampler_apply")


def _change_accept_signature(monkeypatch: pytest.MonkeyPatch) -> None:
    from llama_cpp import _internals

    def accept(self: Any, ctx_main: Any, token: int, apply_grammar: bool) -> None:
        raise AssertionError("the grammar sampler must not call a hook that changed")

    monkeypatch.setattr(_internals.LlamaSampler, "accept", accept)


@pytest.fixture
def rebuilt_llama_class(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The Llama class is built (and its hooks checked) again in the test, and once more
    after it with the real hooks back."""
    local._llama_class.cache_clear()
    yield
    monkeypatch.undo()
    local._llama_class.cache_clear()


@pytest.mark.parametrize(
    ("break_hook", "problem"),
    [
        (_remove_sampler_apply, "llama_cpp.llama_sampler_apply is missing"),
        (_change_accept_signature, "LlamaSampler.accept has another signature"),
    ],
)
def test_a_changed_hook_falls_back_to_llama_cpp_pythons_own_grammar_sampling(
    gguf_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    rebuilt_llama_class: None,
    break_hook: Any,
    problem: str,
) -> None:
    """A llama-cpp-python whose private hooks changed is noticed at start-up, said once in the
    log, and drafting goes on with its own sampling: the same greedy reply, still JSON that
    cites only sources that exist."""
    expected, _ = _chat_checking_grammar_first(
        gguf_path, monkeypatch, True, max_tokens=60, temperature=0.0
    )
    local._llama_class.cache_clear()
    break_hook(monkeypatch)
    with caplog.at_level(logging.WARNING, logger="rag.models.local"):
        assert local.preload_runtime() is None  # the desktop's start-up
        greedy = fresh_model(gguf_path)
        sampled = fresh_model(gguf_path)
    try:
        warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
        assert len(warnings) == 1, warnings
        assert problem in warnings[0] and "own grammar sampling" in warnings[0]
        assert not local.grammar_first_sampling()

        same = greedy.chat(FORBIDDEN_SOURCES, schema=CLAIMS_SCHEMA, max_tokens=60, temperature=0)
        assert same.text == expected.text
        reply = sampled.chat(
            FORBIDDEN_SOURCES, schema=CLAIMS_SCHEMA, max_tokens=400, temperature=0.7
        )
        assert reply.finish_reason == "stop", reply.text
        data = json.loads(reply.text)
        assert data["claims"] and all(set(c["sources"]) <= {1, 2, 3} for c in data["claims"])
        assert sampled._llama.meter.grammar_resampled == 0  # no token went through our path
    finally:
        greedy.close()
        sampled.close()


def test_a_schema_that_cannot_become_a_grammar_is_refused(model: LocalModel) -> None:
    # llama-cpp-python would quietly fall back to "any JSON", dropping the source-id enum.
    bad = {"type": "object", "properties": {"sources": {"$ref": "#/defs/missing"}}}
    with pytest.raises(BriefDeskError, match="schema"):
        model.chat([{"role": "user", "content": "Hi"}], schema=bad, max_tokens=5)


def test_streaming_calls_on_text_with_each_piece(model: LocalModel) -> None:
    pieces: list[str] = []
    reply = model.chat(
        [{"role": "user", "content": "Name three countries in Asia."}],
        max_tokens=40,
        on_text=pieces.append,
    )
    assert len(pieces) > 3
    assert "".join(pieces) == reply.text
    stats = reply.stats
    assert 0 < stats.completion_tokens <= 40
    assert len(pieces) <= stats.completion_tokens
    assert reply.finish_reason in ("stop", "length")
    assert stats.first_token_seconds is not None
    assert 0 < stats.first_token_seconds <= stats.seconds
    assert stats.prompt_tokens_sent == len(
        model.format_prompt_tokens([{"role": "user", "content": "Name three countries in Asia."}])
    )


def test_max_tokens_ends_the_reply_with_length(model: LocalModel) -> None:
    reply = model.chat(
        [{"role": "user", "content": "Write a long essay about export controls."}], max_tokens=5
    )
    assert reply.finish_reason == "length"
    assert reply.stats.completion_tokens == 5


def test_cancel_from_another_thread_stops_generation_quickly(model: LocalModel) -> None:
    token = CancelToken()
    timer: list[threading.Timer] = []
    pieces: list[str] = []
    cancelled_at: list[float] = []

    def cancel() -> None:
        cancelled_at.append(time.perf_counter())
        token.cancel()

    def on_text(piece: str) -> None:
        pieces.append(piece)
        if not timer:  # start counting once generation runs, so the cancel lands mid-stream
            timer.append(threading.Timer(0.3, cancel))
            timer[0].start()

    started = time.perf_counter()
    reply = model.chat(
        [{"role": "user", "content": "Count from 1 to 1000, separated by commas."}],
        max_tokens=2000,
        cancel=token,
        on_text=on_text,
    )
    returned = time.perf_counter()
    assert cancelled_at, f"the reply ended before the cancel: {reply.text!r}"
    assert reply.cancelled and reply.finish_reason == "cancelled"
    assert returned - cancelled_at[0] < 0.5
    assert returned - started < 5
    assert 0 < reply.stats.completion_tokens < 2000
    assert reply.text == "".join(pieces)
    # The model is still usable afterwards.
    after = model.chat([{"role": "user", "content": "Say OK."}], max_tokens=8)
    assert not after.cancelled and after.stats.completion_tokens > 0


def test_cancel_stops_a_long_prompt_evaluation(gguf_path: Path) -> None:
    m = fresh_model(gguf_path)
    try:
        # ~3,000 prompt tokens: seconds of evaluation inside llama.cpp, which the abort
        # callback interrupts mid-batch.
        evidence = " ".join(
            f"Passage {i}: the rule of {i} March covers chips above {i * 7} TOPS."
            for i in range(150)
        )
        token = CancelToken()
        threading.Timer(0.3, token.cancel).start()
        started = time.perf_counter()
        reply = m.chat([{"role": "user", "content": evidence}], max_tokens=50, cancel=token)
        elapsed = time.perf_counter() - started
        assert reply.cancelled, reply.stats
        assert elapsed < 1.5
        assert reply.stats.first_token_seconds is None and reply.text == ""
        assert reply.stats.prompt_tokens_sent > 2000
        # Only the batches that completed before the abort count (none, or a few of 512).
        assert reply.stats.prompt_tokens_evaluated < reply.stats.prompt_tokens_sent

        after = m.chat([{"role": "user", "content": "Say OK."}], max_tokens=8)
        assert not after.cancelled and after.stats.completion_tokens > 0
        # The aborted batch is not booked to the next call.
        assert 0 < after.stats.prompt_tokens_evaluated <= after.stats.prompt_tokens_sent
    finally:
        m.close()


def test_a_cancel_already_set_returns_at_once(model: LocalModel) -> None:
    token = CancelToken()
    token.cancel()
    reply = model.chat([{"role": "user", "content": "Hello"}], cancel=token)
    assert reply.cancelled and reply.text == "" and reply.stats.completion_tokens == 0


def test_a_shared_prefix_is_not_evaluated_twice(gguf_path: Path) -> None:
    m = fresh_model(gguf_path)
    try:
        system = {
            "role": "system",
            "content": "You write briefing claims from these sources only.\n" + SOURCES * 12,
        }
        first = [system, {"role": "user", "content": "Section: key developments."}]
        second = [system, {"role": "user", "content": "Section: where sources disagree."}]
        p1, p2 = m.format_prompt_tokens(first), m.format_prompt_tokens(second)
        shared = common_prefix(p1, p2)
        assert shared > 500

        a = m.chat(first, max_tokens=8)
        assert a.stats.prompt_tokens_sent == len(p1)
        assert a.stats.prompt_tokens_evaluated == len(p1)  # empty cache: everything

        b = m.chat(second, max_tokens=8)
        assert b.stats.prompt_tokens_sent == len(p2)
        assert b.stats.prompt_tokens_evaluated == len(p2) - shared
        assert b.stats.prompt_tokens_evaluated < b.stats.prompt_tokens_sent / 10
        assert b.stats.prompt_tokens_reused == shared

        # The same prompt again: llama-cpp-python re-evaluates at most the last token.
        c = m.chat(second, max_tokens=8)
        assert c.stats.prompt_tokens_evaluated <= 1
    finally:
        m.close()


def test_reusable_prefix_mirrors_llama_cpp_python() -> None:
    assert reusable_prefix([], [1, 2, 3]) == 0
    assert reusable_prefix([1, 2, 9, 9], [1, 2, 3]) == 2
    assert reusable_prefix([1, 2, 3, 4], [1, 2, 3]) == 2  # replays the last prompt token
    assert reusable_prefix([1, 2, 3], [1, 2, 3]) == 2
    assert reusable_prefix([1, 2, 3], [1, 2, 3], logits_fresh=True) == 3


def test_a_prompt_longer_than_the_context_is_refused_clearly(gguf_path: Path) -> None:
    m = LocalModel(gguf_path, n_ctx=256, n_threads=TEST_THREADS)
    try:
        with pytest.raises(BriefDeskError, match="context holds 256"):
            m.chat([{"role": "user", "content": "word " * 400}])
    finally:
        m.close()


def test_a_model_without_a_chat_template_gets_chatml(gguf_path: Path, tmp_path: Path) -> None:
    # Rename the template key in a copy (same length, so the header stays valid).
    data = gguf_path.read_bytes()
    key = b"tokenizer.chat_template"
    assert data.count(key) == 1
    path = tmp_path / "no-template.gguf"
    path.write_bytes(data.replace(key, b"tokenizer.chat_templatX"))
    m = LocalModel(path, n_ctx=1024, n_threads=TEST_THREADS)
    try:
        assert m.info.chat_template is None
        messages = [{"role": "user", "content": "Say OK."}]
        prompt = m._llama.detokenize(m.format_prompt_tokens(messages), special=True).decode()
        assert "<|im_start|>user\nSay OK.<|im_end|>" in prompt
        assert prompt.endswith("<|im_start|>assistant\n")
        reply = m.chat(messages, max_tokens=8)
        assert reply.stats.prompt_tokens_sent == len(m.format_prompt_tokens(messages))
    finally:
        m.close()


def test_a_chat_template_that_rejects_the_conversation_gives_a_clear_error(
    gguf_path: Path,
) -> None:
    m = fresh_model(gguf_path)
    try:
        # What Mistral-style templates do with a system message.
        m._formatter = _jinja_formatter(
            "{% if messages[0]['role'] == 'system' %}"
            "{{ raise_exception('System role not supported') }}{% endif %}"
        )
        with pytest.raises(BriefDeskError, match="System role not supported"):
            m.chat([{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}])
    finally:
        m.close()


def _jinja_formatter(template: str) -> Any:
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    return Jinja2ChatFormatter(template=template, eos_token="", bos_token="")


def test_count_tokens(model: LocalModel) -> None:
    assert model.count_tokens("") == 0
    short = model.count_tokens("Export controls")
    assert 0 < short < model.count_tokens("Export controls on AI chips were tightened again.")


def test_concurrent_calls_are_serialised(model: LocalModel) -> None:
    events: list[tuple[str, float]] = []
    errors: list[BaseException] = []
    replies: dict[str, Any] = {}

    def run(label: str) -> None:
        try:
            replies[label] = model.chat(
                [{"role": "user", "content": f"Write a sentence about {label}."}],
                max_tokens=20,
                on_text=lambda _piece: events.append((label, time.perf_counter())),
            )
        except BaseException as exc:  # reported below, with the assertion
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(name,)) for name in ("chips", "tariffs")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors and set(replies) == {"chips", "tariffs"}
    order = [label for label, _ in sorted(events, key=lambda e: e[1])]
    # One call's pieces all come before the other's: no interleaving.
    switches = sum(1 for x, y in itertools.pairwise(order) if x != y)
    assert switches <= 1, order
    for reply in replies.values():
        assert reply.stats.completion_tokens > 0


def test_a_callback_calling_back_into_the_model_is_refused(model: LocalModel) -> None:
    def reenter(_piece: str) -> None:
        model.count_tokens("again")

    with pytest.raises(BriefDeskError, match="already busy"):
        model.chat([{"role": "user", "content": "Hello"}], max_tokens=5, on_text=reenter)
    assert model.chat([{"role": "user", "content": "Hello"}], max_tokens=5).text


def test_gguf_info_is_a_value(gguf_path: Path) -> None:
    info = read_gguf_info(gguf_path)
    assert isinstance(info, GGUFInfo)
    with pytest.raises(AttributeError):
        info.name = "x"  # type: ignore[misc]


def test_preload_runtime_loads_llama_cpp_or_says_why_not(monkeypatch: pytest.MonkeyPatch) -> None:
    assert local.preload_runtime() is None
    assert "llama_cpp" in sys.modules

    def broken() -> None:
        raise BriefDeskError("The local model runtime (llama-cpp-python) failed to load: boom.")

    monkeypatch.setattr(local, "_llama_cpp", broken)
    assert local.preload_runtime() == (
        "The local model runtime (llama-cpp-python) failed to load: boom."
    )


def test_amx_kernels_are_read_from_llama_cpps_system_info() -> None:
    with_amx = "CPU : SSE3 = 1 | AVX512 = 1 | AVX512_BF16 = 1 | AMX_INT8 = 1 | REPACK = 1 | "
    without = "CPU : SSE3 = 1 | AVX2 = 1 | AVX512 = 1 | AVX512_VNNI = 1 | REPACK = 1 | "
    assert local.amx_built(with_amx)
    assert not local.amx_built(without)


def test_turning_extra_buffer_types_off_wraps_the_defaults_once() -> None:
    class Params:
        use_extra_bufts = True

    bindings = type(sys)("fake_llama_cpp_bindings")
    bindings.llama_model_default_params = Params  # type: ignore[attr-defined]
    runtime = type(sys)("fake_llama_cpp")
    runtime.llama_cpp = bindings  # type: ignore[attr-defined]
    local._without_extra_buffer_types(runtime)
    wrapped = bindings.llama_model_default_params  # type: ignore[attr-defined]
    local._without_extra_buffer_types(runtime)  # a second time changes nothing
    assert bindings.llama_model_default_params is wrapped  # type: ignore[attr-defined]
    assert wrapped().use_extra_bufts is False


def test_models_load_without_amx_kernels_where_llama_cpp_has_them(model: LocalModel) -> None:
    """A llama.cpp built with -march=native on a CPU that advertises AMX has AMX kernels, and on
    a virtual machine that advertises AMX without supporting it they kill the process at the
    first token (seen on a 2-core Xeon VM, both models). Wherever the library has them, models
    load without llama.cpp's extra buffer types, and a model answers."""
    import llama_cpp

    has_amx = local.amx_built(llama_cpp.llama_print_system_info().decode(errors="replace"))
    assert llama_cpp.llama_cpp.llama_model_default_params().use_extra_bufts is not has_amx
    assert model.chat([{"role": "user", "content": "Say yes."}], max_tokens=4).text
