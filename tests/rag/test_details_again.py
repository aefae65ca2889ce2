"""Reading a library's documents again for their details: a library imported before the
readers learned something (a publisher under the headline, a Word file's "Name, Firm" author)
gets today's reading as proposals, and nothing changes until they are applied."""

from __future__ import annotations

from pathlib import Path

import pytest
from filemakers import make_docx

from rag.core.types import CancelToken, Document, DocumentMeta
from rag.indexing.details import DetailChange, DetailsProgress, DetailsRead, detail_changes
from rag.indexing.library import Library


def _article(folder: Path) -> Path:
    """An article saved as text, its publisher and author only on the line under its headline."""
    path = folder / "okafor.txt"
    path.write_text(
        "Uneven Allies\n\n"
        "Tradewinds Review · Commentary · By Dana Okafor · 12 March 2026\n\n"
        "Washington's partners have not matched its chip controls. Japan licenses some "
        "equipment, the Netherlands more, and Malaysia only what passes through its ports.\n",
        encoding="utf-8",
    )
    return path


def _alert(folder: Path) -> Path:
    """A law firm's alert as a Word file whose author field holds "Name, Firm"."""
    return make_docx(
        folder / "alert.docx",
        [
            ("Heading 1", "BIS controls on frontier model weights"),
            ("Normal", "The rule took effect on 16 March 2026 and requires a licence."),
        ],
        title="BIS controls on frontier model weights",
        author="Eleanor Vance, Harrow & Vance LLP",
    )


def _run(events: list[DetailsProgress | DetailsRead]) -> DetailsRead:
    assert all(isinstance(e, DetailsProgress) for e in events[:-1])
    assert isinstance(events[-1], DetailsRead)
    return events[-1]


@pytest.fixture
def lib(tmp_path: Path) -> Library:
    files = tmp_path / "files"
    files.mkdir()
    with Library.open(tmp_path / "lib") as library:
        list(library.import_paths([_article(files), _alert(files)]))
        yield library


def _by_name(lib: Library, filename: str) -> Document:
    return next(d for d in lib.documents() if d.filename == filename)


def test_details_read_as_before_propose_nothing(lib: Library) -> None:
    found = _run(list(lib.read_details_again()))
    assert found.read == 2
    assert found.changes == []
    assert not found.failed and not found.unavailable and not found.cancelled


def test_an_older_reading_is_brought_up_and_applied_like_an_edit(lib: Library) -> None:
    article, alert = _by_name(lib, "okafor.txt"), _by_name(lib, "alert.docx")
    assert (article.publisher, article.author) == ("Tradewinds Review", "Dana Okafor")
    assert (alert.publisher, alert.author) == ("Harrow & Vance LLP", "Eleanor Vance")
    # What earlier readers gave these files: no publisher, the Word field unsplit.
    lib.update_document(article.id, publisher="", author="")
    lib.update_document(alert.id, publisher="", author="Eleanor Vance, Harrow & Vance LLP")

    events = list(lib.read_details_again())
    progress = [e for e in events if isinstance(e, DetailsProgress)]
    assert [(p.index, p.total) for p in progress] == [(1, 2), (2, 2)]
    found = _run(events)
    assert set(found.changes) == {
        DetailChange(article.id, article.title, "publisher", "", "Tradewinds Review"),
        DetailChange(article.id, article.title, "author", "", "Dana Okafor"),
        DetailChange(alert.id, alert.title, "publisher", "", "Harrow & Vance LLP"),
        DetailChange(
            alert.id, alert.title, "author", "Eleanor Vance, Harrow & Vance LLP", "Eleanor Vance"
        ),
    }
    # Proposals only: the library is as it was.
    assert _by_name(lib, "okafor.txt").publisher == ""

    for doc_id, changes in found.by_document().items():
        lib.update_document(doc_id, **changes)
    assert _by_name(lib, "okafor.txt").publisher == "Tradewinds Review"
    assert _by_name(lib, "alert.docx").author == "Eleanor Vance"
    assert _run(list(lib.read_details_again())).changes == []


