"""Build the generated files of the BriefDesk demo library.

Writes, next to this script:

* ``04_harrow_vance_client_alert.docx`` (python-docx): a fictional law-firm client alert
  with Title/Heading styles, bullet lists, a table and core properties.
* ``05_aldgate_policy_brief.pdf`` (fpdf2, core Helvetica font): a fictional four-page
  think-tank policy brief with PDF metadata and a text layer on every page.

All text lives in this file. Everything here is invented demo material for testing
BriefDesk ("BriefDesk demo document - fictional"); none of it is real news.

The output is byte-for-byte reproducible: fixed creation dates, fixed ZIP timestamps, so
the SHA-256 of each file (BriefDesk's document id) does not change between builds.

Usage::

    .venv/bin/python assets/demo/build_demo.py          # build both files
    .venv/bin/python assets/demo/build_demo.py --check  # build, then verify with pypdf/python-docx
"""

from __future__ import annotations

import argparse
import io
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent / "library"
DOCX_PATH = HERE / "04_harrow_vance_client_alert.docx"
PDF_PATH = HERE / "05_aldgate_policy_brief.pdf"

DEMO_NOTICE = "BriefDesk demo document - fictional"

# A fixed timestamp for ZIP members, so the DOCX bytes are reproducible.
_ZIP_DATE = (2026, 3, 25, 9, 0, 0)

# --------------------------------------------------------------------------------------
# DOCX: Harrow & Vance LLP client alert (25 March 2026)
# --------------------------------------------------------------------------------------

DOCX_META = {
    "title": "Client Alert: The March 2026 Frontier AI Export Rule",
    "author": "Eleanor Vance, Harrow & Vance LLP",
    "subject": "U.S. export controls on frontier AI models and advanced computing items",
    "keywords": "BIS, interim final rule, 4E091, 3A090, 4A090, Entity List, Larkspur AI, "
    "Kestrel, MOFCOM, BriefDesk demo, fictional",
    "comments": DEMO_NOTICE + ". Harrow & Vance LLP is an invented firm; not legal advice.",
    "category": "Client alert",
    "created": datetime(2026, 3, 25, 9, 0, 0, tzinfo=UTC),
}

