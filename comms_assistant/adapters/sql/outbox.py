"""The outbox: deliveries recorded with the change that caused them, claimed and settled here.

A claim is a lease: a process that dies holding one loses it when the lease runs out, and the
delivery is picked up again. Deliveries in one lane go strictly in order. `SqlOutbox` is the
dispatcher's Outbox (service/outbox_port.py) over these functions.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from comms_assistant.adapters.sql.engine import transaction
from comms_assistant.adapters.sql.models import OutboxRow
from comms_assistant.adapters.sql.send_slots import SqlSendSlots
from comms_assistant.service.outbox_port import CLAIM_LIMIT, LEASE, Delivery

PENDING, DONE, FAILED = "pending", "done", "failed"


def enqueue(
    session: Session,
    *,
    key: str,
    incident_id: int,
    lane: str,
    kind: str,
    payload: dict[str, Any],
    now: datetime,
) -> OutboxRow:
    row = OutboxRow(
        key=key,
        incident_id=incident_id,
        lane=lane,
        kind=kind,
        payload=payload,
        status=PENDING,
        attempts=0,
        claims=0,
        created_at=now,
        next_attempt_at=now,
    )
    session.add(row)
    return row


def claim_due(
    engine: Engine,
    *,
    owner: str,
    now: datetime,
    limit: int = CLAIM_LIMIT,
    lease: timedelta = LEASE,
) -> list[Delivery]:
    """Lease the deliveries that may go now: due, unleased, and first in their lane."""
    with transaction(engine) as session:
        # Choose from the few columns that decide, not whole rows: every pending payload (a
        # mail's body and up to 500 recipients each) would otherwise be read and parsed on
        # every claim, however few of them go now.
        pending = session.execute(
            select(OutboxRow.id, OutboxRow.lane, OutboxRow.lease_until, OutboxRow.next_attempt_at)
            .where(OutboxRow.status == PENDING)
            .order_by(OutboxRow.id)
            # PostgreSQL: two workers never wait on or take the same rows. SQLite ignores
            # it; its BEGIN IMMEDIATE already makes the whole claim one writer at a time.
            .with_for_update(skip_locked=True)
        ).all()
        chosen: list[int] = []
        blocked_lanes: set[str] = set()
        for row_id, lane, lease_until, next_attempt_at in pending:
            if lane in blocked_lanes:
                continue
            blocked_lanes.add(lane)
            leased = lease_until is not None and lease_until > now
            if leased or next_attempt_at > now:
                continue
            chosen.append(row_id)
            if len(chosen) >= limit:
                break
        if not chosen:
            return []
        claimed: list[Delivery] = []
        rows = session.scalars(
            select(OutboxRow).where(OutboxRow.id.in_(chosen)).order_by(OutboxRow.id)
        )
        for row in rows:
            row.lease_owner, row.lease_until = owner, now + lease
            row.claims = (row.claims or 0) + 1
            claimed.append(
                Delivery(
                    row.id,
                    row.key,
                    row.kind,
                    row.incident_id,
                    dict(row.payload),
                    row.attempts,
                    row.claims,
                )
            )
        return claimed


def settle_done(
    session: Session, delivery_id: int, *, now: datetime, result: dict[str, Any]
) -> None:
    row = session.get_one(OutboxRow, delivery_id)
    row.status, row.done_at, row.result = DONE, now, result
    row.attempts += 1
    row.lease_owner = row.lease_until = None


def settle_retry(engine: Engine, delivery_id: int, *, error: str, retry_at: datetime) -> None:
    with transaction(engine) as session:
        row = session.get_one(OutboxRow, delivery_id)
        row.attempts += 1
        row.last_error, row.next_attempt_at = error, retry_at
        row.lease_owner = row.lease_until = None


def mark_failed(session: Session, delivery_id: int, *, error: str, now: datetime) -> None:
    row = session.get_one(OutboxRow, delivery_id)
    row.attempts += 1
    row.status, row.last_error, row.done_at = FAILED, error, now
    row.lease_owner = row.lease_until = None


def retry_failed(engine: Engine, *, now: datetime) -> list[int]:
    """Put every failed delivery back in the queue, as new; returns their ids."""
    with transaction(engine) as session:
        failed = list(session.scalars(select(OutboxRow).where(OutboxRow.status == FAILED)))
        for row in failed:
            row.status, row.next_attempt_at, row.done_at = PENDING, now, None
            # attempts are kept, so an uncertain mail is still looked up before it is resent
        return [row.id for row in failed]


def rows(engine: Engine, ids: set[int] | None = None) -> list[OutboxRow]:
    with transaction(engine) as session:
        query = select(OutboxRow).order_by(OutboxRow.id)
        if ids is not None:
            query = query.where(OutboxRow.id.in_(ids))
        return list(session.scalars(query))


def caused_by(engine: Engine, ids: set[int]) -> set[int]:
    """The deliveries whose payload names one of `ids` as its cause (the report refreshes that
    sent messages queued), `ids` left out.

    Asked of the database: reading every row the outbox has ever held, payload and all, to look
    at one key grew with the store's age and ran on every turn of a wait for deliveries.
    """
    if not ids:
        return set()
    with transaction(engine) as session:
        found = session.scalars(
            select(OutboxRow.id).where(OutboxRow.payload["cause"].as_integer().in_(ids))
        )
        return set(found) - ids


def next_wake(engine: Engine) -> datetime | None:
    """When the earliest pending delivery could next be tried.

    Only the first delivery of each lane counts: one queued behind it waits for it, however
    early its own time.
    """
    with transaction(engine) as session:
        # The columns that decide, not whole rows with their payloads (see claim_due).
        pending = session.execute(
            select(OutboxRow.lane, OutboxRow.next_attempt_at, OutboxRow.lease_until)
            .where(OutboxRow.status == PENDING)
            .order_by(OutboxRow.id)
        )
        firsts: dict[str, tuple[datetime, datetime | None]] = {}
        for lane, next_attempt_at, lease_until in pending:
            firsts.setdefault(lane, (next_attempt_at, lease_until))
        times = [max(at, lease_until or at) for at, lease_until in firsts.values()]
        return min(times) if times else None


def new_owner() -> str:
    return uuid.uuid4().hex


def defer(engine: Engine, delivery_id: int, until: datetime) -> None:
    """Put a claimed delivery back until `until`: not an attempt, and nothing was sent."""
    with transaction(engine) as session:
        row = session.get_one(OutboxRow, delivery_id)
        row.next_attempt_at = until
        row.lease_owner = row.lease_until = None
        # The claim did not send anything, so it must not make the next try look uncertain.
        row.claims = max((row.claims or 1) - 1, 0)


class SqlOutbox(SqlSendSlots):
    """The outbox in the database, as service/outbox_port.py's Outbox: each call is its own
    transaction. Its send slots (the mailbox's pace, shared by every worker) are
    send_slots.py's."""

    def new_owner(self) -> str:
        return new_owner()

    def claim_due(
        self, *, owner: str, now: datetime, limit: int = CLAIM_LIMIT, lease: timedelta = LEASE
    ) -> list[Delivery]:
        return claim_due(self.engine, owner=owner, now=now, limit=limit, lease=lease)

    def settle_retry(self, delivery_id: int, *, error: str, retry_at: datetime) -> None:
        settle_retry(self.engine, delivery_id, error=error, retry_at=retry_at)

    def defer(self, delivery_id: int, until: datetime) -> None:
        defer(self.engine, delivery_id, until)

    def caused_by(self, ids: set[int]) -> set[int]:
        return caused_by(self.engine, ids)

    def any_pending(self, ids: set[int]) -> bool:
        return any(r.status == PENDING for r in rows(self.engine, ids))

    def next_wake(self) -> datetime | None:
        return next_wake(self.engine)
