"""Document details fit for a citation: a publisher that is a name, a title from the first page
when the PDF's own is missing or a placeholder, a date from the text when the file has none."""

from __future__ import annotations

from pathlib import Path

import pytest
from filemakers import make_docx, make_html

from rag.core.types import Block, DocumentMeta, Locator
from rag.reading.readers import read_document
from rag.reading.readers.metadata import (
    date_in_text,
    finish_meta,
    publisher_from_url,
    site_label,
    split_byline,
)


def _blocks(*texts: str) -> list[Block]:
    return [Block(text=t, locator=Locator(line_start=i + 1)) for i, t in enumerate(texts)]


@pytest.mark.parametrize(
    ("url", "label"),
    [
        ("https://www.meridianwire.com/2026/06/22/chips", "meridianwire"),
        ("https://news.example.co.uk/a", "example"),
        ("http://harbourpost.org", "harbourpost"),
        ("www.scmp.com/news/china", "scmp"),
    ],
)
def test_site_label_is_the_name_in_the_address(url: str, label: str) -> None:
    assert site_label(url) == label


def test_publisher_is_the_name_the_text_gives_the_site() -> None:
    blocks = _blocks("Chip curbs widen", "BEIJING (Meridian Wire) - The ministry said on Monday...")
    assert publisher_from_url("https://www.meridianwire.com/x", blocks) == "Meridian Wire"


def test_publisher_from_initials() -> None:
    blocks = _blocks("Reporting by the South China Morning Post's Beijing bureau.")
    assert publisher_from_url("https://www.scmp.com/x", blocks) == "South China Morning Post"


def test_publisher_named_by_a_subdomain() -> None:
    """A ministry publishing under its government's domain is named by its own label, not by
    the edition's ("English") or the parent's."""
    blocks = _blocks("MOFCOM Spokesperson's Remarks", "English edition. The spokesperson said ...")
    assert publisher_from_url("http://english.mofcom.example.cn/article/1", blocks) == "MOFCOM"


def test_a_bare_host_as_source_is_a_site() -> None:
    """ "Source: english.mofcom.example.cn" in a text file's header names a site, as a URL
    would: the reader gets the name the text gives it, and the address is kept."""
    meta = DocumentMeta(publisher="english.mofcom.example.cn")
    finish_meta(meta, _blocks("MOFCOM Spokesperson's Remarks", "The spokesperson said ..."))
    assert (meta.publisher, meta.url) == ("MOFCOM", "english.mofcom.example.cn")


@pytest.mark.parametrize(
    "given",
    ["European Commission - Statement", "European Commission | Press release",
     "European Commission — Speech"],
)  # fmt: skip
def test_the_kind_of_document_after_a_publisher_is_not_its_name(given: str) -> None:
    meta = finish_meta(DocumentMeta(publisher=given), _blocks("Remarks by the Commissioner."))
    assert meta.publisher == "European Commission"


def test_a_publisher_named_for_its_news_keeps_its_name() -> None:
    meta = finish_meta(DocumentMeta(publisher="Pacific Dispatch"), _blocks("A report."))
    assert meta.publisher == "Pacific Dispatch"


def test_publisher_falls_back_to_the_domain() -> None:
    assert publisher_from_url("https://www.tradewatch.io/x", _blocks("No name here.")) == (
        "tradewatch.io"
    )


@pytest.mark.parametrize(
    "line",
    ["Published June 22, 2026 by staff", "22 June 2026 — Geneva", "Updated: 2026-06-22 09:00"],
)
def test_date_in_the_first_lines(line: str) -> None:
    assert date_in_text(_blocks("A headline", line, "Body text.")) == "2026-06-22"


def test_a_date_deep_in_the_body_is_an_event_not_the_documents_date() -> None:
    filler = "The ministry said the rule was under review and would be decided later. " * 8
    assert date_in_text(_blocks("Headline", filler, "It takes effect on 1 March 2027.")) == ""