# Blocks: (kind, payload). kinds: title, meta, notice, h1, p, bullets, numbered, table.
DOCX_BLOCKS: list[tuple[str, object]] = [
    ("title", "Client Alert: The March 2026 Frontier AI Export Rule"),
    ("meta", "Harrow & Vance LLP | International Trade Practice | 25 March 2026"),
    (
        "notice",
        DEMO_NOTICE + ". Harrow & Vance LLP, its lawyers and every company named here are "
        "invented for testing. This is not legal advice.",
    ),
    ("h1", "Summary"),
    (
        "p",
        "On 2 March 2026 the Bureau of Industry and Security (BIS) of the U.S. Department of "
        'Commerce published an interim final rule titled "Controls on Frontier AI Model Access '
        'and Advanced Computing Items" (docket BIS-2026-0014). The rule became effective on '
        "16 March 2026. For the first time, U.S. export controls reach not only the weights of "
        "a frontier model but also remote access to it through an API.",
    ),
    (
        "p",
        "Only two models are designated so far, both developed by Larkspur AI: Kestrel 5 and "
        "Kestrel Sentinel. Companies that license, host, resell or integrate either model "
        "should review their customer base now. BIS has said that further models may be "
        "designated.",
    ),
    ("h1", "What the rule covers"),
    (
        "bullets",
        [
            "Model weights. The weights of designated frontier models are classified under "
            "ECCN 4E091 and need a licence for export, reexport or in-country transfer to "
            "most destinations.",
            "Remote access. Providing API or other remote access to a designated model to "
            "an entity headquartered in a Country Group D:5 destination or Macau requires a "
            "licence, wherever that entity's servers or staff are located. Applications are "
            "reviewed under a presumption of denial.",
            "Data-centre hardware. Licence requirements for advanced chips under ECCN 3A090 "
            "and computers under ECCN 4A090 now extend to data-centre operators in Malaysia, "
            "Thailand and the United Arab Emirates, unless the operator holds Validated End "
            "User (VEU) status. A low-volume licence exception applies to small shipments.",
            "Entity List. In a companion action on 2 March, BIS added 14 entities to the "
            "Entity List: 11 in China, 2 in Singapore and 1 in the United Arab Emirates, for "
            "diverting 3A090 chips.",
        ],
    ),
    ("h1", "Key dates"),
    (
        "table",
        [
            ["Date", "Measure", "Authority", "Reference"],
            [
                "26 Feb 2026",
                "Larkspur AI files capability disclosure on Kestrel Sentinel",
                "Larkspur AI to Commerce",
                "-",
            ],
            [
                "2 Mar 2026",
                "Interim final rule published; 14 entities added to Entity List",
                "BIS (Commerce)",
                "BIS-2026-0014; ECCN 4E091, 3A090, 4A090",
            ],
            ["16 Mar 2026", "Rule takes effect", "BIS (Commerce)", "BIS-2026-0014"],
            [
                "20 Mar 2026",
                "Countermeasures against 31 U.S. companies",
                "MOFCOM (China)",
                "Announcement No. 14 of 2026",
            ],
            [
                "24 Mar 2026",
                "Frontier Output Integrity Compact announced",
                "Larkspur AI, Northwind Intelligence, Oriel Systems (private)",
                "-",
            ],
            ["1 May 2026", "Deadline for public comments", "BIS (Commerce)", "BIS-2026-0014"],
            [
                "15 May 2026",
                "Transition ends for contracts signed before 2 March",
                "BIS (Commerce)",
                "BIS-2026-0014",
            ],
        ],
    ),
    ("h1", "What exporters and cloud providers should do now"),
    (
        "numbered",
        [
            "Map every product and service that uses Kestrel 5 or Kestrel Sentinel, including "
            "resold API capacity and embedded features.",
            "Screen customers by headquarters and ultimate parent, not by billing address. A "
            "subsidiary in Singapore of a company headquartered in China is covered.",
            "Identify contracts signed before 2 March 2026. They may be performed until 15 May "
            "2026; new business under them after that date needs a licence.",
            "For data-centre sales into Malaysia, Thailand or the UAE, check whether the "
            "customer holds VEU status or whether the low-volume exception applies.",
            "If past transactions may have breached the rule after 16 March, consider a "
            "voluntary self-disclosure to BIS's Office of Export Enforcement.",
            "File comments by 1 May 2026 if the designation criteria affect your models.",
        ],
    ),
    ("h1", "China's countermeasures"),
    (
        "p",
        "On 20 March 2026 China's Ministry of Commerce (MOFCOM) answered with Announcement No. "
        "14 of 2026, taking countermeasures against 31 U.S. companies, among them Larkspur AI, "
        "the cloud provider Stratus Peak and Corrigan Semiconductor. Listed companies may not "
        "trade with or make new investments in China. Clients with Chinese subsidiaries or "
        "suppliers should expect conflicting obligations: complying with the U.S. rule may be "
        "treated in China as implementing foreign sanctions, which the Anti-Foreign Sanctions "
        "Law allows Chinese parties to challenge in court.",
    ),
    ("h1", "The industry's anti-distillation compact"),
    (
        "p",
        "On 24 March 2026 Larkspur AI, Northwind Intelligence and Oriel Systems announced the "
        "Frontier Output Integrity Compact, a private agreement to detect and block the use of "
        'their model outputs to train competing models ("distillation"). The compact has no '
        "legal force, but all three companies have changed their terms of service, and "
        "customers that resell model outputs abroad should review those terms alongside the "
        "BIS rule.",
    ),
    ("h1", "Contacts"),
    (
        "p",
        "Eleanor Vance, Partner, International Trade. Marcus Obi, Counsel, Export Controls "
        "and Sanctions.",
    ),
    ("notice", DEMO_NOTICE + ". Not legal advice and not real news."),
]