def test_a_date_is_offered_only_where_there_is_none_and_kept_as_read(lib: Library) -> None:
    article = _by_name(lib, "okafor.txt")
    assert (article.published, article.date_source) == ("2026-03-12", "text")
    # Another date, read then or typed by the analyst, is kept.
    lib.update_document(article.id, published="2026-03-13")
    assert _run(list(lib.read_details_again([article.id]))).changes == []

    lib.update_document(article.id, published="")
    found = _run(list(lib.read_details_again([article.id])))
    assert found.changes == [
        DetailChange(article.id, article.title, "published", "", "2026-03-12", "text")
    ]
    assert found.date_sources() == {article.id: "text"}
    for doc_id, changes in found.by_document().items():
        lib.update_document(doc_id, date_source=found.date_sources().get(doc_id), **changes)
    article = _by_name(lib, "okafor.txt")
    assert (article.published, article.date_source) == ("2026-03-12", "text")


def test_only_the_documents_asked_for_are_read(lib: Library) -> None:
    article = _by_name(lib, "okafor.txt")
    lib.update_document(article.id, publisher="")
    alert = _by_name(lib, "alert.docx")
    lib.update_document(alert.id, publisher="")
    found = _run(list(lib.read_details_again([alert.id])))
    assert found.read == 1
    assert {(c.doc_id, c.field) for c in found.changes} == {(alert.id, "publisher")}


def test_a_detail_read_empty_today_is_never_proposed() -> None:
    """The analyst typed a publisher the file does not give: reading again keeps it."""
    doc = Document(
        id="d1", filename="a.txt", kind="txt", title="A note", publisher="Typed by hand",
        published="", author="", pages=None, chars=10, passages=1, imported_at="",
        stored_path="",
    )  # fmt: skip
    assert detail_changes(doc, DocumentMeta(title="A note")) == []
    assert detail_changes(doc, DocumentMeta(title="A  note\n")) == []  # spacing is no change
    assert detail_changes(doc, DocumentMeta(title="A note", publisher="Pemberton")) == [
        DetailChange("d1", "A note", "publisher", "Typed by hand", "Pemberton")
    ]


def test_a_broken_or_missing_copy_is_reported_and_the_rest_go_on(lib: Library) -> None:
    article, alert = _by_name(lib, "okafor.txt"), _by_name(lib, "alert.docx")
    lib.update_document(article.id, publisher="")
    Path(alert.stored_path).write_bytes(b"PK\x03\x04 not a Word file any more")
    found = _run(list(lib.read_details_again()))
    assert [(d.id, bool(reason)) for d, reason in found.failed] == [(alert.id, True)]
    assert [(c.doc_id, c.field) for c in found.changes] == [(article.id, "publisher")]

    Path(alert.stored_path).unlink()
    found = _run(list(lib.read_details_again()))
    assert [d.id for d in found.unavailable] == [alert.id]
    assert found.read == 1


def test_a_cancel_ends_with_what_was_found(lib: Library) -> None:
    cancel = CancelToken()
    events = lib.read_details_again(cancel=cancel)
    first = next(events)
    assert isinstance(first, DetailsProgress) and first.index == 1
    cancel.cancel()
    rest = list(events)
    found = _run(rest)
    assert found.cancelled
    assert found.read <= 1


def test_the_command_line_lists_then_applies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from rag.cli.main import main

    files = tmp_path / "files"
    files.mkdir()
    folder = tmp_path / "lib"
    with Library.open(folder) as library:
        list(library.import_paths([_article(files)]))
        doc = library.documents()[0]
        library.update_document(doc.id, publisher="")
    capsys.readouterr()

    assert main(["--library", str(folder), "reread"]) == 0
    out = capsys.readouterr().out
    assert "publisher '' -> 'Tradewinds Review'" in out and "Apply them with --apply" in out
    with Library.open(folder) as library:
        assert library.documents()[0].publisher == ""

    assert main(["--library", str(folder), "reread", doc.id[:8], "--apply"]) == 0
    assert "1 detail updated" in capsys.readouterr().out
    assert main(["--library", str(folder), "reread"]) == 0
    assert "every detail reads as before" in capsys.readouterr().out
    with Library.open(folder) as library:
        assert library.documents()[0].publisher == "Tradewinds Review"
