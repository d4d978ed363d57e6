"""One incident per message kind, ordinary and security, as the card and email checks read them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

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
