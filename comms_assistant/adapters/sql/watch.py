"""What the store says about the workers and the outbox, for /healthz and the metrics.

Read at each scrape from the database every worker shares, so any process reports the truth for
all of them; each worker records its own ticks here (`record_tick`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.engine import Engine

from comms_assistant.adapters.sql.engine import transaction
from comms_assistant.adapters.sql.models import IncidentRow, OutboxRow, WorkerTickRow
from comms_assistant.adapters.sql.outbox import FAILED, PENDING
from comms_assistant.service.health import OutboxFacts, Tick

FORGET = timedelta(days=7)


def record_tick(engine: Engine, worker: str, *, at: datetime, ok: bool, interval: float) -> None:
    with transaction(engine) as session:
        row = session.get(WorkerTickRow, worker, with_for_update=True)
        if row is None:
            session.add(WorkerTickRow(worker=worker, at=at, ok=ok, interval=interval))
        else:
            row.at, row.ok, row.interval = at, ok, interval
        # Each start is a new worker name (host:pid): the rows of those long gone go.
        session.execute(delete(WorkerTickRow).where(WorkerTickRow.at < at - FORGET))


def last_tick(engine: Engine) -> Tick | None:
    """The newest tick of any worker (a tick that failed counts: the worker is alive)."""
    with transaction(engine) as session:
        row = session.scalars(select(WorkerTickRow).order_by(WorkerTickRow.at.desc())).first()
        return Tick(row.worker, row.at, row.ok, row.interval) if row else None


def outbox_facts(engine: Engine, now: datetime) -> OutboxFacts:
    with transaction(engine) as session:
        counts = dict(
            session.execute(
                select(OutboxRow.status, func.count())
                .where(OutboxRow.status.in_((PENDING, FAILED)))
                .group_by(OutboxRow.status)
            ).all()
        )
        # Only the first delivery of each lane can go (adapters/sql/outbox.py): one queued
        # behind it is waiting for it, not for the dispatcher. The columns, not the payloads.
        pending = session.execute(
            select(OutboxRow.lane, OutboxRow.next_attempt_at, OutboxRow.lease_until)
            .where(OutboxRow.status == PENDING)
            .order_by(OutboxRow.id)
        )
        heads: dict[str, datetime] = {}
        for lane, next_attempt_at, lease_until in pending:
            # Leased and being made now: due only once its lease has run out.
            heads.setdefault(lane, max(next_attempt_at, lease_until or next_attempt_at))
    due = [at for at in heads.values() if at <= now]
    return OutboxFacts(
        pending=counts.get(PENDING, 0),
        parked=counts.get(FAILED, 0),
        oldest_due=min(due) if due else None,
    )


def incident_reference(engine: Engine, incident_id: int) -> str | None:
    """An incident's reference, for the log lines about its deliveries."""
    with transaction(engine) as session:
        return session.scalar(select(IncidentRow.reference).where(IncidentRow.id == incident_id))
