"""Import: pages/s and passages/s of BriefDesk's import of a generated corpus, beside stock
chromadb embedding and adding the very same passages (``python -m bench.phase_import``).

Each side runs in a child process of its own (``bench.import_sides``), so that each peak RSS
is that side's alone. (Measured in one process, the stock side's peak included BriefDesk's
import, which ran before it: its ONNX session, Chroma client and caches were still resident.)
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from bench.common import figure, phase_args, run_in_child, write_result
from bench.corpus import build_corpus


def main() -> None:
    args = phase_args()
    work: Path = args.work
    t0 = time.perf_counter()
    corpus = build_corpus(work / "corpus", quick=args.quick)
    corpus_seconds = time.perf_counter() - t0
    assert corpus.big_pdf is not None
    docs = [f for f in corpus.files if f != corpus.big_pdf]

    files = work / "files.json"
    files.write_text(
        json.dumps({"big_pdf": str(corpus.big_pdf), "docs": [str(f) for f in docs]}),
        encoding="utf-8",
    )
    app_out, stock_out = work / "app.json", work / "stock.json"
    sides = "bench.import_sides"
    app = run_in_child(sides, app_out, "app", "--work", str(work), "--files", str(files))
    stock = run_in_child(sides, stock_out, "stock", "--work", str(work), "--app", str(app_out))

    big_s, docs_s = app["big_pdf_s"], app["docs_s"]
    stock_big_s, stock_docs_s = stock["big_pdf_s"], stock["docs_s"]
    passages: dict[str, list[list[str]]] = app["passages"]
    big_passages = sum(len(passages[d]) for d in app["big_ids"])
    all_passages = sum(len(p) for p in passages.values())
    pages = app["pages"]
    app_total = big_s + docs_s
    stock_total = stock_big_s + stock_docs_s
    figures = [
        figure(
            "import: passages/s, whole corpus", all_passages / app_total, "passages/s",
            baseline=all_passages / stock_total, baseline_name="stock Chroma add",
            target="ratio>=2",
            note=f"{len(corpus.files)} files ({corpus.by_kind()}), {all_passages} passages",
        ),
        figure(
            f"import: pages/s, {pages}-page PDF", pages / big_s, "pages/s",
            baseline=pages / stock_big_s, baseline_name="stock Chroma add", target="ratio>=2",
            note=f"{big_passages} passages",
        ),
        figure(
            "memory: peak RSS during import", app["peak_rss_mb"], "MB",
            baseline=stock["peak_rss_mb"], baseline_name="stock Chroma add",
            target="value<3072", higher_is_better=False,
            note="each side in its own process",
        ),
    ]  # fmt: skip
    write_result(
        args.out,
        "import",
        figures,
        {
            "corpus_seconds": corpus_seconds,
            "files": len(corpus.files),
            "by_kind": corpus.by_kind(),
            "pdf_pages": corpus.pdf_pages,
            "passages": all_passages,
            "app": {"big_pdf_s": big_s, "docs_s": docs_s, "peak_rss_mb": app["peak_rss_mb"]},
            "stock": {k: stock[k] for k in ("big_pdf_s", "docs_s", "peak_rss_mb")},
            "failed": app["failed"],
        },
    )


if __name__ == "__main__":
    main()
