"""The bot's acknowledged turns, kept in a database of their own until they have run.

The bot answers 202 before it runs a turn (Teams wants an answer fast), so an activity is
stored here first: a process that dies between the 202 and the turn runs it after the restart,
in the order it came. Teams sends an activity again (same id) when an answer is slow; the
unique (conversation, activity id) makes the second one a no-op.

States: `accepted` (stored, not begun), `started` (the command is being carried out: after a
crash it may or may not have been, so it is never run again; the person is told to check),
`done`.

Where it lives: with PostgreSQL (the `database_url` setting), in the same database as everything
else, the `bot_turns` table its migrations make: every bot instance then shares it, and
PostgreSQL has no single writer to wait on. With SQLite it is a file of its own beside state.db
(`bot-turns.db`), with the store's settings (WAL, busy timeout, BEGIN IMMEDIATE): in state.db
the write before each 202 waited on SQLite's one writer behind the turns' and deliveries'
transactions (`scripts/bench.py bot-answer`, 50 senders, HTTP answer p99 1.5 s; 0.03 s without
a journal); in its own file it waits only on other journal writes, a few milliseconds each.
The table is the same on both (state.db's copy of it stays empty).

Several bot instances: each turn has an `owner`, the instance that accepted it, and
`bot_instances` says which instances are alive (bot_instances.py: taking over a dead one's
turns, and the order of one conversation's turns across instances).
"""

from __future__ import annotations

import asyncio
import zlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    String,
    Table,
    UniqueConstraint,
    delete,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, Session, mapped_column

from comms_assistant.adapters.sql.engine import is_sqlite, sqlite_engine, transaction
from comms_assistant.adapters.sql.inserts import insert_new
from comms_assistant.adapters.sql.models import Base, UTCDateTime

FILE_NAME = "bot-turns.db"

ACCEPTED = "accepted"
STARTED = "started"
DONE = "done"


