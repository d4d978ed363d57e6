"""The timeline table: found by its tagged content control, rows matched to entries by `seq`.

The table sits inside a block-level content control tagged `ca:timeline` (locked against
deletion, open for editing), the same way every other owned field is found. Each row the
assistant writes carries a content control tagged `ca:entry:<seq>` around its time, so people can
reword a row, add their own rows or reorder them, and a refresh still knows which entries are
already shown and adds only the missing ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from comms_assistant.adapters.word_fields import (
    LOCK_CONTROL,
    TIMELINE,
    TemplateError,
    require_controls,
    show_time,
)
from comms_assistant.adapters.word_xml import clean, element_text, make_control, xpath
from comms_assistant.domain.incident import TimelineEntry

ENTRY_PREFIX = "ca:entry:"
COLUMNS = ("Time", "Who", "What")


def find_timeline_table(roots: list[Any], what: str, template: str) -> Any:
    for sdt in require_controls(roots, TIMELINE, what, template):
        tables = xpath(sdt, "./w:sdtContent//w:tbl")
        if tables:
            table = tables[0]
            if len(_column_widths(table)) < len(COLUMNS):
                raise _broken(what, "needs at least three columns: time, who and what")
            return table
    raise _broken(what, "content control has no table inside it")


def _broken(what: str, problem: str) -> TemplateError:
    return TemplateError(
        f"The {what}'s timeline {problem}. Copy the timeline table back from the template in "
        "templates/word/ (it sits in a content control tagged ca:timeline)."
    )


def entry_seq(row: Any) -> int | None:
    for tag in xpath(row, ".//w:sdtPr/w:tag/@w:val"):
        if str(tag).startswith(ENTRY_PREFIX):
            number = str(tag)[len(ENTRY_PREFIX) :]
            if number.isdigit():
                return int(number)
    return None


def table_rows(table: Any) -> list[Any]:
    # Rows may be wrapped in a row-level content control (Word's repeating sections).
    return xpath(table, "./w:tr | ./w:sdt/w:sdtContent/w:tr")


def add_missing_entries(table: Any, entries: Iterable[TimelineEntry], tz: ZoneInfo) -> int:
    """Insert a row for each entry the table does not show yet; return how many were added."""
    shown = {seq for row in table_rows(table) if (seq := entry_seq(row)) is not None}
    added = 0
    for entry in sorted(entries, key=lambda e: e.seq):
        if entry.seq in shown:
            continue
        _insert_in_order(table, _new_row(table, entry, tz), entry.seq)
        shown.add(entry.seq)
        added += 1
    return added


def read_rows(table: Any) -> list[tuple[int | None, list[str]]]:
    return [
        (entry_seq(row), [element_text(tc) for tc in xpath(row, "./w:tc")])
        for row in table_rows(table)
    ]


def _insert_in_order(table: Any, row: Any, seq: int) -> None:
    # Before the first row of a later entry, so a row someone deleted comes back in its place;
    # otherwise at the end, after any rows people added.
    for existing in table_rows(table):
        later = entry_seq(existing)
        if later is not None and later > seq:
            existing.addprevious(row)
            return
    rows = table_rows(table)
    if rows:
        rows[-1].addnext(row)
    else:
        table.append(row)


def _new_row(table: Any, entry: TimelineEntry, tz: ZoneInfo) -> Any:
    tr = OxmlElement("w:tr")
    tr_pr = OxmlElement("w:trPr")
    tr_pr.append(OxmlElement("w:cantSplit"))  # a row split across pages is hard to read
    tr.append(tr_pr)
    time = make_control(
        f"{ENTRY_PREFIX}{entry.seq}",
        f"Timeline entry {entry.seq}",
        show_time(entry.at, tz),
        lock=LOCK_CONTROL,
    )
    widths = _column_widths(table)
    texts = [None, clean(entry.who), clean(entry.text)] + [""] * (len(widths) - len(COLUMNS))
    for width, text in zip(widths, texts, strict=True):
        tc = OxmlElement("w:tc")
        if width:
            tc_pr = OxmlElement("w:tcPr")
            tc_pr.append(OxmlElement("w:tcW", {qn("w:w"): width, qn("w:type"): "dxa"}))
            tc.append(tc_pr)
        p = OxmlElement("w:p")
        if text is None:
            p.append(time)
        elif text:
            r = OxmlElement("w:r")
            r.text = text
            p.append(r)
        tc.append(p)
        tr.append(tc)
    return tr


def _column_widths(table: Any) -> list[str]:
    """One entry per column: its width in twentieths of a point, or "" when Word left it out."""
    cols = xpath(table, "./w:tblGrid/w:gridCol")
    return [str(col.get(qn("w:w")) or "") for col in cols]
