"""The running incident report: refresh every owned field and add missing timeline rows."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from comms_assistant.adapters.word_fields import (
    FACT_FIELDS,
    RESOLUTION,
    fact_values,
    fill_fields,
    open_docx,
    search_roots,
    to_bytes,
)
from comms_assistant.adapters.word_timeline import add_missing_entries, find_timeline_table
from comms_assistant.domain.incident import Incident

REPORT_FIELDS = (*FACT_FIELDS, RESOLUTION)
REPORT_TEMPLATE = "Incident report template.docx"
_WHAT = "incident report"


def refresh_report(document: bytes, incident: Incident, tz: ZoneInfo) -> bytes:
    """Bring the report up to date with the incident.

    The same call fills a fresh copy of the template and refreshes a report people have been
    editing for hours: owned fields are rewritten in place, timeline rows are only ever added,
    and nothing outside the owned content controls is touched. Running it twice changes nothing.
    """
    doc = open_docx(document, _WHAT)
    roots = search_roots(doc)
    # Find the table before filling anything, so a broken document is reported untouched.
    table = find_timeline_table(roots, _WHAT, REPORT_TEMPLATE)
    fill_fields(roots, REPORT_FIELDS, fact_values(incident, tz), _WHAT, REPORT_TEMPLATE)
    add_missing_entries(table, incident.timeline, tz)
    return to_bytes(doc)
