"""Send slots in the database: the limits every process shares (service/send_slots.py).

A reservation counts and inserts in one transaction that holds the key, so two processes never
both see the last free slot: on PostgreSQL a transaction-level advisory lock on the key (no row
need exist first, and other keys are not held up); on SQLite the BEGIN IMMEDIATE that every
transaction takes already lets one writer in at a time.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from comms_assistant.adapters.sql.engine import transaction
from comms_assistant.adapters.sql.models import SendSlotRow
from comms_assistant.service.send_slots import ReservedSlot, SendLimit, SlotBusy, decide

# pg_advisory_xact_lock(space, key): the two-key form, whose keys never meet the one-key locks
# (schema.UPGRADE_LOCK) or another feature's space.
LOCK_SPACE = 0x736C6F74  # "slot"
# Rows older than this count for nothing: they are deleted as new ones are made.
KEEP = timedelta(hours=1)


def reserve_send(
    engine: Engine, key: str, now: datetime, limit: SendLimit, *, owner: str = ""
) -> ReservedSlot | SlotBusy:
    with transaction(engine) as session:
        _hold(session, key)
        counted, in_flight = _counted(session, key, now, limit)
        decided = decide(counted, in_flight, now, limit)
        if isinstance(decided, SlotBusy):
            return decided
        # A limit with no "at once" part needs no release: its slot is over when it starts.
        finished = decided if limit.concurrent is None else None
        row = SendSlotRow(key=key, owner=owner, started_at=decided, finished_at=finished)
        session.add(row)
        session.execute(
            delete(SendSlotRow).where(SendSlotRow.key == key, SendSlotRow.started_at < now - KEEP)
        )
        session.flush()
        return ReservedSlot(row.id, key, decided)


def release_send(engine: Engine, slot: ReservedSlot, now: datetime) -> None:
    with transaction(engine) as session:
        session.execute(
            update(SendSlotRow)
            .where(SendSlotRow.id == slot.id, SendSlotRow.finished_at.is_(None))
            .values(finished_at=max(now, slot.at))
        )


def _hold(session: Session, key: str) -> None:
    """Make the counting and inserting below one at a time per key, across processes."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(LOCK_SPACE, func.hashtext(key))))


def _counted(
    session: Session, key: str, now: datetime, limit: SendLimit
) -> tuple[list[datetime], int]:
    """The times of the sends still in `limit`'s window, and how many are in flight."""
    finished_since, lease_since = now - limit.window, now - limit.lease
    found = session.execute(
        select(SendSlotRow.started_at, SendSlotRow.finished_at).where(
            SendSlotRow.key == key,
            # Bounds the index scan: nothing started before both is counted (a send lasts less
            # than its lease, or it has stopped counting anyway).
            SendSlotRow.started_at > min(finished_since, lease_since) - limit.lease,
            or_(
                SendSlotRow.finished_at > finished_since,
                SendSlotRow.finished_at.is_(None) & (SendSlotRow.started_at > lease_since),
            ),
        )
    ).all()
    counted: list[datetime] = []
    in_flight = 0
    for started_at, finished_at in found:
        if finished_at is None:
            # Whatever its start: another process's clock may run a little ahead of ours.
            in_flight += 1
            counted.append(max(started_at, now))
        else:
            counted.append(finished_at)
    return counted, in_flight


class SqlSendSlots:
    """service/send_slots.py's SendSlots on the database: each call its own transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def reserve_send(
        self, key: str, now: datetime, limit: SendLimit, *, owner: str = ""
    ) -> ReservedSlot | SlotBusy:
        return reserve_send(self.engine, key, now, limit, owner=owner)

    def release_send(self, slot: ReservedSlot, now: datetime) -> None:
        release_send(self.engine, slot, now)
