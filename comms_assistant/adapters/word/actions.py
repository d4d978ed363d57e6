"""The follow-up actions' table, in the running report and the review: a row per action, with
its owner, its due date and where it has got to in Planner.

The table sits in a control tagged `ca:actions` (a document made from a template without one
gets a "Follow-up actions" section at its end, the first time there is an action to show).
Each row the assistant writes carries a control tagged `ca:action:<number>:<marks>` around its
first cell. `marks` holds a fingerprint of each cell as the assistant last wrote it: a refresh
rewrites a cell only while it still says that, so an action's progress keeps up with Planner
while a cell someone has changed in Word (a reworded action, an owner's name spelt out) stays
theirs. Rows people add are left alone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm

from comms_assistant.adapters.word.comms import set_cell_text
from comms_assistant.adapters.word.fields import (
    ACTIONS,
    DASH,
    LOCK_CONTROL,
    find_controls,
    open_docx,
    search_roots,
    to_bytes,
)
from comms_assistant.adapters.word.properties import stamp_document
from comms_assistant.adapters.word.rows import NewRow, add_missing_rows, find_table, table_rows
from comms_assistant.adapters.word.xml import element_text, make_control, set_control_text, xpath
from comms_assistant.domain.actions import Action
from comms_assistant.domain.incident import Incident
from comms_assistant.service.word_port import Stamp

ACTION_PREFIX = "ca:action:"
# The row of a table that has no actions once the incident is over, so the section does not
# read as "Not written.": gone again when an action is added.
NONE_TAG = "ca:actions:none"
NONE_GIVEN = "No follow-up actions were given."
ACTION_COLUMNS = ("Action", "Owner", "Due", "Progress")
ACTION_WIDTHS = (7.0, 3.4, 3.6, 3.0)  # cm: the page's 17
NO_OWNER = "Nobody yet"
SECTION = "Follow-up actions"
ALIAS = "Follow-up actions (the assistant adds each action)"


def action_cells(action: Action) -> tuple[str, str, str, str]:
    """In the order of ACTION_COLUMNS."""
    due = f"{action.due.day} {action.due:%B %Y}" if action.due else DASH
    return (f"{action.number}. {action.text}", action.owner or NO_OWNER, due, action.state.label)


def write_actions(
    document: Any, roots: list[Any], actions: Iterable[Action], what: str, *, over: bool = False
) -> int:
    """Show every action, adding rows for new ones and bringing the others up to date (cells
    people changed apart); returns how many rows were added or changed. Running it twice
    changes nothing. `over`: the incident is over, so an empty table says none were given."""
    actions = list(actions)
    table = find_table(roots, ACTIONS, len(ACTION_COLUMNS), what, "", required=False)
    if table is None:
        if not actions:
            return 0
        table = _appended_table(document)
    _say_when_none(table, over and not actions)
    mine = {_number(tag): tag for tag in _tags(table)}
    changed = 0
    missing: list[NewRow] = []
    for action in actions:
        tag = mine.get(action.number)
        if tag is None:
            missing.append(NewRow(action.number, action_cells(action)))
        else:
            changed += _rewrite(tag, action_cells(action))
    changed += add_missing_rows(table, missing, ACTION_PREFIX, "Action")
    for tag in _tags(table):
        if ":" not in _value(tag)[len(ACTION_PREFIX) :]:
            _mark(tag, [_fingerprint(text) for text in _texts(_row_of(tag))])
    return changed


def refresh_actions(document: bytes, incident: Incident, stamp: Stamp | None, what: str) -> bytes:
    """A filed document (the review) with its actions' table brought up to date, and nothing
    else of it touched: after it is filed, the review belongs to the people writing it."""
    doc = open_docx(document, what)
    write_actions(doc, search_roots(doc), incident.actions, what, over=not incident.is_open)
    stamp_document(doc, incident, stamp)
    return to_bytes(doc)


def read_actions(document_roots: list[Any]) -> list[list[str]]:
    """The cells of each row of the actions table (the heading row first); [] without one."""
    controls = find_controls(document_roots, ACTIONS.tag)
    tables = xpath(controls[0], ".//w:tbl") if controls else []
    if not tables:
        return []
    return [[element_text(tc) for tc in xpath(row, "./w:tc")] for row in table_rows(tables[0])]


def _say_when_none(table: Any, none: bool) -> None:
    """The "none were given" row: there while `none` and the table has no row of anyone's,
    gone otherwise."""
    found = [
        row for row in table_rows(table) if xpath(row, f".//w:sdtPr/w:tag[@w:val='{NONE_TAG}']")
    ]
    rows = [r for r in table_rows(table)[1:] if r not in found]
    if none and not rows and not found:
        table.append(_none_row(len(xpath(table, "./w:tblGrid/w:gridCol")) or 1))
    elif found and (rows or not none):
        for row in found:
            row.getparent().remove(row)


def _none_row(columns: int) -> Any:
    """One cell across the table, saying no actions were given, in a locked control."""
    tr, tc, tc_pr = OxmlElement("w:tr"), OxmlElement("w:tc"), OxmlElement("w:tcPr")
    tc_pr.append(OxmlElement("w:gridSpan", {qn("w:val"): str(columns)}))
    tc.append(tc_pr)
    p = OxmlElement("w:p")
    p.append(make_control(NONE_TAG, "No actions", NONE_GIVEN, lock=LOCK_CONTROL))
    tc.append(p)
    tr.append(tc)
    return tr


def _tags(table: Any) -> list[Any]:
    return [
        tag
        for tag in xpath(table, ".//w:tr//w:sdtPr/w:tag")
        if _value(tag).startswith(ACTION_PREFIX) and _number(tag) is not None
    ]


def _value(tag: Any) -> str:
    return str(tag.get(qn("w:val")) or "")


def _number(tag: Any) -> int | None:
    number = _value(tag)[len(ACTION_PREFIX) :].partition(":")[0]
    return int(number) if number.isdigit() else None


def _row_of(tag: Any) -> Any:
    return next(a for a in tag.iterancestors() if a.tag == qn("w:tr"))


def _cells_of(row: Any) -> list[Any]:
    return xpath(row, "./w:tc")[: len(ACTION_COLUMNS)]


def _texts(row: Any) -> list[str]:
    return [element_text(tc) for tc in _cells_of(row)]


def _fingerprint(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:6]


def _mark(tag: Any, marks: list[str]) -> None:
    tag.set(qn("w:val"), f"{ACTION_PREFIX}{_number(tag)}:{'.'.join(marks)}")


def _rewrite(tag: Any, cells: tuple[str, ...]) -> int:
    """Write each cell that still says what the assistant last wrote there and now should
    say something else; 1 if any changed."""
    row = _row_of(tag)
    marks = _value(tag)[len(ACTION_PREFIX) :].partition(":")[2].split(".")
    new_marks: list[str] = []
    changed = 0
    for index, (tc, text) in enumerate(zip(_cells_of(row), cells, strict=False)):
        current = element_text(tc)
        mark = marks[index] if index < len(marks) and marks[index] else None
        if mark is not None and _fingerprint(current) != mark:
            new_marks.append(mark)  # people changed it: theirs from now on
            continue
        if current != text:
            _write(tc, text, index)
            changed = 1
        new_marks.append(_fingerprint(text))
    _mark(tag, new_marks)
    return changed


def _write(tc: Any, text: str, index: int) -> None:
    controls = xpath(tc, f".//w:sdt[starts-with(w:sdtPr/w:tag/@w:val, '{ACTION_PREFIX}')]")
    if index == 0 and controls:
        set_control_text(controls[0], text)
    else:
        set_cell_text(tc, text)


def _appended_table(document: Any) -> Any:
    """A "Follow-up actions" section at the end of a document whose template had none: a
    heading, then the table in its tagged control."""
    try:
        document.add_heading(SECTION, level=1)
    except KeyError:  # an organisation's template without Word's heading styles
        document.add_paragraph().add_run(SECTION).bold = True
    table = document.add_table(rows=1, cols=len(ACTION_COLUMNS))
    for style in ("Light Grid Accent 1", "Table Grid"):
        try:
            table.style = document.styles[style]
            break
        except KeyError:
            continue
    for column, width in zip(table.columns, ACTION_WIDTHS, strict=True):
        column.width = Cm(width)
    for cell, heading in zip(table.rows[0].cells, ACTION_COLUMNS, strict=True):
        cell.paragraphs[0].add_run(heading)
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    control = make_control(ACTIONS.tag, ALIAS, "", lock=LOCK_CONTROL, block=True, plain=False)
    content = control.find(qn("w:sdtContent"))
    content.remove(content[0])
    table._tbl.addprevious(control)
    content.append(table._tbl)
    return table._tbl
