"""The running incident report: refresh every owned field and add missing timeline rows."""

from __future__ import annotations

from collections.abc import Iterable
from zoneinfo import ZoneInfo

from comms_assistant.adapters.word_comms import SentMessage, add_missing_messages, find_comms_table
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


def refresh_report(
    document: bytes, incident: Incident, tz: ZoneInfo, comms: Iterable[SentMessage] = ()
) -> bytes:
    """Bring the report up to date with the incident and the messages sent about it.

    The same call fills a fresh copy of the template and refreshes a report people have been
    editing for hours: owned fields are rewritten in place, timeline and comms rows are only
    ever added, and nothing outside the owned content controls is touched. Running it twice
    changes nothing.
    """
    doc = open_docx(document, _WHAT)
    roots = search_roots(doc)
    # Find the tables before filling anything, so a broken document is reported untouched.
    table = find_timeline_table(roots, _WHAT, REPORT_TEMPLATE)
    # Optional: a report made from a template older than the comms table still gets the rest.
    sent = find_comms_table(roots, _WHAT, REPORT_TEMPLATE, required=False)
    fill_fields(roots, REPORT_FIELDS, fact_values(incident, tz), _WHAT, REPORT_TEMPLATE)
    add_missing_entries(table, incident.timeline, tz)
    if sent is not None:
        add_missing_messages(sent, comms, tz)
    return to_bytes(doc)
