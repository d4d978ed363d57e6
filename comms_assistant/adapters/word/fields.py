"""Owned fields in the Word documents: how they are marked, found, filled and read.

Every value the assistant owns sits in a content control (`w:sdt`) whose tag is `ca:<field>`.
Tags survive restyling, moving, copy and paste in Word, so the code finds a field by its tag and
never by position or by the words around it. Everything outside an owned control is left alone.
Pure: bytes in, bytes out, no I/O.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from docx import Document

from comms_assistant.adapters.word.xml import set_control_text, xpath
from comms_assistant.domain.history import history_of
from comms_assistant.domain.incident import EntryKind, Incident, Role
from comms_assistant.domain.times import show_time

TAG_PREFIX = "ca:"
NOT_SET = "Not set yet"
DASH = "\u2014"

# Content locked: the assistant rewrites these on every refresh, so an edit made in Word would be
# lost silently; locking says so up front. Deletion is blocked too, so the field cannot vanish.
LOCK_OWNED = "sdtContentLocked"
# Control locked only: people may edit inside (timeline rows, the review draft) but cannot
# delete the control by accident and so break the link the assistant follows.
LOCK_CONTROL = "sdtLocked"


class TemplateError(Exception):
    """The document lacks something the assistant fills in; the message says what to do."""


@dataclass(frozen=True)
class Field:
    key: str
    label: str

    @property
    def tag(self) -> str:
        return TAG_PREFIX + self.key


LEAD_FIELDS = {
    Role.INCIDENT_LEAD: Field("incident_lead", "Incident lead"),
    Role.COMMS_LEAD: Field("comms_lead", "Comms lead"),
    Role.TECH_LEAD: Field("tech_lead", "Tech lead"),
    Role.SUPPORT_LEAD: Field("support_lead", "Support lead"),
    Role.SCRIBE: Field("scribe", "Scribe"),
}
FACT_FIELDS: tuple[Field, ...] = (
    Field("reference", "Reference"),
    Field("title", "Title"),
    Field("priority", "Priority"),
    Field("status", "Status"),
    Field("impact", "Impact on users"),
    Field("services", "Services affected"),
    Field("declared_at", "Declared at"),
    Field("declared_by", "Declared by"),
    Field("resolved_at", "Resolved at"),
    *LEAD_FIELDS.values(),
)
RESOLUTION = Field("resolution", "Resolution")
WHAT_HAPPENED = Field("what_happened", "What happened")
TIMELINE = Field("timeline", "Timeline")
COMMS = Field("comms", "Communications sent")
RECOMMENDATIONS = Field("recommendations", "Recommendations and actions")
DURATION = Field("duration", "Duration")
# The running report's "What we are doing": the last update sent, or the resolution.
LATEST = Field("latest", "Latest update")
LESSONS = Field("lessons", "Lessons learnt")
ACTIONS = Field("actions", "Follow-up actions")


def fact_values(incident: Incident, tz: ZoneInfo) -> dict[str, str]:
    values = {
        "reference": incident.reference,
        "title": incident.title,
        "priority": priority_fact(incident),
        "status": incident.status.value.capitalize(),
        "impact": impact_fact(incident, tz),
        "services": ", ".join(incident.services) or DASH,
        "declared_at": show_time(incident.declared_at, tz),
        "declared_by": incident.declared_by or DASH,
        "resolved_at": show_time(incident.resolved_at, tz),
        RESOLUTION.key: incident.resolution or "Not resolved yet",
        LATEST.key: latest_news(incident, tz),
    }
    # Once it is over, a role nobody took was not held: "Not set yet" would say it still may be.
    nobody = NOT_SET if incident.is_open else "None"
    for role, fld in LEAD_FIELDS.items():
        values[fld.key] = incident.leads.get(role) or nobody
    return values


def impact_fact(incident: Incident, tz: ZoneInfo) -> str:
    """Who is affected; once it is fixed, said as it was, not as if people still are (the
    report, the review and the Major Incident report are all read after it is over)."""
    if not incident.impact:
        return NOT_SET
    if incident.resolved_at is None:
        return incident.impact
    return f"Before it was resolved at {show_time(incident.resolved_at, tz)}: {incident.impact}"


def latest_news(incident: Incident, tz: ZoneInfo) -> str:
    """What we are doing: the resolution once there is one, else the last update sent."""
    if incident.resolved_at is not None and incident.resolution:
        return f"Resolved at {show_time(incident.resolved_at, tz)}: {incident.resolution}"
    for entry in reversed(incident.timeline):
        if entry.kind is EntryKind.UPDATE:
            return f"Update at {show_time(entry.at, tz)}: {entry.text}"
    return "No update has been sent yet."


def priority_fact(incident: Incident) -> str:
    """ "P2", or "P2 (was P1 at its highest)": a report read after a P1 was lowered must still
    show that it was a Major Incident."""
    highest = min(incident.priority, *(change.priority for change in history_of(incident)))
    if highest is incident.priority:
        return highest.label
    return f"{incident.priority.label} (was {highest.label} at its highest)"


def open_docx(content: bytes, what: str) -> Any:
    try:
        return Document(io.BytesIO(content))
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        raise TemplateError(
            f"The {what} is not a Word document (.docx) the assistant can read ({error}). "
            "Start again from a copy of the template in templates/word/."
        ) from error


def to_bytes(document: Any) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def search_roots(document: Any) -> list[Any]:
    """The body plus every header and footer: an organisation may put a field in a header."""
    roots = [document.element.body]
    for part in document.part.package.iter_parts():
        name = str(part.partname)
        if name.startswith(("/word/header", "/word/footer")) and hasattr(part, "element"):
            roots.append(part.element)
    return roots


def find_controls(roots: list[Any], tag: str) -> list[Any]:
    found: list[Any] = []
    for root in roots:
        found += xpath(root, f".//w:sdt[w:sdtPr/w:tag/@w:val='{tag}']")
    return found


def control_tag(sdt: Any) -> str:
    tags = xpath(sdt, "./w:sdtPr/w:tag/@w:val")
    return str(tags[0]) if tags else ""


def require_controls(roots: list[Any], fld: Field, what: str, template: str) -> list[Any]:
    controls = find_controls(roots, fld.tag)
    if not controls:
        raise TemplateError(
            f'The {what} has no "{fld.label}" field: the assistant looks for a content control '
            f'tagged "{fld.tag}". Copy it back from templates/word/{template}, or in Word select '
            "where the value goes, insert a Plain Text Content Control (Developer tab) and set "
            f"its Tag to {fld.tag}."
        )
    return controls


def fill_fields(
    roots: list[Any], fields: tuple[Field, ...], values: dict[str, str], what: str, template: str
) -> None:
    # Check every field before changing any, so a broken document is reported, not half-filled.
    controls = {f.key: require_controls(roots, f, what, template) for f in fields}
    for key, sdts in controls.items():
        for sdt in sdts:
            set_control_text(sdt, values[key])
