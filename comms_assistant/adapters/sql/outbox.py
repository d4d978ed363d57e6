"""The outbox: deliveries recorded with the change that caused them, claimed and settled here.

A claim is a lease: a process that dies holding one loses it when the lease runs out, and the
delivery is picked up again. Deliveries in one lane go strictly in order. `SqlOutbox` is the
dispatcher's Outbox (service/outbox_port.py) over these functions.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from comms_assistant.adapters.sql.engine import transaction
from comms_assistant.adapters.sql.models import OutboxRow
from comms_assistant.adapters.sql.send_slots import SqlSendSlots
from comms_assistant.service.outbox_port import CLAIM_LIMIT, LEASE, Delivery

log = logging.getLogger(__name__)

PENDING, DONE, FAILED = "pending", "done", "failed"


def enqueue(
    session: Session,
    *,
    key: str,
    incident_id: int | None,
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
        # A lane's head is its lowest pending id, chosen before any lock is looked at: with
        # SKIP LOCKED on every pending row, a head locked by another worker (settling it)
        # dropped out and the row behind it looked like the head: #70 went before #69.
        heads = (
            select(func.min(OutboxRow.id))
            .where(OutboxRow.status == PENDING)
            .group_by(OutboxRow.lane)
        )
        due = (
            select(OutboxRow)
            .where(
                OutboxRow.id.in_(heads),
                OutboxRow.status == PENDING,
                OutboxRow.next_attempt_at <= now,
                or_(OutboxRow.lease_until.is_(None), OutboxRow.lease_until <= now),
            )
            .order_by(OutboxRow.id)
            .limit(limit)
            # PostgreSQL: only those heads are locked, `limit` at most, and a head another
            # worker holds is passed over, so workers share the work rather than wait for each
            # other. SQLite leaves it out: its BEGIN IMMEDIATE makes a claim one writer at a time.
            .with_for_update(skip_locked=True, of=OutboxRow)
        )
        claimed: list[Delivery] = []
        for row in session.scalars(due):
            row.lease_owner, row.lease_until = owner, now + lease
            row.claims = (row.claims or 0) + 1
            claimed.append(
                Delivery(
                    row.id,
                    row.key,
                    row.kind,
                    # 0, which no incident has: a notice about none (service/bad_edits.py).
                    row.incident_id or 0,
                    dict(row.payload),
                    row.attempts,
                    row.claims,
                    owner,
                    row.created_at,
                )
            )
        return claimed


def held(session: Session, delivery_id: int, owner: str | None) -> OutboxRow | None:
    """The delivery's row, locked, if `owner` still holds its lease (None: whoever holds it).

    A worker that took longer than its lease may find another worker took the delivery over:
    that one's outcome stands, and the slow one's is dropped, never settled over it."""
    row = session.get_one(OutboxRow, delivery_id, with_for_update=True)
    if owner is None or row.lease_owner == owner:
        return row
    log.warning(
        "delivery %s: the lease of %s ran out and passed to %s; its outcome is dropped",
        row.key,
        owner,
        row.lease_owner or "no one (settled)",
    )
    return None


def settle_done(
    session: Session,
    delivery_id: int,
    *,
    now: datetime,
    result: dict[str, Any],
    owner: str | None = None,
) -> bool:
    row = held(session, delivery_id, owner)
    if row is None:
        return False
    row.status, row.done_at, row.result = DONE, now, result
    row.attempts += 1
    row.lease_owner = row.lease_until = None
    return True


def settle_retry(
    engine: Engine,
    delivery_id: int,
    *,
    error: str,
    retry_at: datetime,
    owner: str | None = None,
) -> bool:
    with transaction(engine) as session:
        row = held(session, delivery_id, owner)
        if row is None:
            return False
        row.attempts += 1
        row.last_error, row.next_attempt_at = error, retry_at
        row.lease_owner = row.lease_until = None
        return True


def mark_failed(
    session: Session, delivery_id: int, *, error: str, now: datetime, owner: str | None = None
) -> bool:
    row = held(session, delivery_id, owner)
    if row is None:
        return False
    row.attempts += 1
    row.status, row.last_error, row.done_at = FAILED, error, now
    row.lease_owner = row.lease_until = None
    return True


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


def renew(engine: Engine, delivery_id: int, owner: str, until: datetime) -> bool:
    """Extend `owner`'s lease just before it sends; False if it passed on or was settled."""
    with transaction(engine) as session:
        row = session.get_one(OutboxRow, delivery_id, with_for_update=True)
        if row.lease_owner != owner or row.status != PENDING:
            return False
        row.lease_until = until
        return True


def defer(engine: Engine, delivery_id: int, until: datetime, owner: str | None = None) -> bool:
    """Put a claimed delivery back until `until`: not an attempt, and nothing was sent."""
    with transaction(engine) as session:
        row = held(session, delivery_id, owner)
        if row is None:
            return False
        row.next_attempt_at = until
        row.lease_owner = row.lease_until = None
        # The claim did not send anything, so it must not make the next try look uncertain.
        row.claims = max((row.claims or 1) - 1, 0)
        return True


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

    def settle_retry(
        self, delivery_id: int, *, error: str, retry_at: datetime, owner: str | None = None
    ) -> bool:
        return settle_retry(self.engine, delivery_id, error=error, retry_at=retry_at, owner=owner)

    def renew(self, delivery_id: int, owner: str, until: datetime) -> bool:
        return renew(self.engine, delivery_id, owner, until)

    def defer(self, delivery_id: int, until: datetime, owner: str | None = None) -> bool:
        return defer(self.engine, delivery_id, until, owner)

    def caused_by(self, ids: set[int]) -> set[int]:
        return caused_by(self.engine, ids)

    def any_pending(self, ids: set[int]) -> bool:
        return any(r.status == PENDING for r in rows(self.engine, ids))

    def next_wake(self) -> datetime | None:
        return next_wake(self.engine)
