"""Export a Briefing to a Word document in the house style. The only module that imports docx.

The document starts from the template's reference .docx (its styles, page size, margins),
with its body emptied, and gets: the handling marking (top of the text, header and footer), a
title block, the bottom line set apart in a box, each section under a Heading 1, citations as
real Word footnotes or as numbered references, and a list of sources.

python-docx has no footnote API, so footnotes are written as WordprocessingML here: a
``/word/footnotes.xml`` part holding the two separator footnotes Word expects (ids -1 and 0)
and one ``w:footnote`` per citation, a relationship from the document to it, and a
``w:footnoteReference`` run in the text. Every reference string comes from format_citation();
a footnote adds the quoted sentence, and a repeat names the document by its short title.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_COLOR_INDEX
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import PartFactory, XmlPart
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.section import _Footer
from docx.shared import RGBColor
from docx.text.paragraph import Paragraph

from rag.briefs.briefing import INSUFFICIENT_NOTE, Briefing, Citation, Claim, Section
from rag.briefs.templates import DEFAULT_REFERENCE_DOCX, Template, TemplateError, get_template
from rag.core.atomic import atomic_write
from rag.core.errors import BriefDeskError
from rag.core.paths import builtin_templates_dir
from rag.core.vocabulary import MONTHS
from rag.reading.sanitize import clean_claim_text, neutralise_instructions, remove_links

CITATION_STYLES = ("footnotes", "references")
UNSUPPORTED_POLICIES = ("mark", "omit")
UNSUPPORTED_MARK = "[Unsupported]"
UNCHECKED_MARK = "[Not checked]"

_UNSUPPORTED_COLOR = RGBColor(0xC0, 0x00, 0x00)


class ExportError(BriefDeskError):
    """The briefing could not be written to Word."""


@dataclass(frozen=True)
class ExportOptions:
    """What the analyst chooses in the export dialog."""

    author: str = ""
    marking: str = "UNCLASSIFIED // FOR INTERNAL USE"
    citation_style: str = "footnotes"  # or "references"
    unsupported: str = "mark"  # or "omit"
    date: str = ""  # printed as given, or as a long date if ISO; default today


DEFAULT_OPTIONS = ExportOptions()


# --------------------------------------------------------------------------- reference text


def format_citation(c: Citation) -> str:
    """The one place a citation becomes text: ``Title, Publisher, 14 March 2025, p. 3.``"""
    parts = [c.doc_title.strip() or "Untitled document", c.publisher.strip()]
    parts += [format_date(c.published), c.locator.label()]
    return _end_sentence(", ".join(_clean(p) for p in parts if p))


QUOTE_WORDS = 25  # a footnote quotes the supporting sentence, cut to this many words
SHORT_TITLE_WORDS = 5


def short_title(title: str) -> str:
    """A title as a repeat footnote names it: before a colon or dash, at most five words."""
    title = _clean(title.strip()) or "Untitled document"
    head = re.split(r"\s*(?::|—|–|\s-\s|\|)\s*", title, maxsplit=1)[0] or title
    words = head.split()
    return head if len(words) <= SHORT_TITLE_WORDS else " ".join(words[:SHORT_TITLE_WORDS]) + "…"


def format_quote(quote: str) -> str:
    """The supporting sentence in quotation marks, shortened to QUOTE_WORDS words. Source text,
    so made inert first: no links, no sentence addressed to an AI reader."""
    words = _one_line(clean_claim_text(neutralise_instructions(quote))).split()
    if not words:
        return ""
    text = " ".join(words[:QUOTE_WORDS])
    if len(words) > QUOTE_WORDS:
        text = text.rstrip(",;:") + "…"
    return f"“{text}”"


def format_footnote(c: Citation, *, repeat: bool = False) -> str:
    """A footnote: the full reference the first time a document is cited, its short form
    (short title, page) after that, as Word users cite; then the sentence it rests on."""
    if repeat:
        head = ", ".join(p for p in (short_title(c.doc_title), c.locator.label()) if p)
    else:
        head = format_citation(c).removesuffix(".")
    quote = format_quote(c.quote)
    return f"{head}: {quote}" if quote else _end_sentence(head)


def format_source(c: Citation) -> str:
    """A document as the source list shows it: ``Title. Publisher, 14 March 2025.``"""
    title = _end_sentence(_clean(c.doc_title.strip() or "Untitled document"))
    rest = ", ".join(_clean(p) for p in (c.publisher.strip(), format_date(c.published)) if p)
    return f"{title} {_end_sentence(rest)}" if rest else title


def format_date(value: str) -> str:
    """``2025-03-14`` -> ``14 March 2025``; ``2025-03`` -> ``March 2025``; anything else as is.

    Day-month-year with the month in words reads the same on both sides of the Atlantic.
    """
    value = value.strip()
    match = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:[T ].*)?", value)
    if not match:
        return value
    year, month, day = match.groups()
    if month and 1 <= int(month) <= 12:
        month_name = MONTHS[int(month) - 1]
        return f"{int(day)} {month_name} {year}" if day else f"{month_name} {year}"
    return year


def _end_sentence(text: str) -> str:
    text = text.rstrip()
    return text if not text or text[-1] in ".?!" else text + "."


# Characters XML 1.0 cannot hold. Text extracted from PDFs does contain them, and lxml would
# refuse the whole export over one form feed.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _clean(text: str) -> str:
    return _XML_INVALID.sub("", text)


def _one_line(text: str) -> str:
    return " ".join(_clean(text).split())


# --------------------------------------------------------------------------- footnotes part


class FootnotesPart(XmlPart):
    """``/word/footnotes.xml``. Registered with python-docx so a reference document that
    already has one (every file Word saves does) is loaded as XML we can edit, not as bytes."""


PartFactory.part_type_for[CT.WML_FOOTNOTES] = FootnotesPart

# As Word writes them: the separator line above the footnotes, and its continuation form.
_EMPTY_FOOTNOTES = f"""<w:footnotes {nsdecls("w", "r")}>
  <w:footnote w:type="separator" w:id="-1"><w:p>
    <w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>
    <w:r><w:separator/></w:r></w:p></w:footnote>
  <w:footnote w:type="continuationSeparator" w:id="0"><w:p>
    <w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>
    <w:r><w:continuationSeparator/></w:r></w:p></w:footnote>
