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
