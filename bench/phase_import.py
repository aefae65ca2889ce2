"""Import: pages/s and passages/s of BriefDesk's import of a generated corpus, beside stock
chromadb embedding and adding the very same passages (``python -m bench.phase_import``)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from bench.common import (
    Stopwatch,
    figure,
    peak_rss_mb,
    phase_args,
    reset_peak_rss,
    write_result,
)
from bench.corpus import build_corpus
from rag.indexing.library import Library
from rag.models import provision
from rag.reading.ingest import FileFailed, FileImported


def _import(lib: Library, paths: list[Path]) -> tuple[float, list[str], list[str]]:
    """Seconds, imported document ids, failures."""
    ids: list[str] = []
    failed: list[str] = []
    with Stopwatch() as sw:
        for event in lib.import_paths(paths):
            if isinstance(event, FileImported):
                ids.append(event.document.id)
            elif isinstance(event, FileFailed):
                failed.append(f"{event.path.name}: {event.reason}")
    return sw.seconds, ids, failed


def _stock_add(collection: Any, docs: list[tuple[str, list[str], list[str]]]) -> float:
    """One ``collection.add`` per document, documents as text: Chroma embeds them itself."""
    with Stopwatch() as sw:
        for doc_id, pids, texts in docs:
            collection.add(ids=pids, documents=texts, metadatas=[{"doc_id": doc_id}] * len(pids))
    return sw.seconds


def main() -> None:
    args = phase_args()
    work: Path = args.work
    t0 = time.perf_counter()
    corpus = build_corpus(work / "corpus", quick=args.quick)
    corpus_seconds = time.perf_counter() - t0
    assert corpus.big_pdf is not None
    docs = [f for f in corpus.files if f != corpus.big_pdf]

    lib = Library.open(work / "library")
    lib.embedder.embed(["warm up the session"])  # loading is not importing, in either column
    big_s, big_ids, big_failed = _import(lib, [corpus.big_pdf])
    docs_s, doc_ids, docs_failed = _import(lib, docs)
    app_rss = peak_rss_mb()
    passages = {d: lib.store.passages_of(d) for d in [*big_ids, *doc_ids]}
    big_passages = sum(len(passages[d]) for d in big_ids)
    all_passages = sum(len(p) for p in passages.values())
    pages = sum(lib.document(d).pages or 0 for d in big_ids)
    lib.close()

    reset_peak_rss()
    from bench.stock_chroma import stock_collection, stock_embedding_function

    ef = stock_embedding_function(provision.embedding_model_dir(), work)
    ef(["warm up the session"])
    collection = stock_collection(work / "stock-chroma", ef)

    def rows(ids: list[str]) -> list[tuple[str, list[str], list[str]]]:
        return [(d, [p.id for p in passages[d]], [p.text for p in passages[d]]) for d in ids]

    stock_big_s = _stock_add(collection, rows(big_ids))
    stock_docs_s = _stock_add(collection, rows(doc_ids))
    stock_rss = peak_rss_mb()

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
            "memory: peak RSS during import", app_rss, "MB",
            baseline=stock_rss, baseline_name="stock Chroma add", target="value<3072",
            higher_is_better=False,
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
            "app": {"big_pdf_s": big_s, "docs_s": docs_s, "peak_rss_mb": app_rss},
            "stock": {"big_pdf_s": stock_big_s, "docs_s": stock_docs_s, "peak_rss_mb": stock_rss},
            "failed": big_failed + docs_failed,
        },
    )


if __name__ == "__main__":
    main()
