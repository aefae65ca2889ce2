"""The library through its real parts: real readers, the real embedding model, real Chroma."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from filemakers import make_docx, make_html, make_pdf

from rag.core.settings import Settings
from rag.core.types import CancelToken
from rag.indexing.library import Library
from rag.reading.ingest import FileDuplicate, FileFailed, FileImported, ImportFinished


def run_import(
    lib: Library, paths: list[Path], cancel: CancelToken | None = None
) -> ImportFinished:
    events = list(lib.import_paths(paths, cancel))
    assert isinstance(events[-1], ImportFinished)
    return events[-1]


@pytest.fixture
def lib(tmp_path: Path):
    library = Library.open(tmp_path / "lib")
    yield library
    library.close()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory, seeds_dir: Path):
    """One library with the five seed articles, shared by the read-only tests below."""
    folder = tmp_path_factory.mktemp("seeded")
    with Library.open(folder) as library:
        result = run_import(library, [seeds_dir])
    assert len(result.imported) == 5, result.failed
    library = Library.open(folder)
    yield library
    library.close()


def test_seed_articles_import_and_search(seeded: Library) -> None:
    hits = seeded.search("China blacklist of 43 American companies", k=5)
    assert hits[0].document.filename.startswith("000_")
    assert "43" in hits[0].passage.text
    kairo = seeded.search("Kairo Labs Tenshu model", k=5)
    assert any(h.document.filename.startswith("004_") for h in kairo[:2])


def test_search_caps_each_document_when_asked(seeded: Library) -> None:
    hits = seeded.search("Halvard export ban on frontier models", k=6, per_document=2)
    per_doc: dict[str, int] = {}
    for h in hits:
        per_doc[h.document.id] = per_doc.get(h.document.id, 0) + 1
    assert max(per_doc.values()) <= 2
    assert len(per_doc) >= 3


def test_search_filters_by_document(seeded: Library) -> None:
    target = next(d for d in seeded.documents() if d.filename.startswith("003_"))
    hits = seeded.search("export ban", k=5, doc_ids=[target.id])
    assert hits and all(h.document.id == target.id for h in hits)


def test_pdf_docx_html_keep_their_locators(lib: Library, tmp_path: Path) -> None:
    pdf = make_pdf(
        tmp_path / "rule.pdf",
        [
            "Page one covers the background of the rule.",
            "Page two lists definitions of advanced computing items.",
            "Page three: the licence requirement for ECCN 4E091 applies to model weights "
            "trained with more than 10^26 operations.",
        ],
        title="Interim Final Rule Summary",
        author="Policy Desk",
    )
    docx_path = make_docx(
        tmp_path / "memo.docx",
        [
            ("Heading 1", "Background"),
            ("Normal", "Tokyo reviewed its own chip controls in April."),
            ("Heading 1", "Retaliation"),
            ("Normal", "Beijing placed gallium exports under a licensing regime."),
        ],
        title="Allied Responses Memo",
    )
    html = make_html(
        tmp_path / "news.html",
        "Seoul tightens chip rules",
        "Example Wire",
        "2026-03-14",
        ["Seoul announced new controls on HBM memory exports to three countries."],
    )
    result = run_import(lib, [pdf, docx_path, html])
    assert len(result.imported) == 3, result.failed

    hit = lib.search("licence requirement ECCN 4E091 model weights", k=3)[0]
    assert hit.document.title == "Interim Final Rule Summary"
    assert hit.passage.locator.page == 3
    assert hit.citation_label().endswith("p. 3")

    hit = lib.search("gallium exports licensing regime", k=3)[0]
    assert hit.document.title == "Allied Responses Memo"
    assert hit.passage.locator.heading == "Retaliation"

    hit = lib.search("HBM memory exports", k=3)[0]
    assert hit.document.title == "Seoul tightens chip rules"
    assert hit.document.publisher == "Example Wire"
    assert hit.document.published.startswith("2026-03-14")
    assert "All rights reserved" not in " ".join(p.text for p in lib.passages(hit.document.id))


def test_importing_the_same_file_twice_adds_nothing(
    lib: Library, seeds_dir: Path, tmp_path: Path
) -> None:
    src = next(seeds_dir.iterdir())
    first = run_import(lib, [src])
    assert len(first.imported) == 1
    count = lib.store.passage_count()
    copy = tmp_path / "renamed copy.txt"
    shutil.copy(src, copy)
    events = list(lib.import_paths([src, copy]))
    dupes = [e for e in events if isinstance(e, FileDuplicate)]
    assert len(dupes) == 2 and dupes[0].document.id == first.imported[0].id
    assert len(lib.documents()) == 1
    assert lib.store.passage_count() == count == lib.index.count()


def test_bad_inputs_fail_alone_and_change_nothing(tmp_path: Path) -> None:
    good = make_pdf(tmp_path / "good.pdf", ["A perfectly ordinary page about export licences."])
    bad = tmp_path / "bad"
    bad.mkdir()
    whole = make_pdf(tmp_path / "whole.pdf", ["Text " * 400, "More text " * 400])
    (bad / "truncated.pdf").write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    (bad / "empty.txt").write_bytes(b"")
    (bad / "binary.pdf").write_bytes(os.urandom(4096))
    (bad / "notzip.docx").write_bytes(b"This is plain text pretending to be a Word file.")
    (bad / "huge.txt").write_bytes(b"export controls " * (2 * 1024 * 1024 // 16 + 1))
    (bad / "notes.xyz").write_text("unsupported")
    latin = bad / "latin1.txt"
    latin.write_bytes("Title: Entité list\n\nLa liste d'entités a été élargie.".encode("cp1252"))
    loop = bad / "loop"
    loop.mkdir()
    (loop / "back").symlink_to(bad, target_is_directory=True)

    settings = Settings()
    settings.library.max_file_mb = 1
    with Library.open(tmp_path / "lib", settings=settings) as lib:
        names = ["truncated.pdf", "empty.txt", "binary.pdf", "notzip.docx", "huge.txt"]
        batch = [good, *(bad / n for n in names), bad / "notes.xyz", loop, latin]
        events = list(lib.import_paths(batch))
        failed = {e.path.name: e.reason for e in events if isinstance(e, FileFailed)}
        imported = {e.path.name for e in events if isinstance(e, FileImported)}
        assert imported == {"good.pdf", "latin1.txt"}
        assert set(failed) == {
            "truncated.pdf", "empty.txt", "binary.pdf", "notzip.docx", "huge.txt", "notes.xyz"
        }  # fmt: skip
        for reason in failed.values():
            assert reason and "\n" not in reason and "Traceback" not in reason
        assert "limit" in failed["huge.txt"]
        assert "unsupported" in failed["notes.xyz"]
        assert "empty" in failed["empty.txt"]
        assert len(lib.documents()) == 2
        latin_doc = next(d for d in lib.documents() if d.filename == "latin1.txt")
        assert latin_doc.title == "Entité list"
        assert "élargie" in lib.passages(latin_doc.id)[0].text
        assert lib.store.passage_count() == lib.index.count()
        stored = sorted(p.name for p in (lib.folder / "files").glob("*/*"))
        assert len(stored) == 2


def test_remove_leaves_no_trace(lib: Library, seeds_dir: Path) -> None:
    run_import(lib, [seeds_dir])
    doc = next(d for d in lib.documents() if d.filename.startswith("000_"))
    lib.remove_document(doc.id[:8])
    assert all(d.id != doc.id for d in lib.documents())
    assert not Path(doc.stored_path).exists()
    assert lib.index.count() == lib.store.passage_count()
    db = sqlite3.connect(lib.folder / "library.sqlite3")
    assert db.execute("SELECT count(*) FROM passages WHERE doc_id=?", (doc.id,)).fetchone()[0] == 0
    assert (
        db.execute("SELECT count(*) FROM passages_fts WHERE doc_id=?", (doc.id,)).fetchone()[0] == 0
    )
    assert all(h.document.id != doc.id for h in lib.search("43 American companies blacklist", k=8))


def test_metadata_edits_persist_and_feed_search(lib: Library, seeds_dir: Path) -> None:
    run_import(lib, [seeds_dir / sorted(os.listdir(seeds_dir))[0]])
    doc = lib.documents()[0]
    lib.update_document(
        doc.id, title="Beijing retaliates", publisher="Wire", published="2026-05-02"
    )
    edited = lib.document(doc.id)
    assert (edited.title, edited.publisher, edited.published) == (
        "Beijing retaliates",
        "Wire",
        "2026-05-02",
    )
    assert lib.search("Beijing retaliates", k=1)[0].document.id == doc.id
    assert lib.search("countermeasure", k=3, date_from="2026-06-01") == []
    assert lib.search("countermeasure", k=3, date_from="2026-05-01", date_to="2026-05-31")


def test_cancel_between_files_keeps_what_finished(lib: Library, seeds_dir: Path) -> None:
    cancel = CancelToken()
    events = []
    for ev in lib.import_paths([seeds_dir], cancel):
        events.append(ev)
        if isinstance(ev, FileImported):
            cancel.cancel()
    assert events[-1].cancelled
    assert len(lib.documents()) == 1
    assert lib.store.passage_count() == lib.index.count()


def _damage_by_garbage(folder: Path) -> None:
    """What a kill during a write can leave: files Chroma cannot open."""
    for f in next((folder / "index").iterdir()).rglob("*"):
        if f.is_file():
            f.write_bytes(b"\0garbage" * 64)


def _damage_by_losing_vectors(folder: Path) -> None:
    """An index that opens fine but no longer holds some passages."""
    import chromadb

    from rag.indexing.vector_index import COLLECTION, chroma_settings

    client = chromadb.PersistentClient(
        path=str(next((folder / "index").iterdir())), settings=chroma_settings()
    )
    collection = client.get_collection(COLLECTION)
    ids = collection.get(limit=1000)["ids"]
    collection.delete(ids=ids[::2])
    client.clear_system_cache()


@pytest.mark.parametrize("damage", [_damage_by_garbage, _damage_by_losing_vectors])
def test_damaged_vector_index_is_rebuilt_and_said(tmp_path: Path, seeds_dir: Path, damage) -> None:
    folder = tmp_path / "lib"
    with Library.open(folder) as lib:
        run_import(lib, [seeds_dir])
        expected = lib.store.passage_count()
    damage(folder)
    with Library.open(folder) as lib:
        assert any("rebuilt" in n for n in lib.notices), lib.notices
        assert lib.index.count() == expected
        assert lib.search("Kairo Tenshu", k=3)[0].document.filename.startswith("004_")
        for pid, vector in lib.store.sample_passages(expected):
            assert pid in [i for i, _ in lib.index.query(vector, 3)]
    with Library.open(folder) as lib:
        assert lib.notices == []
    assert len(list((folder / "index").iterdir())) == 1, "old index generation left behind"


def test_a_second_process_cannot_open_the_same_library(lib: Library) -> None:
    from rag.core.errors import LibraryError

    with pytest.raises(LibraryError, match="open in another"):
        Library.open(lib.folder)


def test_a_library_left_open_by_a_killed_process_gets_its_index_rebuilt(
    tmp_path: Path, seeds_dir: Path
) -> None:
    """A killed process can leave vectors out of Chroma's HNSW files that its count already
    has; the next open cannot see that from a sample, so it rebuilds from the store and says so."""
    folder = tmp_path / "lib"
    with Library.open(folder) as lib:
        run_import(lib, [seeds_dir])
        expected = lib.store.passage_count()
    killed = subprocess.run(
        [sys.executable, "-c",
         "import os, signal, sys; from pathlib import Path; "
         "from rag.indexing.library import Library; "
         "Library.open(Path(sys.argv[1])); os.kill(os.getpid(), signal.SIGKILL)", str(folder)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert killed.returncode == -9, killed.stderr
    with Library.open(folder) as lib:
        assert any("stopped while it had this library open" in n for n in lib.notices)
        assert lib.index.count() == expected
        for pid, vector in lib.store.sample_passages(expected):
            assert pid in [i for i, _ in lib.index.query(vector, 3)]
    with Library.open(folder) as lib:
        assert lib.notices == []


def test_documents_matching_counts_documents_not_passages(seeded: Library) -> None:
    import re

    naming = [
        d for d in seeded.documents()
        if any(re.search(r"\bchina\b", p.text, re.I) for p in seeded.passages(d.id))
    ]  # fmt: skip
    passages = sum(
        bool(re.search(r"\bchina\b", p.text, re.I))
        for d in seeded.documents()
        for p in seeded.passages(d.id)
    )
    assert 0 < len(naming) < passages  # so counting passages would give another answer
    assert seeded.store.documents_matching('"china"') == len(naming)
    assert seeded.store.documents_matching('"zyxwvut"') == 0
