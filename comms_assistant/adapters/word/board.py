"""The board report (service/board_report.py): its template's tagged parts, making the template
(scripts/make_word_templates.py), and filling a copy for one month.

Like the other templates, everything is found by the tags of content controls, never by
position or wording, so an organisation may restyle it in Word:

    ca:board_month      the month, in the title and the header (plain text)
    ca:board_summary    the plain-English summary (a block)
    ca:board_incidents  the month's incidents (a table: 7 columns)
    ca:board_figures    this month against the three before (a table: 3 columns)
    ca:board_chart      where the chart goes (a block)
    ca:board_lessons    the P1s' lessons learnt (a block)
    ca:board_actions    follow-up actions still open (a table: 4 columns)
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from docx.oxml.ns import qn
from docx.shared import Cm
from docx.text.paragraph import Paragraph

from comms_assistant.adapters.word.fields import (
    LOCK_OWNED,
    Field,
    find_controls,
    open_docx,
    require_controls,
    search_roots,
    to_bytes,
)
from comms_assistant.adapters.word.finish import NOTE_TAG
from comms_assistant.adapters.word.layout import (
    block_field,
    guidance,
    heading,
    new_document,
    tagged_table,
)
from comms_assistant.adapters.word.rows import NewRow, add_missing_rows, find_table
from comms_assistant.adapters.word.xml import make_control, set_control_text, xpath
from comms_assistant.service.board_content import (
    ACTION_COLUMNS,
    FIGURE_COLUMNS,
    INCIDENT_COLUMNS,
    BoardContent,
)

BOARD_TEMPLATE = "Board report template.docx"
WHAT = "board report template"
MONTH = Field("board_month", "Month")
SUMMARY = Field("board_summary", "Summary")
INCIDENTS = Field("board_incidents", "Incidents this month")
FIGURES = Field("board_figures", "How we did")
CHART = Field("board_chart", "Chart")
LESSONS = Field("board_lessons", "Lessons learnt from P1 incidents")
ACTIONS = Field("board_actions", "Follow-up actions still open")
# In cm, the page's 17 cm.
INCIDENT_WIDTHS = (2.7, 3.7, 2.2, 2.1, 2.1, 2.0, 2.2)
FIGURE_WIDTHS = (7.0, 5.0, 5.0)
ACTION_WIDTHS = (2.9, 7.6, 4.0, 2.5)
CHART_WIDTH = Cm(16)


def build_board_template() -> bytes:
    """One to two pages: the summary and figures first, what a board member skims."""
    doc = new_document("Board report")
    title = doc.add_paragraph("Incidents: ", style="Title")
    title._p.append(make_control(MONTH.tag, MONTH.label, "Month", lock=LOCK_OWNED))
    guidance(
        doc,
        "Made by comms-assistant ('report board --month YYYY-MM') from the incident register. "
        "Check the summary and add anything the board should know.",
    )
    heading(doc, "Summary")
    block_field(doc, SUMMARY, "Summary")
    heading(doc, "How we did")
    tagged_table(doc, FIGURES, "Figures", FIGURE_COLUMNS, FIGURE_WIDTHS)
    block_field(doc, CHART, "Chart", "")
    heading(doc, "Incidents this month")
    tagged_table(doc, INCIDENTS, "Incidents", INCIDENT_COLUMNS, INCIDENT_WIDTHS)
    heading(doc, "Lessons learnt from P1 incidents")
    block_field(doc, LESSONS, "Lessons learnt")
    heading(doc, "Follow-up actions still open")
    tagged_table(doc, ACTIONS, "Actions", ACTION_COLUMNS, ACTION_WIDTHS)
    return to_bytes(doc)


def build_board_report(template: bytes, content: BoardContent, chart: bytes | None) -> bytes:
    doc = open_docx(template, WHAT)
    roots = search_roots(doc)
    # Every part checked before any is filled: a broken template is reported, not half-made.
    for fld in (MONTH, SUMMARY, CHART, LESSONS):
        require_controls(roots, fld, WHAT, BOARD_TEMPLATE)
    tables = {
        fld: find_table(roots, fld, len(columns), WHAT, BOARD_TEMPLATE)
        for fld, columns in (
            (INCIDENTS, INCIDENT_COLUMNS),
            (FIGURES, FIGURE_COLUMNS),
            (ACTIONS, ACTION_COLUMNS),
        )
    }
    for sdt in require_controls(roots, MONTH, WHAT, BOARD_TEMPLATE):
        set_control_text(sdt, content.month)
    _block(roots, SUMMARY, content.summary)
    _block(roots, LESSONS, content.lessons or "No incident reached P1 this month.")
    _rows(tables[INCIDENTS], content.incidents, "ca:board_incident:", "Incident", "None.")
    _rows(tables[FIGURES], content.figures, "ca:board_figure:", "Figure", "")
    _rows(tables[ACTIONS], content.actions, "ca:board_action:", "Action", "None open.")
    _chart(doc, roots, chart, content.chart_text)
    for note in xpath(doc.element.body, f".//w:sdt[w:sdtPr/w:tag/@w:val='{NOTE_TAG}']"):
        note.getparent().remove(note)  # the template's notes to its readers are not the board's
    # The header's reference field, where the template has one, names the month too.
    for sdt in find_controls(roots, Field("reference", "Reference").tag):
        set_control_text(sdt, content.month)
    props = doc.core_properties
    props.title = f"Board report: incidents in {content.month}"
    props.author = "comms-assistant"
    return to_bytes(doc)


def _block(roots: list[Any], fld: Field, text: str) -> None:
    for sdt in require_controls(roots, fld, WHAT, BOARD_TEMPLATE):
        set_control_text(sdt, text)


def _rows(table: Any, rows: Sequence[Sequence[str]], prefix: str, alias: str, empty: str) -> None:
    width = len(xpath(table, "./w:tblGrid/w:gridCol"))
    if not rows and empty:
        rows = [(empty, *[""] * (width - 1))]
    new = [NewRow(number, tuple(row)) for number, row in enumerate(rows, start=1)]
    add_missing_rows(table, new, prefix, alias)


def _chart(doc: Any, roots: list[Any], chart: bytes | None, words: str) -> None:
    for sdt in require_controls(roots, CHART, WHAT, BOARD_TEMPLATE):
        content = sdt.find(qn("w:sdtContent"))
        paragraphs = xpath(content, "./w:p")
        if chart is None or not paragraphs:
            set_control_text(sdt, words)
            continue
        for extra in paragraphs[1:]:
            content.remove(extra)
        paragraph = Paragraph(paragraphs[0], doc._body)
        for run in list(paragraph.runs):
            run._r.getparent().remove(run._r)
        picture = paragraph.add_run().add_picture(io.BytesIO(chart), width=CHART_WIDTH)
        # The picture's alt text, which screen readers read (python-docx sets only a name).
        doc_pr = picture._inline.docPr
        doc_pr.set("descr", words)
        doc_pr.set("title", "Incidents by priority, and updates on time")


class BoardWord:
    """The `BoardBuilder` port (service/board_report.py)."""

    def build(self, template: bytes, content: BoardContent, chart: bytes | None) -> bytes:
        return build_board_report(template, content, chart)

    def read_recommendations(self, document: bytes) -> list[list[str]]:
        from comms_assistant.adapters.word.documents_port import WordBuilders

        return WordBuilders().read_recommendations(document)
