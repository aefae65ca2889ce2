"""Hostile and broken files, imported in one batch with good ones: each bad file gets a clear
one-line reason within the limits, every good file is imported, and nothing else changes.

Every file is generated here: decompression bombs in a PDF stream and in a DOCX part, a PDF
whose page tree loops, 200,000 nested divs, a 2,000-page PDF, XML external entities, a 300 MB
text file, a file that keeps its reader busy for minutes, a PDF that asks for the external
JBIG2 decoder, and names with spaces and non-Latin letters.
"""

from __future__ import annotations

import io
import os
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from filemakers import make_docx, make_pdf, slow_pdf
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

from rag.core.errors import ReadError
from rag.core.settings import Settings
from rag.indexing.library import Library
from rag.reading import isolation
from rag.reading.ingest import FileFailed, FileImported, FileStarted, ImportFinished

pytestmark = pytest.mark.skipif(os.name != "posix", reason="memory limits and fake tools: POSIX")

MB = 1024 * 1024
TIMEOUT_S = 10  # the library's per-file time limit in this batch
SECRET = "zq-secret-7f3a"  # in a file outside the batch that an external entity points at
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
NON_LATIN = "Отчёт о санкциях 2026 年.pdf"


# --- builders ----------------------------------------------------------------------------------


def raw_pdf(objects: list[bytes]) -> bytes:
    """A PDF from numbered object bodies (object 1 is the catalog), with a correct xref."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1))
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def one_page_pdf(contents: bytes) -> bytes:
    """A one-page PDF with a font, whose page content stream is ``contents`` (a full object)."""
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            contents,
            FONT,
        ]
    )


def stream(data: bytes, filters: bytes = b"") -> bytes:
    extra = b" /Filter " + filters if filters else b""
    return b"<< /Length %d%s >>\nstream\n%s\nendstream" % (len(data), extra, data)


def zlib_zeros(total: int) -> bytes:
    """A zlib stream of ``total`` zero bytes, built in milliseconds: after a full flush,
    deflate's output for the same 16 MB chunk is the same bytes, so it is repeated."""
    chunk = b"\0" * (16 * MB)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = deflate.compress(chunk) + deflate.flush(zlib.Z_FULL_FLUSH)
    unit = deflate.compress(chunk) + deflate.flush(zlib.Z_FULL_FLUSH)
    count = total // len(chunk)
    body = first + unit * (count - 1) + deflate.flush(zlib.Z_FINISH)
    adler = (count * len(chunk)) % 65521 << 16 | 1  # Adler-32 of n zeros: A = 1, B = n
    return b"\x78\xda" + body + struct.pack(">I", adler)


def pdf_bomb(path: Path) -> Path:
    """A page whose FlateDecode content stream inflates to 2 GiB (2 MB on disk)."""
    path.write_bytes(one_page_pdf(stream(zlib_zeros(2 << 30), b"/FlateDecode")))
    return path


def looping_pdf(path: Path) -> Path:
    """The page tree's /Kids holds the page and the /Pages node itself, its own parent."""
    path.write_bytes(
        raw_pdf(
            [
                b"<< /Type /Catalog /Pages 2 0 R >>",
                b"<< /Type /Pages /Kids [3 0 R 2 0 R] /Count 2 >>",
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
                b"/Resources << /Font << /F1 5 0 R >> >> >>",
                stream(b"BT /F1 12 Tf 72 712 Td (A page in a loop) Tj ET"),
                FONT,
            ]
        )
    )
    return path


def jbig2_pdf(path: Path) -> Path:
    """A content stream that says it is JBIG2: plain pypdf hands it to the jbig2dec program."""
    path.write_bytes(one_page_pdf(stream(b"BT /F1 12 Tf (x) Tj ET", b"/JBIG2Decode")))
    return path


