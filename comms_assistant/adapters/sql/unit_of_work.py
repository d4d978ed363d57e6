"""The unit of work on the database: one transaction, and repositories that hand out domain
objects and write them back (service/unit_of_work.py says what each promises)."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from comms_assistant.adapters.sql import conversations, outbox
from comms_assistant.adapters.sql import incidents as rows
from comms_assistant.adapters.sql.engine import lost_race, transaction
from comms_assistant.adapters.sql.models import DraftRow, IncidentRow, OutboxRow
from comms_assistant.domain.incident import Incident, Status
from comms_assistant.domain.references import reference_parts
from comms_assistant.service.unit_of_work import DONE, PENDING, Conflict, Draft, Queued


class SqlIncidents:
    """Each row becomes one Incident per unit of work; what is done to it is written back to
    the row when the unit of work flushes or ends."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._seen: dict[int, tuple[IncidentRow, Incident]] = {}

    def add(self, incident: Incident) -> None:
        year, number = reference_parts(incident.reference)
        row = IncidentRow(year=year, number=number)
        self._seen[id(row)] = (row, incident)
        self.session.add(row)
        self.write_back()

    # Every incident handed out is locked until the unit of work ends (incidents.locked says
    # why): a command, a cadence tick or a delivery's settlement has it to itself.
    def get(self, reference: str) -> Incident | None:
        return self._one(rows.find_incident(self.session, reference, lock=True))

    def by_id(self, incident_id: int) -> Incident:
        row = self.session.get_one(IncidentRow, incident_id, with_for_update=True)
        found = self._one(row)
        assert found is not None
        return found

    def open(self) -> list[Incident]:
        return self._all(rows.open_incidents(self.session, lock=True))

    def with_status(self, status: Status) -> list[Incident]:
        return self._all(rows.incidents_with_status(self.session, status, lock=True))

    def latest(self) -> Incident | None:
        return self._one(rows.latest_incident(self.session, lock=True))

    def latest_reviewed(self) -> Incident | None:
        return self._one(rows.latest_reviewed(self.session, lock=True))

    def next_number(self, year: int) -> int:
        return rows.next_number(self.session, year)

    def row_of(self, incident: Incident) -> IncidentRow:
        """The row behind an incident this unit of work handed out or was given."""
        for row, seen in self._seen.values():
            if seen is incident:
                return row
        found = rows.find_incident(self.session, incident.reference)
        if found is None:
            raise LookupError(f"{incident.reference} is not in the database")
        return found

    def write_back(self) -> None:
        for row, incident in self._seen.values():
            rows.write_incident(row, incident)
            rows.write_record(row, incident.record)

    def _all(self, found: list[IncidentRow]) -> list[Incident]:
        return [i for i in map(self._one, found) if i is not None]

    def _one(self, row: IncidentRow | None) -> Incident | None:
        if row is None:
            return None
        if id(row) not in self._seen:
            self._seen[id(row)] = (row, rows.to_domain(row))
        return self._seen[id(row)][1]


