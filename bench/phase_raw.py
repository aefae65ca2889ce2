"""The raw model: generated tokens/s of llama-cpp-python alone on the drafting phase's first
prompt (same model file, context, threads, schema, answer budget), beside the app's own
figure for that call, so BriefDesk's overhead during generation shows
(``python -m bench.phase_raw``; needs the drafting phase's result folder)."""

from __future__ import annotations

import json
import time

from bench.common import figure, phase_args, write_result
from bench.phase_draft import prompt_path


def decode_rate(tokens: int, seconds: float, first_token_seconds: float | None) -> float | None:
    """Tokens/s after the first token: prompt evaluation excluded, as llama.cpp reports it."""
    if first_token_seconds is None or tokens < 2 or seconds <= first_token_seconds:
        return None
    return (tokens - 1) / (seconds - first_token_seconds)


def main() -> None:
    args = phase_args()
    saved = json.loads(prompt_path(args.out).read_text(encoding="utf-8"))
    import llama_cpp

    llama = llama_cpp.Llama(
        model_path=saved["model"], n_ctx=saved["n_ctx"], n_threads=saved["n_threads"],
        n_threads_batch=saved["n_threads"], seed=0, verbose=False,
    )  # fmt: skip
    kwargs = {}
    if saved["schema"] is not None:
        kwargs["response_format"] = {"type": "json_object", "schema": saved["schema"]}
    started = time.perf_counter()
    first = None
    tokens = 0
    for chunk in llama.create_chat_completion(
        messages=saved["messages"], stream=True, max_tokens=saved["max_tokens"],
        temperature=saved["temperature"], **kwargs,
    ):  # fmt: skip
        if chunk["choices"][0].get("delta", {}).get("content"):
            tokens += 1
            if first is None:
                first = time.perf_counter() - started
    seconds = time.perf_counter() - started
    # Streamed chunks are tokens, except that a character split over tokens arrives once.
    perf = llama_cpp.llama_perf_context(llama.ctx)
    raw_tokens = max(tokens, perf.n_eval)
    raw_rate = decode_rate(raw_tokens, seconds, first)
    app = saved["app_stats"]
    app_rate = decode_rate(app["completion"], app["seconds"], app["first_token_seconds"])
    figures = [
        figure(
            "generation: app tokens/s vs raw llama-cpp-python", app_rate, "tokens/s",
            baseline=raw_rate, baseline_name="raw llama-cpp-python, same prompt",
            target="ratio>=0.95",
            note=f"decode only; {app['completion']} vs {raw_tokens} tokens",
        ),
    ]  # fmt: skip
    write_result(
        args.out, "raw", figures,
        {"raw": {"tokens": raw_tokens, "streamed_chunks": tokens, "seconds": seconds,
                 "first_token_seconds": first, "prompt_eval_tokens": perf.n_p_eval},
         "app_first_call": app},
    )  # fmt: skip


if __name__ == "__main__":
    main()
