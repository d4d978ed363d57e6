"""The unit of work in memory, for use-case tests that need no database.

It keeps the promises of service/unit_of_work.py the way the SQL one does: incidents are handed
out as the same object within a unit of work, ids are given in order, and a block that ends in
an error leaves nothing behind (what it changed is restored from a copy taken at the start).
"""

from __future__ import annotations

import copy
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from comms_assistant.domain.incident import Incident, Status
from comms_assistant.domain.references import reference_parts
from comms_assistant.service.unit_of_work import DONE, PENDING, Draft


@dataclass
class FakeDelivery:
    id: int
    key: str
    incident_id: int | None
    lane: str
    kind: str
    payload: dict[str, Any]
    created_at: datetime
    status: str = PENDING
    lease_owner: str | None = None
    result: dict[str, Any] | None = None
    done_at: datetime | None = None
    last_error: str | None = None


@dataclass
class Stored:
    """Everything the fake store holds between units of work."""

    incidents: dict[int, Incident] = field(default_factory=dict)
    deliveries: list[FakeDelivery] = field(default_factory=list)
    drafts: dict[str, Draft] = field(default_factory=dict)
    people: dict[str, tuple[str, str]] = field(default_factory=dict)
    threads: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    bound: dict[str, str] = field(default_factory=dict)  # conversation -> incident


class FakeIncidents:
    def __init__(self, stored: Stored) -> None:
        self.stored = stored

    def add(self, incident: Incident) -> None:
        if self.get(incident.reference) is not None:
            raise ValueError(f"{incident.reference} is taken")  # the SQL one's unique key
        self.stored.incidents[len(self.stored.incidents) + 1] = incident

    def get(self, reference: str) -> Incident | None:
        wanted = reference.upper()
        return next((i for i in self.stored.incidents.values() if i.reference == wanted), None)

    def by_id(self, incident_id: int) -> Incident:
        return self.stored.incidents[incident_id]

    def open(self) -> list[Incident]:
        return [i for i in self.stored.incidents.values() if i.is_open]

    def with_status(self, status: Status) -> list[Incident]:
        return [i for i in self.stored.incidents.values() if i.status is status]

    def latest(self) -> Incident | None:
        return list(self.stored.incidents.values())[-1] if self.stored.incidents else None

    def latest_reviewed(self) -> Incident | None:
        reviewed = [i for i in self.stored.incidents.values() if i.record.review_name]
        return reviewed[-1] if reviewed else None

    def next_number(self, year: int) -> int:
        numbers = [reference_parts(i.reference) for i in self.stored.incidents.values()]
        return max((n for y, n in numbers if y == year), default=0) + 1

    def id_of(self, incident: Incident) -> int:
        return next(k for k, i in self.stored.incidents.items() if i is incident)


class FakeDeliveries:
    def __init__(self, stored: Stored, incidents: FakeIncidents) -> None:
        self.stored = stored
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
    ) -> FakeDelivery:
        if self.by_key(key) is not None:
            raise ValueError(f"delivery key {key} is taken")  # the SQL one's unique key
        made = FakeDelivery(
            len(self.stored.deliveries) + 1,
            key,
            None if incident is None else self.incidents.id_of(incident),
            lane,
            kind,
            payload,
            now,
        )
        self.stored.deliveries.append(made)
        return made

    def get(self, delivery_id: int) -> FakeDelivery:
        return self.stored.deliveries[delivery_id - 1]

    def settle_done(
        self, delivery_id: int, *, now: datetime, result: dict[str, Any], owner: str | None = None
    ) -> bool:
        done = self.get(delivery_id)
        if owner is not None and done.lease_owner != owner:
            return False
        done.status, done.done_at, done.result, done.lease_owner = DONE, now, result, None
        return True

    def mark_failed(
        self, delivery_id: int, *, error: str, now: datetime, owner: str | None = None
    ) -> bool:
        failed = self.get(delivery_id)
        if owner is not None and failed.lease_owner != owner:
            return False
        failed.status, failed.last_error, failed.done_at = "failed", error, now
        return True

    def by_key(self, key: str) -> FakeDelivery | None:
        return next((d for d in self.stored.deliveries if d.key == key), None)

    def keyed(self, prefix: str) -> list[FakeDelivery]:
        return [d for d in self.stored.deliveries if d.key.startswith(prefix)]

    def last_in_lane(self, lane: str) -> FakeDelivery | None:
        return next((d for d in reversed(self.stored.deliveries) if d.lane == lane), None)

    def pending_after(self, queued: Any) -> bool:
        return any(
            d.lane == queued.lane and d.id > queued.id and d.status == PENDING
            for d in self.stored.deliveries
        )

    def of_lane(
        self, lane: str, kinds: Collection[str], status: str | None = None
    ) -> list[FakeDelivery]:
        found = [
            d
            for d in self.stored.deliveries
            if d.lane == lane and d.kind in kinds and status in (None, d.status)
        ]
        return sorted(found, key=lambda d: (d.done_at is None, d.done_at or d.created_at, d.id))

    def of_incident(
        self, incident: Incident, kinds: Collection[str], status: str | None = None
    ) -> list[FakeDelivery]:
        owner = self.incidents.id_of(incident)
        return [
            d
            for d in self.stored.deliveries
            if d.incident_id == owner and d.kind in kinds and status in (None, d.status)
        ]

    def done_since(self, kind: str, since: datetime) -> list[FakeDelivery]:
        return [
            d
            for d in self.stored.deliveries
            if d.kind == kind and d.status == DONE and d.done_at and d.done_at >= since
        ]

    def waiting(self, incident: Incident, kind: str) -> bool:
        return any(
            d.status == PENDING and d.lease_owner is None
            for d in self.of_incident(incident, [kind])
        )


class FakeDrafts:
    def __init__(self, stored: Stored) -> None:
        self.stored = stored

    def get(self, author: str) -> Draft | None:
        return self.stored.drafts.get(author)

    def put(self, draft: Draft) -> None:
        self.stored.drafts[draft.author] = draft

    def remove(self, author: str) -> None:
        self.stored.drafts.pop(author, None)


class FakeConversations:
    def __init__(self, stored: Stored) -> None:
        self.stored = stored

    def teams_person(self, email: str) -> tuple[str, str] | None:
        return self.stored.people.get(email.lower())

    def living_threads(self, reference: str) -> list[tuple[str, str]]:
        return list(self.stored.threads.get(reference, []))

    def bind(self, conversation: str, reference: str, now: datetime) -> None:
        self.stored.bound[conversation] = reference


class FakeUnitOfWork:
    def __init__(self, stored: Stored) -> None:
        self.incidents = FakeIncidents(stored)
        self.deliveries = FakeDeliveries(stored, self.incidents)
        self.drafts = FakeDrafts(stored)
        self.conversations = FakeConversations(stored)
        self.flushes = 0

    def flush(self) -> None:
        self.flushes += 1


@dataclass
class FakeStore:
    """Hands out units of work on one in-memory store; `committed` counts those that ended well."""

    stored: Stored = field(default_factory=Stored)
    committed: int = 0

    @contextmanager
    def __call__(self) -> Iterator[FakeUnitOfWork]:
        before = copy.deepcopy(self.stored)
        try:
            yield FakeUnitOfWork(self.stored)
        except BaseException:
            self.stored.__dict__.update(before.__dict__)  # rolled back: nothing half-done
            raise
        self.committed += 1
