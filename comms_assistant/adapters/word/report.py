"""The running incident report: refresh every owned field and add missing timeline rows."""

from __future__ import annotations

from collections.abc import Iterable
from zoneinfo import ZoneInfo

from comms_assistant.adapters.word.actions import write_actions
from comms_assistant.adapters.word.comms import SentMessage, add_missing_messages, find_comms_table
from comms_assistant.adapters.word.fields import (
    FACT_FIELDS,
    LATEST,
    RESOLUTION,
    fact_values,
    fill_fields,
    find_controls,
    open_docx,
    search_roots,
    to_bytes,
)
from comms_assistant.adapters.word.finish import finish
from comms_assistant.adapters.word.properties import stamp_document
from comms_assistant.adapters.word.timeline import add_missing_entries, find_timeline_table
from comms_assistant.domain.incident import Incident
from comms_assistant.service.word_port import Stamp

REPORT_FIELDS = FACT_FIELDS
# Page 1 gives each fact once: the title is the document's, the impact has its own section.
REPORT_FACTS = tuple(f for f in FACT_FIELDS if f.key not in ("title", "impact"))
# Filled where the template has them: the latest update is new, the resolution went with it.
OPTIONAL_FIELDS = (LATEST, RESOLUTION)
REPORT_TEMPLATE = "Incident report template.docx"
_WHAT = "incident report"


def refresh_report(
    document: bytes,
    incident: Incident,
    tz: ZoneInfo,
    comms: Iterable[SentMessage] = (),
    stamp: Stamp | None = None,
) -> bytes:
    """Bring the report up to date with the incident and the messages sent about it.

    The same call fills a fresh copy of the template and refreshes a report people have been
    editing for hours: owned fields are rewritten in place, timeline rows are only ever added,
    a message's comms row is added once and brought up to date (comms.py), and nothing
    outside the owned content controls is touched. Once the incident is over, the assistant's
    notes go (finish.py). Running it twice changes nothing but
    the document's modified time (`stamp`: its properties, properties.py).
    """
    doc = open_docx(document, _WHAT)
    roots = search_roots(doc)
    # Find the tables before filling anything, so a broken document is reported untouched.
    table = find_timeline_table(roots, _WHAT, REPORT_TEMPLATE)
    # Optional: a report made from a template older than the comms table still gets the rest.
    sent = find_comms_table(roots, _WHAT, REPORT_TEMPLATE, required=False)
    values = fact_values(incident, tz)
    fill_fields(roots, REPORT_FIELDS, values, _WHAT, REPORT_TEMPLATE)
    present = tuple(f for f in OPTIONAL_FIELDS if find_controls(roots, f.tag))
    fill_fields(roots, present, values, _WHAT, REPORT_TEMPLATE)
    add_missing_entries(table, incident.timeline, tz)
    if sent is not None:
        add_missing_messages(sent, comms, tz)
    write_actions(doc, roots, incident.actions, _WHAT, over=not incident.is_open)
    if not incident.is_open:
        finish(doc)
    stamp_document(doc, incident, stamp)
    return to_bytes(doc)
