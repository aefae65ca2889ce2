"""Draft the evaluation topics with BriefDesk and with a naive baseline, and record everything.

Run from a checkout (docs/evaluation.md has the method)::

    PYTHONPATH=$PWD .venv/bin/python eval/run_eval.py --split tune --model small
    .venv/bin/python eval/run_eval.py --split test --engine-dir ../old-checkout --run old-test
    .venv/bin/python eval/run_eval.py --split test --background     # detached; log in the run

For every phrasing of every topic of the split, in one process with one model load:

1. **BriefDesk** drafts the phrasing through its engine (``draft``), as the app does. The
   passages the engine retrieved are captured on the way, with every prompt it sent.
2. **The naive baseline** gets the same model and the same numbered passages, as plain text,
   and is asked once, in free text, for the same briefing with "[n]" after each sentence.

Nothing is judged here: each (topic, phrasing) is written as it is, to
``eval/results/<run>/pairs/<topic>__<n>.json``, with both answers, the passages shown, where
each must-cover sentence is in the library, the time, the time to the first claim and the
tokens. A pair already written is skipped, so a stopped run resumes where it stopped.
``label.py`` makes the blind labelling sheet from these records and ``report.py`` the figures.

The library is built in a temporary ``BRIEFDESK_HOME`` from the repository's own corpus
(``eval/build_corpus.py``); the installed models are used in place. ``--engine-dir PATH`` runs
this same script with ``PYTHONPATH=PATH``, so another checkout's engine (e.g. a ``git
worktree`` of an older commit) drafts, reads and indexes, while the topics, the corpus, the
baseline and the records stay this checkout's.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import engine_api
import scoring

EVAL = Path(__file__).resolve().parent
REPO = EVAL.parent
TOPICS = EVAL / "topics.json"
RESULTS = EVAL / "results"

BASELINE_TOKENS_PER_CLAIM = 40  # the baseline's answer budget: the template's claims times this
BASELINE_SYSTEM = (
    "You are an analyst who writes briefings on AI trade restrictions (export controls, "
    "entity lists, retaliation, model distillation). Use only the numbered sources you are given."
)
# Set once the engine is loaded: SIGTERM then cancels the model call in progress (a Python
# exception raised inside llama.cpp's abort callback would be ignored) and the run stops
# after it, writing nothing half done.
_STOP: Any = None

# BriefDesk's disagreement claims are written by the engine and stamped "supported" unchecked.
STAMPED_REASON = "found by comparing the sources"


# -- topics ------------------------------------------------------------------------------------


def load_topics(path: Path) -> list[dict[str, Any]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    topics = data["topics"] if isinstance(data, dict) else data
    for t in topics:
        missing = {"id", "split", "template", "answerable", "phrasings"} - set(t)
        if missing:
            raise SystemExit(f"{path}: topic {t.get('id', '?')} lacks {', '.join(sorted(missing))}")
        t.setdefault("must_cover", [])
    return topics


def select_topics(
    topics: Sequence[dict[str, Any]], split: str | None, ids: str | None
) -> list[dict[str, Any]]:
    chosen = [t for t in topics if split in (None, "all") or t["split"] == split]
    if ids:
        wanted = [i.strip() for i in ids.split(",") if i.strip()]
        unknown = set(wanted) - {t["id"] for t in topics}
        if unknown:
            raise SystemExit(f"unknown topic(s): {', '.join(sorted(unknown))}")
        chosen = [t for t in topics if t["id"] in wanted]
    return chosen


def pair_path(run_dir: Path, topic_id: str, index: int) -> Path:
    return run_dir / "pairs" / f"{topic_id}__{index}.json"


def recorded(run_dir: Path, topic: dict[str, Any], index: int) -> bool:
    """Whether this phrasing is already drafted in the run, as the topic now states it (a
    phrasing or template edited since is drafted again)."""
    path = pair_path(run_dir, topic["id"], index)
    if not path.exists():
        return False
    try:
        pair = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return False
    return bool(
        pair.get("phrasing") == topic["phrasings"][index]
        and pair.get("template") == topic["template"]
        and pair.get("answerable") == bool(topic["answerable"])
    )


# -- the model, watched ------------------------------------------------------------------------


class RecordingModel:
    """The loaded model, passed to the engine in its place: records every prompt and what each
    call cost, whichever engine calls it (so old and new engines are measured the same way)."""

    def __init__(self, model: Any) -> None:
        self._model = model
        self.calls: list[dict[str, Any]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._model, name)

    def take_calls(self) -> list[dict[str, Any]]:
        calls, self.calls = self.calls, []
        return calls

    def _record(self, messages: Sequence[dict[str, Any]], completion: Any) -> None:
        stats = getattr(completion, "stats", None)
        self.calls.append({
            "messages": [dict(m) for m in messages],
            "prompt_tokens_sent": getattr(stats, "prompt_tokens_sent", 0),
            "prompt_tokens_evaluated": getattr(stats, "prompt_tokens_evaluated", 0),
            "completion_tokens": getattr(stats, "completion_tokens", 0),
        })  # fmt: skip

    def stream(self, messages: Any, **kwargs: Any) -> Iterator[str]:
        completion = yield from self._model.stream(messages, **kwargs)
        self._record(messages, completion)
        return completion

    def chat(self, messages: Any, **kwargs: Any) -> Any:
        completion = self._model.chat(messages, **kwargs)
        self._record(messages, completion)
        return completion


def instructions_of(calls: Sequence[dict[str, Any]]) -> list[str]:
    """The prompt's own wording: system text and the task, the sources left out (a claim may
    copy a source; copying the instructions is a leak)."""
    out: list[str] = []
    for call in calls:
        for m in call["messages"]:
            text = str(m.get("content", ""))
            if m.get("role") == "user":
                cut = max(text.rfind("</source>"), text.rfind("\nTASK"))
                text = text[cut:] if cut >= 0 else text
            if text not in out:
                out.append(text)
    return out


def call_totals(calls: Sequence[dict[str, Any]]) -> dict[str, int]:
    return {
        "model_calls": len(calls),
        "prompt_tokens_sent": sum(c["prompt_tokens_sent"] for c in calls),
        "prompt_tokens_evaluated": sum(c["prompt_tokens_evaluated"] for c in calls),
        "completion_tokens": sum(c["completion_tokens"] for c in calls),
    }


# -- BriefDesk -----------------------------------------------------------------------------------


# The engine function that retrieves a briefing's evidence: today's and f038ec1's engines call
# it gather_evidence (one numbered pool of passages), the per-section engine gather (facts).
EVIDENCE_FUNCTIONS = ("gather_evidence", "gather")


@contextlib.contextmanager
def capturing_evidence(engine: Any) -> Iterator[dict[str, Any]]:
    """What the engine retrieved, taken from its own evidence function as it drafts."""
    captured: dict[str, Any] = {}
    name = next((n for n in EVIDENCE_FUNCTIONS if callable(getattr(engine, n, None))), None)
    if name is None:
        raise SystemExit(
            f"the engine has none of {', '.join(EVIDENCE_FUNCTIONS)}: the baseline cannot be "
            "shown the same passages"
        )
    original = getattr(engine, name)

    def capture(*args: Any, **kwargs: Any) -> Any:
        evidence = original(*args, **kwargs)
        captured["evidence"] = evidence
        return evidence

    setattr(engine, name, capture)
    try:
        yield captured
    finally:
        setattr(engine, name, original)


def evidence_hits(evidence: Any) -> list[Any]:
    """The passages the engine drew on, in its order: a numbered pool (``hits``), or the
    passages of the facts it gave its sections (each fact a sentence of one or more)."""
    if evidence is None:
        return []
    if hasattr(evidence, "hits"):
        return list(evidence.hits)
    given = {id(f) for facts in getattr(evidence, "by_section", {}).values() for f in facts}
    hits: dict[str, Any] = {}
    for fact in getattr(evidence, "facts", []):
        if id(fact) in given:
            for member in fact.members:
                hits.setdefault(member.hit.passage.id, member.hit)
    return list(hits.values())


def app_settings(eng: engine_api.Engine, model: RecordingModel) -> dict[str, Any]:
    """What the app passes to draft() with a new user's settings (an old engine's Settings
    may not have draft_settings, nor the failed-claims setting)."""
    defaults = eng.settings.Settings()
    if hasattr(defaults, "draft_settings"):
        return dict(defaults.draft_settings(model.name, model.n_ctx))
    return {"model": model.name, "n_ctx": model.n_ctx}


def draft_briefdesk(
    eng: engine_api.Engine,
    library: Any,
    model: RecordingModel,
    template: Any,
    phrasing: str,
    cancel: Any = None,
) -> tuple[dict[str, Any], list[Any]]:
    """One briefing through the engine; returns its record and the evidence hits."""
    model.take_calls()
    briefing, error, first = None, None, None
    started = time.monotonic()
    with capturing_evidence(eng.engine) as captured:
        try:
            for event in eng.engine.draft(
                library, model, template, phrasing, cancel=cancel,
                settings=app_settings(eng, model),
            ):  # fmt: skip
                kind = type(event).__name__
                if kind == "ClaimAdded" and first is None:
                    first = time.monotonic() - started
                elif kind == "DraftFinished":
                    briefing = event.briefing
        except Exception as exc:  # the app would show this error and no briefing
            error = f"{type(exc).__name__}: {exc}"
    seconds = time.monotonic() - started
    calls = model.take_calls()
    hits = evidence_hits(captured.get("evidence"))
    shown = {h.passage.id for h in hits}
    units, sections, extra = [], [], {}
    for section in briefing.sections if briefing else []:
        sections.append({"key": section.key, "status": section.status, "note": section.note})
        for claim in section.claims:
            cites = [c.passage_id for c in claim.citations]
            for pid in cites:
                if pid not in shown and pid not in extra:
                    passage = library.passage(pid)
                    extra[pid] = passage.text if passage else ""
            reasons = list(claim.check.reasons)
            units.append({
                "text": claim.text, "cites": cites, "section": section.key,
                # The sentence each citation quotes: what the engine checked the claim against.
                "quotes": [c.quote for c in claim.citations],
                "verdict": claim.check.status, "verdict_reasons": reasons,
                "stamped": any(STAMPED_REASON in r for r in reasons),
            })  # fmt: skip
    record = {
        "units": units,
        "sections": sections,
        "extra_passages": extra,
        "error": error,
        "seconds": round(seconds, 2),
        "first_claim_seconds": round(first, 2) if first is not None else None,
        **call_totals(calls),
        "instructions": instructions_of(calls),
        "engine_stats": dict(briefing.stats) if briefing else {},
    }
    return record, hits


# -- the naive baseline ------------------------------------------------------------------------


def baseline_sources(hits: Sequence[Any]) -> str:
    """The same passages with the same numbers as BriefDesk shows them, as plain text."""
    parts = []
    for n, hit in enumerate(hits, start=1):
        doc = hit.document
        head = " — ".join(x for x in (doc.title, doc.publisher, doc.published) if x)
        parts.append(f"[{n}] {head}\n{hit.passage.text.strip()}")
    return "\n\n".join(parts) if parts else "(no sources)"


def baseline_task(phrasing: str, template: Any) -> str:
    sections = "; ".join(s.title for s in template.sections)
    return (
        f"Write a {template.name.lower()} on this topic: {phrasing}\n"
        f"Cover: {sections}.\n"
        "Write plain sentences. After each sentence, put the numbers of the sources that "
        "support it in square brackets, for example [2] or [1][3]. "
        "If the sources do not contain enough evidence on this topic, write only: "
        "Not enough evidence in the library."
    )


def first_claim_at(text: str, shown: Sequence[str], titles: Sequence[str]) -> bool:
    """Whether ``text`` (a prefix of the answer) already holds one finished claim, by the same
    rules the scorer uses."""
    ends = [text.rfind(p) for p in (". ", "! ", "? ", ".\n", "!\n", "?\n", "\n")]
    cut = max(ends)
    if cut < 0:
        return False
    units = scoring.units_from_free_text(text[: cut + 1])
    return bool(scoring.claims_from_units(units, shown, titles).claims)


def draft_baseline(
    model: RecordingModel, template: Any, phrasing: str, hits: Sequence[Any], cancel: Any = None
) -> dict[str, Any]:
    model.take_calls()
    task = baseline_task(phrasing, template)
    messages = [
        {"role": "system", "content": BASELINE_SYSTEM},
        {"role": "user", "content": f"SOURCES\n\n{baseline_sources(hits)}\n\nTASK\n{task}"},
    ]
    shown = [h.passage.id for h in hits]
    titles = [s.title for s in template.sections]
    max_tokens = sum(s.claims for s in template.sections) * BASELINE_TOKENS_PER_CLAIM
    text, first, error = "", None, None
    started = time.monotonic()
    try:
        gen = model.stream(messages, max_tokens=max_tokens, temperature=0.2, cancel=cancel)
        for piece in gen:
            text += piece
            if (
                first is None
                and any(c in piece for c in ".!?\n")
                and first_claim_at(text, shown, titles)
            ):
                first = time.monotonic() - started
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
    seconds = time.monotonic() - started
    if (
        first is None
        and scoring.claims_from_units(scoring.units_from_free_text(text), shown, titles).claims
    ):
        first = seconds  # the last sentence had no full stop after it
    calls = model.take_calls()
    return {
        "text": text,
        "error": error,
        "seconds": round(seconds, 2),
        "first_claim_seconds": round(first, 2) if first is not None else None,
        **call_totals(calls),
        "instructions": [BASELINE_SYSTEM, task],
    }


# -- the library -------------------------------------------------------------------------------


def build_corpus(out: Path) -> Path:
    """The repository's evaluation corpus, written by eval/build_corpus.py (PDFs and DOCX
    included), with this checkout's code whatever engine is under test."""
    script = EVAL / "build_corpus.py"
    if not script.exists():
        raise SystemExit(f"{script} is missing: pass --library-dir DIR to import a folder")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    subprocess.run([sys.executable, str(script), str(out)], check=True, env=env)
    return out