def long_pdf(path: Path, pages: int = 2000) -> Path:
    """``pages`` pages: a first page with a marker, then one short page repeated."""
    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    for text in ("Annex zqlongmarker on licence exceptions.", "Annex."):
        pdf.add_page()
        pdf.multi_cell(0, 6, text)
    source = PdfReader(io.BytesIO(bytes(pdf.output())))
    writer = PdfWriter()
    writer.add_page(source.pages[0])
    for _ in range(pages - 1):
        writer.add_page(source.pages[1])
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def rewrite_docx(source: Path, target: Path, parts: dict[str, bytes], *, extra: int = 0) -> Path:
    """Copy a .docx, replacing the named parts, and adding ``extra`` empty padding parts."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(info.filename, parts.get(info.filename, old.read(info.filename)))
        for n in range(extra):
            new.writestr(f"customXml/pad{n}.xml", b"")
    return target


def docx_part_bomb(source: Path, target: Path) -> Path:
    """word/document.xml is 200 MB of whitespace in a valid body: about 1,000:1 compressed."""
    with (
        zipfile.ZipFile(source) as old,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as new,
    ):
        for info in old.infolist():
            if info.filename != "word/document.xml":
                new.writestr(info.filename, old.read(info.filename))
        with new.open("word/document.xml", "w") as part:
            part.write(f'<w:document xmlns:w="{W_NS}"><w:body>'.encode())
            blank = b" " * (16 * MB)
            for _ in range(200 // 16):
                part.write(blank)
            part.write(b"<w:p><w:r><w:t>bomb</w:t></w:r></w:p></w:body></w:document>")
    return target


def lying_docx(source: Path, target: Path) -> Path:
    """The zip directory declares word/document.xml as 3 GB (its data is small)."""
    data = bytearray(source.read_bytes())
    name = b"word/document.xml"
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        name_length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + name_length] == name:
            struct.pack_into("<I", data, at + 24, 3_000_000_000)
        at = data.find(b"PK\x01\x02", at + 4)
    target.write_bytes(bytes(data))
    return target


def xxe_docx(source: Path, target: Path, secret: Path) -> Path:
    """External entities in the body, the core properties and the app properties."""
    doctype = (
        f'<!DOCTYPE r [<!ENTITY xxe SYSTEM "{secret.as_uri()}">'
        '<!ENTITY pw SYSTEM "file:///etc/passwd">]>'
    )
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + doctype
    body = (
        f'{head}<w:document xmlns:w="{W_NS}"><w:body>'
        "<w:p><w:r><w:t>Entity test clause on export licences &xxe; and &pw; ends.</w:t></w:r>"
        "</w:p></w:body></w:document>"
    )
    core = (
        f"{head}<cp:coreProperties "
        'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Title &xxe;</dc:title>'
        "<dc:creator>&pw;</dc:creator></cp:coreProperties>"
    )
    app = (
        f'{head}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        'extended-properties"><Company>&xxe;</Company></Properties>'
    )
    parts = {
        "word/document.xml": body.encode(),
        "docProps/core.xml": core.encode(),
        "docProps/app.xml": app.encode(),
    }
    return rewrite_docx(source, target, parts)


def deep_html(path: Path, depth: int = 200_000) -> Path:
    path.write_text(
        "<html><head><title>Deep page</title></head><body>"
        + "<div>" * depth
        + "<p>Deeply nested zqdeepmarker text survives.</p>"
        + "</div>" * depth
        + "</body></html>",
        encoding="utf-8",
    )
    return path


def fake_jbig2dec(folder: Path, proof: Path) -> Path:
    folder.mkdir()
    tool = folder / "jbig2dec"
    tool.write_text(f"#!/bin/sh\ntouch '{proof}'\n")
    tool.chmod(0o755)
    return folder


# --- the batch ---------------------------------------------------------------------------------


@dataclass
class Batch:
    folder: Path
    library: Library
    finished: ImportFinished
    seconds: dict[str, float] = field(default_factory=dict)  # file name -> time it took
    reasons: dict[str, str] = field(default_factory=dict)
    jbig2_proof: Path = Path()
    secret: Path = Path()
    mtimes: dict[str, int] = field(default_factory=dict)


GOOD = {
    "good article.txt",
    "report with spaces.docx",
    NON_LATIN,
    "2000 pages.pdf",
    "deep.html",
    "xxe.docx",
}
REFUSED = {
    "bomb-stream.pdf": "damaged PDF: page 1 unreadable: over a safety limit (Limit reached "
    "while decompressing); the file may be a decompression bomb",
    "bomb-part.docx": "Word file part 'word/document.xml' is compressed ",
    "lying-size.docx": "Word file part 'word/document.xml' would unpack to 2,861 MB "
    "(over 512 MB): the file may be a decompression bomb",
    "many-parts.docx": "Word file has 12,0",
    "loop.pdf": "damaged PDF: Detected cyclic page references.",
    "jbig2.pdf": "damaged PDF: page 1 unreadable: uses JBIG2 compression, not decoded for safety",
    "huge.txt": "file is 300 MB, over the 200 MB limit",
    "slow.pdf": f"took longer than {TIMEOUT_S} s to read; the file may be malformed",
}


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory, seeds_dir: Path):
    root = tmp_path_factory.mktemp("hostile")
    folder = root / "batch"
    folder.mkdir()
    secret = root / "secret.txt"
    secret.write_text(f"{SECRET}\n")
    proof = root / "jbig2dec-ran"

    seed = sorted(p for p in seeds_dir.iterdir() if p.suffix == ".txt")[0]
    (folder / "good article.txt").write_bytes(seed.read_bytes())
    base = make_docx(
        root / "base.docx",
        [("Heading 1", "Outlook"), ("Normal", "Allied export controls tighten in zqspacemarker.")],
        title="Spaces memo",
    )
    (folder / "report with spaces.docx").write_bytes(base.read_bytes())
    make_pdf(folder / NON_LATIN, ["Sanctions report zqnonlatinmarker on chips."], title="Report")
    long_pdf(folder / "2000 pages.pdf")
    deep_html(folder / "deep.html")
    xxe_docx(base, folder / "xxe.docx", secret)
    pdf_bomb(folder / "bomb-stream.pdf")
    docx_part_bomb(base, folder / "bomb-part.docx")
    lying_docx(base, folder / "lying-size.docx")
    rewrite_docx(base, folder / "many-parts.docx", {}, extra=12_000)
    looping_pdf(folder / "loop.pdf")
    jbig2_pdf(folder / "jbig2.pdf")
    with (folder / "huge.txt").open("wb") as handle:
        handle.truncate(300 * MB)  # sparse: costs no disk, reads as 300 MB of NULs
    slow_pdf(folder / "slow.pdf")
    mtimes = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}

    settings = Settings()
    settings.library.read_timeout_s = TIMEOUT_S
    with pytest.MonkeyPatch.context() as patch:
        # A jbig2dec on PATH, seen by pypdf in a fresh worker: it must still never run.
        patch.setenv(
            "PATH", f"{fake_jbig2dec(root / 'bin', proof)}{os.pathsep}{os.environ['PATH']}"
        )
        isolation.shutdown_workers()
        library = Library.open(root / "library", settings=settings)
        started: dict[str, float] = {}
        result = Batch(folder, library, ImportFinished(), jbig2_proof=proof, secret=secret)
        for event in library.import_paths([folder]):
            if isinstance(event, FileStarted):
                started[event.path.name] = time.monotonic()
            elif isinstance(event, FileImported | FileFailed):
                result.seconds[event.path.name] = time.monotonic() - started[event.path.name]
                if isinstance(event, FileFailed):
                    result.reasons[event.path.name] = event.reason
            elif isinstance(event, ImportFinished):
                result.finished = event
        isolation.shutdown_workers()
    result.mtimes = mtimes
    yield result
    library.close()


# --- what the user sees ------------------------------------------------------------------------


def test_every_good_file_is_imported_and_every_bad_one_refused(batch: Batch) -> None:
    imported = {d.filename for d in batch.finished.imported}
    assert imported == GOOD, batch.reasons
    assert set(batch.reasons) == set(REFUSED)
    for name, expected in REFUSED.items():
        reason = batch.reasons[name]
        assert reason.startswith(expected), (name, reason)
        assert "\n" not in reason and "Traceback" not in reason and len(reason) < 200


def test_each_file_within_the_limits(batch: Batch) -> None:
    for name, seconds in batch.seconds.items():
        # Imported files also embed their passages; the 2,000-page PDF has 2,000 of them.
        assert seconds < TIMEOUT_S + (60 if name == "2000 pages.pdf" else 5), (name, seconds)
    assert batch.seconds["huge.txt"] < 2.0, "a file over the size limit is refused unread"


def test_nothing_else_changed(batch: Batch) -> None:
    library = batch.library
    assert {d.filename for d in library.documents()} == GOOD
    stored = [p for p in (library.folder / "files").rglob("*") if p.is_file()]
    assert sorted(p.name for p in stored) == sorted(
        Path(d.stored_path).name for d in library.documents()
    )
    assert {p.name: p.stat().st_mtime_ns for p in batch.folder.iterdir()} == batch.mtimes
    for marker, filename in (
        ("zqlongmarker", "2000 pages.pdf"),
        ("zqdeepmarker", "deep.html"),
        ("zqspacemarker", "report with spaces.docx"),
        ("zqnonlatinmarker", NON_LATIN),
    ):
        # Among the first three: a word only the keyword index knows ties in the fusion with
        # the best dense hit, and 2,000 identical pages fill the dense list.
        hits = library.search(marker, k=3)
        assert filename in [h.document.filename for h in hits], marker
    long = next(d for d in library.documents() if d.filename == "2000 pages.pdf")
    assert long.pages == 2000
    marked = [p for p in library.passages(long.id) if "zqlongmarker" in p.text]
    assert [p.locator.page for p in marked] == [1]


def test_external_entities_are_never_resolved(batch: Batch) -> None:
    doc = next(d for d in batch.library.documents() if d.filename == "xxe.docx")
    text = " ".join(p.text for p in batch.library.passages(doc.id))
    everything = " ".join((text, doc.title, doc.publisher, doc.author))
    assert "Entity test clause on export licences" in text
    assert SECRET not in everything
    assert "root:" not in everything


def test_the_jbig2_decoder_never_runs(batch: Batch, tmp_path: Path) -> None:
    assert not batch.jbig2_proof.exists()
    # The same file and the same PATH make plain pypdf run the program: the test has teeth.
    pdf = batch.folder / "jbig2.pdf"
    script = f"from pypdf import PdfReader; PdfReader({str(pdf)!r}).pages[0].extract_text()"
    env = dict(
        os.environ, PATH=f"{batch.jbig2_proof.parent / 'bin'}{os.pathsep}{os.environ['PATH']}"
    )
    subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, timeout=120)
    assert batch.jbig2_proof.exists()


def test_a_huge_file_is_refused_without_reading_it(batch: Batch) -> None:
    # With 200 MB of address space, reading 300 MB would fail for memory, not for size.
    with pytest.raises(ReadError) as info:
        isolation.read_isolated(batch.folder / "huge.txt", max_bytes=200 * MB, memory_mb=200)
    assert str(info.value) == "file is 300 MB, over the 200 MB limit"
