"""The tables: incidents with their timelines, held-back drafts, and the outbox.

A change to an incident and the deliveries it implies are written in one transaction, so a crash
between answering a person and delivering loses nothing.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UTCDateTime(TypeDecorator[datetime]):
    """SQLite keeps no zone: store UTC and hand back aware datetimes."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        return value.astimezone(UTC).replace(tzinfo=None) if value else None

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return value.replace(tzinfo=UTC) if value else None


class Base(DeclarativeBase):
    pass


class IncidentRow(Base):
    __tablename__ = "incidents"
    __table_args__ = (UniqueConstraint("year", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    priority: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), index=True)
    impact: Mapped[str] = mapped_column(Text, default="")
    services: Mapped[list[str]] = mapped_column(JSON, default=list)
    security: Mapped[bool] = mapped_column(Boolean, default=False)
    leads: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    declared_by: Mapped[str] = mapped_column(String(320))
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolution: Mapped[str] = mapped_column(Text, default="")
    # Everyone who has been sent a message about this incident: they hear when it ends.
    notified: Mapped[list[str]] = mapped_column(JSON, default=list)
    updates_sent: Mapped[int] = mapped_column(Integer, default=0)
    advice: Mapped[str] = mapped_column(Text, default="", server_default="")
    declared_title: Mapped[str] = mapped_column(Text, default="", server_default="")
    # [[ISO time, priority], ...] oldest first; NULL on rows from before it was kept.
    priority_history: Mapped[list[list[Any]] | None] = mapped_column(JSON, nullable=True)
    report_name: Mapped[str] = mapped_column(Text, default="")
    report_item_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    report_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    review_name: Mapped[str | None] = mapped_column(Text, nullable=True)
    review_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Set when a save of one of the incident's documents met 423 (open in Word), cleared at the
    # next successful save: the comms lead is told once per such episode, not once per retry.
    report_locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The cadence worker's record: when stakeholders are next due to hear (for people and for
    # a restarted worker to read), and the keys of the nudges, holding updates and prompts it
    # has already done, so that each happens once.
    next_update_due: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cadence_done: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    # The bridge and the review meeting (domain/meetings.py, adapters/sql/incident_work.py);
    # NULL on rows from before revision 0005.
    meetings: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # When it began, where `open … started:` said (revision 0006).
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Its messages held back for their wording: [[at ISO, how it ended], ...] (revision 0006).
    holds: Mapped[list[list[str]] | None] = mapped_column(JSON, nullable=True)

    timeline: Mapped[list[TimelineRow]] = relationship(
        order_by="TimelineRow.seq", cascade="all, delete-orphan"
    )
    actions: Mapped[list[ActionRow]] = relationship(
        order_by="ActionRow.number", cascade="all, delete-orphan"
    )


class CounterRow(Base):
    """A number handed out once: `incident:<year>` is the last incident number of that year.

    Bumped in the transaction that uses it (adapters/sql/inserts.py), so two processes opening
    incidents at once wait for each other here; max + 1 gave 2 of 5 concurrent opens on
    PostgreSQL the same number."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)


class TimelineRow(Base):
    __tablename__ = "timeline"
    __table_args__ = (UniqueConstraint("incident_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"))
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    who: Mapped[str] = mapped_column(String(320))
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)


class ActionRow(Base):
    """A follow-up action of an incident (domain/actions.py), numbered within it."""

    __tablename__ = "actions"
    __table_args__ = (UniqueConstraint("incident_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"))
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(320), default="")
    due: Mapped[date | None] = mapped_column(Date, nullable=True)
    state: Mapped[str] = mapped_column(String(16))
    added_by: Mapped[str] = mapped_column(String(320))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Planner's task once made, and its eTag when the product last wrote it.
    task_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    task_etag: Mapped[str | None] = mapped_column(String(200), nullable=True)


class DraftRow(Base):
    """A stakeholder message held back for its wording, waiting for 'send anyway'."""

    __tablename__ = "drafts"

    author: Mapped[str] = mapped_column(String(320), primary_key=True)
    incident: Mapped[str | None] = mapped_column(String(32), nullable=True)
    command: Mapped[str] = mapped_column(Text)
    suggested: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OutboxRow(Base):
    """One delivery that must happen exactly once: a document write, a mail, a card."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    # None: a notice about no incident, to the administrator (service/bad_edits.py).
    incident_id: Mapped[int | None] = mapped_column(
        ForeignKey("incidents.id"), index=True, nullable=True
    )
    # Deliveries in one lane (an incident's documents, its mail, its cards) go in order.
    lane: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Claims can outnumber attempts: a worker killed after claiming never records its attempt,
    # and whether what it sent arrived is then unknown.
    claims: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class SendSlotRow(Base):
    """One send started under a shared limit (a mailbox, a Teams channel), by any process.

    Counted by every process before it sends (adapters/sql/send_slots.py): finished ones while
    their end is within the limit's window, unfinished ones while younger than their lease.
    """

    __tablename__ = "send_slots"
    __table_args__ = (Index("ix_send_slots_key_started_at", "key", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200))
    # The dispatcher that holds it, so a stuck slot can be traced to its worker.
    owner: Mapped[str] = mapped_column(String(64), default="")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class WorkerTickRow(Base):
    """Each worker's last cadence tick (a worker beside `serve` is one too), so any process can
    tell whether the workers are alive: /healthz and the metrics read it (adapters/metrics/)."""

    __tablename__ = "worker_ticks"

    # host:pid of the worker; a restarted one has a new row, and the newest tick counts.
    worker: Mapped[str] = mapped_column(String(200), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    ok: Mapped[bool] = mapped_column(Boolean)
    # The worker's worker_interval setting, in seconds: "recent" is judged by its own pace.
    interval: Mapped[float] = mapped_column(Float)
