"""Build ``house-style.docx``, the Word reference document whose styles BriefDesk exports use.

Run from the repository root after changing the look::

    .venv/bin/python templates/build_house_style.py

The result is committed, so the app never needs to run this. An office with its own house
style can instead save a Word document with the same style names (Title, Subtitle, Heading 1-3,
Marking, Byline, Bottom Line, Section Note, Source List, footnote text, footnote reference)
next to a template and point the template's ``reference_docx`` at it.

The look: Calibri 11 pt body (LibreOffice substitutes the metric-compatible Carlito), headings
in dark navy, a boxed and shaded bottom line, A4 with 2.5 cm margins.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Mm

OUT = Path(__file__).resolve().parent / "house-style.docx"

FONT = "Calibri"
NAVY = "1F3864"
GREY = "595959"
RULE = "8EA9C8"
SHADE = "EEF2F8"

_FONTS = f'<w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:eastAsia="{FONT}" w:cs="{FONT}"/>'

# Each style in full, as WordprocessingML, so that what the document looks like can be read in
# one place. Child elements follow the schema's order (Word refuses files that do not).
STYLES: dict[str, str] = {
    "Normal": f"""
      <w:style w:type="paragraph" w:default="1" w:styleId="Normal">
        <w:name w:val="Normal"/><w:qFormat/>
        <w:pPr><w:widowControl/><w:spacing w:after="120" w:line="264" w:lineRule="auto"/></w:pPr>
        <w:rPr>{_FONTS}<w:color w:val="1A1A1A"/><w:sz w:val="22"/><w:szCs w:val="22"/></w:rPr>
      </w:style>""",
    "Title": f"""
      <w:style w:type="paragraph" w:styleId="Title">
        <w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:next w:val="Subtitle"/>
        <w:uiPriority w:val="10"/><w:qFormat/>
        <w:pPr><w:keepNext/><w:spacing w:before="240" w:after="60" w:line="240" w:lineRule="auto"/>
        </w:pPr>
        <w:rPr><w:b/><w:bCs/><w:color w:val="{NAVY}"/><w:kern w:val="28"/>
          <w:sz w:val="44"/><w:szCs w:val="44"/></w:rPr>
      </w:style>""",
    "Subtitle": f"""
      <w:style w:type="paragraph" w:styleId="Subtitle">
        <w:name w:val="Subtitle"/><w:basedOn w:val="Normal"/><w:next w:val="Byline"/>
        <w:uiPriority w:val="11"/><w:qFormat/>
        <w:pPr><w:keepNext/><w:spacing w:after="60"/></w:pPr>
        <w:rPr><w:color w:val="{GREY}"/><w:sz w:val="28"/><w:szCs w:val="28"/></w:rPr>
      </w:style>""",
    "Byline": f"""
      <w:style w:type="paragraph" w:customStyle="1" w:styleId="Byline">
        <w:name w:val="Byline"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/>
        <w:pPr>
          <w:pBdr><w:bottom w:val="single" w:sz="6" w:space="6" w:color="{RULE}"/></w:pBdr>
          <w:spacing w:after="360"/>
        </w:pPr>
        <w:rPr><w:color w:val="{GREY}"/><w:sz w:val="20"/><w:szCs w:val="20"/></w:rPr>
      </w:style>""",
    "Marking": """
      <w:style w:type="paragraph" w:customStyle="1" w:styleId="Marking">
        <w:name w:val="Marking"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/>
        <w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/><w:jc w:val="center"/></w:pPr>
        <w:rPr><w:b/><w:bCs/><w:caps/><w:color w:val="262626"/><w:spacing w:val="10"/>
          <w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr>
      </w:style>""",
    "Heading1": f"""
      <w:style w:type="paragraph" w:styleId="Heading1">
        <w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/>
        <w:uiPriority w:val="9"/><w:qFormat/>
        <w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before="320" w:after="100"/>
          <w:outlineLvl w:val="0"/></w:pPr>
        <w:rPr><w:b/><w:bCs/><w:color w:val="{NAVY}"/><w:sz w:val="28"/><w:szCs w:val="28"/></w:rPr>
      </w:style>""",
    "Heading2": f"""
      <w:style w:type="paragraph" w:styleId="Heading2">
        <w:name w:val="heading 2"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/>
        <w:uiPriority w:val="9"/><w:unhideWhenUsed/><w:qFormat/>
        <w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before="240" w:after="80"/>
          <w:outlineLvl w:val="1"/></w:pPr>
        <w:rPr><w:b/><w:bCs/><w:color w:val="{NAVY}"/><w:sz w:val="24"/><w:szCs w:val="24"/></w:rPr>
      </w:style>""",
    "Heading3": f"""
      <w:style w:type="paragraph" w:styleId="Heading3">
        <w:name w:val="heading 3"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/>
        <w:uiPriority w:val="9"/><w:unhideWhenUsed/><w:qFormat/>
        <w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before="200" w:after="60"/>
          <w:outlineLvl w:val="2"/></w:pPr>
        <w:rPr><w:b/><w:bCs/><w:color w:val="{NAVY}"/></w:rPr>
      </w:style>""",
    "BottomLine": f"""
      <w:style w:type="paragraph" w:customStyle="1" w:styleId="BottomLine">
        <w:name w:val="Bottom Line"/><w:basedOn w:val="Normal"/><w:qFormat/>
        <w:pPr>
          <w:pBdr>
            <w:top w:val="single" w:sz="4" w:space="6" w:color="{RULE}"/>
            <w:left w:val="single" w:sz="24" w:space="8" w:color="{NAVY}"/>
            <w:bottom w:val="single" w:sz="4" w:space="6" w:color="{RULE}"/>
            <w:right w:val="single" w:sz="4" w:space="8" w:color="{RULE}"/>
          </w:pBdr>
          <w:shd w:val="clear" w:color="auto" w:fill="{SHADE}"/>
          <w:spacing w:after="100"/><w:ind w:left="170" w:right="170"/>
        </w:pPr>
      </w:style>""",
    "SectionNote": f"""
      <w:style w:type="paragraph" w:customStyle="1" w:styleId="SectionNote">
        <w:name w:val="Section Note"/><w:basedOn w:val="Normal"/><w:qFormat/>
        <w:rPr><w:i/><w:iCs/><w:color w:val="{GREY}"/></w:rPr>
      </w:style>""",
    "SourceList": """
      <w:style w:type="paragraph" w:customStyle="1" w:styleId="SourceList">
        <w:name w:val="Source List"/><w:basedOn w:val="Normal"/><w:qFormat/>
        <w:pPr><w:spacing w:after="60"/><w:ind w:left="567" w:hanging="567"/></w:pPr>
        <w:rPr><w:sz w:val="20"/><w:szCs w:val="20"/></w:rPr>
      </w:style>""",
    # Word's own names and ids for the footnote styles, so Word treats them as its built-ins.
    "FootnoteText": """
      <w:style w:type="paragraph" w:styleId="FootnoteText">
        <w:name w:val="footnote text"/><w:basedOn w:val="Normal"/><w:link w:val="FootnoteTextChar"/>
        <w:uiPriority w:val="99"/><w:unhideWhenUsed/>
        <w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/>
          <w:ind w:left="170" w:hanging="170"/></w:pPr>
        <w:rPr><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr>
      </w:style>""",
    "FootnoteTextChar": """
      <w:style w:type="character" w:customStyle="1" w:styleId="FootnoteTextChar">
        <w:name w:val="Footnote Text Char"/><w:basedOn w:val="DefaultParagraphFont"/>
        <w:link w:val="FootnoteText"/><w:uiPriority w:val="99"/>
        <w:rPr><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr>
      </w:style>""",
    "FootnoteReference": """
      <w:style w:type="character" w:styleId="FootnoteReference">
        <w:name w:val="footnote reference"/><w:basedOn w:val="DefaultParagraphFont"/>
        <w:uiPriority w:val="99"/><w:unhideWhenUsed/>
        <w:rPr><w:vertAlign w:val="superscript"/></w:rPr>
      </w:style>""",
    "Hyperlink": f"""
      <w:style w:type="character" w:styleId="Hyperlink">
        <w:name w:val="Hyperlink"/><w:basedOn w:val="DefaultParagraphFont"/>
        <w:uiPriority w:val="99"/><w:unhideWhenUsed/>
        <w:rPr><w:color w:val="{NAVY}"/><w:u w:val="single"/></w:rPr>
      </w:style>""",
    "Header": f"""
      <w:style w:type="paragraph" w:styleId="Header">
        <w:name w:val="header"/><w:basedOn w:val="Normal"/><w:uiPriority w:val="99"/>
        <w:unhideWhenUsed/>
        <w:pPr><w:tabs><w:tab w:val="center" w:pos="4513"/><w:tab w:val="right" w:pos="9026"/>
          </w:tabs><w:spacing w:after="0" w:line="240" w:lineRule="auto"/><w:jc w:val="center"/>
        </w:pPr>
        <w:rPr><w:color w:val="{GREY}"/><w:sz w:val="16"/><w:szCs w:val="16"/></w:rPr>
      </w:style>""",
    "Footer": f"""
      <w:style w:type="paragraph" w:styleId="Footer">
        <w:name w:val="footer"/><w:basedOn w:val="Normal"/><w:uiPriority w:val="99"/>
        <w:unhideWhenUsed/>
        <w:pPr><w:tabs><w:tab w:val="center" w:pos="4513"/><w:tab w:val="right" w:pos="9026"/>
          </w:tabs><w:spacing w:after="0" w:line="240" w:lineRule="auto"/><w:jc w:val="center"/>
        </w:pPr>
        <w:rPr><w:color w:val="{GREY}"/><w:sz w:val="16"/><w:szCs w:val="16"/></w:rPr>
      </w:style>""",
}

# Character styles linked to paragraph styles we replace; left alone they would carry the
# old template's theme fonts and colours into Word's style gallery.
OBSOLETE = ("Heading1Char", "Heading2Char", "Heading3Char", "TitleChar", "SubtitleChar")

DOC_DEFAULTS = f"""
  <w:docDefaults {nsdecls("w")}>
    <w:rPrDefault><w:rPr>{_FONTS}<w:sz w:val="22"/><w:szCs w:val="22"/>
      <w:lang w:val="en-GB" w:eastAsia="en-US" w:bidi="ar-SA"/></w:rPr></w:rPrDefault>
    <w:pPrDefault><w:pPr><w:spacing w:after="120" w:line="264" w:lineRule="auto"/></w:pPr>
    </w:pPrDefault>
  </w:docDefaults>"""


def apply_styles(document: DocxDocument) -> None:
    styles = document.styles.element
    styles.replace(styles.find(qn("w:docDefaults")), parse_xml(DOC_DEFAULTS))
    for style_id in (*STYLES, *OBSOLETE):
        old = styles.get_by_id(style_id)
        if old is not None:
            styles.remove(old)
    for xml in STYLES.values():
        styles.append(parse_xml(xml.replace("<w:style ", f"<w:style {nsdecls('w')} ", 1)))


def set_theme_body_font(document: DocxDocument) -> None:
    # The default theme's body font is Cambria; anything that falls back to the theme (text
    # boxes, tables pasted in later) should still come out in the house font.
    theme = document.part.part_related_by(RT.THEME)
    blob = theme.blob
    start = blob.index(b"<a:minorFont>")
    end = blob.index(b"</a:minorFont>")
    minor = blob[start:end].replace(b'typeface="Cambria"', f'typeface="{FONT}"'.encode(), 1)
    theme._blob = blob[:start] + minor + blob[end:]  # a plain Part: its bytes are all it has


def drop_leftovers(document: DocxDocument) -> None:
    # stylesWithEffects.xml is a second copy of the styles that some Word versions prefer;
    # it would still hold the old look. The thumbnail shows python-docx's sample page, and
    # the customXml part is its empty bibliography store.
    part = document.part
    for rid, rel in list(part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects") or rel.reltype == RT.CUSTOM_XML:
            part.drop_rel(rid)
    package_rels = part.package.rels
    for rid, rel in list(package_rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del package_rels[rid]
        elif rel.reltype == RT.EXTENDED_PROPERTIES:
            app = rel.target_part  # a plain Part: "Microsoft Macintosh Word" would be a lie
            app._blob = re.sub(
                rb"<Application>[^<]*</Application>",
                b"<Application>BriefDesk</Application>",
                app.blob,
            )


def set_page(document: DocxDocument) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin, section.bottom_margin = Cm(2.5), Cm(2.3)
    section.header_distance = section.footer_distance = Cm(1.2)


def empty_body(document: DocxDocument) -> None:
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)


def set_properties(document: DocxDocument) -> None:
    props = document.core_properties
    props.title = "BriefDesk house style"
    props.author = props.last_modified_by = "BriefDesk"
    props.comments = "Reference document for BriefDesk exports: styles, page size and margins."
    props.revision = 1
    # Fixed dates keep the committed file identical when nothing in the style changed.
    props.created = props.modified = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def build(out: Path = OUT) -> Path:
    document = Document()
    apply_styles(document)
    set_theme_body_font(document)
    drop_leftovers(document)
    set_page(document)
    empty_body(document)
    set_properties(document)
    document.save(str(out))
    return out


if __name__ == "__main__":
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT))
