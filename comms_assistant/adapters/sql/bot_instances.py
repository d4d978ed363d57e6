"""The bot instances sharing one turn journal, and which of them owns each acknowledged turn.

Behind a load balancer several `serve` processes accept activities into one journal. Each one
is a row here (an id made at start: host, pid and a random part, so a restart is a new instance)
whose `last_seen` it renews every few seconds. A turn belongs to the instance that accepted it;
an instance that stops renewing (killed, its machine gone) has its unfinished turns taken over
by a live one, by a single UPDATE whose WHERE names the dead: on PostgreSQL a second instance
running the same UPDATE waits on the rows' locks and then finds them owned by a live instance
(the WHERE is checked again on the new row), on SQLite writers take turns, so each turn is taken
once. A turn with no owner (accepted before owners existed, or by hand) is anyone's.

One conversation's turns run one at a time in the order they were accepted, whichever instance
holds them: `earlier_unfinished` is what an instance asks before running one (entrypoints/bot/
ownership.py). Ids are that order: accepting takes a per-conversation lock (turn_journal), so a
turn's id is larger than that of every turn of its conversation committed before it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, delete, insert, or_, select, update
from sqlalchemy.engine import Engine

from comms_assistant.adapters.sql.engine import transaction
from comms_assistant.adapters.sql.turn_journal import DONE, BotInstanceRow, BotTurnRow


def register(engine: Engine, instance: str, *, now: datetime) -> None:
    with transaction(engine) as session:
        session.execute(insert(BotInstanceRow).values(id=instance, started_at=now, last_seen=now))


def beat(engine: Engine, instance: str, *, now: datetime) -> bool:
    """Renew `last_seen`; False when the row was gone (this instance was declared dead and
    forgotten): it is put back, and the turns taken from it stay taken."""
    with transaction(engine) as session:
        result = session.execute(
            update(BotInstanceRow).where(BotInstanceRow.id == instance).values(last_seen=now)
        )
        if result.rowcount:  # type: ignore[attr-defined]
            return True
        session.execute(insert(BotInstanceRow).values(id=instance, started_at=now, last_seen=now))
        return False


def instance_ids(engine: Engine) -> list[str]:
    with transaction(engine) as session:
        return list(session.scalars(select(BotInstanceRow.id)))


def leave(engine: Engine, instance: str) -> None:
    """A clean stop: the row goes, so what the instance leaves unfinished is taken over at once
    rather than after the staleness limit."""
    with transaction(engine) as session:
        session.execute(delete(BotInstanceRow).where(BotInstanceRow.id == instance))


def take_over(engine: Engine, instance: str, *, now: datetime, stale_after: float) -> list[int]:
    """Make `instance` the owner of every unfinished turn whose owner is not a live instance
    (last seen within `stale_after` seconds); the ids taken, oldest first. Its own turns are
    never taken back, even if its last beat is late (they may be running here)."""
    cutoff = now.timestamp() - stale_after
    live = select(BotInstanceRow.id).where(
        BotInstanceRow.last_seen >= datetime.fromtimestamp(cutoff, now.tzinfo)
    )
    with transaction(engine) as session:
        taken = session.scalars(
            update(BotTurnRow)
            .where(
                BotTurnRow.state != DONE,
                or_(
                    BotTurnRow.owner.is_(None),
                    and_(BotTurnRow.owner != instance, BotTurnRow.owner.not_in(live)),
                ),
            )
            .values(owner=instance)
            .returning(BotTurnRow.id)
        )
        return sorted(taken)


def give_back(engine: Engine, instance: str, ids: list[int]) -> None:
    """Make turns of `instance` no one's: the next `take_over` anywhere takes them."""
    with transaction(engine) as session:
        session.execute(
            update(BotTurnRow)
            .where(BotTurnRow.id.in_(ids), BotTurnRow.owner == instance, BotTurnRow.state != DONE)
            .values(owner=None)
        )


def earlier_unfinished(engine: Engine, conversation_id: str, turn_id: int) -> bool:
    """Whether a turn of the conversation accepted before `turn_id` is not done yet."""
    with transaction(engine) as session:
        found = session.scalar(
            select(BotTurnRow.id)
            .where(
                BotTurnRow.conversation_id == conversation_id,
                BotTurnRow.id < turn_id,
                BotTurnRow.state != DONE,
            )
            .limit(1)
        )
        return found is not None


def forget(engine: Engine, *, before: datetime) -> int:
    """Forget instances not seen since `before` that own nothing unfinished: one row is left
    by every restart."""
    owning = select(BotTurnRow.owner).where(BotTurnRow.state != DONE, BotTurnRow.owner.is_not(None))
    with transaction(engine) as session:
        result = session.execute(
            delete(BotInstanceRow).where(
                BotInstanceRow.last_seen < before, BotInstanceRow.id.not_in(owning)
            )
        )
        return int(result.rowcount)  # type: ignore[attr-defined]
