"""Incidents in the database: finding their rows, and copying between row and domain object."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, Table, func, select
from sqlalchemy.orm import Session

from comms_assistant.adapters.sql.incident_work import (
    actions_of,
    meetings_json,
    meetings_of,
    write_actions,
)
from comms_assistant.adapters.sql.inserts import bump_counter
from comms_assistant.adapters.sql.models import CounterRow, IncidentRow, TimelineRow
from comms_assistant.domain.incident import (
    EntryKind,
    Incident,
    Priority,
    PriorityChange,
    Role,
    Status,
    TimelineEntry,
)
from comms_assistant.domain.record import Hold, HoldEnd, Record


def next_number(session: Session, year: int) -> int:
    """The year's next incident number, from its counter (models.CounterRow says why)."""
    highest = select(func.coalesce(func.max(IncidentRow.number), 0) + 1).where(
        IncidentRow.year == year
    )
    return bump_counter(session, COUNTERS, f"incident:{year}", floor=highest.scalar_subquery())


COUNTERS: Table = CounterRow.__table__  # type: ignore[assignment]
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
        started_at=row.started_at,
        priority_history=_priority_history(row),
        actions=actions_of(row),
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
            meetings=meetings_of(row),
            holds=[
                Hold(datetime.fromisoformat(at), HoldEnd(ended)) for at, ended in row.holds or []
            ],
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
    row.started_at = incident.started_at
    row.priority_history = [
        [change.at.isoformat(), int(change.priority)] for change in incident.priority_history
    ]
    write_actions(row, incident.actions)
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
    row.meetings = meetings_json(record.meetings)
    row.holds = [[h.at.isoformat(), h.ended.value] for h in record.holds] or None


def find_incident(session: Session, reference: str, *, lock: bool = False) -> IncidentRow | None:
    query = select(IncidentRow).where(func.upper(IncidentRow.reference) == reference.upper())
    return session.scalar(locked(query, lock))


def open_incidents(session: Session, *, lock: bool = False) -> list[IncidentRow]:
    open_states = [s.value for s in Status if s.is_open]
    query = select(IncidentRow).where(IncidentRow.status.in_(open_states))
    return list(session.scalars(locked(query.order_by(IncidentRow.id), lock)))


def latest_incident(session: Session, *, lock: bool = False) -> IncidentRow | None:
    query = select(IncidentRow).order_by(IncidentRow.id.desc()).limit(1)
    return session.scalar(locked(query, lock))


def latest_reviewed(session: Session, *, lock: bool = False) -> IncidentRow | None:
    query = (
        select(IncidentRow)
        .where(IncidentRow.review_name.is_not(None))
        .order_by(IncidentRow.id.desc())
        .limit(1)
    )
    return session.scalar(locked(query, lock))


def incidents_with_status(
    session: Session, status: Status, *, lock: bool = False
) -> list[IncidentRow]:
    query = select(IncidentRow).where(IncidentRow.status == status.value)
    return list(session.scalars(locked(query.order_by(IncidentRow.id), lock)))


def locked(query: Select[IncidentRow], lock: bool) -> Select[IncidentRow]:
    """`query`, its incidents locked until the transaction ends when `lock` (SELECT ... FOR
    UPDATE on PostgreSQL; SQLite leaves it out, its BEGIN IMMEDIATE having one writer at a time
    already). A unit of work locks every incident it hands out, so two commands, ticks or
    settlements on one incident take turns and the second sees the first one's timeline: numbered
    in memory from what was read, 1 of 8 concurrent logs on PostgreSQL otherwise took a number
    already taken. Locked in id order, so two listings never wait for each other in a circle."""
    return query.with_for_update(of=IncidentRow) if lock else query
