"""Word documents for an incident: the running report and the review.

Pure functions, bytes in and bytes out; the Graph adapter moves the bytes to and from SharePoint.
Owned values live in content controls tagged `ca:<field>`; see word_fields and word_timeline.
"""

from __future__ import annotations

from docx.oxml.ns import qn

from comms_assistant.adapters.word_fields import (
    TAG_PREFIX,
    TIMELINE,
    TemplateError,
    control_tag,
    open_docx,
    search_roots,
)
from comms_assistant.adapters.word_report import refresh_report
from comms_assistant.adapters.word_review import build_review, draft_what_happened
from comms_assistant.adapters.word_timeline import ENTRY_PREFIX, find_timeline_table, read_rows
from comms_assistant.adapters.word_xml import element_text, xpath

__all__ = [
    "TemplateError",
    "build_review",
    "draft_what_happened",
    "read_fields",
    "read_timeline",
    "refresh_report",
]


def read_fields(document: bytes) -> dict[str, str]:
    """The text of each owned field, by name without the `ca:` prefix (the first one wins)."""
    fields: dict[str, str] = {}
    for root in search_roots(open_docx(document, "document")):
        for sdt in xpath(root, f".//w:sdt[starts-with(w:sdtPr/w:tag/@w:val, '{TAG_PREFIX}')]"):
            tag = control_tag(sdt)
            if tag == TIMELINE.tag or tag.startswith(ENTRY_PREFIX):
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