def import_library(eng: engine_api.Engine, library: Any, folder: Path) -> list[str]:
    problems = []
    for event in library.import_paths([folder]):
        kind = type(event).__name__
        if kind == "FileFailed":
            problems.append(f"import failed: {event.path.name}: {event.reason}")
        elif kind == "ImportFinished":
            _progress(f"imported {len(event.imported)} documents from {folder}")
    return problems


def documents_of(library: Any) -> dict[str, dict[str, str]]:
    """Each document's id (a passage id's part before ":") -> what a footnote says of it, so
    that a labeller sees whom a cited sentence comes from, as the analyst does."""
    return {
        d.id: {"file": d.filename, "title": d.title, "publisher": d.publisher,
               "author": d.author, "published": d.published}
        for d in library.documents()
    }  # fmt: skip


def _squash(text: str) -> str:
    return "".join(ch for ch in scoring.normalise(text) if ch.isalnum())


def locate_must_cover(
    library: Any, topics: Sequence[dict[str, Any]]
) -> tuple[dict[str, list[dict[str, Any]]], list[str]]:
    """Each must-cover sentence's passages in this library (ids differ between engines'
    chunkings), and the sentences that are in no passage of their file."""
    by_file: dict[str, list[Any]] = {}
    for doc in library.documents():
        by_file.setdefault(Path(doc.filename).name, []).extend(library.passages(doc.id))
    located: dict[str, list[dict[str, Any]]] = {}
    problems = []
    for topic in topics:
        facts = []
        for fact in topic["must_cover"]:
            sentences = []
            for s in fact.get("sentences", []):
                needle = _squash(s["sentence"])
                found = [p.id for p in by_file.get(Path(s["file"]).name, [])
                         if needle and needle in _squash(p.text)]  # fmt: skip
                if not found:
                    problems.append(
                        f"{topic['id']}: {s['sentence'][:60]!r} is in no passage of {s['file']}"
                    )
                sentences.append({**s, "passage_ids": found})
            facts.append({"fact": fact["fact"], "sentences": sentences})
        located[topic["id"]] = facts
    return located, problems


