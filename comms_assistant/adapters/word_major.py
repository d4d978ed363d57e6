"""The Major Incident report for the central team (DfE playbook: every P1 is reported).

Built when a P1 is closed, from the facts, a plain-English summary, the timeline and the
communications sent; when the review is filed, the lessons learnt are added. Between the two,
people write in it freely: later refreshes touch only the owned fields and add missing rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from copy import deepcopy
from typing import Any
from zoneinfo import ZoneInfo

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from comms_assistant.adapters.word_comms import SentMessage, add_missing_messages, find_comms_table
from comms_assistant.adapters.word_fields import (
    DASH,
    DURATION,
    FACT_FIELDS,
    LESSONS,
    RESOLUTION,
    WHAT_HAPPENED,
    fact_values,
    fill_fields,
    open_docx,
    require_controls,
    search_roots,
    to_bytes,
)
from comms_assistant.adapters.word_review import draft_what_happened, duration
from comms_assistant.adapters.word_timeline import add_missing_entries, find_timeline_table
from comms_assistant.adapters.word_xml import (
    add_link,
    clean,
    element_text,
    set_control_text,
    xpath,
)
from comms_assistant.domain.incident import Incident

MAJOR_TEMPLATE = "Major incident report template.docx"
MAJOR_FIELDS = (*FACT_FIELDS, RESOLUTION, DURATION)
LESSONS_PENDING = "Added from the incident review when it is filed."
_WHAT = "Major Incident report"


def build_major_incident_report(
    template: bytes, incident: Incident, tz: ZoneInfo, comms: Iterable[SentMessage] = ()
) -> bytes:
    """A new report from the template: every owned field, the summary draft and all rows."""
    doc = open_docx(template, _WHAT)
    roots = search_roots(doc)
    require_controls(roots, LESSONS, _WHAT, MAJOR_TEMPLATE)
    summary = {WHAT_HAPPENED.key: draft_what_happened(incident, tz), LESSONS.key: LESSONS_PENDING}
    fill_fields(roots, (WHAT_HAPPENED, LESSONS), summary, _WHAT, MAJOR_TEMPLATE)
    _refresh(roots, incident, tz, comms)
    return to_bytes(doc)


def update_major_incident_report(
    document: bytes,
    incident: Incident,
    tz: ZoneInfo,
    comms: Iterable[SentMessage] = (),
    lessons: str | None = None,
    links: Mapping[str, str] | None = None,
) -> bytes:
    """Refresh the owned facts, add missing rows and, when given, the lessons learnt.

    The summary is not rewritten: after the report is built it is the central team's text.
    Lessons replace only the placeholder; if people have already written lessons, ours are
    added after theirs, and never twice. `links`: text in the lessons (a document's name) to
    make a link to its address, so readers see the name and not a raw URL.
    """
    doc = open_docx(document, _WHAT)
    roots = search_roots(doc)
    controls = require_controls(roots, LESSONS, _WHAT, MAJOR_TEMPLATE)
    _refresh(roots, incident, tz, comms)
    if lessons is not None:
        body = doc.element.body
        for sdt in controls:
            written = _add_lessons(sdt, lessons)
            # A link's address is kept by the part the text is in; the lessons sit in the body.
            in_body = any(ancestor is body for ancestor in sdt.iterancestors())
            for text, url in (links or {}).items() if in_body else ():
                if re.match(r"https?://\S+$", url):
                    add_link(written, text, doc.part.relate_to(url, RT.HYPERLINK, True))
    return to_bytes(doc)


def draft_lessons(recommendations: Sequence[Sequence[str]], review: str) -> str:
    """The lessons learnt, from the recommendations people wrote in the review."""
    lines = [f"From the incident review, {review}:"]
    for cells in recommendations:
        what, *rest = [*cells, "", ""]
        extra = ", ".join(
            f"{label} {value}"
            for label, value in zip(("owner", "due"), rest, strict=False)
            if value
        )
        lines.append(f"\u2022 {what}" + (f" ({extra})" if extra else ""))
    if not recommendations:
        lines.append(
            "No recommendations were written in the review when it was filed. Copy them here "
            "once the review team has agreed them."
        )
    return "\n".join(lines)


def _refresh(
    roots: list[Any], incident: Incident, tz: ZoneInfo, comms: Iterable[SentMessage]
) -> None:
    timeline = find_timeline_table(roots, _WHAT, MAJOR_TEMPLATE)
    sent = find_comms_table(roots, _WHAT, MAJOR_TEMPLATE, required=True)
    took = duration(incident.resolved_at - incident.declared_at) if incident.resolved_at else DASH
    values = fact_values(incident, tz) | {DURATION.key: took}
    fill_fields(roots, MAJOR_FIELDS, values, _WHAT, MAJOR_TEMPLATE)
    add_missing_entries(timeline, incident.timeline, tz)
    add_missing_messages(sent, comms, tz)


def _add_lessons(sdt: Any, lessons: str) -> list[Any]:
    """The paragraphs written (none when they are there already)."""
    content = sdt.find(qn("w:sdtContent"))
    current = element_text(content).strip() if content is not None else ""
    if current in ("", LESSONS_PENDING, DASH):
        set_control_text(sdt, lessons)
        return xpath(sdt, "./w:sdtContent/w:p")
    if clean(lessons.splitlines()[0]) in current:
        return []  # added by an earlier attempt whose answer was lost
    # People wrote here first: keep their paragraphs as they are and add ours after them.
    first_ppr = next(iter(xpath(content, "./w:p/w:pPr")), None)
    written = []
    for line in clean(lessons).split("\n"):
        p = OxmlElement("w:p")
        if first_ppr is not None:
            p.append(deepcopy(first_ppr))
        r = OxmlElement("w:r")
        r.text = line
        p.append(r)
        content.append(p)
        written.append(p)
    return written