</w:footnotes>"""

# Elements that follow w:footnotePr inside w:settings (the schema fixes the order).
_SETTINGS_AFTER_FOOTNOTEPR = tuple(
    qn(t)
    for t in [
        "w:endnotePr",
        "w:compat",
        "w:docVars",
        "w:rsids",
        "m:mathPr",
        "w:attachedSchema",
        "w:themeFontLang",
        "w:clrSchemeMapping",
        "w:doNotIncludeSubdocsInStats",
        "w:doNotAutoCompressPictures",
        "w:forceUpgrade",
        "w:captions",
        "w:readModeInkLockDown",
        "w:smartTagType",
        "sl:schemaLibrary",
        "w:shapeDefaults",
        "w:doNotEmbedSmartTags",
        "w:decimalSymbol",
        "w:listSeparator",
    ]
)


class _Footnotes:
    """Adds footnotes to a document, creating or reusing its footnotes part on first use."""

    def __init__(self, document: DocxDocument):
        self._document = document
        self._root: BaseOxmlElement | None = None
        self._next_id = 1

    def add(self, text: str) -> int:
        root = self._root if self._root is not None else self._attach()
        note_id = self._next_id
        self._next_id += 1
        root.append(_footnote_element(note_id, text))
        return note_id

    def _attach(self) -> BaseOxmlElement:
        doc_part = self._document.part
        existing = [r for r in doc_part.rels.values() if r.reltype == RT.FOOTNOTES]
        if existing and isinstance(existing[0].target_part, XmlPart):
            root = existing[0].target_part.element
            _drop_normal_footnotes(root)  # they belonged to the reference document's old text
        else:
            part = FootnotesPart(
                PackURI("/word/footnotes.xml"),
                CT.WML_FOOTNOTES,
                parse_xml(_EMPTY_FOOTNOTES),
                doc_part.package,
            )
            doc_part.relate_to(part, RT.FOOTNOTES)
            root = part.element
        ids = [int(n.get(qn("w:id"))) for n in root.findall(qn("w:footnote"))]
        self._next_id = max([0, *ids]) + 1
        _declare_separators(self._document, root)
        self._root = root
        return root


def _drop_normal_footnotes(root: BaseOxmlElement) -> None:
    for note in root.findall(qn("w:footnote")):
        if note.get(qn("w:type")) in (None, "normal"):
            root.remove(note)


def _declare_separators(document: DocxDocument, root: BaseOxmlElement) -> None:
    """List the separator footnotes in settings.xml (``w:footnotePr``), as Word does."""
    settings = document.settings.element
    if settings.find(qn("w:footnotePr")) is not None:
        return
    footnote_pr = OxmlElement("w:footnotePr")
    for note in root.findall(qn("w:footnote")):
        if note.get(qn("w:type")) in ("separator", "continuationSeparator"):
            ref = OxmlElement("w:footnote")
            ref.set(qn("w:id"), note.get(qn("w:id")))
            footnote_pr.append(ref)
    successor = next((c for c in settings if c.tag in _SETTINGS_AFTER_FOOTNOTEPR), None)
    if successor is not None:
        successor.addprevious(footnote_pr)
    else:
        settings.append(footnote_pr)


def _footnote_element(note_id: int, text: str) -> BaseOxmlElement:
    note = OxmlElement("w:footnote")
    note.set(qn("w:id"), str(note_id))
    p = OxmlElement("w:p")
    p_pr = OxmlElement("w:pPr")
    p_pr.append(_val("w:pStyle", "FootnoteText"))
    p.append(p_pr)
    mark = _run_with_style("FootnoteReference")
    mark.append(OxmlElement("w:footnoteRef"))
    p.append(mark)
    p.append(_text_run(" " + text))
    note.append(p)
    return note


def _footnote_reference(note_id: int) -> BaseOxmlElement:
    run = _run_with_style("FootnoteReference")
    ref = OxmlElement("w:footnoteReference")
    ref.set(qn("w:id"), str(note_id))
    run.append(ref)
    return run


def _run_with_style(style_id: str) -> BaseOxmlElement:
    run = OxmlElement("w:r")
    r_pr = OxmlElement("w:rPr")
    r_pr.append(_val("w:rStyle", style_id))
    run.append(r_pr)
    return run


def _text_run(text: str, style_id: str | None = None) -> BaseOxmlElement:
    run = _run_with_style(style_id) if style_id else OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.set(qn("xml:space"), "preserve")
    t.text = text
    run.append(t)
    return run


def _val(tag: str, value: str) -> BaseOxmlElement:
    element = OxmlElement(tag)
    element.set(qn("w:val"), value)
    return element


# --------------------------------------------------------------------------- styles

# Minimal stand-ins for the styles the export relies on, added only when the reference
# document lacks them (an office's own Word file may have only some). house-style.docx
# defines them all with the intended look; see templates/build_house_style.py.
_FALLBACK_STYLES: dict[str, str] = {
    "Title": '<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/>'
    '<w:basedOn w:val="Normal"/><w:rPr><w:b/><w:sz w:val="40"/></w:rPr></w:style>',
    "Subtitle": '<w:style w:type="paragraph" w:styleId="Subtitle"><w:name w:val="Subtitle"/>'
    '<w:basedOn w:val="Normal"/><w:rPr><w:sz w:val="28"/></w:rPr></w:style>',
    "Heading1": '<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/>'
    '<w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:pPr><w:keepNext/>'
    '<w:spacing w:before="240" w:after="80"/><w:outlineLvl w:val="0"/></w:pPr>'
    '<w:rPr><w:b/><w:sz w:val="28"/></w:rPr></w:style>',
    "Byline": '<w:style w:type="paragraph" w:customStyle="1" w:styleId="Byline">'
    '<w:name w:val="Byline"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:after="240"/>'
    "</w:pPr></w:style>",
    "Marking": '<w:style w:type="paragraph" w:customStyle="1" w:styleId="Marking">'
    '<w:name w:val="Marking"/><w:basedOn w:val="Normal"/><w:pPr><w:jc w:val="center"/></w:pPr>'
    '<w:rPr><w:b/><w:caps/><w:sz w:val="18"/></w:rPr></w:style>',
    "BottomLine": '<w:style w:type="paragraph" w:customStyle="1" w:styleId="BottomLine">'
    '<w:name w:val="Bottom Line"/><w:basedOn w:val="Normal"/><w:pPr><w:pBdr>'
    '<w:top w:val="single" w:sz="4" w:space="4" w:color="auto"/>'
    '<w:left w:val="single" w:sz="4" w:space="4" w:color="auto"/>'
    '<w:bottom w:val="single" w:sz="4" w:space="4" w:color="auto"/>'
    '<w:right w:val="single" w:sz="4" w:space="4" w:color="auto"/></w:pBdr>'
    '<w:shd w:val="clear" w:color="auto" w:fill="F2F2F2"/></w:pPr></w:style>',
    "SectionNote": '<w:style w:type="paragraph" w:customStyle="1" w:styleId="SectionNote">'
    '<w:name w:val="Section Note"/><w:basedOn w:val="Normal"/><w:rPr><w:i/></w:rPr></w:style>',
    "SourceList": '<w:style w:type="paragraph" w:customStyle="1" w:styleId="SourceList">'
    '<w:name w:val="Source List"/><w:basedOn w:val="Normal"/>'
    '<w:pPr><w:ind w:left="567" w:hanging="567"/></w:pPr></w:style>',
    "FootnoteText": '<w:style w:type="paragraph" w:styleId="FootnoteText">'
    '<w:name w:val="footnote text"/><w:basedOn w:val="Normal"/>'
    '<w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
    '<w:rPr><w:sz w:val="18"/></w:rPr></w:style>',
    "FootnoteReference": '<w:style w:type="character" w:styleId="FootnoteReference">'
    '<w:name w:val="footnote reference"/><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
    "</w:style>",
    "Hyperlink": '<w:style w:type="character" w:styleId="Hyperlink"><w:name w:val="Hyperlink"/>'
    '<w:rPr><w:color w:val="0563C1"/><w:u w:val="single"/></w:rPr></w:style>',
    "Header": '<w:style w:type="paragraph" w:styleId="Header"><w:name w:val="header"/>'
    '<w:basedOn w:val="Normal"/><w:pPr><w:spacing w:after="0"/><w:jc w:val="center"/></w:pPr>'
    '<w:rPr><w:sz w:val="16"/></w:rPr></w:style>',
    "Footer": '<w:style w:type="paragraph" w:styleId="Footer"><w:name w:val="footer"/>'
    '<w:basedOn w:val="Normal"/><w:pPr><w:spacing w:after="0"/><w:jc w:val="center"/></w:pPr>'
    '<w:rPr><w:sz w:val="16"/></w:rPr></w:style>',
}


def _ensure_styles(document: DocxDocument) -> None:
    styles = document.styles.element
    for style_id, xml in _FALLBACK_STYLES.items():
        if styles.get_by_id(style_id) is None:
            styles.append(parse_xml(xml.replace("<w:style ", f"<w:style {nsdecls('w')} ", 1)))


# --------------------------------------------------------------------------- the writer


class _Writer:
    """Writes one briefing into one document. Holds the numbering state of the export."""

    def __init__(self, document: DocxDocument, briefing: Briefing, options: ExportOptions):
        self.doc = document
        self.briefing = briefing
        self.options = options
        self.omit = options.unsupported == "omit"
        self.footnotes = _Footnotes(document)
        self.noted_documents: set[str] = set()  # documents already given a full footnote
        # One numbering for the whole export, from the claims actually printed.
        self.cited = briefing.citations_in_order(skip_unsupported=self.omit)
        self.ref_numbers = {c.passage_id: n for n, c in enumerate(self.cited, start=1)}

    # ------------------------------------------------------------- blocks

    def paragraph(self, style_id: str, text: str = "") -> Paragraph:
        paragraph = self.doc.add_paragraph(_clean(text))
        paragraph.style = self.doc.styles.get_by_id(style_id, WD_STYLE_TYPE.PARAGRAPH)
        return paragraph

    def write(self) -> None:
        self.title_block()
        for section in self.briefing.sections_in_reading_order():
            self.section(section)
        if self.options.citation_style == "references":
            self.references()
        self.sources()

    def title_block(self) -> None:
        if self.options.marking.strip():
            self.paragraph("Marking", _one_line(self.options.marking))
        self.paragraph("Title", _one_line(self.briefing.title or self.briefing.topic))
        self.paragraph("Subtitle", _one_line(self.briefing.template_name))
        question = _one_line(self.briefing.subtitle)
        if question and question != _one_line(self.briefing.title):
            self.paragraph("Subtitle", question)
        byline = [format_date(self.options.date or date.today().isoformat())]
        if self.options.author.strip():
            byline.append(f"Prepared by {_one_line(self.options.author)}")
        self.paragraph("Byline", "   |   ".join(byline))

    def section(self, section: Section) -> None:
        self.paragraph("Heading1", _one_line(section.title))
        # A claim never checked is as unproven as one that failed: never printed as supported.
        # A gap stands as drafted: it says what the library lacks and cites nothing.
        claims = [c for c in section.claims if not (self.omit and not c.check.established)]
        style = "BottomLine" if section.kind == "bottom_line" else "Normal"
        for claim in claims:
            self.claim(claim, style, timeline=section.kind == "timeline")
        note = _section_note(section, shown=len(claims), omitted=len(section.claims) - len(claims))
        if note:
            self.paragraph("SectionNote", note)

    def claim(self, claim: Claim, style_id: str, *, timeline: bool) -> None:
        paragraph = self.paragraph(style_id)
        if not claim.check.established:
            _add_unsupported_mark(
                paragraph, UNSUPPORTED_MARK if claim.check.unsupported else UNCHECKED_MARK
            )
        # A model-written claim never carries a link into Word (briefings drafted before links
        # were stripped at drafting time included); the analyst's own edits are theirs.
        text = _one_line(claim.text if claim.edited else remove_links(claim.text))
        if self.options.citation_style == "footnotes":
            _add_claim_text(paragraph, text, bold_lead=timeline)
            self.footnote_marks(paragraph, claim.citations)
            return
        # "... in March [2]." reads better than "... in March. [2]"
        text, stop = _split_final_stop(text)
        _add_claim_text(paragraph, text, bold_lead=timeline)
        numbers = _unique(self.ref_numbers[c.passage_id] for c in claim.citations)
        marker = f" [{', '.join(map(str, numbers))}]" if numbers else ""
        paragraph.add_run(marker + stop)

    def footnote_marks(self, paragraph: Paragraph, citations: list[Citation]) -> None:
        for index, citation in enumerate(citations):
            if index:
                # Without a separator, notes 1 and 2 would read as note 12.
                paragraph._p.append(_text_run(",", "FootnoteReference"))
            repeat = citation.doc_id in self.noted_documents
            self.noted_documents.add(citation.doc_id)
            note_id = self.footnotes.add(format_footnote(citation, repeat=repeat))
            paragraph._p.append(_footnote_reference(note_id))

    def references(self) -> None:
        if not self.cited:
            return
        self.paragraph("Heading1", "References")
        for number, citation in enumerate(self.cited, start=1):
            self.paragraph("SourceList", f"[{number}]\t{format_citation(citation)}")

    def sources(self) -> None:
        documents = _distinct_documents(self.cited)
        if not documents:
            return
        self.paragraph("Heading1", "Sources")
        for citation, url in documents:
            paragraph = self.paragraph("SourceList", format_source(citation))
            if url:
                paragraph.add_run(" ")
                _add_hyperlink(paragraph, url)

    # ------------------------------------------------------------- page furniture

    def header_and_footer(self) -> None:
        marking = _one_line(self.options.marking)
        for section in self.doc.sections:
            headers = [section.header]
            footers = [section.footer]
            if section.different_first_page_header_footer:  # an office's reference file may
                headers.append(section.first_page_header)
                footers.append(section.first_page_footer)
            for header in headers:
                header.is_linked_to_previous = False
                _set_text(header.paragraphs[0], marking, "Header", self.doc)
            for footer in footers:
                footer.is_linked_to_previous = False
                self.footer(footer, marking)

    def footer(self, footer: _Footer, marking: str) -> None:
        first = footer.paragraphs[0]
        _set_text(first, marking, "Footer", self.doc)
        page = footer.add_paragraph() if marking else first
        _set_text(page, "", "Footer", self.doc)
        _add_page_x_of_y(page)


def _section_note(section: Section, *, shown: int, omitted: int) -> str:
    """What to say under a section heading when its claims alone would mislead."""
    if section.status == "insufficient":
        return _one_line(section.note) or INSUFFICIENT_NOTE
    # A section drafted with claims may note how many more the check left out: a note for the
    # analyst at work in the window, not for the briefing's readers.
    if section.note.strip() and not (shown and section.status == "done"):
        return _one_line(section.note)
    if omitted and not shown:
        return (
            "The claims drafted for this section were not supported by their sources "
            "and have been left out."
        )
    if shown:
        return ""
    return {
        "pending": "This section has not been drafted.",
        "drafting": "This section was still being drafted when the briefing was exported.",
        "cancelled": "Drafting of this section was cancelled.",
        "failed": "This section could not be drafted.",
    }.get(section.status, "Nothing to report for this section.")


def _add_unsupported_mark(paragraph: Paragraph, mark: str) -> None:
    run = paragraph.add_run(mark)
    run.italic = True
    run.bold = True
    run.font.color.rgb = _UNSUPPORTED_COLOR
    run.font.highlight_color = WD_COLOR_INDEX.YELLOW
    paragraph.add_run(" ")


_LEAD_RE = re.compile(r"^([^:]{4,40}):\s+(?=\S)")
_YEAR_RE = re.compile(r"\b\d{4}\b")


def _add_claim_text(paragraph: Paragraph, text: str, *, bold_lead: bool) -> None:
    """Add the claim; in a timeline, its leading date ("2025-03-14: ...") is set in bold."""
    match = _LEAD_RE.match(text) if bold_lead else None
    if match and _YEAR_RE.search(match.group(1)):
        paragraph.add_run(match.group(1) + ":").bold = True
        paragraph.add_run(" " + text[match.end() :])
    else:
        paragraph.add_run(text)


def _split_final_stop(text: str) -> tuple[str, str]:
    if text and text[-1] in ".!?" and not text.endswith("..."):
        return text[:-1], text[-1]
    return text, ""


def _unique(numbers: Iterable[int]) -> list[int]:
    seen: list[int] = []
    for n in numbers:
        if n not in seen:
            seen.append(n)
    return seen


def _distinct_documents(citations: list[Citation]) -> list[tuple[Citation, str]]:
    """Each cited document once, with a URL from its own metadata if any citation has one,
    sorted by title as a bibliography is."""
    first: dict[str, Citation] = {}
    urls: dict[str, str] = {}
    for citation in citations:
        first.setdefault(citation.doc_id, citation)
        if not urls.get(citation.doc_id) and _is_web_url(citation.url):
            urls[citation.doc_id] = citation.url.strip()
    ordered = sorted(first.values(), key=lambda c: (c.doc_title.casefold(), c.doc_id))
    return [(c, urls.get(c.doc_id, "")) for c in ordered]


def _is_web_url(url: str) -> bool:
    # A file: or other scheme would point at someone's disk, not at the source.
    return bool(re.match(r"https?://\S+$", url.strip(), re.IGNORECASE))


def _add_hyperlink(paragraph: Paragraph, url: str) -> None:
    r_id = paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), r_id)
    link.set(qn("w:history"), "1")
    link.append(_text_run(_clean(url), "Hyperlink"))
    paragraph._p.append(link)


def _set_text(paragraph: Paragraph, text: str, style_id: str, document: DocxDocument) -> None:
    paragraph.text = text
    paragraph.style = document.styles.get_by_id(style_id, WD_STYLE_TYPE.PARAGRAPH)


def _add_page_x_of_y(paragraph: Paragraph) -> None:
    paragraph.add_run("Page ")
    paragraph._p.append(_simple_field("PAGE", "1"))
    paragraph.add_run(" of ")
    paragraph._p.append(_simple_field("NUMPAGES", "1"))


def _simple_field(instruction: str, placeholder: str) -> BaseOxmlElement:
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), f" {instruction} \\* MERGEFORMAT ")
    field.append(_text_run(placeholder))
    return field


# --------------------------------------------------------------------------- entry point


def export_docx(
    briefing: Briefing,
    out_path: Path,
    *,
    template: Template | None = None,
    options: ExportOptions = DEFAULT_OPTIONS,
) -> Path:
    """Write ``briefing`` to ``out_path`` as .docx, atomically. Returns the path written."""
    _check_options(options)
    out_path = Path(out_path)
    document = Document(str(_reference_docx(briefing, template)))
    _empty_body(document)
    _ensure_styles(document)
    writer = _Writer(document, briefing, options)
    writer.header_and_footer()
    writer.write()
    _set_properties(document, briefing, options)
    try:
        with atomic_write(out_path) as fh:
            document.save(fh)
    except OSError as exc:
        raise ExportError(f"cannot write {out_path}: {exc.strerror}") from exc
    return out_path


def _check_options(options: ExportOptions) -> None:
    if options.citation_style not in CITATION_STYLES:
        raise ExportError(f"unknown citation style '{options.citation_style}'")
    if options.unsupported not in UNSUPPORTED_POLICIES:
        raise ExportError(f"unknown choice for unsupported claims '{options.unsupported}'")


def _reference_docx(briefing: Briefing, template: Template | None) -> Path:
    if template is None:
        try:
            template = get_template(briefing.template_id)
        except TemplateError:
            template = None  # the template was deleted since drafting: use the house style
    path = template.reference_docx if template else builtin_templates_dir() / DEFAULT_REFERENCE_DOCX
    if not path.is_file():
        raise ExportError(f"the Word reference document {path} is missing")
    return path


def _empty_body(document: DocxDocument) -> None:
    # Keep the final sectPr: it carries the page size, margins and header/footer links.
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)


def _set_properties(document: DocxDocument, briefing: Briefing, options: ExportOptions) -> None:
    props = document.core_properties
    props.title = _one_line(briefing.title or briefing.topic)
    props.subject = briefing.template_name
    props.author = props.last_modified_by = options.author.strip()
    props.keywords = props.category = ""
    model = f" with {briefing.model}" if briefing.model else ""
    props.comments = f"Drafted with BriefDesk{model}; claims checked against the cited passages."
    props.revision = 1
    props.created = props.modified = datetime.now(UTC)  # not the reference document's dates