# -- the run -----------------------------------------------------------------------------------


def _progress(text: str) -> None:
    print(f"{datetime.now().strftime('%H:%M:%S')} {text}", file=sys.stderr, flush=True)


def _write_json(path: Path, data: Any) -> None:
    """Written whole or not at all: a killed run never leaves half a record to resume from."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def machine() -> dict[str, Any]:
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    cpu = platform.processor()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "host": platform.node(), "platform": platform.platform(), "cpu": cpu,
        "cpus": os.cpu_count(), "python": platform.python_version(),
        "load_average_at_start": [round(x, 2) for x in load] if load else None,
    }  # fmt: skip


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _folder_digest(folder: Path) -> str:
    h = hashlib.sha256()
    for f in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(f.relative_to(folder).as_posix().encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


def default_run_name(args: argparse.Namespace, rag_dir: Path) -> str:
    label = args.engine_label
    if not label:
        info = engine_api.git_commit(rag_dir)
        label = (info["commit"] or "nogit")[:7] + ("-dirty" if info["dirty"] else "")
    return f"{label}-{args.model}-{args.split}"


@contextlib.contextmanager
def run_lock(run_dir: Path) -> Iterator[None]:
    """One runner per run folder: two would draft the same pairs."""
    run_dir.mkdir(parents=True, exist_ok=True)
    lock = run_dir / "runner.pid"
    if lock.exists():
        with contextlib.suppress(ValueError, OSError):
            pid = int(lock.read_text().strip())
            os.kill(pid, 0)
            raise SystemExit(f"a runner (pid {pid}) is already writing {run_dir}")
    lock.write_text(str(os.getpid()))
    try:
        yield
    finally:
        lock.unlink(missing_ok=True)


def run(args: argparse.Namespace) -> int:
    eng = engine_api.load()
    topics = select_topics(load_topics(args.topics_file), args.split, args.topics)
    run_name = args.run or default_run_name(args, eng.rag_dir)
    run_dir = args.out / run_name
    phrasings = {int(i) for i in args.phrasings.split(",")} if args.phrasings else None
    todo = [
        (t, i, p)
        for t in topics
        for i, p in enumerate(t["phrasings"])
        if (phrasings is None or i in phrasings) and not recorded(run_dir, t, i)
    ]
    total = sum(len(t["phrasings"]) for t in topics)
    _progress(f"run {run_name}: {len(todo)} of {total} briefings to draft")
    if args.check_topics:
        return _draft_all(args, eng, run_name, run_dir, topics, todo)
    if not todo:
        return 0
    with run_lock(run_dir):
        return _draft_all(args, eng, run_name, run_dir, topics, todo)


def _on_stop(*_: Any) -> None:
    if _STOP is None:
        raise SystemExit(143)  # nothing drafting yet: stop at once (the temp folder goes)
    _STOP.cancel()


def _draft_all(
    args: argparse.Namespace,
    eng: engine_api.Engine,
    run_name: str,
    run_dir: Path,
    topics: Sequence[dict[str, Any]],
    todo: Sequence[tuple[dict[str, Any], int, str]],
) -> int:
    global _STOP
    _STOP = eng.types.CancelToken()
    os.environ["BRIEFDESK_MODELS_DIR"] = str(Path(eng.paths.models_dir()).resolve())
    home = Path(tempfile.mkdtemp(prefix="briefdesk-eval-"))
    os.environ["BRIEFDESK_HOME"] = str(home)
    session: dict[str, Any] = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "harness": engine_api.git_commit(REPO),
        "engine": {"rag_dir": _rel(eng.rag_dir), **engine_api.git_commit(eng.rag_dir),
                   "label": args.engine_label},
        "machine": machine(),
        "pairs_drafted": 0,
    }  # fmt: skip
    meta_path = run_dir / "run.json"
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else {"run": run_name}
    try:
        folder = args.library_dir or build_corpus(home / "corpus")
        settings = eng.settings.Settings()  # the defaults, whatever the user's own say
        settings.model.n_threads = args.threads
        eng.settings.save_settings(settings)
        library = eng.library.Library.open(home / "library", settings=settings)
        try:
            problems = import_library(eng, library, folder)
            _write_json(run_dir / "documents.json", documents_of(library))
            located, more = locate_must_cover(library, topics)
            problems += more
            for p in problems:
                _progress(f"WARNING {p}")
            refreshed = refresh_must_cover(run_dir, topics, located)
            if refreshed:
                _progress(f"must-cover facts updated in {refreshed} recorded briefing(s)")
            if args.check_topics:
                _progress(f"{len(problems)} problem(s) with the topic set; nothing drafted")
                return 1 if problems else 0
            t0 = time.monotonic()
            model = RecordingModel(eng.choice.open_chat_model(args.model, settings))
            session["load_seconds"] = round(time.monotonic() - t0, 2)
            model_meta = {"choice": args.model, "name": model.name, "n_ctx": model.n_ctx,
                          "threads": args.threads or "cores"}  # fmt: skip
            meta.update({
                "run": run_name, "model": model_meta,
                "split": args.split, "topics_file": _rel(args.topics_file),
                "topics_sha256": _sha256(args.topics_file),
                "corpus_sha256": _folder_digest(folder),
                "library": {"documents": len(library.documents())},
                "problems": problems,
            })  # fmt: skip
            meta.setdefault("sessions", []).append(session)
            _write_json(meta_path, meta)
            for k, (topic, index, phrasing) in enumerate(todo, start=1):
                _progress(f"[{k}/{len(todo)}] {topic['id']} #{index}: {phrasing}")
                record = draft_pair(
                    eng, library, model, topic, index, phrasing, located, _STOP,
                    baseline=not args.no_baseline,
                )  # fmt: skip
                if _STOP.cancelled:
                    _progress("stopped: this briefing is not recorded; run again to resume")
                    return 143
                _write_json(pair_path(run_dir, topic["id"], index), record)
                session["pairs_drafted"] += 1
                session["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
                _write_json(meta_path, meta)
                b, n = record["briefdesk"], record.get("baseline")
                naive = f"baseline {n['seconds']:.0f} s" if n else "no baseline"
                _progress(
                    f"    BriefDesk {len(b['units'])} claims {b['seconds']:.0f} s; "
                    f"{naive}; {len(record['sources'])} sources"
                )
        finally:
            library.close()
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return 0


def _rel(path: Path) -> str:
    """A path as the records keep it: inside this checkout relative to it ("." for itself);
    elsewhere only its name, since the records are shared and machines' folders differ."""
    path = path.resolve()
    if path.is_relative_to(REPO):
        return str(path.relative_to(REPO)) or "."
    return f"(outside the checkout) {path.name}"


