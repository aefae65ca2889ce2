"""A shared library on a real Chroma server (``chroma run`` on 127.0.0.1): import, search, edits
and removals seen by a second client, two processes importing at once, and a server that goes
away."""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from servers import ServerProcess, chroma_server, free_port

from rag.core.errors import LibraryError
from rag.core.settings import Settings
from rag.indexing.library import Library
from rag.opening import open_library
from rag.reading.ingest import FileDuplicate, FileImported, ImportFinished
from rag.shared.remote_store import RemoteStore

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def chroma(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with chroma_server(tmp_path_factory.mktemp("chroma")) as server:
        yield server


def shared(url: str, name: str) -> Settings:
    settings = Settings()
    settings.library.server = url
    settings.library.name = name
    return settings


def new_name() -> str:
    return f"t{uuid.uuid4().hex[:12]}"


def imported(events) -> ImportFinished:
    return [e for e in events if isinstance(e, ImportFinished)][-1]


def server_counts(lib: Library) -> tuple[int, int]:
    return lib.backend.remote.counts()  # type: ignore[attr-defined]


def test_a_second_client_sees_imports_edits_and_removals(
    chroma: ServerProcess, seeds_dir: Path, tmp_path: Path
) -> None:
    settings = shared(chroma.url, new_name())
    with open_library(tmp_path / "a", settings=settings) as a:
        done = imported(list(a.import_paths([seeds_dir])))
        assert len(done.imported) == 5 and not done.failed
        assert a.location.startswith(chroma.url)
        passages = sum(d.passages for d in a.documents())
        assert server_counts(a) == (5, passages)

        with open_library(tmp_path / "b", settings=settings) as b:
            assert {d.id for d in b.documents()} == {d.id for d in done.imported}
            # Everything search needs is here: keyword and dense hits, passages and titles.
            hits = b.search("entity list additions", k=5)
            assert hits and all(h.document.id in {d.id for d in done.imported} for h in hits)
            assert any(h.dense_rank for h in hits) and any(h.keyword_rank for h in hits)
            assert {h.passage.id for h in hits} == {
                h.passage.id for h in a.search("entity list additions", k=5)
            }
            # The original files stay with the client that imported them.
            assert all(d.stored_path == "" for d in b.documents())
            assert all(Path(d.stored_path).is_file() for d in a.documents())

            first, second = done.imported[0], done.imported[1]
            b.update_document(first.id, title="Renamed by B", published="2026-03-30")
            b.remove_document(second.id)
            assert server_counts(b) == (4, passages - second.passages)

        a.refresh(force=True)
        docs = {d.id: d for d in a.documents()}
        assert second.id not in docs and not Path(second.stored_path).exists()
        assert docs[first.id].title == "Renamed by B"
        assert docs[first.id].published == "2026-03-30"
        assert a.store.keyword_search("Renamed", 5)  # the local keyword index follows too
        assert a.search("Renamed by B", k=3)[0].document.id == first.id

        # The same file again, from either client, is the same document.
        again = imported(list(a.import_paths([seeds_dir])))
        assert len(again.imported) == 1 and len(again.duplicates) == 4
        assert server_counts(a) == (5, passages)


def test_two_processes_importing_the_same_files_at_once(
    chroma: ServerProcess, seeds_dir: Path, tmp_path: Path
) -> None:
    """Two analysts on two computers (two processes, two data folders) import the same seed
    articles into one server library at the same moment: every document once, none lost."""
    name = new_name()
    procs = []
    for who in ("one", "two"):
        env = dict(os.environ, BRIEFDESK_HOME=str(tmp_path / who), PYTHONPATH=str(ROOT))
        command = [
            sys.executable, "-m", "rag.cli.main", "--chroma-server", chroma.url,
            "--library-name", name, "import", str(seeds_dir),
        ]  # fmt: skip
        procs.append(
            subprocess.Popen(
                command,
                env=env,
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    outputs = [p.communicate(timeout=300) for p in procs]
    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, out + err
        # Each file is imported or found already there, by each client; none failed.
        summary = re.search(r"(\d+) imported, (\d+) duplicate, 0 failed", out)
        assert summary and int(summary[1]) + int(summary[2]) == 5, out + err

    with open_library(tmp_path / "check", settings=shared(chroma.url, name)) as lib:
        docs = lib.documents()
        assert len(docs) == 5 and len({d.id for d in docs}) == 5
        passages = sum(d.passages for d in docs)
        assert server_counts(lib) == (5, passages)  # no passage twice, no stray record
        for doc in docs:
            assert [p.ordinal for p in lib.passages(doc.id)] == list(range(doc.passages))
        # Every passage can be found by its own vector on the server.
        ids, _, vectors = lib.store.embeddings_of([d.id for d in docs])
        assert len(ids) == passages
        for pid, vector in zip(ids, vectors, strict=True):
            assert pid in [i for i, _ in lib.index.query(vector, 3)]


def test_a_document_appears_only_once_all_its_passages_are_in(
    chroma: ServerProcess, seeds_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An import that dies between its passages and its record (simulated: the record write
    fails) leaves nothing visible; importing the file again completes it, once."""
    settings = shared(chroma.url, new_name())
    seed = sorted(seeds_dir.iterdir())[0]
    real_put = RemoteStore.put_document

    class Dropped:
        def upsert(self, **kwargs: object) -> None:
            raise ConnectionError("connection dropped")

    def dies_before_the_record(self, doc, passages, vectors):
        real = self._documents
        self._documents = Dropped()  # passages go to the server, the record write fails
        try:
            real_put(self, doc, passages, vectors)
        finally:
            self._documents = real

    with open_library(tmp_path / "a", settings=settings) as a:
        monkeypatch.setattr(RemoteStore, "put_document", dies_before_the_record)
        with pytest.raises(LibraryError, match=chroma.url.replace(".", r"\.")):
            list(a.import_paths([seed]))
        monkeypatch.undo()
        records, passages = server_counts(a)
        assert records == 0 and passages > 0  # the passages went in, the record did not
        assert a.documents() == [] and a.search("export controls", k=5) == []
        assert not list((tmp_path / "a" / "files").glob("*/*"))  # no orphan copy kept

        with open_library(tmp_path / "b", settings=settings) as b:
            assert b.documents() == []
            done = imported(list(b.import_paths([seed])))
            assert len(done.imported) == 1
        assert server_counts(a) == (1, passages)  # the same passages, not a second set
        a.refresh(force=True)
        assert [d.id for d in a.documents()] == [done.imported[0].id]
        dup = list(a.import_paths([seed]))
        assert any(isinstance(e, FileDuplicate) for e in dup)
        assert not any(isinstance(e, FileImported) for e in dup)


def test_a_server_that_goes_away_is_named_and_nothing_is_lost(
    seeds_dir: Path, tmp_path: Path
) -> None:
    seeds = sorted(seeds_dir.iterdir())
    with chroma_server(tmp_path / "server") as server:
        settings = shared(server.url, "team")
        with open_library(tmp_path / "a", settings=settings) as lib:
            assert len(imported(list(lib.import_paths(seeds[:3]))).imported) == 3
            before = [d.id for d in lib.documents()]
            server.stop()
            with pytest.raises(LibraryError) as failed:
                list(lib.import_paths(seeds[3:]))
            assert server.url in str(failed.value)
            with pytest.raises(LibraryError, match="Chroma server"):
                lib.search("export controls")
            assert [d.id for d in lib.store.documents()] == before  # the local copy is intact

        with pytest.raises(LibraryError) as refused:
            open_library(tmp_path / "a", settings=settings)
        assert f"Cannot reach the Chroma server at {server.url}" in str(refused.value)

        server.start()  # the same data folder, the same port
        with open_library(tmp_path / "a", settings=settings) as lib:
            assert [d.id for d in lib.documents()] == before
            assert server_counts(lib)[0] == 3
            assert lib.search("export controls", k=3)
            assert len(imported(list(lib.import_paths(seeds[3:]))).imported) == 2


def test_no_server_there(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(LibraryError, match=f"Cannot reach the Chroma server at {url}"):
        open_library(tmp_path / "x", settings=shared(url, "team"))
    with pytest.raises(LibraryError, match="cannot name a shared library"):
        open_library(tmp_path / "x", settings=shared(url, "no spaces allowed"))


def test_a_folder_holding_its_own_library_is_not_taken_over(
    chroma: ServerProcess, seeds_dir: Path, tmp_path: Path
) -> None:
    own = tmp_path / "own"
    with open_library(own) as lib:
        list(lib.import_paths(sorted(seeds_dir.iterdir())[:1]))
    with pytest.raises(LibraryError, match="already holds a library of its own"):
        open_library(own, settings=shared(chroma.url, new_name()))
    with open_library(own) as lib:
        assert len(lib.documents()) == 1  # untouched


def test_server_addresses_as_people_type_them() -> None:
    from rag.core.errors import BriefDeskError
    from rag.core.server_address import parse_server_url

    assert parse_server_url("http://10.0.0.5:8000/", 8000).url == "http://10.0.0.5:8000"
    assert parse_server_url("chroma.lan", 8000).url == "http://chroma.lan:8000"
    assert parse_server_url("https://chroma.lan", 443).ssl
    assert parse_server_url("[::1]:9000", 8000).host == "::1"
    for bad in ("ftp://x:1", "http://", "http://x:99999", "http://x:8000/api"):
        with pytest.raises(BriefDeskError):
            parse_server_url(bad, 8000)


def test_the_command_line_names_the_shared_library(
    chroma: ServerProcess, seeds_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from rag.cli.main import main

    name = new_name()
    server = ["--chroma-server", chroma.url, "--library-name", name]
    assert main([*server, "import", str(sorted(seeds_dir.iterdir())[0])]) == 0
    assert main([*server, "list"]) == 0
    out, err = capsys.readouterr()
    assert "1 document" in out and f"Shared library: {chroma.url}" in err
    assert main(["--local-library", "list"]) == 0  # the folder library is another one
    assert "The library is empty" in capsys.readouterr().out


def test_a_documents_record_on_the_server_keeps_every_detail() -> None:
    """What a second client reads back is what the first wrote, scan marks and dates too."""
    from rag.core.types import Document
    from rag.shared.remote_store import _document, _record_meta

    doc = Document(
        id="d" * 64, filename="fax.pdf", kind="pdf", title="Notice", publisher="MOFCOM",
        published="2026-03-12", author="", pages=2, chars=900, passages=2,
        imported_at="2026-03-13T09:00:00+00:00", stored_path="", tags=["scan"],
        url="https://example.org/notice", date_source="text", ocr_confidence=0.91,
        notes=["page 2: low recognition confidence (62%)"],
    )  # fmt: skip
    assert _document(doc.id, _record_meta(doc)) == doc
    plain = dataclasses.replace(doc, ocr_confidence=None, notes=[])
    assert _document(plain.id, _record_meta(plain)) == plain
