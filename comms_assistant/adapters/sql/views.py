"""What the ways in (entrypoints/) read of the store: small frozen views, each read in its own
short transaction, so that the bot and the CLI hold no row and no session (issue 19). What they
change goes through the service layer; these only read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine

from comms_assistant.adapters.sql import outbox
from comms_assistant.adapters.sql.engine import transaction
from comms_assistant.adapters.sql.incidents import find_incident, latest_reviewed, to_domain
from comms_assistant.adapters.sql.models import DraftRow, IncidentRow, OutboxRow
from comms_assistant.adapters.sql.unit_of_work import unit_of_work
from comms_assistant.domain.authority import IncidentSummary
from comms_assistant.domain.incident import Incident, Status
from comms_assistant.service.unit_of_work import Incidents

# A delivery's status, as DeliveryView.status holds it.
PENDING, DONE, FAILED = outbox.PENDING, outbox.DONE, outbox.FAILED


@dataclass(frozen=True)
class DeliveryView:
    """One delivery as it stands: what it is, whether it went, and why not."""

    id: int
    key: str
    kind: str
    status: str  # PENDING, DONE or FAILED
    payload: dict[str, Any]
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    result: dict[str, Any] | None = None  # what the service answered (ids, links)


@dataclass(frozen=True)
class DraftView:
    """A message held back for its wording, waiting for its author to send or edit it."""

    author: str
    incident: str | None
    command: str
    suggested: str | None


@dataclass(frozen=True)
class IncidentShown:
    """An incident as its card shows it."""

    incident: Incident
    report_url: str | None


def deliveries(engine: Engine, ids: set[int] | None = None) -> list[DeliveryView]:
    """The deliveries `ids` (all of them when None), oldest first."""
    with transaction(engine) as session:
        query = select(OutboxRow).order_by(OutboxRow.id)
        if ids is not None:
            query = query.where(OutboxRow.id.in_(ids))
        return [_delivery(row) for row in session.scalars(query)]


def incident_summary(engine: Engine, reference: str) -> IncidentSummary | None:
    with transaction(engine) as session:
        row = find_incident(session, reference)
        return None if row is None else summary_of(row)


def chosen_incident(
    engine: Engine, choose: Callable[[Incidents], Incident | None]
) -> IncidentSummary | None:
    """The incident `choose` picks from the incidents (service.finding.choose_incident), as a
    summary."""
    with unit_of_work(engine) as uow:
        incident = choose(uow.incidents)
        return None if incident is None else IncidentSummary.of(incident)


def incident_shown(engine: Engine, reference: str) -> IncidentShown | None:
    with transaction(engine) as session:
        row = find_incident(session, reference)
        return None if row is None else IncidentShown(to_domain(row), row.report_url)


def draft(engine: Engine, author: str) -> DraftView | None:
    """`author`'s message held back for its wording, if one is waiting."""
    with transaction(engine) as session:
        row = session.get(DraftRow, author)  # keyed by its author
        if row is None:
            return None
        return DraftView(row.author, row.incident, row.command, row.suggested)


def latest_review_name(engine: Engine) -> str | None:
    """The file name of the newest incident review."""
    with transaction(engine) as session:
        row = latest_reviewed(session)
        return None if row is None else row.review_name


def summary_of(row: IncidentRow) -> IncidentSummary:
    return IncidentSummary(
        reference=row.reference,
        security=row.security,
        status=Status(row.status),
        declared_by=row.declared_by,
        # One column holds the standard roles and the process's own: their names never clash.
        holders=dict(row.leads),
    )


def _delivery(row: OutboxRow) -> DeliveryView:
    return DeliveryView(
        id=row.id,
        key=row.key,
        kind=row.kind,
        status=row.status,
        payload=dict(row.payload),
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_error=row.last_error,
        result=dict(row.result) if row.result else None,
    )
