"""Real files of each supported format, built by the tests themselves."""

from __future__ import annotations

from pathlib import Path


def make_pdf(path: Path, pages: list[str], title: str = "", author: str = "") -> Path:
    """A PDF with one text page per item of ``pages`` (Latin-1 text, core font)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    if title:
        pdf.set_title(title)
    if author:
        pdf.set_author(author)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 6, text)
    pdf.output(str(path))
    return path


def make_docx(
    path: Path, paragraphs: list[tuple[str, str]], title: str = "", author: str = ""
) -> Path:
    """A DOCX from (style, text) pairs, e.g. ("Heading 1", "Outlook"), ("Normal", "...")."""
    import docx

    document = docx.Document()
    for style, text in paragraphs:
        document.add_paragraph(text, style=style)
    document.core_properties.title = title
    document.core_properties.author = author
    document.save(str(path))
    return path


def make_html(path: Path, title: str, site: str, date: str, paragraphs: list[str]) -> Path:
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    path.write_text(
        f"""<!doctype html><html><head><meta charset="utf-8"><title>{title} | {site}</title>
<meta property="og:title" content="{title}"><meta property="og:site_name" content="{site}">
<meta property="article:published_time" content="{date}T08:00:00Z">
<script>var tracking = "ignore me";</script></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>{title}</h1>{body}</article>
<footer>Copyright {site}. All rights reserved.</footer></body></html>""",
        encoding="utf-8",
    )
    return path


def slow_pdf(path: Path, operations: int = 1_000_000) -> Path:
    """A one-page PDF whose content stream shows one letter ``operations`` times: small enough
    to pass every size check, yet it keeps pypdf's text extraction busy for about 50 µs an
    operation (tens of seconds by default). Written by hand, uncompressed, so that no
    decompression limit refuses it first."""
    content = b"BT /F1 12 Tf 72 720 Td " + b"(a) Tj " * operations + b"ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    path.write_bytes(bytes(out))
    return path
