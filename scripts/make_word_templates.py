"""Generate the Word templates the assistant copies into SharePoint.

    python scripts/make_word_templates.py [OUT_DIR]      (default: templates/word/)

The output is committed; tests/unit/test_word.py checks the committed files still match this
script. An organisation may restyle the templates in Word (styles, theme, logo, wording): the
assistant only needs the tagged content controls (`ca:<field>`) and the timeline table to stay.
Built-in styles (Title, Heading 1, table styles) are used so a theme change restyles everything.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from comms_assistant.adapters.word_fields import (
    DASH,
    FACT_FIELDS,
    LOCK_CONTROL,
    LOCK_OWNED,
    RESOLUTION,
    TIMELINE,
    WHAT_HAPPENED,
    Field,
    to_bytes,
)
from comms_assistant.adapters.word_report import REPORT_TEMPLATE
from comms_assistant.adapters.word_review import REVIEW_TEMPLATE
from comms_assistant.adapters.word_timeline import COLUMNS
from comms_assistant.adapters.word_xml import make_control

OUT_DIR = Path(__file__).resolve().parents[1] / "templates" / "word"
# Fixed, so regenerating gives the same XML and the drift test can compare it.
STAMP = datetime(2026, 1, 1, tzinfo=UTC)
GUIDANCE = "Guidance"


def build_report_template() -> bytes:
    doc = _new_document("Incident report")
    _title(doc, "Incident report: ")
    _guidance(
        doc,
        "This is the running report for the incident. The assistant fills in the boxes it owns "
        "(grey when selected, locked for typing) and adds to the timeline as things happen. "
        "Write in every other part: the assistant never changes it.",
    )
    _heading(doc, "Facts")
    _facts_table(doc)
    _heading(doc, "Summary (plain English)")
    _guidance(
        doc,
        "Two or three sentences someone outside the team would understand: what is wrong, who it "
        "affects and what we are doing about it. Avoid technical words.",
    )
    doc.add_paragraph()
    _heading(doc, "Impact on users")
    _field_paragraph(doc, next(f for f in FACT_FIELDS if f.key == "impact"))
    _guidance(doc, "Add detail: how many users, which journeys, any workaround they can use.")
    doc.add_paragraph()
    _heading(doc, "Timeline")
    _guidance(doc, "Add your own rows anywhere; the assistant adds new entries as they happen.")
    _timeline(doc)
    _heading(doc, "Actions")
    _guidance(doc, "What needs doing, who is doing it and where it has got to.")
    _people_table(doc, ("Action", "Owner", "Status"), (9.0, 4.0, 4.0))
    _heading(doc, "Communications sent")
    _guidance(doc, "Each update sent: when, to whom and how (email, Teams, status page).")
    _people_table(doc, ("Sent at", "To", "Channel and summary"), (3.2, 4.8, 9.0))
    _heading(doc, "Resolution")
    _field_paragraph(doc, RESOLUTION)
    _guidance(doc, "Add what was done to restore the service and anything still to follow up.")
    doc.add_paragraph()
    return to_bytes(doc)


def build_review_template() -> bytes:
    doc = _new_document("Incident review")
    _title(doc, "Incident review: ")
    _guidance(
        doc,
        "A blameless review of the incident. The assistant fills in the facts, a first draft of "
        "what happened and the timeline; the review team writes the rest.",
    )
    _heading(doc, "Facts")
    _facts_table(doc)
    _heading(doc, "What happened")
    _guidance(
        doc,
        "Rewrite the draft below in plain English for people who were not involved: what users "
        "saw, for how long, why it happened and what fixed it. Avoid technical jargon.",
    )
    _replace_paragraph(
        doc.add_paragraph(),
        make_control(
            WHAT_HAPPENED.tag,
            "What happened (draft)",
            DASH,
            lock=LOCK_CONTROL,
            block=True,
            plain=False,
        ),
    )
    doc.add_paragraph()
    _heading(doc, "Timeline")
    _timeline(doc)
    _heading(doc, "What went well")
    _guidance(doc, "What helped us find, fix and communicate the problem quickly.")
    doc.add_paragraph(style="List Bullet")
    _heading(doc, "What could be better")
    _guidance(doc, "What slowed us down or confused users. Describe systems and steps, not people.")
    doc.add_paragraph(style="List Bullet")
    _heading(doc, "Recommendations and actions")
    _guidance(doc, "One recommendation per row, each with an owner and a date.")
    _people_table(doc, ("Recommendation", "Owner", "Due"), (10.0, 4.0, 3.0))
    return to_bytes(doc)


def _new_document(kind: str) -> Any:
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


def _title(doc: Any, words: str) -> None:
    title = doc.add_paragraph(words, style="Title")
    title._p.append(make_control("ca:title", "Title", DASH, lock=LOCK_OWNED))


def _heading(doc: Any, text: str) -> None:
    doc.add_heading(text, level=1)


def _guidance(doc: Any, text: str) -> None:
    doc.add_paragraph(text, style=GUIDANCE)


def _field_paragraph(doc: Any, fld: Field) -> None:
    doc.add_paragraph()._p.append(make_control(fld.tag, fld.label, DASH, lock=LOCK_OWNED))


def _facts_table(doc: Any) -> None:
    table = _table(doc, len(FACT_FIELDS), (5.0, 12.0), "Light List Accent 1", "Incident facts")
    for row, fld in zip(table.rows, FACT_FIELDS, strict=True):
        row.cells[0].paragraphs[0].add_run(fld.label).bold = True
        row.cells[1].paragraphs[0]._p.append(
            make_control(fld.tag, fld.label, DASH, lock=LOCK_OWNED)
        )
    # The style's heading-row look is for a first row; the facts table has a heading column.
    look = table._tbl.tblPr.find(qn("w:tblLook"))
    for name, value in (("w:val", "0080"), ("w:firstRow", "0"), ("w:firstColumn", "1")):
        look.set(qn(name), value)


def _timeline(doc: Any) -> None:
    table = _heading_table(doc, COLUMNS, (3.4, 4.2, 9.4), "Incident timeline")
    # A block-level control around the table: found by tag like every other owned field, and
    # locked against deletion while rows inside stay free to add and edit.
    sdt = make_control(
        TIMELINE.tag,
        "Timeline (the assistant adds new entries)",
        "",
        lock=LOCK_CONTROL,
        block=True,
        plain=False,
    )
    content = sdt.find(qn("w:sdtContent"))
    content.remove(content[0])
    table._tbl.addprevious(sdt)
    content.append(table._tbl)
    doc.add_paragraph()


def _replace_paragraph(paragraph: Any, block: Any) -> None:
    # add_paragraph knows to stay before the section properties; a raw append would not.
    paragraph._p.addprevious(block)
    paragraph._p.getparent().remove(paragraph._p)


def _people_table(doc: Any, headings: tuple[str, ...], widths: tuple[float, ...]) -> None:
    table = _heading_table(doc, headings, widths, headings[0] + "s")
    for _ in range(2):
        table.add_row()
    doc.add_paragraph()


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


def write_templates(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, build in (
        (REPORT_TEMPLATE, build_report_template),
        (REVIEW_TEMPLATE, build_review_template),
    ):
        path = out_dir / name
        path.write_bytes(build())
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    for path in write_templates(Path(args[0]) if args else OUT_DIR):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
