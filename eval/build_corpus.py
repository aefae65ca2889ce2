"""Write the evaluation library (``eval/corpus/``) into a folder, ready to import.

Usage::

    PYTHONPATH=$PWD .venv/bin/python eval/build_corpus.py OUT_DIR

The short documents (TXT, Markdown, HTML) are copied as they are. The long texts in
``eval/corpus/long/`` are rendered, because real rules and reports arrive as PDF and Word
files, not as plain text:

* ``bis_tollgate_rule.txt`` -> ``long/bis_tollgate_rule.pdf`` (PDF Title set)
* ``carrow_chokepoints_report.txt`` -> ``long/carrow_chokepoints_report.pdf`` (PDF Title
  left empty, as in many think-tank exports, so the reader must find the title elsewhere)
* ``malaysia_permit_order.txt`` -> ``long/malaysia_permit_order.docx`` (Word headings)

The long .txt sources themselves are not copied: importing both would put every passage in
the library twice. Labels in ``eval/retrieval.json`` and ``eval/topics.json`` name the
rendered file; ``eval/check_labels.py`` checks them against the source text.

The output is byte-for-byte reproducible (fixed PDF creation dates, fixed ZIP timestamps),
so BriefDesk's document ids (SHA-256 of the bytes) stay stable between builds.
This script imports only fpdf2 and python-docx; it never imports ``rag``.
"""

from __future__ import annotations

import argparse
import io
import re
import shutil
import sys
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "corpus"
LONG = CORPUS / "long"

# Files in eval/corpus that describe the library rather than belong to it.
NOT_DOCUMENTS = {"README.md"}
SHORT_SUFFIXES = {".txt", ".md", ".html"}

_ZIP_DATE = (2026, 4, 30, 9, 0, 0)


@dataclass(frozen=True)
class LongDoc:
    source: str
    output: str
    title: str
    author: str
    created: datetime


PDFS = [
    LongDoc(
        "bis_tollgate_rule.txt",
        "bis_tollgate_rule.pdf",
        "Frontier Compute and Model Weights Controls",
        "Bureau of Industry and Security",
        datetime(2025, 9, 15, 8, 45, tzinfo=UTC),
    ),
    LongDoc(
        "carrow_chokepoints_report.txt",
        "carrow_chokepoints_report.pdf",
        "",  # deliberately empty: the Title metadata of this PDF is blank
        "Carrow Center for Technology Policy",
        datetime(2026, 4, 21, 14, 0, tzinfo=UTC),
    ),
]

DOCXS = [
    LongDoc(
        "malaysia_permit_order.txt",
        "malaysia_permit_order.docx",
        "Strategic Trade (AI Accelerator) Permit Order 2025",
        "Strategic Trade Secretariat",
        datetime(2025, 7, 11, 3, 0, tzinfo=UTC),
    ),
]

# A block is a heading when it is one short line without closing punctuation and looks
# like a numbered section, a supplement, an appendix or an all-capitals title.
_HEADING = re.compile(
    r"^(Section \d+\.|Supplement No\. \d+\.|Part [IVX]+\.|Appendix [A-Z]\.|\d+\. [A-Z]|"
    r"[A-Z][A-Z0-9 ().,&'-]+$|Foreword$|About the authors$)"
)


def blocks(text: str) -> list[str]:
    """Paragraphs of a long text: runs of lines separated by blank lines."""
    return [" ".join(b.split("\n")).strip() for b in re.split(r"\n\s*\n", text) if b.strip()]


def is_heading(block: str) -> bool:
    return (
        len(block) <= 100
        and not block.endswith((".", ",", ";", ":"))
        and bool(_HEADING.match(block))
    )


def render_pdf(doc: LongDoc, out: Path) -> None:
    from fpdf import FPDF

    class _Pdf(FPDF):
        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("Helvetica", "", 8)
            self.cell(0, 10, f"Page {self.page_no()} of {{nb}}", align="C")

    pdf = _Pdf(format="A4")
    pdf.set_margins(22, 20, 22)
    pdf.set_auto_page_break(True, margin=22)
    pdf.alias_nb_pages()
    pdf.set_creation_date(doc.created)
    pdf.set_title(doc.title)
    pdf.set_author(doc.author)
    pdf.set_creator("BriefDesk evaluation corpus builder")
    pdf.add_page()
    text = (LONG / doc.source).read_text(encoding="utf-8")
    for block in blocks(text):
        if is_heading(block):
            pdf.set_font("Helvetica", "B", 12)
            pdf.ln(2)
            pdf.multi_cell(0, 6, block, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        else:
            pdf.set_font("Helvetica", "", 10)
            pdf.multi_cell(0, 5, block, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
    pdf.output(str(out))


def render_docx(doc: LongDoc, out: Path) -> None:
    import docx

    document = docx.Document()
    props = document.core_properties
    props.title = doc.title
    props.author = doc.author
    props.last_modified_by = doc.author
    props.created = doc.created
    props.modified = doc.created
    props.revision = 1
    text = (LONG / doc.source).read_text(encoding="utf-8")
    first = True
    for block in blocks(text):
        if is_heading(block):
            if first:
                document.add_heading(block, level=0)
            elif re.match(r"^Part [IVX]+\.", block):
                document.add_heading(block, level=1)
            else:
                document.add_heading(block, level=2)
        else:
            document.add_paragraph(block)
        first = False
    buf = io.BytesIO()
    document.save(buf)
    out.write_bytes(_reproducible_zip(buf.getvalue()))


def _reproducible_zip(data: bytes) -> bytes:
    """The same members with a fixed timestamp, so equal content gives equal bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_DATE)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def short_documents() -> list[Path]:
    return sorted(
        p
        for p in CORPUS.iterdir()
        if p.is_file() and p.suffix in SHORT_SUFFIXES and p.name not in NOT_DOCUMENTS
    )


def output_names() -> list[str]:
    """Every file name the builder writes, relative to OUT_DIR."""
    names = [p.name for p in short_documents()]
    names += [f"long/{d.output}" for d in PDFS + DOCXS]
    return names


def source_of(name: str) -> Path:
    """The text a label for output file ``name`` must be found in."""
    if name.startswith("long/"):
        for doc in PDFS + DOCXS:
            if name == f"long/{doc.output}":
                return LONG / doc.source
        raise KeyError(name)
    return CORPUS / name


def build(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "long").mkdir(exist_ok=True)
    written = []
    for path in short_documents():
        target = out_dir / path.name
        shutil.copyfile(path, target)
        written.append(target)
    for doc in PDFS:
        target = out_dir / "long" / doc.output
        render_pdf(doc, target)
        written.append(target)
    for doc in DOCXS:
        target = out_dir / "long" / doc.output
        render_docx(doc, target)
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path, help="folder to write the library into")
    args = parser.parse_args(argv)
    written = build(args.out_dir)
    print(f"wrote {len(written)} documents to {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
