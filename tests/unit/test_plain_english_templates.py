"""The mail templates shipped with the product pass the plain-English checker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from comms_assistant.adapters.contacts import load_directory
from comms_assistant.adapters.glossary import load_glossary
from comms_assistant.adapters.render import SECTIONS, Renderer
from comms_assistant.domain.incident import Incident, Priority, Role, Status, TimelineEntry
from comms_assistant.domain.messages import MessageKind
from comms_assistant.domain.plain_english import check, format_findings

NOW = datetime(2026, 7, 14, 12, 5, tzinfo=UTC)
LATER = NOW + timedelta(minutes=40)
HEADINGS = [heading for _, heading in SECTIONS]


def incident(priority: Priority, status: Status) -> Incident:
    declared = Incident.declare(
        reference="INC-2026-0003",
        title="Apply for teacher training is down",
        priority=priority,
        impact="Candidates cannot send applications. They can still sign in and save drafts.",
        services=("apply", "find"),
        who="rowan.hale@example.org",
        now=NOW,
        advice="Ask candidates to save their answers and try again after 3pm.",
    )
    declared.assign(Role.COMMS_LEAD, "nadia.farrow@example.org", who="x", now=NOW)
    if status is not Status.INVESTIGATING:
        declared.set_status(status, who="x", now=NOW)
    return declared


def entry(kind: MessageKind, case: Incident) -> TimelineEntry:
    if kind is MessageKind.OPENED:
        return case.timeline[0]
    if kind is MessageKind.UPDATE:
        text = "Candidates can sign in again but still cannot send applications."
        return case.post_update(text, who="x", now=LATER)
    if kind is MessageKind.PRIORITY:
        return case.change_priority(
            Priority.P2, who="x", now=LATER, reason="fewer candidates are affected now"
        )
    if kind is MessageKind.RESOLVED:
        # Moved on the way, so the resolution tells the priority's history too.
        moved = Priority.P1 if case.priority is not Priority.P1 else Priority.P2
        case.change_priority(moved, who="x", now=LATER)
    return case.resolve("we restored the connection to the applications system", who="x", now=LATER)


@pytest.mark.parametrize("status", [Status.INVESTIGATING, Status.IDENTIFIED, Status.MONITORING])
@pytest.mark.parametrize("priority", [Priority.P1, Priority.P3])
@pytest.mark.parametrize("kind", list(MessageKind))
def test_each_template_has_no_findings(kind, priority, status) -> None:
    directory = load_directory(None)
    renderer = Renderer(None, ZoneInfo("Europe/London"), service_names=directory.service_names())
    case = incident(priority, status)
    mail = renderer.mail(
        kind, case, entry(kind, case), update_number=2, next_update_by=LATER + timedelta(hours=1)
    )
    # The four headings' words, as a stakeholder reads them, checked as one message.
    assert all(heading in mail.text for heading in HEADINGS)
    body = _section_text(mail.text)
    report = check(body, kind=kind.value, glossary=load_glossary(None))
    assert report.clean, f"{body}\n\n{format_findings(report)}"
    # Enough sentences that the checker judged a message, not a line or two.
    assert report.sentences >= 4 and report.grade <= 9


def _section_text(text: str) -> str:
    """The paragraphs under the four headings, without the headings and the incident facts."""
    lines = text.splitlines()
    body = lines[lines.index(HEADINGS[0]) + 1 : lines.index("About this incident")]
    return "\n".join("" if line in HEADINGS else line for line in body).strip()
