"""Incidents, their timelines and the outbox, in SQLite through SQLAlchemy.

A change to an incident and the deliveries it implies are written in one transaction, so a crash
between answering a person and delivering loses nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    create_engine,
    event,
    func,
    inspect,
    select,
)
from sqlalchemy.engine import Engine, ExceptionContext
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

from comms_assistant.domain.incident import (
    EntryKind,
    Incident,
    Priority,
    PriorityChange,
    Role,
    Status,
    TimelineEntry,
)


class UnreadableDatabase(Exception):
    """A SQLite file of the product's that is not a database, or a damaged one."""

    def __init__(self, path: Path, *, changed: bool) -> None:
        # Only a commit made before the damage was met can have changed it; say which.
        changed_or_not = (
            "this run wrote to it before meeting the damage"
            if changed
            else "nothing has been changed"
        )
        super().__init__(
            f"{path} is not a database this program can read (it may be damaged): "
            f"move it aside and run again; {changed_or_not}."
        )
        self.path = path


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

    timeline: Mapped[list[TimelineRow]] = relationship(
        order_by="TimelineRow.seq", cascade="all, delete-orphan"
    )


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
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
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


def open_engine(path: Path) -> Engine:
    engine = sqlite_engine(path)
    # Every module that maps a table must be imported before create_all can make it.
    import comms_assistant.adapters.conversations  # noqa: F401

    Base.metadata.create_all(engine)
    _add_missing_columns(engine)
    return engine


def sqlite_engine(path: Path) -> Engine:
    """An engine on the SQLite file `path` (made when missing) with the settings every one of
    the product's databases needs: write-ahead log, waiting rather than failing, BEGIN IMMEDIATE.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(f"sqlite:///{path}", json_serializer=_dumps)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's BEGIN below take effect instead of pysqlite's implicit one.
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA journal_mode=WAL")
        dbapi_connection.execute("PRAGMA busy_timeout=10000")
        dbapi_connection.execute("PRAGMA foreign_keys=ON")

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # IMMEDIATE takes the write lock at once, so two processes never both read then
        # fail to upgrade; busy_timeout makes the second one wait its turn.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    changed = False

    @event.listens_for(engine, "commit")
    def _on_commit(connection: Any) -> None:
        # Rows, not commits: opening commits the schema check even when it changes nothing.
        nonlocal changed
        changed = changed or connection.connection.dbapi_connection.total_changes > 0

    @event.listens_for(engine, "handle_error")
    def _on_error(context: ExceptionContext) -> BaseException | None:
        # SQLite's own word for "not a database" and "damaged", met on connecting or on any
        # page later: the file's name, instead of a traceback that never mentions it.
        name = getattr(context.original_exception, "sqlite_errorname", "")
        if name.startswith(("SQLITE_NOTADB", "SQLITE_CORRUPT")):
            return UnreadableDatabase(path, changed=changed)
        return None

    return engine


def _add_missing_columns(engine: Engine) -> None:
    """Bring a state.db made by an earlier version up to date.

    create_all makes missing tables but not missing columns. New columns are always nullable
    or defaulted, so adding them in place is enough until a change needs a real migration.
    """
    with engine.begin() as connection:
        existing = inspect(connection)  # the same connection: a second one would wait on ours
        for table in Base.metadata.sorted_tables:
            have = {c["name"] for c in existing.get_columns(table.name)}
            for column in table.columns:
                if column.name in have:
                    continue
                kind = column.type.compile(dialect=engine.dialect)
                # A plain default (ColumnDefault) or server default (DefaultClause) has `arg`.
                default = getattr(column.default, "arg", None)
                if column.server_default is not None:
                    kind += f" DEFAULT {_sql_literal(getattr(column.server_default, 'arg', None))}"
                elif default is not None and not callable(default):
                    kind += f" DEFAULT {_sql_literal(default)}"
                connection.exec_driver_sql(
                    f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" {kind}'
                )


def _sql_literal(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session, session.begin():
        yield session


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
        leads={Role(role): person for role, person in row.leads.items() if role in _ROLES},
        extra_leads={role: person for role, person in row.leads.items() if role not in _ROLES},
        resolved_at=row.resolved_at,
        resolution=row.resolution,
        timeline=[
            TimelineEntry(t.seq, t.at, t.who, EntryKind(t.kind), t.text) for t in row.timeline
        ],
        advice=row.advice or "",
        declared_title=row.declared_title or "",
        priority_history=[
            PriorityChange(datetime.fromisoformat(at), Priority(priority))
            for at, priority in row.priority_history or []
        ],
    )


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
