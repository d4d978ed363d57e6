"""Reading an incident's Word document back: its owned fields, its timeline, its communications
sent (what people may have edited by hand, for the product to respect)."""

from __future__ import annotations

from docx.oxml.ns import qn

from comms_assistant.adapters.word.comms import (
    MESSAGE_PREFIX,
    SENT_PREFIX,
    find_comms_table,
    read_comms_rows,
)
from comms_assistant.adapters.word.fields import TAG_PREFIX, control_tag, open_docx, search_roots
from comms_assistant.adapters.word.timeline import ENTRY_PREFIX, find_timeline_table, read_rows
from comms_assistant.adapters.word.xml import element_text, xpath

# Controls that hold a table of rows, and the controls on those rows: not single fields.
_TABLE_TAGS = ("ca:timeline", "ca:comms", "ca:recommendations")
_ROW_PREFIXES = (ENTRY_PREFIX, MESSAGE_PREFIX, SENT_PREFIX)


def read_fields(document: bytes) -> dict[str, str]:
    """The text of each owned field, by name without the `ca:` prefix (the first one wins)."""
    fields: dict[str, str] = {}
    for root in search_roots(open_docx(document, "document")):
        for sdt in xpath(root, f".//w:sdt[starts-with(w:sdtPr/w:tag/@w:val, '{TAG_PREFIX}')]"):
            tag = control_tag(sdt)
            if tag in _TABLE_TAGS or tag.startswith(_ROW_PREFIXES):
                continue
            content = sdt.find(qn("w:sdtContent"))
            fields.setdefault(
                tag[len(TAG_PREFIX) :], "" if content is None else element_text(content)
            )
    return fields


def read_timeline(document: bytes) -> list[tuple[int | None, list[str]]]:
    """Every timeline row, heading included: (the entry's seq, or None for a row people added
    and for the heading; the text of each cell)."""
    roots = search_roots(open_docx(document, "document"))
    return read_rows(find_timeline_table(roots, "document", "the template"))


def read_comms(document: bytes) -> list[tuple[int | None, list[str]]]:
    """Every "Communications sent" row, heading included, as read_timeline; [] if none."""
    roots = search_roots(open_docx(document, "document"))
    table = find_comms_table(roots, "document", "the template", required=False)
    return [] if table is None else read_comms_rows(table)
