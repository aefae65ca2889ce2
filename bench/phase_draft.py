"""Drafting: a situation brief with the default model (small with --quick), beside the same
brief drafted with every section's prompt evaluated fresh (``python -m bench.phase_draft``).

Both runs use the same loaded model, library, topic and template, hence the same evidence.
The first section's exact prompt is saved for the raw llama-cpp-python phase.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.common import figure, llm_threads, peak_rss_mb, phase_args, reset_peak_rss, write_result
from bench.models import Recording
from bench.relevance import CASES, library_files
from rag.briefs.templates import get_template
from rag.core.atomic import write_text_atomic
from rag.drafting.engine import draft
from rag.indexing.library import Library
from rag.models import provision
from rag.models.local import LocalModel

TEMPLATE = "situation-brief"
# --quick drafts two of its sections (the evidence is still gathered for the whole template, so
# the prompts are the full ones): enough to check the instrument, not to judge the targets,
# which are about a whole brief.
QUICK_SECTIONS = ("key_developments", "bottom_line")


def topic() -> str:
    return json.loads(CASES.read_text(encoding="utf-8"))["cases"][0]["topic"]


def run_draft(lib: Library, model: Recording, quick: bool) -> dict[str, Any]:
    template = get_template(TEMPLATE)
    briefing = None
    sections = QUICK_SECTIONS if quick else None
    # The same sampling seed at the start of each run, so both columns sample alike and
    # differ in how their prompts are evaluated, not in what the model happened to write.
    model.inner._llama.set_seed(model.inner.seed)
    for event in draft(lib, model, template, topic(), sections=sections):
        briefing = getattr(event, "briefing", briefing)
    assert briefing is not None
    stats = dict(briefing.stats)
    stats["calls"] = [c["stats"] for c in model.calls if "stats" in c]
    return stats


def prompt_path(out: Path) -> Path:
    return out.parent / "draft_prompt.json"


def main() -> None:
    args = phase_args()
    role = "small" if args.quick else "default"
    lib = Library.open(args.work / "library")
    for _ in lib.import_paths(library_files()):
        pass
    model = LocalModel(provision.gguf_path(role), n_threads=llm_threads())
    load_seconds = model.load_seconds

    reset_peak_rss()
    app_model = Recording(model)
    app = run_draft(lib, app_model, args.quick)
    app_rss = peak_rss_mb()
    first = app_model.calls[0]
    write_text_atomic(
        prompt_path(args.out),
        json.dumps({"model": str(model.path), "n_ctx": model.n_ctx,
                    "n_threads": model.n_threads, **{k: first[k] for k in
                    ("messages", "schema", "max_tokens", "temperature")},
                    "app_stats": first.get("stats")}),
    )  # fmt: skip

    fresh = run_draft(lib, Recording(model, fresh_prompts=True), args.quick)
    lib.close()
    sections = app["model_calls"]
    quick_note = " (--quick: two sections, not comparable with the target)" if args.quick else ""
    figures = [
        figure(
            f"drafting: wall time, {sections}-section brief", app["seconds"], "s",
            baseline=fresh["seconds"], baseline_name="no KV reuse", target="ratio<=0.6",
            higher_is_better=False,
            note=f"{app['completion_tokens']} vs {fresh['completion_tokens']} tokens generated"
            + quick_note,
        ),
        figure(
            "drafting: time to first claim", app["first_claim_seconds"], "s",
            baseline=fresh["first_claim_seconds"], baseline_name="no KV reuse",
            higher_is_better=False,
        ),
        figure(
            "drafting: prompt tokens evaluated / sent",
            app["prompt_tokens_evaluated"] / app["prompt_tokens_sent"], "",
            baseline=fresh["prompt_tokens_evaluated"] / fresh["prompt_tokens_sent"],
            baseline_name="no KV reuse", target="value<=0.5", higher_is_better=False,
            note=f"{app['prompt_tokens_evaluated']} of {app['prompt_tokens_sent']} tokens"
            + quick_note,
        ),
        figure(
            "drafting: generated tokens/s (app's figure)", app["generated_tokens_per_second"],
            "tokens/s", baseline=fresh["generated_tokens_per_second"],
            baseline_name="no KV reuse",
        ),
        figure(
            f"memory: peak RSS during drafting ({role} model)", app_rss, "MB",
            target="value<3072", higher_is_better=False,
        ),
    ]  # fmt: skip
    write_result(
        args.out, "draft", figures,
        {"model": role, "model_path": str(model.path), "load_seconds": load_seconds,
         "topic": topic(), "template": TEMPLATE, "app": app, "no_reuse": fresh},
    )  # fmt: skip


if __name__ == "__main__":
    main()