def must_cover_for(
    located: dict[str, list[dict[str, Any]]], topic_id: str, shown: set[str]
) -> list[dict[str, Any]]:
    return [
        {**f, "in_evidence": any(set(s["passage_ids"]) & shown for s in f["sentences"])}
        for f in located[topic_id]
    ]


def refresh_must_cover(
    run_dir: Path, topics: Sequence[dict[str, Any]], located: dict[str, list[dict[str, Any]]]
) -> int:
    """Recorded briefings get the topic file's current must-cover facts (edited since they
    were drafted), located in this session's library; the drafts themselves are untouched."""
    changed = 0
    for topic in topics:
        for index in range(len(topic["phrasings"])):
            if not recorded(run_dir, topic, index):
                continue
            path = pair_path(run_dir, topic["id"], index)
            pair = json.loads(path.read_text(encoding="utf-8"))
            shown = {s["passage_id"] for s in pair["sources"]}
            facts = must_cover_for(located, topic["id"], shown)
            if facts != pair.get("must_cover"):
                pair["must_cover"] = facts
                _write_json(path, pair)
                changed += 1
    return changed


def draft_pair(
    eng: engine_api.Engine,
    library: Any,
    model: RecordingModel,
    topic: dict[str, Any],
    index: int,
    phrasing: str,
    located: dict[str, list[dict[str, Any]]],
    cancel: Any = None,
    baseline: bool = True,
) -> dict[str, Any]:
    template = eng.template(topic["template"])
    ours, hits = draft_briefdesk(eng, library, model, template, phrasing, cancel)
    naive = draft_baseline(model, template, phrasing, hits, cancel) if baseline else None
    must_cover = must_cover_for(located, topic["id"], {h.passage.id for h in hits})
    return {
        "topic": topic["id"],
        "phrasing_index": index,
        "phrasing": phrasing,
        "answerable": bool(topic["answerable"]),
        "template": topic["template"],
        "section_titles": [s.title for s in template.sections],
        "sources": [
            {
                "n": n,
                "passage_id": h.passage.id,
                "file": h.document.filename,
                "locator": h.passage.locator.label(),
                "text": h.passage.text,
            }
            for n, h in enumerate(hits, start=1)
        ],
        "must_cover": must_cover,
        "briefdesk": ours,
        **({"baseline": naive} if naive is not None else {}),
        "drafted": datetime.now(UTC).isoformat(timespec="seconds"),
    }


