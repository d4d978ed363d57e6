"""Incidents in the database: finding their rows, and copying between row and domain object."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from comms_assistant.adapters.sql.models import IncidentRow, TimelineRow
from comms_assistant.domain.incident import (
    EntryKind,
    Incident,
    Priority,
    PriorityChange,
    Role,
    Status,
    TimelineEntry,
)
from comms_assistant.domain.record import Record


def next_number(session: Session, year: int) -> int:
    highest = session.scalar(select(func.max(IncidentRow.number)).where(IncidentRow.year == year))
    return (highest or 0) + 1


_ROLES = frozenset(role.value for role in Role)


def to_domain(row: IncidentRow) -> Incident:
    return Incident(
        reference=row.reference,
        title=row.title,
        priority=Priority(row.priority),
        impact=row.impact,
        services=tuple(row.services),
        declared_by=row.declared_by,
        declared_at=row.declared_at,
        security=row.security,
        status=Status(row.status),
        leads=_standard_leads(row),
        extra_leads=_extra_leads(row),
        resolved_at=row.resolved_at,
        resolution=row.resolution,
        timeline=_timeline(row),
        advice=row.advice or "",
        declared_title=row.declared_title or "",
        priority_history=_priority_history(row),
        record=Record(
            told=list(row.notified or []),
            updates_sent=row.updates_sent or 0,
            update_due_at=row.next_update_due,
            cadence_done=list(row.cadence_done or []),
            report_name=row.report_name or "",
            report_item_id=row.report_item_id,
            report_url=row.report_url,
            review_name=row.review_name,
            review_url=row.review_url,
            report_locked_at=row.report_locked_at,
        ),
    )


# One column holds both kinds of lead: the organisation's role names never clash with the
# standard ones.
def _standard_leads(row: IncidentRow) -> dict[Role, str]:
    return {Role(role): person for role, person in row.leads.items() if role in _ROLES}


def _extra_leads(row: IncidentRow) -> dict[str, str]:
    return {role: person for role, person in row.leads.items() if role not in _ROLES}


def _timeline(row: IncidentRow) -> list[TimelineEntry]:
    return [TimelineEntry(t.seq, t.at, t.who, EntryKind(t.kind), t.text) for t in row.timeline]


def _priority_history(row: IncidentRow) -> list[PriorityChange]:
    # NULL on rows from before the history was kept.
    return [
        PriorityChange(datetime.fromisoformat(at), Priority(priority))
        for at, priority in row.priority_history or []
    ]


def write_incident(row: IncidentRow, incident: Incident) -> None:
    """Copy the domain object's state onto its row, adding timeline entries the row lacks."""
    row.reference = incident.reference
    row.title = incident.title
    row.priority = int(incident.priority)
    row.status = incident.status.value
    row.impact = incident.impact
    row.services = list(incident.services)
    row.security = incident.security
    # One column for both: the organisation's role names never clash with the standard ones.
    row.leads = {role.value: person for role, person in incident.leads.items()} | dict(
        incident.extra_leads
    )
    row.declared_by = incident.declared_by
    row.declared_at = incident.declared_at
    row.resolved_at = incident.resolved_at
    row.resolution = incident.resolution
    row.advice = incident.advice
    row.declared_title = incident.declared_title
    row.priority_history = [
        [change.at.isoformat(), int(change.priority)] for change in incident.priority_history
    ]
    known = {t.seq for t in row.timeline}
    for entry in incident.timeline:
        if entry.seq not in known:
            row.timeline.append(
                TimelineRow(
                    seq=entry.seq,
                    at=entry.at,
                    who=entry.who,
                    kind=entry.kind.value,
                    text=entry.text,
                )
            )


def write_record(row: IncidentRow, record: Record) -> None:
    row.notified = list(record.told)
    row.updates_sent = record.updates_sent
    row.next_update_due = record.update_due_at
    row.cadence_done = list(record.cadence_done)
    row.report_name = record.report_name
    row.report_item_id = record.report_item_id
    row.report_url = record.report_url
    row.review_name = record.review_name
    row.review_url = record.review_url
    row.report_locked_at = record.report_locked_at


def find_incident(session: Session, reference: str) -> IncidentRow | None:
    return session.scalar(
        select(IncidentRow).where(func.upper(IncidentRow.reference) == reference.upper())
    )


def open_incidents(session: Session) -> list[IncidentRow]:
    open_states = [s.value for s in Status if s.is_open]
    return list(
        session.scalars(
            select(IncidentRow).where(IncidentRow.status.in_(open_states)).order_by(IncidentRow.id)
        )
    )


def latest_incident(session: Session) -> IncidentRow | None:
    return session.scalar(select(IncidentRow).order_by(IncidentRow.id.desc()).limit(1))


def latest_reviewed(session: Session) -> IncidentRow | None:
    return session.scalar(
        select(IncidentRow)
        .where(IncidentRow.review_name.is_not(None))
        .order_by(IncidentRow.id.desc())
        .limit(1)
    )


def incidents_with_status(session: Session, status: Status) -> list[IncidentRow]:
    return list(
        session.scalars(
            select(IncidentRow).where(IncidentRow.status == status.value).order_by(IncidentRow.id)
        )
    )
