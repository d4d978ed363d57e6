"""Tables whose rows the assistant adds and later recognises: the timeline and comms sent.

Each table sits inside a block-level content control (locked against deletion, open for
editing). Each row the assistant writes carries a content control tagged `<prefix><number>`
around its first cell's text, so people can reword a row, add their own rows or reorder them,
and a refresh still knows which rows are already shown and adds only the missing ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from comms_assistant.adapters.word.fields import (
    LOCK_CONTROL,
    Field,
    TemplateError,
    find_controls,
    require_controls,
)
from comms_assistant.adapters.word.xml import clean, element_text, make_control, xpath


@dataclass(frozen=True)
class NewRow:
    """A row to show: `number` identifies it for good; `cells` are the texts, first one tagged."""

    number: int
    cells: tuple[str, ...]


def find_table(
    roots: list[Any], fld: Field, columns: int, what: str, template: str, *, required: bool = True
) -> Any:
    """The first table inside the control tagged `fld.tag`; None only when not `required` and
    the document has no such control (a report made from an older template)."""
    controls = (
        require_controls(roots, fld, what, template) if required else find_controls(roots, fld.tag)
    )
    for sdt in controls:
        tables = xpath(sdt, "./w:sdtContent//w:tbl")
        if tables:
            table = tables[0]
            if len(column_widths(table)) < columns:
                raise _broken(what, fld, f"needs at least {columns} columns")
            return table
    if controls:
        raise _broken(what, fld, "content control has no table inside it")
    return None


def _broken(what: str, fld: Field, problem: str) -> TemplateError:
    return TemplateError(
        f"The {what}'s {fld.label.lower()} {problem}. Copy the table back from the template in "
        f"templates/word/ (it sits in a content control tagged {fld.tag})."
    )


def row_number(row: Any, prefix: str) -> int | None:
    """The number in the row's tag `<prefix><number>`, or `<prefix><number>:<more>`."""
    for tag in xpath(row, ".//w:sdtPr/w:tag/@w:val"):
        if str(tag).startswith(prefix):
            number = str(tag)[len(prefix) :].partition(":")[0]
            if number.isdigit():
                return int(number)
    return None


def table_rows(table: Any) -> list[Any]:
    # Rows may be wrapped in a row-level content control (Word's repeating sections).
    return xpath(table, "./w:tr | ./w:sdt/w:sdtContent/w:tr")


def add_missing_rows(table: Any, rows: Iterable[NewRow], prefix: str, alias: str) -> int:
    """Insert each row the table does not show yet, in number order; return how many."""
    existing = table_rows(table)
    numbers = [row_number(r, prefix) for r in existing]
    shown = {n for n in numbers if n is not None}
    missing = sorted((r for r in rows if r.number not in shown), key=lambda r: r.number)
    if not missing:
        return 0
    widths = column_widths(table)
    for new in missing:
        _insert_row(table, existing, numbers, _new_row(widths, new, prefix, alias), new.number)
    return len(missing)


def _insert_row(
    table: Any, existing: list[Any], numbers: list[int | None], element: Any, number: int
) -> None:
    """Put a new row numbered `number` before the first row of a later number, so a row someone
    deleted comes back in its place; otherwise at the end, after any rows people added. Keeps
    `existing` and `numbers` (the table's rows, and each one's number) in step."""
    at = next((i for i, n in enumerate(numbers) if n is not None and n > number), len(numbers))
    if at < len(existing):
        existing[at].addprevious(element)
    elif existing:
        existing[-1].addnext(element)
    else:
        table.append(element)
    existing.insert(at, element)
    numbers.insert(at, number)


def read_table(table: Any, prefix: str) -> list[tuple[int | None, list[str]]]:
    return [
        (row_number(row, prefix), [element_text(tc) for tc in xpath(row, "./w:tc")])
        for row in table_rows(table)
    ]


def _new_row(widths: list[str], new: NewRow, prefix: str, alias: str) -> Any:
    tr = OxmlElement("w:tr")
    tr_pr = OxmlElement("w:trPr")
    tr_pr.append(OxmlElement("w:cantSplit"))  # a row split across pages is hard to read
    tr.append(tr_pr)
    first = make_control(
        f"{prefix}{new.number}", f"{alias} {new.number}", clean(new.cells[0]), lock=LOCK_CONTROL
    )
    texts: list[str | None] = [None, *new.cells[1:]]
    texts += [""] * (len(widths) - len(texts))
    for width, text in zip(widths, texts, strict=False):
        tr.append(_new_cell(width, first if text is None else text))
    return tr


def _new_cell(width: str, content: Any) -> Any:
    """A cell `width` wide (Word's own when ""), holding a content control or plain text."""
    tc = OxmlElement("w:tc")
    if width:
        tc_pr = OxmlElement("w:tcPr")
        tc_pr.append(OxmlElement("w:tcW", {qn("w:w"): width, qn("w:type"): "dxa"}))
        tc.append(tc_pr)
    p = OxmlElement("w:p")
    if not isinstance(content, str):
        p.append(content)
    elif content:
        r = OxmlElement("w:r")
        r.text = clean(content)
        p.append(r)
    tc.append(p)
    return tc


def column_widths(table: Any) -> list[str]:
    """One entry per column: its width in twentieths of a point, or "" when Word left it out."""
    cols = xpath(table, "./w:tblGrid/w:gridCol")
    return [str(col.get(qn("w:w")) or "") for col in cols]