# -- command line ------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--split", choices=["tune", "test", "all"], default="tune")
    p.add_argument("--topics", default=None, help="comma-separated topic ids (any split)")
    p.add_argument(
        "--phrasings", default=None, help="comma-separated phrasing indices, 0-based (default: all)"
    )
    p.add_argument("--model", default="default", help="default, small, or a .gguf path")
    p.add_argument(
        "--engine-dir",
        type=Path,
        default=None,
        help="a checkout whose rag drafts (run in a subprocess with PYTHONPATH=it)",
    )
    p.add_argument(
        "--engine-label",
        default=None,
        help="name of the engine in the run name (default: its short commit)",
    )
    p.add_argument("--run", default=None, help="run name (default: <engine>-<model>-<split>)")
    p.add_argument("--out", type=Path, default=RESULTS)
    p.add_argument("--topics-file", type=Path, default=TOPICS)
    p.add_argument(
        "--library-dir",
        type=Path,
        default=None,
        help="import this folder instead of building eval/corpus",
    )
    p.add_argument("--threads", type=int, default=0, help="model threads (0: the cores)")
    p.add_argument(
        "--no-baseline",
        action="store_true",
        help="draft BriefDesk only (compare with another run's baseline: report.py --baseline-of)",
    )
    p.add_argument(
        "--check-topics",
        action="store_true",
        help="import the library and check the must-cover sentences; draft nothing",
    )
    p.add_argument(
        "--background", action="store_true", help="detach; progress goes to <run>/log.txt"
    )
    return p.parse_args(argv)  # fmt: skip


