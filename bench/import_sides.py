"""One side of the import phase, run in a process of its own so that its peak memory is its
own (``python -m bench.import_sides app|stock``, started by ``bench.phase_import``).

``app``: BriefDesk's import of the corpus, from files to searchable; it writes the passages
as BriefDesk cut them. ``stock``: stock chromadb embedding and adding those very passages.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from bench.common import Stopwatch, write_child_result


def _app(work: Path, big_pdf: Path, docs: list[Path]) -> dict[str, Any]:
    from rag.indexing.library import Library
    from rag.reading.ingest import FileFailed, FileImported

    def run(paths: list[Path]) -> tuple[float, list[str], list[str]]:
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

    lib = Library.open(work / "library")
    lib.embedder.embed(["warm up the session"])  # loading is not importing, in either column
    big_s, big_ids, big_failed = run([big_pdf])
    docs_s, doc_ids, docs_failed = run(docs)
    passages = {}
    for doc_id in [*big_ids, *doc_ids]:
        passages[doc_id] = [[p.id, p.text] for p in lib.store.passages_of(doc_id)]
    pages = sum(lib.document(d).pages or 0 for d in big_ids)
    lib.close()
    return {
        "big_pdf_s": big_s, "docs_s": docs_s, "big_ids": big_ids, "doc_ids": doc_ids,
        "pages": pages, "passages": passages, "failed": big_failed + docs_failed,
    }  # fmt: skip


def _stock(work: Path, app: dict[str, Any]) -> dict[str, Any]:
    from bench.stock_chroma import stock_collection, stock_embedding_function
    from rag.models import provision

    ef = stock_embedding_function(provision.embedding_model_dir(), work)
    ef(["warm up the session"])
    collection = stock_collection(work / "stock-chroma", ef)

    def add(doc_ids: list[str]) -> float:
        """One ``collection.add`` per document, documents as text: Chroma embeds them itself."""
        rows = []
        for doc_id in doc_ids:
            pairs = app["passages"][doc_id]
            rows.append((doc_id, [p[0] for p in pairs], [p[1] for p in pairs]))
        with Stopwatch() as sw:
            for doc_id, pids, texts in rows:
                collection.add(
                    ids=pids, documents=texts, metadatas=[{"doc_id": doc_id}] * len(pids)
                )
        return sw.seconds

    return {"big_pdf_s": add(app["big_ids"]), "docs_s": add(app["doc_ids"])}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser()
    p.add_argument("side", choices=("app", "stock"))
    p.add_argument("--out", type=Path, required=True, help="this side's result JSON")
    p.add_argument("--work", type=Path, required=True, help="the phase's scratch folder")
    p.add_argument("--files", type=Path, help="app: JSON {big_pdf, docs} of corpus paths")
    p.add_argument("--app", type=Path, help="stock: the app side's result (its passages)")
    args = p.parse_args(argv)
    if args.side == "app":
        files = json.loads(args.files.read_text(encoding="utf-8"))
        result = _app(args.work, Path(files["big_pdf"]), [Path(f) for f in files["docs"]])
    else:
        result = _stock(args.work, json.loads(args.app.read_text(encoding="utf-8")))
    write_child_result(args.out, result)


if __name__ == "__main__":
    main()
