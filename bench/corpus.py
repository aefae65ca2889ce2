"""The import benchmark's corpus: hundreds of generated documents in four formats, plus one
300-page PDF, written from the seed articles' sentences with a fixed random seed.

The same arguments always give the same files (so the same passages), run after run. The
writers follow tests/filemakers.py: fpdf2 for PDF, python-docx for DOCX, plain HTML and text.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import DEMO, SEEDS

FULL_DOCS = 200
QUICK_DOCS = 16
BIG_PDF_PAGES = 300
QUICK_BIG_PDF_PAGES = 20
KINDS = ("pdf", "docx", "html", "txt")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“])")


@dataclass
class Corpus:
    folder: Path
    files: list[Path] = field(default_factory=list)
    big_pdf: Path | None = None
    pdf_pages: int = 0  # pages of all PDFs, the big one included

    def by_kind(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for f in self.files:
            out[f.suffix.lstrip(".")] = out.get(f.suffix.lstrip("."), 0) + 1
        return out


def seed_sentences() -> list[str]:
    """Every sentence of the seed articles and of the demo library's text files."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    texts += [p.read_text(encoding="utf-8") for p in sorted(DEMO.glob("*.txt"))]
    texts += [p.read_text(encoding="utf-8") for p in sorted(DEMO.glob("*.md"))]
    out: list[str] = []
    for text in texts:
        for para in text.split("\n"):
            para = para.strip().lstrip("#").strip()
            if len(para) < 40 or ":" in para[:12]:  # headings and Title:/Date: lines
                continue
            out.extend(s.strip() for s in _SENTENCE.split(para) if len(s.strip()) > 30)
    if not out:
        raise SystemExit(f"no seed sentences found (seeds folder: {SEEDS})")
    return out


def _latin1(text: str) -> str:
    # fpdf2's core fonts are Latin-1: typographic quotes and dashes become ASCII.
    table = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "—": "-", "–": "-"})
    return text.translate(table).encode("latin-1", "replace").decode("latin-1")


def _paragraph(rng: random.Random, sentences: list[str], n: int) -> str:
    return " ".join(rng.choice(sentences) for _ in range(n))


def _write_pdf(path: Path, pages: list[str], title: str) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=10)
    pdf.set_title(title)
    pdf.set_author("BriefDesk benchmark")
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 5, _latin1(text))
    pdf.output(str(path))


def _write_docx(path: Path, title: str, paragraphs: list[str]) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph(title, style="Heading 1")
    for i, text in enumerate(paragraphs):
        if i and i % 4 == 0:
            document.add_paragraph(f"Part {i // 4 + 1}", style="Heading 2")
        document.add_paragraph(text, style="Normal")
    document.core_properties.title = title
    document.core_properties.author = "BriefDesk benchmark"
    document.save(str(path))


def _write_html(path: Path, title: str, date: str, paragraphs: list[str]) -> None:
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    path.write_text(
        f"""<!doctype html><html><head><meta charset="utf-8"><title>{title} | Bench Wire</title>
<meta property="og:title" content="{title}"><meta property="og:site_name" content="Bench Wire">
<meta property="article:published_time" content="{date}T08:00:00Z"></head>
<body><nav><a href="/">Home</a></nav><article><h1>{title}</h1>{body}</article>
<footer>Copyright Bench Wire.</footer></body></html>""",
        encoding="utf-8",
    )


def _write_txt(path: Path, title: str, date: str, paragraphs: list[str]) -> None:
    path.write_text(
        f"Title: {title}\nSource: Bench Notes\nDate: {date}\n\n" + "\n\n".join(paragraphs) + "\n",
        encoding="utf-8",
    )


def build_corpus(folder: Path, *, quick: bool = False, seed: int = 20260301) -> Corpus:
    """Write the corpus into ``folder`` (created); the big PDF is ``folder/big/report.pdf``."""
    rng = random.Random(seed)
    sentences = seed_sentences()
    n_docs = QUICK_DOCS if quick else FULL_DOCS
    big_pages = QUICK_BIG_PDF_PAGES if quick else BIG_PDF_PAGES
    corpus = Corpus(folder)
    (folder / "docs").mkdir(parents=True, exist_ok=True)
    for i in range(n_docs):
        kind = KINDS[i % len(KINDS)]
        title = f"Bench document {i:03d}: " + " ".join(rng.choice(sentences).split()[:6])
        date = f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        paragraphs = [
            _paragraph(rng, sentences, rng.randint(3, 6)) for _ in range(rng.randint(2, 7))
        ]
        path = folder / "docs" / f"doc-{i:03d}.{kind}"
        if kind == "pdf":
            pages = [" ".join(paragraphs[j : j + 3]) for j in range(0, len(paragraphs), 3)]
            _write_pdf(path, pages, title)
            corpus.pdf_pages += len(pages)
        elif kind == "docx":
            _write_docx(path, title, paragraphs)
        elif kind == "html":
            _write_html(path, title, date, paragraphs)
        else:
            _write_txt(path, title, date, paragraphs)
        corpus.files.append(path)
    big = folder / "big" / "report.pdf"
    big.parent.mkdir(parents=True, exist_ok=True)
    # About 200 words a page, as in a report with headings, tables and wide margins.
    pages = ["\n".join(_paragraph(rng, sentences, 3) for _ in range(2)) for _ in range(big_pages)]
    _write_pdf(big, pages, "Bench report: three hundred pages on AI export controls")
    corpus.big_pdf = big
    corpus.pdf_pages += big_pages
    corpus.files.append(big)
    return corpus