def _without(argv: Sequence[str], *options: str) -> list[str]:
    """``argv`` minus the given options (flags without a value, or with one)."""
    out, skip = [], False
    takes_value = {"--engine-dir", "--engine-label"}
    for arg in argv:
        if skip:
            skip = False
            continue
        name = arg.split("=", 1)[0]
        if name in options:
            skip = name in takes_value and "=" not in arg
            continue
        out.append(arg)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _on_stop)
    signal.signal(signal.SIGINT, _on_stop)
    if args.background:
        return _detach(args, argv)
    if args.engine_dir:
        engine_dir = args.engine_dir.resolve()
        if not (engine_dir / "rag").is_dir():
            raise SystemExit(f"{engine_dir} has no rag package")
        label = args.engine_label or _short_commit(engine_dir)
        cmd = [
            sys.executable,
            str(Path(__file__).resolve()),
            *_without(argv, "--engine-dir", "--engine-label"),
            "--engine-label",
            label,
        ]
        env = {**os.environ, "PYTHONPATH": str(engine_dir)}  # fmt: skip
        child = subprocess.Popen(cmd, env=env)
        for sig in (signal.SIGTERM, signal.SIGINT):  # the child stops cleanly, not this process
            signal.signal(sig, lambda *_: child.send_signal(signal.SIGTERM))
        return child.wait()
    return run(args)


def _short_commit(folder: Path) -> str:
    info = engine_api.git_commit(folder)
    if not info["commit"]:
        return folder.name
    return info["commit"][:7] + ("-dirty" if info["dirty"] else "")


def _detach(args: argparse.Namespace, argv: Sequence[str]) -> int:
    eng_label = args.engine_label or (
        _short_commit(args.engine_dir.resolve()) if args.engine_dir else None
    )
    if args.run is None:
        if eng_label is None:
            import rag

            eng_label = _short_commit(Path(rag.__file__).resolve().parent.parent)
        args.run = f"{eng_label}-{args.model}-{args.split}"
    log = args.out / args.run / "log.txt"
    log.parent.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, str(Path(__file__).resolve()), *_without(argv, "--background")]
    if not any(a == "--run" or a.startswith("--run=") for a in argv):
        cmd += ["--run", args.run]
    with log.open("a") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=out, start_new_session=True)
    print(f"running in the background (pid {proc.pid}); progress: {log}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