DOCX_TABLE_WIDTHS = (1.0, 2.5, 1.5, 1.5)  # inches; the default page has 6.5 in of text


def _reproducible_zip(data: bytes) -> bytes:
    """Rewrite a ZIP (DOCX) with fixed member timestamps so the bytes are reproducible."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_DATE)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def build_docx(path: Path = DOCX_PATH) -> Path:
    from docx import Document
    from docx.shared import Inches, Pt, RGBColor

    doc = Document()
    props = doc.core_properties
    props.title = DOCX_META["title"]
    props.author = DOCX_META["author"]
    props.subject = DOCX_META["subject"]
    props.keywords = DOCX_META["keywords"]
    props.comments = DOCX_META["comments"]
    props.category = DOCX_META["category"]
    props.created = DOCX_META["created"]
    props.modified = DOCX_META["created"]
    props.last_modified_by = DOCX_META["author"]
    props.revision = 1

    for kind, payload in DOCX_BLOCKS:
        if kind == "title":
            doc.add_paragraph(payload, style="Title")
        elif kind == "meta":
            doc.add_paragraph(payload, style="Subtitle")
        elif kind == "notice":
            para = doc.add_paragraph()
            run = para.add_run(payload)
            run.italic = True
            run.font.size = Pt(9)
            run.font.color.rgb = RGBColor(0x80, 0x80, 0x80)
        elif kind == "h1":
            doc.add_heading(payload, level=1)
        elif kind == "p":
            doc.add_paragraph(payload)
        elif kind == "bullets":
            for item in payload:
                doc.add_paragraph(item, style="List Bullet")
        elif kind == "numbered":
            for item in payload:
                doc.add_paragraph(item, style="List Number")
        elif kind == "table":
            rows = payload
            table = doc.add_table(rows=len(rows), cols=len(rows[0]))
            table.style = "Table Grid"
            table.autofit = False
            widths = [Inches(w) for w in DOCX_TABLE_WIDTHS]
            for column, width in zip(table.columns, widths, strict=True):
                column.width = width  # <w:gridCol>, which LibreOffice honours
            for r, row in enumerate(rows):
                for c, text in enumerate(row):
                    cell = table.cell(r, c)
                    cell.width = widths[c]
                    cell.text = text
                    if r == 0:
                        for run in cell.paragraphs[0].runs:
                            run.bold = True
        else:  # pragma: no cover - programming error
            raise ValueError(kind)

    buf = io.BytesIO()
    doc.save(buf)
    path.write_bytes(_reproducible_zip(buf.getvalue()))
    return path


# --------------------------------------------------------------------------------------
# PDF: Aldgate Institute policy brief (30 March 2026), four pages
# --------------------------------------------------------------------------------------
# Core fonts in fpdf2 are Latin-1 only: keep this text ASCII (checked in build_pdf).

PDF_META = {
    "title": "Anatomy of the March 2026 Frontier AI Controls",
    "author": "Priya Raman and Tomas Weller, Aldgate Institute for Technology and Trade",
    "subject": "Policy Brief No. 7 - " + DEMO_NOTICE,
    "keywords": "export controls, BIS, 4E091, 3A090, 4A090, License Exception LVC, MOFCOM, "
    "unreliable entity list, distillation, BriefDesk demo, fictional",
    "creator": "BriefDesk demo builder (assets/demo/build_demo.py)",
    "created": datetime(2026, 3, 30, 10, 0, 0, tzinfo=UTC),
}

PDF_HEADER = "Aldgate Institute | Policy Brief No. 7 | 30 March 2026"

# One list of blocks per page; each page starts on a new sheet so page numbers are fixed.
PDF_PAGES: list[list[tuple[str, object]]] = [
    # ---- page 1: cover and key findings
    [
        ("kicker", "ALDGATE INSTITUTE FOR TECHNOLOGY AND TRADE  |  POLICY BRIEF No. 7"),
        ("title", "Anatomy of the March 2026 Frontier AI Controls"),
        (
            "subtitle",
            "What the U.S. rule does, how Beijing answered, and what early reporting got wrong",
        ),
        ("byline", "Priya Raman and Tomas Weller  |  30 March 2026"),
        (
            "box",
            DEMO_NOTICE + ". The Aldgate Institute, its authors and every company discussed "
            "here are invented. Not real analysis.",
        ),
        ("h1", "Key findings"),
        (
            "numbered",
            [
                "The legal instrument is an interim final rule of the Bureau of Industry and "
                "Security (BIS), published on 2 March 2026 and effective on 16 March 2026. It "
                "is not a presidential executive order.",
                "The rule creates the first U.S. licence requirement for remote (API) access "
                "to designated frontier models. Two Larkspur AI systems are designated: "
                "Kestrel 5 and Kestrel Sentinel.",
                "Hardware provisions extend licensing of 3A090 chips and 4A090 computers to "
                "data-centre operators in Malaysia, Thailand and the UAE, with a narrow "
                "low-volume exception.",
                "China's 20 March response covered 31 U.S. companies in total, but only 28 "
                'were placed on the Unreliable Entity List. Reports of "28" and "31" are '
                "each partly right.",
                "Contracts signed before 2 March may be performed until 15 May 2026; some "
                "outlets misreported that date as the rule's effective date.",
            ],
        ),
    ],
    # ---- page 2: the rule and its scope
    [
        ("h1", "1. The rule and its scope"),
        (
            "p",
            'The rule, "Controls on Frontier AI Model Access and Advanced Computing Items" '
            "(docket BIS-2026-0014), was published by BIS on 2 March 2026 and took effect "
            "14 days later, on 16 March 2026. It does three things.",
        ),
        (
            "p",
            "First, it revises ECCN 4E091, which covers the weights of frontier models, and "
            "creates a list of designated frontier models whose weights need a licence to "
            "every destination except 22 partner countries. A model can be designated only if "
            "it was trained with more than 10^26 operations and BIS finds evidence of a "
            "serious offensive cyber, chemical, biological, radiological or nuclear "
            "capability.",
        ),
        (
            "p",
            "Second, it adds a licence requirement for providing remote access to a "
            "designated model to any entity headquartered in a Country Group D:5 destination "
            "or Macau, wherever the entity operates. Applications face a presumption of "
            "denial.",
        ),
        (
            "p",
            "Third, it names the first two designated models: Larkspur AI's Kestrel 5 and "
            "Kestrel Sentinel. The designation rests on Larkspur's own capability disclosure "
            "of 26 February 2026, which reported that Kestrel Sentinel found and exploited "
            "previously unknown flaws in 9 of 12 test systems without human assistance. BIS "
            "says other models may be designated later; none has been so far.",
        ),
        ("h2", "Who imposed it"),
        (
            "p",
            "Several commentaries describe the measure as a White House executive order "
            "signed on 27 February. We found no such order. The White House issued a "
            "statement supporting the rule on 2 March, but the binding measure is the BIS "
            "rule. Claims that Larkspur withdrew its models from foreign markets voluntarily "
            "are also wrong: the company has said it will apply for licences so that it can "
            "keep serving foreign customers.",
        ),
    ],
    # ---- page 3: hardware provisions and Beijing's response
    [
        ("h1", "2. Hardware provisions"),
        (
            "p",
            "The rule extends licence requirements for advanced chips under ECCN 3A090 and "
            "for computers containing them under ECCN 4A090 to data-centre operators in "
            "Malaysia, Thailand and the United Arab Emirates. Operators that hold Validated "
            "End User (VEU) status are exempt.",
        ),
        (
            "p",
            "A new License Exception LVC (Low-Volume Compute) allows exports of up to 1,600 "
            "units of 3A090.a chips per end user per calendar year without a licence, "
            "provided the exporter files a report with BIS within 30 days of each shipment. "
            "LVC cannot be used for any party on the Entity List.",
        ),
        (
            "p",
            "In a companion action on 2 March, BIS added 14 entities to the Entity List: "
            "11 in China, 2 in Singapore and 1 in the United Arab Emirates, for diverting "
            "3A090 chips to China.",
        ),
        ("h1", "3. Beijing's response"),
        (
            "p",
            "China's Ministry of Commerce (MOFCOM) answered on 20 March 2026 with "
            "Announcement No. 14 of 2026. It placed 28 U.S. companies on the Unreliable "
            "Entity List, including Larkspur AI, Stratus Peak and Corrigan Semiconductor. In "
            "the same announcement it added 3 further U.S. companies, all suppliers of "
            "chip-design software, to its export control list, which bars exports of Chinese "
            "dual-use items to them. The total is therefore 31 companies.",
        ),
        (
            "table",
            [
                ["Chinese measure (20 March 2026)", "U.S. companies"],
                ["Unreliable Entity List", "28"],
                ["Export control list (dual-use items)", "3"],
                ["Total named in Announcement No. 14", "31"],
            ],
        ),
        (
            "p",
            "Wire reports that gave 31 counted both lists; outlets that gave 28 counted only "
            "the Unreliable Entity List. Briefings should say which list they mean.",
        ),
    ],
    # ---- page 4: private track, outlook, recommendations
    [
        ("h1", "4. The private track: anti-distillation"),
        (
            "p",
            "On 24 March 2026 Larkspur AI, Northwind Intelligence and Oriel Systems announced "
            "the Frontier Output Integrity Compact. Members share a registry of accounts "
            "suspected of systematic output extraction, watermark generated text, and notify "
            "one another within 72 hours of a large extraction campaign. The compact is a "
            "private agreement with no government role.",
        ),
        ("h1", "5. Outlook"),
        (
            "p",
            "Two dates matter next: public comments on the rule are due by 1 May 2026, and "
            "the transition for contracts signed before 2 March ends on 15 May 2026. Asian "
            "alternatives are already being marketed as free of U.S. controls: Mirai Forge "
            "released Hoshi-2 in Tokyo on 18 March, and Qingluan AI published the open "
            "weights of Qingluan-Coder on 19 March.",
        ),
        ("h1", "6. Recommendations"),
        (
            "numbered",
            [
                "Replace company-specific designation with capability criteria that apply to "
                "every developer, published in advance.",
                "Give the 22 partner countries licence-free remote access, so that allies "
                "have no reason to switch suppliers.",
            ],
        ),
        (
            "box",
            DEMO_NOTICE + ". All organisations, people, figures and events in this paper "
            "are invented.",
        ),
    ],
]


def _pdf_class():
    from fpdf import FPDF

    class BriefPDF(FPDF):
        def header(self) -> None:
            if self.page_no() == 1:
                return
            self.set_font("Helvetica", "I", 8)
            self.set_text_color(110, 110, 110)
            self.cell(0, 6, PDF_HEADER, new_x="LMARGIN", new_y="NEXT", align="L")
            self.set_draw_color(30, 58, 95)
            self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
            self.ln(4)
            self.set_text_color(0, 0, 0)

        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("Helvetica", "I", 8)
            self.set_text_color(110, 110, 110)
            self.cell(0, 8, f"{DEMO_NOTICE}  |  Page {self.page_no()} of {{nb}}", align="C")
            self.set_text_color(0, 0, 0)

    return BriefPDF


def _all_pdf_text() -> str:
    parts = [PDF_HEADER, DEMO_NOTICE, *PDF_META.values()]
    for page in PDF_PAGES:
        for _kind, payload in page:
            if isinstance(payload, str):
                parts.append(payload)
            else:
                for item in payload:
                    parts.extend(item if isinstance(item, list) else [item])
    return "\n".join(str(p) for p in parts)


def build_pdf(path: Path = PDF_PATH) -> Path:
    from fpdf.fonts import FontFace

    text = _all_pdf_text()
    bad = sorted({ch for ch in text if ord(ch) > 0x7E})
    if bad:
        raise ValueError(f"PDF text must be ASCII for the core font, found: {bad!r}")

    pdf = _pdf_class()(format="A4")
    pdf.set_margins(22, 18, 22)
    pdf.set_auto_page_break(True, margin=22)
    pdf.set_title(PDF_META["title"])
    pdf.set_author(PDF_META["author"])
    pdf.set_subject(PDF_META["subject"])
    pdf.set_keywords(PDF_META["keywords"])
    pdf.set_creator(PDF_META["creator"])
    pdf.set_producer("fpdf2")
    pdf.set_creation_date(PDF_META["created"])
    pdf.set_lang("en")

    navy = (30, 58, 95)
    heading_face = FontFace(emphasis="BOLD", color=(255, 255, 255), fill_color=navy)
    width = pdf.w - pdf.l_margin - pdf.r_margin

    for page in PDF_PAGES:
        pdf.add_page()
        for kind, payload in page:
            if kind == "kicker":
                pdf.set_font("Helvetica", "B", 9)
                pdf.set_text_color(*navy)
                pdf.cell(0, 6, payload, new_x="LMARGIN", new_y="NEXT")
                pdf.ln(10)
            elif kind == "title":
                pdf.set_font("Helvetica", "B", 22)
                pdf.set_text_color(*navy)
                pdf.multi_cell(0, 10, payload, align="L", new_x="LMARGIN", new_y="NEXT")
                pdf.ln(2)
            elif kind == "subtitle":
                pdf.set_font("Helvetica", "", 13)
                pdf.set_text_color(60, 60, 60)
                pdf.multi_cell(0, 7, payload, align="L", new_x="LMARGIN", new_y="NEXT")
                pdf.ln(3)
            elif kind == "byline":
                pdf.set_font("Helvetica", "I", 10)
                pdf.set_text_color(60, 60, 60)
                pdf.cell(0, 6, payload, new_x="LMARGIN", new_y="NEXT")
                pdf.ln(6)
            elif kind == "box":
                pdf.set_font("Helvetica", "I", 9)
                pdf.set_text_color(90, 60, 0)
                pdf.set_fill_color(253, 243, 214)
                pdf.multi_cell(
                    0,
                    5,
                    payload,
                    border=1,
                    fill=True,
                    padding=3,
                    new_x="LMARGIN",
                    new_y="NEXT",
                )
                pdf.ln(6)
            elif kind == "h1":
                pdf.set_font("Helvetica", "B", 14)
                pdf.set_text_color(*navy)
                pdf.multi_cell(0, 8, payload, new_x="LMARGIN", new_y="NEXT")
                pdf.ln(1)
            elif kind == "h2":
                pdf.set_font("Helvetica", "B", 11.5)
                pdf.set_text_color(*navy)
                pdf.multi_cell(0, 7, payload, new_x="LMARGIN", new_y="NEXT")
            elif kind == "p":
                pdf.set_font("Helvetica", "", 10.5)
                pdf.set_text_color(0, 0, 0)
                pdf.multi_cell(0, 5.6, payload, new_x="LMARGIN", new_y="NEXT")
                pdf.ln(3)
            elif kind == "numbered":
                pdf.set_font("Helvetica", "", 10.5)
                pdf.set_text_color(0, 0, 0)
                for i, item in enumerate(payload, start=1):
                    pdf.cell(8, 5.6, f"{i}.")
                    pdf.multi_cell(width - 8, 5.6, item, new_x="LMARGIN", new_y="NEXT")
                    pdf.ln(2)
                pdf.ln(2)
            elif kind == "table":
                pdf.set_font("Helvetica", "", 10)
                pdf.set_text_color(0, 0, 0)
                with pdf.table(
                    col_widths=(3, 1),
                    text_align=("LEFT", "RIGHT"),
                    headings_style=heading_face,
                    line_height=6.5,
                    width=int(width * 0.8),
                    align="LEFT",
                ) as table:
                    for row in payload:
                        cells = table.row()
                        for text in row:
                            cells.cell(text)
                pdf.ln(4)
            else:  # pragma: no cover - programming error
                raise ValueError(kind)

    n_pages = pdf.page_no()
    if n_pages != len(PDF_PAGES):
        raise RuntimeError(
            f"content overflowed: {n_pages} pages instead of {len(PDF_PAGES)}; shorten text"
        )
    pdf.output(str(path))
    return path


# --------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------

# Facts that must be on a given PDF page (1-based); FACTS.md cites these pages.
PDF_PAGE_FACTS = {
    1: ["Key findings", "not a presidential executive order", "only 28"],
    2: ["4E091", "10^26 operations", "9 of 12 test systems", "executive order"],
    3: ["License Exception LVC", "1,600", "3A090.a", "28 U.S. companies", "31 companies"],
    4: ["Frontier Output Integrity Compact", "72 hours", "1 May 2026", "15 May 2026"],
}


def _norm(text: str) -> str:
    return " ".join(text.split())


def check() -> None:
    from docx import Document
    from pypdf import PdfReader

    reader = PdfReader(str(PDF_PATH))
    meta = reader.metadata
    assert meta.title == PDF_META["title"], meta.title
    assert meta.author == PDF_META["author"], meta.author
    assert meta.creation_date is not None
    assert meta.creation_date.date().isoformat() == "2026-03-30", meta.creation_date
    assert len(reader.pages) == 4, len(reader.pages)
    for number, page in enumerate(reader.pages, start=1):
        text = _norm(page.extract_text() or "")
        assert DEMO_NOTICE in text, f"page {number}: no demo notice"
        assert f"Page {number} of 4" in text, f"page {number}: bad footer"
        for needle in PDF_PAGE_FACTS[number]:
            assert needle in text, f"page {number}: missing {needle!r}"
    # The page-3 fact must be on page 3 only.
    for number, page in enumerate(reader.pages, start=1):
        has = "1,600" in _norm(page.extract_text() or "")
        assert has == (number == 3), f"'1,600' on page {number}"

    doc = Document(str(DOCX_PATH))
    props = doc.core_properties
    assert props.title == DOCX_META["title"]
    assert props.author == DOCX_META["author"]
    assert props.created.replace(tzinfo=None) == datetime(2026, 3, 25, 9, 0), props.created
    styles = [p.style.name for p in doc.paragraphs]
    assert styles[0] == "Title", styles[0]
    assert styles.count("Heading 1") == 7, styles
    assert len(doc.tables) == 1 and len(doc.tables[0].rows) == 8
    assert doc.tables[0].cell(4, 2).text == "MOFCOM (China)"
    body = "\n".join(p.text for p in doc.paragraphs)
    assert DEMO_NOTICE in body
    assert "1,600" not in body  # that number belongs to the PDF only

    for path in (PDF_PATH, DOCX_PATH):
        size = path.stat().st_size
        assert size < 100_000, f"{path.name} is {size} bytes"
    print(
        f"ok: {PDF_PATH.name} ({PDF_PATH.stat().st_size} B, {len(reader.pages)} pages), "
        f"{DOCX_PATH.name} ({DOCX_PATH.stat().st_size} B, {len(doc.paragraphs)} paragraphs)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify the outputs after building")
    args = parser.parse_args(argv)
    print(build_docx())
    print(build_pdf())
    if args.check:
        check()
    return 0


if __name__ == "__main__":
    sys.exit(main())