def _read_meta(path: Path, text: str) -> DocumentMeta:
    path.write_text(text, encoding="utf-8")
    return read_document(path).meta


def test_text_article_with_a_url_source(tmp_path: Path) -> None:
    meta = _read_meta(
        tmp_path / "article.txt",
        "Title: Beijing widens its export blacklist\n"
        "Source: https://www.meridianwire.com/2026/06/22/blacklist\n\n"
        "BEIJING, June 22, 2026 (Meridian Wire) - China added 28 U.S. firms to its list.\n",
    )
    assert meta.publisher == "Meridian Wire"
    assert meta.url == "https://www.meridianwire.com/2026/06/22/blacklist"
    assert meta.published == "2026-06-22"
    assert meta.date_source == "text"


def test_date_line_is_metadata(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Title: A\nDate: 2026-05-01\n\nSome text here.\n", encoding="utf-8")
    meta = read_document(path).meta
    assert (meta.published, meta.date_source) == ("2026-05-01", "metadata")


def test_html_page_keeps_its_address(tmp_path: Path) -> None:
    path = make_html(tmp_path / "p.html", "Curbs widen", "Harbour Post", "2026-03-02", ["Text."])
    html = path.read_text(encoding="utf-8").replace(
        "<head>", '<head><meta property="og:url" content="https://harbourpost.org/curbs">'
    )
    path.write_text(html, encoding="utf-8")
    meta = read_document(path).meta
    assert meta.publisher == "Harbour Post"
    assert meta.url == "https://harbourpost.org/curbs"


def _pdf_with_title_block(path: Path, info_title: str, sized: list[tuple[int, str]]) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    if info_title:
        pdf.set_title(info_title)
    pdf.add_page()
    for size, text in sized:
        pdf.set_font("Helvetica", size=size)
        pdf.multi_cell(0, size * 0.6, text, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


def test_pdf_placeholder_title_is_replaced_by_the_largest_text(tmp_path: Path) -> None:
    path = _pdf_with_title_block(
        tmp_path / "report.pdf",
        "[unlinked for publication]",
        [
            (9, "Policy paper No. 14"),
            (22, "Compute Thresholds and Their Critics"),
            (10, "The threshold of 10^26 operations was set in 2025. " * 6),
        ],
    )
    assert read_document(path).meta.title == "Compute Thresholds and Their Critics"


def test_pdf_federal_register_block_gives_title_and_issuer(tmp_path: Path) -> None:
    path = _pdf_with_title_block(
        tmp_path / "01_bis_rule.pdf",
        "",
        [
            (9, "DEPARTMENT OF COMMERCE"),
            (9, "15 CFR Parts 734 and 744"),
            (9, "[Docket No. 260115-0012]"),
            (9, "RIN 0694-AJ99"),
            (9, "Revisions to the Controls on Advanced Computing Items"),
            (9, "AGENCY: Bureau of Industry and Security, Commerce."),
            (9, "ACTION: Interim final rule."),
            (9, "SUMMARY: This rule revises the controls on advanced computing items. " * 4),
        ],
    )
    meta = read_document(path).meta
    assert meta.title == "Revisions to the Controls on Advanced Computing Items"
    assert meta.publisher == "Bureau of Industry and Security"


def test_pdf_file_name_title_is_not_a_title(tmp_path: Path) -> None:
    path = _pdf_with_title_block(
        tmp_path / "x.pdf",
        "01_bis_framework_for_ai_diffusion",
        [(20, "Framework for AI Diffusion"), (10, "Body text of the rule. " * 10)],
    )
    assert read_document(path).meta.title == "Framework for AI Diffusion"


def _article(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "blacklist.txt"
    path.write_text(
        "Title: Beijing widens its export blacklist\n"
        "Source: https://www.meridianwire.com/2026/06/22/blacklist\n\n"
        "BEIJING, June 22, 2026 (Meridian Wire) - China added 28 U.S. firms to its list.\n\n"
        "The commerce ministry said the firms had supplied military end users.\n",
        encoding="utf-8",
    )
    return path


def test_details_are_kept_by_the_library_and_a_new_date_is_the_analysts(tmp_path: Path) -> None:
    from rag.indexing.library import Library

    with Library.open(tmp_path / "lib") as lib:
        list(lib.import_paths([_article(tmp_path / "in")]))
        (doc,) = lib.documents()
        assert (doc.publisher, doc.published, doc.date_source) == (
            "Meridian Wire", "2026-06-22", "text",
        )  # fmt: skip
        assert doc.url == "https://www.meridianwire.com/2026/06/22/blacklist"
        edited = lib.update_document(doc.id, published="2026-06-21")
        assert (edited.published, edited.date_source) == ("2026-06-21", "edited")
    with Library.open(tmp_path / "lib") as lib:
        assert lib.documents()[0].date_source == "edited"


def test_a_library_made_before_these_details_opens_and_gains_them(tmp_path: Path) -> None:
    import sqlite3

    from rag.indexing.library import Library

    with Library.open(tmp_path / "lib") as lib:
        list(lib.import_paths([_article(tmp_path / "in")]))
    db = sqlite3.connect(tmp_path / "lib" / "library.sqlite3")
    db.execute("ALTER TABLE documents DROP COLUMN url")
    db.execute("ALTER TABLE documents DROP COLUMN date_source")
    db.commit()
    db.close()
    with Library.open(tmp_path / "lib") as lib:
        (doc,) = lib.documents()
        assert doc.title == "Beijing widens its export blacklist"
        assert (doc.url, doc.date_source) == ("", "")
        assert lib.search("blacklist firms", 3)


def test_title_over_a_byline_line_is_whole(tmp_path: Path) -> None:
    path = tmp_path / "japan.txt"
    path.write_text(
        "Japan joins U.S. in licensing AI chips and model weights\n"
        "Harborview Times - Asia desk\n\n"
        "TOKYO, March 20, 2026 - Japan will require exporters to obtain licences.\n",
        encoding="utf-8",
    )
    meta = read_document(path).meta
    assert meta.title == "Japan joins U.S. in licensing AI chips and model weights"
    assert meta.published == "2026-03-20"


@pytest.mark.parametrize(
    ("field", "people", "organisation"),
    [
        (
            "Priya Raman and Tomas Weller, Aldgate Institute for Technology and Trade",
            "Priya Raman and Tomas Weller",
            "Aldgate Institute for Technology and Trade",
        ),
        ("Hannah Okafor, Partner; Whitlock Ferreira LLP", "Hannah Okafor, Partner",
         "Whitlock Ferreira LLP"),
        ("Priya Raman and Tomas Weller", "Priya Raman and Tomas Weller", ""),
        ("Ministry of Commerce", "", "Ministry of Commerce"),
        ("Reuters", "", "Reuters"),
        ("Microsoft Office User", "", ""),
    ],
)  # fmt: skip
def test_author_field_is_split_into_people_and_publisher(
    field: str, people: str, organisation: str
) -> None:
    assert split_byline(field) == (people, organisation)


def test_pdf_authors_are_never_its_publisher(tmp_path: Path) -> None:
    """A policy brief whose Author field names its writers and their institute cites the
    institute as publisher; one naming only people has no publisher from that field."""
    from fpdf import FPDF

    for author, publisher in (
        ("Priya Raman and Tomas Weller, Aldgate Institute", "Aldgate Institute"),
        ("Priya Raman and Tomas Weller", ""),
    ):
        pdf = FPDF()
        pdf.set_author(author)
        pdf.add_page()
        pdf.set_font("Helvetica", size=11)
        pdf.multi_cell(0, 6, "The rule took effect on 16 March 2026. " * 5)
        path = tmp_path / "brief.pdf"
        pdf.output(str(path))
        meta = read_document(path).meta
        assert meta.publisher == publisher
        assert meta.author == "Priya Raman and Tomas Weller"


@pytest.mark.parametrize(
    ("line", "publisher", "author"),
    [
        ("Pacific Dispatch - Technology - October 17, 2023", "Pacific Dispatch", ""),
        ("Business Daily Asia | Markets | 20 March 2026", "Business Daily Asia", ""),
        ("Tradewinds Review · Commentary · By Dana Okafor · 23 March 2026", "Tradewinds Review",
         "Dana Okafor"),
        ("Pemberton Institute for Strategic Economics - Analysis By Theo Brandt, Research "
         "Director, Trade and Technology Published 30 March 2026",
         "Pemberton Institute for Strategic Economics", "Theo Brandt"),
        ("Government of the Netherlands, Ministry of Foreign Affairs - news item, 25 March 2026",
         "Government of the Netherlands", ""),
        ("The White House, Briefing Room. January 12, 2026.", "The White House", ""),
        ("Posted March 26, 2026 by the TechPulse Daily Team | 6 min read", "TechPulse Daily", ""),
        ("Issue 112 - 14 March 2026 - by Clara Mendel", "", "Clara Mendel"),
        # A sentence under the headline is no standfirst: its "by" is not a byline.
        ("Brightwater Cloud is reviewing the announcement by China's Ministry of Commerce that "
         "adds our company to its list.", "", ""),
        ("March 20, 2026", "", ""),
        # A dateline: the place before the dash is no publisher.
        ("WASHINGTON - BIS added 27 entities today.", "", ""),
        ("BRUSSELS - Remarks by the Commissioner for Trade at the EU-US dialogue, 27 March "
         "2026.", "", ""),
    ],
)  # fmt: skip
def test_the_line_under_the_headline_names_publisher_and_author(
    line: str, publisher: str, author: str
) -> None:
    meta = finish_meta(
        DocumentMeta(title="A headline"),
        _blocks("A headline", line, "The ministry said on Friday that the rules would apply."),
    )
    assert (meta.publisher, meta.author) == (publisher, author)


def test_the_file_s_own_details_win_over_the_line_under_the_headline() -> None:
    meta = DocumentMeta(title="A headline", publisher="Atlas News Agency", author="Ana Ruiz")
    finish_meta(meta, _blocks("A headline", "Pacific Dispatch - By Theo Brandt - 2 May 2026"))
    assert (meta.publisher, meta.author) == ("Atlas News Agency", "Ana Ruiz")


def test_a_saved_article_s_standfirst_is_read_through_the_real_reader(tmp_path: Path) -> None:
    meta = _read_meta(
        tmp_path / "allies.md",
        "# Uneven Allies: Why Japan Will Not Move in Lockstep\n\n"
        "*Pemberton Institute - Analysis*\n*By Theo Brandt, Research Director*\n"
        "*Published 30 March 2026*\n\nJapan and the Netherlands announced new controls.\n",
    )
    assert (meta.publisher, meta.author, meta.published) == (
        "Pemberton Institute", "Theo Brandt", "2026-03-30"
    )  # fmt: skip


@pytest.mark.parametrize(
    ("author", "publisher", "person"),
    [
        ("Eleanor Vance, Harrow & Vance LLP", "Harrow & Vance LLP", "Eleanor Vance"),
        ("Policy Desk", "Policy Desk", "Policy Desk"),
    ],
)
def test_a_word_files_author_field_naming_person_and_firm_gives_each_its_place(
    tmp_path: Path, author: str, publisher: str, person: str
) -> None:
    path = make_docx(
        tmp_path / "alert.docx", [("Normal", "The rule took effect.")], "Alert", author
    )
    meta = read_document(path).meta
    assert (meta.publisher, meta.author) == (publisher, person)