class BotTurnRow(Base):
    """An activity the bot acknowledged (202), until its turn has run."""

    __tablename__ = "bot_turns"
    __table_args__ = (UniqueConstraint("conversation_id", "activity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)  # the order they were acknowledged in
    conversation_id: Mapped[str] = mapped_column(String(512))
    activity_id: Mapped[str] = mapped_column(String(512))
    activity: Mapped[dict[str, Any]] = mapped_column(JSON)
    identity: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(16), default=ACCEPTED, index=True)
    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The instance that runs it (BotInstanceRow.id); None: anyone's (accepted before owners).
    owner: Mapped[str | None] = mapped_column(String(128), nullable=True, index=True)


class BotInstanceRow(Base):
    """A running (or once running) `serve` process and when it was last heard of."""

    __tablename__ = "bot_instances"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


def _tables() -> list[Table]:
    tables = [BotTurnRow.__table__, BotInstanceRow.__table__]
    assert all(isinstance(t, Table) for t in tables)
    return tables  # type: ignore[return-value]


def open_journal(home: Path, store: Engine | None = None) -> Engine:
    """The journal's database: the store's own when it is not SQLite (its migrations made the
    tables), else the file in `home`, made when missing and completed when older. The file has
    no migrations of its own (nothing in it outlives a day but unfinished turns): what revision
    0004 added to state.db is added here the same way."""
    if store is not None and not is_sqlite(store):
        return store
    engine = sqlite_engine(home / FILE_NAME)
    with transaction(engine) as session:  # BEGIN IMMEDIATE: two starting processes take turns
        connection = session.connection()
        Base.metadata.create_all(connection, tables=_tables())
        if "owner" not in {c["name"] for c in inspect(connection).get_columns("bot_turns")}:
            connection.execute(text("ALTER TABLE bot_turns ADD COLUMN owner VARCHAR(128)"))
            connection.execute(text("CREATE INDEX ix_bot_turns_owner ON bot_turns (owner)"))
    return engine


@dataclass(frozen=True)
class Unfinished:
    id: int
    conversation_id: str
    activity: dict[str, Any]
    identity: dict[str, Any]
    state: str


def accept(
    engine: Engine,
    conversation_id: str,
    activity_id: str,
    activity: dict[str, Any],
    identity: dict[str, Any],
    *,
    now: datetime,
) -> int | None:
    """Store an acknowledged activity; its turn id, or None when that id was had before."""
    return accept_many(engine, [(conversation_id, activity_id, activity, identity, now)])[0]


Accept = tuple[str, str, dict[str, Any], dict[str, Any], datetime]


# pg_advisory_xact_lock's keys for accepting into a conversation: this namespace in the high
# half, the conversation's CRC-32 in the low (schema.UPGRADE_LOCK stays below 2**40).
CONVERSATION_LOCKS = 0x626F74 << 32  # "bot"


def _lock_conversations(session: Session, conversations: set[str]) -> None:
    """On PostgreSQL, hold each conversation's lock until the accept commits: a conversation's
    turns then get their ids in the order they are committed, which is the order they run in
    across instances (bot_instances.py). Taken in key order, so two batches never deadlock.
    SQLite needs none: BEGIN IMMEDIATE already admits one writer at a time."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for key in sorted({CONVERSATION_LOCKS | zlib.crc32(c.encode()) for c in conversations}):
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def accept_many(
    engine: Engine, accepts: list[Accept], *, owner: str | None = None
) -> list[int | None]:
    """`accept` for several activities in one transaction (one disk flush): see `Acceptor`."""
    ids: list[int | None] = []
    table = BotTurnRow.__table__
    assert isinstance(table, Table)
    with transaction(engine) as session:
        _lock_conversations(session, {each[0] for each in accepts})
        for conversation_id, activity_id, activity, identity, now in accepts:
            values = {
                "conversation_id": conversation_id,
                "activity_id": activity_id,
                "activity": activity,
                "identity": identity,
                "state": ACCEPTED,
                "accepted_at": now,
                "owner": owner,
            }
            ids.append(insert_new(session, table, values, ("conversation_id", "activity_id")))
    return ids


class Acceptor:
    """Accepts from requests arriving together share one transaction: a commit waits for the
    disk, and one per request queued fifty requests behind each other (bench: p99 0.65 s with
    50 senders; sharing: see README). Call from one event loop."""

    def __init__(self, engine: Engine, *, owner: str | None = None) -> None:
        self._engine = engine
        self.owner = owner  # the instance the accepted turns belong to
        self._waiting: list[tuple[Accept, asyncio.Future[int | None]]] = []
        self._writing = False
        self._writer: asyncio.Task[None] | None = None  # held: the loop keeps weak references

    async def accept(
        self,
        conversation_id: str,
        activity_id: str,
        activity: dict[str, Any],
        identity: dict[str, Any],
        *,
        now: datetime,
    ) -> int | None:
        """As `accept`: the turn id, or None when that activity id was had before."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[int | None] = loop.create_future()
        self._waiting.append(((conversation_id, activity_id, activity, identity, now), future))
        if not self._writing:
            self._writing = True
            self._writer = loop.create_task(self._write())
        return await future

    async def _write(self) -> None:
        try:
            while self._waiting:
                batch, self._waiting = self._waiting, []
                try:
                    ids = await asyncio.to_thread(
                        accept_many, self._engine, [each for each, _ in batch], owner=self.owner
                    )
                except Exception as error:
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(error)
                    continue
                for (_, future), turn_id in zip(batch, ids, strict=True):
                    if not future.done():
                        future.set_result(turn_id)
        finally:
            self._writing = False


def start(engine: Engine, turn_id: int, *, owner: str | None = None) -> bool:
    """Claim the turn to carry out its command: False when it was begun already (never twice),
    or, given its `owner`, when another instance has taken it over meanwhile."""
    claim = update(BotTurnRow).where(BotTurnRow.id == turn_id, BotTurnRow.state == ACCEPTED)
    if owner is not None:
        claim = claim.where(BotTurnRow.owner == owner)
    with transaction(engine) as session:
        result = session.execute(claim.values(state=STARTED))
        return bool(result.rowcount)  # type: ignore[attr-defined]


def finish(engine: Engine, turn_id: int, *, now: datetime) -> None:
    with transaction(engine) as session:
        session.execute(
            update(BotTurnRow).where(BotTurnRow.id == turn_id).values(state=DONE, done_at=now)
        )


def unfinished(engine: Engine, ids: list[int] | None = None) -> list[Unfinished]:
    """What was acknowledged and not done (of `ids`, if given), oldest first (each
    conversation's order kept)."""
    query = select(BotTurnRow).where(BotTurnRow.state != DONE).order_by(BotTurnRow.id)
    if ids is not None:
        query = query.where(BotTurnRow.id.in_(ids))
    with transaction(engine) as session:
        rows = session.scalars(query)
        return [
            Unfinished(r.id, r.conversation_id, dict(r.activity), dict(r.identity), r.state)
            for r in rows
        ]


def prune(engine: Engine, *, before: datetime) -> int:
    """Forget turns done before `before`: Teams resends within minutes, not days."""
    with transaction(engine) as session:
        result = session.execute(
            delete(BotTurnRow).where(BotTurnRow.state == DONE, BotTurnRow.done_at < before)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]
