"""Building blocks of the shipped Word templates (scripts/make_word_templates.py uses them).

Built-in styles (Title, Heading 1, table styles) are used so that an organisation restyling the
templates in Word (theme, fonts, logo) restyles everything; the code needs only the tags.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from comms_assistant.adapters.word.fields import (
    DASH,
    FACT_FIELDS,
    LOCK_CONTROL,
    LOCK_OWNED,
    Field,
)
from comms_assistant.adapters.word.finish import NOTE_TAG
from comms_assistant.adapters.word.properties import set_language
from comms_assistant.adapters.word.xml import make_control

# Fixed, so regenerating gives the same XML and the drift test can compare it.
STAMP = datetime(2026, 1, 1, tzinfo=UTC)
GUIDANCE = "Guidance"


def new_document(kind: str) -> Any:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.0))
    styles = doc.styles
    # Arial, as UK government guidance recommends for documents; change it in the styles.
    for name in ("Normal", "Title", "Heading 1"):
        styles[name].font.name = "Arial"
        fonts = styles[name].element.rPr.rFonts
        for theme in ("w:asciiTheme", "w:hAnsiTheme"):  # a theme font would win over Arial
            fonts.attrib.pop(qn(theme), None)
    styles["Normal"].font.size = Pt(11)
    styles["Normal"].paragraph_format.space_after = Pt(6)
    styles["Title"].font.size = Pt(24)
    styles["Heading 1"].paragraph_format.space_before = Pt(18)
    set_language(doc)  # en-GB, so Word checks UK spelling (properties.py)
    guidance = styles.add_style(GUIDANCE, WD_STYLE_TYPE.PARAGRAPH)
    guidance.base_style = styles["Normal"]
    guidance.quick_style = True
    guidance.font.italic = True
    guidance.font.color.rgb = RGBColor(0x59, 0x59, 0x59)
    guidance.paragraph_format.keep_with_next = True  # guidance belongs with what follows it
    _header_footer(doc, kind)
    # python-docx's starter file carries a preview image of an empty page; it would go stale.
    package = doc.part.package
    for rid, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            package.rels.pop(rid)
    props = doc.core_properties
    props.title, props.author, props.last_modified_by = f"{kind} template", "comms-assistant", ""
    props.created = props.modified = STAMP.replace(tzinfo=None)
    props.revision = 1
    props.comments = "Fields tagged ca:<name> are filled in by comms-assistant."
    return doc


def _header_footer(doc: Any, kind: str) -> None:
    section = doc.sections[0]
    head = section.header.paragraphs[0]
    head.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    head.add_run(f"{kind} ")
    head._p.append(make_control("ca:reference", "Reference", DASH, lock=LOCK_OWNED))
    foot = section.footer.paragraphs[0]
    foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
    foot.add_run("Page ")
    foot._p.append(_simple_field("PAGE", "1"))
    foot.add_run(" of ")
    foot._p.append(_simple_field("NUMPAGES", "1"))


def _simple_field(instruction: str, shown: str) -> Any:
    # python-docx has no API for fields; w:fldSimple is the smallest form Word updates itself.
    field = OxmlElement("w:fldSimple", {qn("w:instr"): f" {instruction} "})
    run = OxmlElement("w:r")
    run.text = shown
    field.append(run)
    return field


def title(doc: Any, words: str) -> None:
    paragraph = doc.add_paragraph(words, style="Title")
    paragraph._p.append(make_control("ca:title", "Title", DASH, lock=LOCK_OWNED))


def heading(doc: Any, text: str) -> None:
    doc.add_heading(text, level=1)


def guidance(doc: Any, text: str) -> None:
    """A note to the people writing the document, in a locked control tagged `ca:note`: the
    assistant removes it when the incident is over (finish.py)."""
    note = make_control(NOTE_TAG, "Note", "", lock=LOCK_OWNED, block=True, plain=False)
    paragraph = doc.add_paragraph(text, style=GUIDANCE)
    content = note.find(qn("w:sdtContent"))
    content.remove(content[0])
    paragraph._p.addprevious(note)
    content.append(paragraph._p)


def field_paragraph(doc: Any, fld: Field) -> None:
    doc.add_paragraph()._p.append(make_control(fld.tag, fld.label, DASH, lock=LOCK_OWNED))


def block_field(doc: Any, fld: Field, alias: str, text: str = DASH) -> None:
    """Several paragraphs the assistant drafts and people then rewrite: not locked for typing."""
    control = make_control(fld.tag, alias, text, lock=LOCK_CONTROL, block=True, plain=False)
    _replace_paragraph(doc.add_paragraph(), control)
    doc.add_paragraph()


def facts_table(
    doc: Any, extra: tuple[Field, ...] = (), *, fields: tuple[Field, ...] = FACT_FIELDS
) -> None:
    fields = (*fields, *extra)
    table = _table(doc, len(fields), (5.0, 12.0), "Light List Accent 1", "Incident facts")
    for row, fld in zip(table.rows, fields, strict=True):
        row.cells[0].paragraphs[0].add_run(fld.label).bold = True
        row.cells[1].paragraphs[0]._p.append(
            make_control(fld.tag, fld.label, DASH, lock=LOCK_OWNED)
        )
    # The style's heading-row look is for a first row; the facts table has a heading column.
    look = table._tbl.tblPr.find(qn("w:tblLook"))
    for name, value in (("w:val", "0080"), ("w:firstRow", "0"), ("w:firstColumn", "1")):
        look.set(qn(name), value)


def tagged_table(
    doc: Any,
    fld: Field,
    alias: str,
    headings: tuple[str, ...],
    widths: tuple[float, ...],
    *,
    empty_rows: int = 0,
) -> None:
    """A table inside a block-level control: found by tag like every other owned field, and
    locked against deletion while rows inside stay free to add and edit."""
    table = _heading_table(doc, headings, widths, fld.label)
    for _ in range(empty_rows):
        table.add_row()
    sdt = make_control(fld.tag, alias, "", lock=LOCK_CONTROL, block=True, plain=False)
    content = sdt.find(qn("w:sdtContent"))
    content.remove(content[0])
    table._tbl.addprevious(sdt)
    content.append(table._tbl)
    doc.add_paragraph()


def people_table(doc: Any, headings: tuple[str, ...], widths: tuple[float, ...]) -> None:
    table = _heading_table(doc, headings, widths, headings[0] + "s")
    for _ in range(2):
        table.add_row()
    doc.add_paragraph()


def _replace_paragraph(paragraph: Any, block: Any) -> None:
    # add_paragraph knows to stay before the section properties; a raw append would not.
    paragraph._p.addprevious(block)
    paragraph._p.getparent().remove(paragraph._p)


def _heading_table(
    doc: Any, headings: tuple[str, ...], widths: tuple[float, ...], caption: str
) -> Any:
    table = _table(doc, 1, widths, "Light Grid Accent 1", caption)
    for cell, text in zip(table.rows[0].cells, headings, strict=True):
        cell.paragraphs[0].add_run(text)
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:tblHeader"))  # repeat the heading row on every page
    return table


def _table(doc: Any, rows: int, widths: tuple[float, ...], style: str, caption: str) -> Any:
    table = doc.add_table(rows=rows, cols=len(widths))
    table.style = doc.styles[style]
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)
        for cell in column.cells:
            cell.width = Cm(width)
    # Alt text for screen readers; python-docx has no API for it.
    table._tbl.tblPr.append(OxmlElement("w:tblCaption", {qn("w:val"): caption}))
    return table