class SqlDeliveries:
    def __init__(self, session: Session, incidents: SqlIncidents) -> None:
        self.session = session
        self.incidents = incidents

    def add(
        self,
        incident: Incident | None,
        *,
        key: str,
        lane: str,
        kind: str,
        payload: dict[str, Any],
        now: datetime,
    ) -> Queued:
        owner = None if incident is None else self.incidents.row_of(incident)
        if owner is not None and owner.id is None:
            self.session.flush()
        return outbox.enqueue(
            self.session,
            key=key,
            incident_id=None if owner is None else owner.id,
            lane=lane,
            kind=kind,
            payload=payload,
            now=now,
        )

    def get(self, delivery_id: int) -> Queued:
        return self.session.get_one(OutboxRow, delivery_id)

    def settle_done(
        self,
        delivery_id: int,
        *,
        now: datetime,
        result: dict[str, Any],
        owner: str | None = None,
    ) -> bool:
        return outbox.settle_done(self.session, delivery_id, now=now, result=result, owner=owner)

    def mark_failed(
        self, delivery_id: int, *, error: str, now: datetime, owner: str | None = None
    ) -> bool:
        return outbox.mark_failed(self.session, delivery_id, error=error, now=now, owner=owner)

    def by_key(self, key: str) -> Queued | None:
        return self.session.scalar(select(OutboxRow).where(OutboxRow.key == key))

    def keyed(self, prefix: str) -> list[Queued]:
        like = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = select(OutboxRow).where(OutboxRow.key.like(like, escape="\\"))
        return list(self.session.scalars(query.order_by(OutboxRow.id)))

    def last_in_lane(self, lane: str) -> Queued | None:
        query = select(OutboxRow).where(OutboxRow.lane == lane).order_by(OutboxRow.id.desc())
        return self.session.scalars(query.limit(1)).first()

    def pending_after(self, queued: Queued) -> bool:
        later = select(OutboxRow.id).where(
            OutboxRow.lane == queued.lane, OutboxRow.id > queued.id, OutboxRow.status == PENDING
        )
        return self.session.scalar(later.limit(1)) is not None

    def of_lane(self, lane: str, kinds: Collection[str], status: str | None = None) -> list[Queued]:
        query = select(OutboxRow).where(OutboxRow.lane == lane, OutboxRow.kind.in_(list(kinds)))
        if status is not None:
            query = query.where(OutboxRow.status == status)
        # Those not yet delivered (no done_at) last, on every engine.
        delivered = OutboxRow.done_at.is_(None)
        return list(
            self.session.scalars(query.order_by(delivered, OutboxRow.done_at, OutboxRow.id))
        )

    def of_incident(
        self, incident: Incident, kinds: Collection[str], status: str | None = None
    ) -> list[Queued]:
        owner = self.incidents.row_of(incident)
        query = select(OutboxRow).where(
            OutboxRow.incident_id == owner.id, OutboxRow.kind.in_(list(kinds))
        )
        if status is not None:
            query = query.where(OutboxRow.status == status)
        return list(self.session.scalars(query.order_by(OutboxRow.id)))

    def done_since(self, kind: str, since: datetime) -> list[Queued]:
        query = select(OutboxRow).where(
            OutboxRow.kind == kind, OutboxRow.status == DONE, OutboxRow.done_at >= since
        )
        return list(self.session.scalars(query.order_by(OutboxRow.id)))

    def waiting(self, incident: Incident, kind: str) -> bool:
        owner = self.incidents.row_of(incident)
        query = select(func.count(OutboxRow.id)).where(
            OutboxRow.incident_id == owner.id,
            OutboxRow.kind == kind,
            OutboxRow.status == PENDING,
            OutboxRow.lease_owner.is_(None),
        )
        return bool(self.session.scalar(query))


class SqlDrafts:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, author: str) -> Draft | None:
        row = self.session.get(DraftRow, author)
        if row is None:
            return None
        return Draft(row.author, row.incident, row.command, row.suggested, row.created_at)

    def put(self, draft: Draft) -> None:
        self.session.merge(
            DraftRow(
                author=draft.author,
                incident=draft.incident,
                command=draft.command,
                suggested=draft.suggested,
                created_at=draft.created_at,
            )
        )

    def remove(self, author: str) -> None:
        row = self.session.get(DraftRow, author)
        if row is not None:
            self.session.delete(row)


class SqlConversations:
    def __init__(self, session: Session) -> None:
        self.session = session

    def teams_person(self, email: str) -> tuple[str, str] | None:
        return conversations.teams_person(self.session, email)

    def living_threads(self, reference: str) -> list[tuple[str, str]]:
        return conversations.living_threads(self.session, reference)

    def bind(self, conversation: str, reference: str, now: datetime) -> None:
        conversations.bind_in(self.session, conversation, reference, now=now)


class SqlUnitOfWork:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.incidents = SqlIncidents(session)
        self.deliveries = SqlDeliveries(session, self.incidents)
        self.drafts = SqlDrafts(session)
        self.conversations = SqlConversations(session)

    def flush(self) -> None:
        self.incidents.write_back()
        self.session.flush()


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[SqlUnitOfWork]:
    """One transaction: committed when the block ends without an error, else rolled back. A
    race lost to another process (engine.lost_race) is a Conflict: the caller may run it again."""
    try:
        with transaction(engine) as session:
            uow = SqlUnitOfWork(session)
            yield uow
            uow.incidents.write_back()
    except DBAPIError as error:
        if lost_race(error):
            raise Conflict(str(error.orig or error).splitlines()[0]) from error
        raise


def unit_of_work_factory(engine: Engine) -> Any:
    """For bootstrap: a UnitOfWorkFactory on `engine`."""
    return lambda: unit_of_work(engine)
