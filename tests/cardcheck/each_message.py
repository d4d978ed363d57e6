"""One incident per message kind, ordinary and security, as the card and email checks read them;
and the message that the Major Incident report is filed, both ways."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from comms_assistant.adapters.render_report_filed import ReportFiledMessage, ReportFiledRenderer
from comms_assistant.domain.incident import Incident, Priority, Role, TimelineEntry
from comms_assistant.domain.messages import MessageKind

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
LATER = NOW + timedelta(minutes=30)


def each_message(
    title: str, **declared: str
) -> Iterator[tuple[str, MessageKind, Incident, TimelineEntry]]:
    """(name, kind, incident, the entry the message is about) for every kind, both ways."""
    for security in (False, True):
        for kind in MessageKind:
            incident = Incident.declare(
                reference="INC-2026-0001",
                title=title,
                priority=Priority.P2,
                impact="Candidates cannot send applications.",
                services=("apply",),
                who="rowan.hale@example.org",
                now=NOW,
                security=security,
                **declared,  # type: ignore[arg-type]
            )
            incident.assign(Role.COMMS_LEAD, "nadia.farrow@example.org", who="x", now=NOW)
            entry = {
                MessageKind.OPENED: lambda i: i.timeline[0],
                MessageKind.PRIORITY: lambda i: i.change_priority(Priority.P1, who="x", now=LATER),
                MessageKind.RESOLVED: lambda i: i.resolve("We fixed it", who="x", now=LATER),
            }.get(kind, lambda i: i.post_update("Candidates can sign in.", who="x", now=LATER))(
                incident
            )
            yield f"{kind.value}{' (security)' if security else ''}", kind, incident, entry


def each_report_filed(title: str, report_url: str) -> dict[str, ReportFiledMessage]:
    """The message that the Major Incident report is filed, ordinary and security, by name."""
    renderer = ReportFiledRenderer()
    found = {}
    for security in (False, True):
        incident = Incident.declare(
            reference="INC-2026-0001", title=title, priority=Priority.P1, impact="",
            services=("apply",), who="rowan.hale@example.org", now=NOW, security=security,
        )  # fmt: skip
        incident.resolve("We fixed it", who="x", now=LATER)
        found[f"report filed{' (security)' if security else ''}"] = renderer(
            incident,
            subject=f"INC-2026-0001: {'A security incident' if security else title}",
            name=f"2026-11-23 INC-2026-0001 {title} - major incident report",
            url=report_url,
            ask={"name": "Nadia Farrow", "email": "nadia.farrow@example.org",
                 "role": "who is handling communications about this incident"},
            marking="OFFICIAL-SENSITIVE" if security else "",
        )  # fmt: skip
    return found
