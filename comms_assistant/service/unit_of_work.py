"""The unit of work: one transaction, and the repositories the use cases read and change in it.

The use cases see incidents as domain objects (with their Record: who was told, cadence marks,
documents) and the outbox as deliveries; adapters/sql/ implements these for the database and
tests/unit/fake_unit_of_work.py in memory. Leaving the `with` block without an error commits
everything changed in it, incidents included; an error rolls it all back, so a command is never
half-done.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from comms_assistant.domain.incident import Incident, Status

# A delivery's status in the outbox.
PENDING, DONE, FAILED = "pending", "done", "failed"


class Conflict(Exception):
    """Another process changed the same thing at the same moment and this unit of work lost the
    race (a key taken in between, a deadlock, a serialization failure): nothing of it was kept,
    and running it again from the start sees what the other one did."""


class Queued(Protocol):
    """One delivery in the outbox, as the use cases read it."""

    @property
    def id(self) -> int: ...
    @property
    def key(self) -> str: ...
    @property
    def incident_id(self) -> int | None:
        """None for a notice about no incident (service/bad_edits.py)."""
        ...

    @property
    def lane(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def payload(self) -> dict[str, Any]: ...
    @property
    def status(self) -> str: ...
    @property
    def lease_owner(self) -> str | None: ...
    @property
    def result(self) -> dict[str, Any] | None: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def done_at(self) -> datetime | None: ...
    @property
    def last_error(self) -> str | None: ...


class Incidents(Protocol):
    """Incidents by reference. Each is handed out once per unit of work: change it in place."""

    def add(self, incident: Incident) -> None: ...
    def get(self, reference: str) -> Incident | None: ...
    def by_id(self, incident_id: int) -> Incident:
        """The incident a delivery is for, by the id the outbox keeps of it."""
        ...

    def open(self) -> list[Incident]: ...
    def with_status(self, status: Status) -> list[Incident]: ...
    def latest(self) -> Incident | None: ...
    def latest_reviewed(self) -> Incident | None: ...
    def next_number(self, year: int) -> int: ...


class Deliveries(Protocol):
    """The outbox: what must be delivered exactly once, in order within each lane."""

    def add(
        self,
        incident: Incident | None,
        *,
        key: str,
        lane: str,
        kind: str,
        payload: dict[str, Any],
        now: datetime,
    ) -> Queued: ...
    def get(self, delivery_id: int) -> Queued: ...
    def settle_done(
        self,
        delivery_id: int,
        *,
        now: datetime,
        result: dict[str, Any],
        owner: str | None = None,
    ) -> bool:
        """Delivered: with `result`, what the service answered (ids, links). With `owner`
        (the claim's): False, and nothing changed, when another worker took its lease over."""
        ...

    def mark_failed(
        self, delivery_id: int, *, error: str, now: datetime, owner: str | None = None
    ) -> bool:
        """Given up on, with why: parked until someone sends it again. With `owner`: False,
        and nothing changed, when another worker took its lease over."""
        ...

    def by_key(self, key: str) -> Queued | None: ...
    def keyed(self, prefix: str) -> list[Queued]:
        """Those whose key starts with `prefix`, oldest first."""
        ...

    def last_in_lane(self, lane: str) -> Queued | None: ...
    def pending_after(self, queued: Queued) -> bool:
        """Whether a delivery queued after `queued` in its lane still waits."""
        ...

    def of_lane(self, lane: str, kinds: Collection[str], status: str | None = None) -> list[Queued]:
        """Those of `kinds` in `lane` (with `status`, when given), in the order they were
        delivered, then in the order queued."""
        ...

    def of_incident(
        self, incident: Incident, kinds: Collection[str], status: str | None = None
    ) -> list[Queued]:
        """The incident's deliveries of `kinds` (with `status`, when given), oldest first."""
        ...

    def done_since(self, kind: str, since: datetime) -> list[Queued]:
        """Every delivery of `kind` done at or after `since`, oldest first."""
        ...

    def waiting(self, incident: Incident, kind: str) -> bool:
        """Whether one of the incident's deliveries of `kind` waits, not yet started."""
        ...


@dataclass(frozen=True)
class Draft:
    """A stakeholder message held back for its wording, waiting for 'send anyway'."""

    author: str
    incident: str | None
    command: str
    suggested: str | None
    created_at: datetime


class Drafts(Protocol):
    """One held-back message per person: a new one replaces theirs."""

    def get(self, author: str) -> Draft | None: ...
    def put(self, draft: Draft) -> None: ...
    def remove(self, author: str) -> None: ...


class Conversations(Protocol):
    """What the bot has heard of Teams: people's Entra ids and the incidents' own threads."""

    def teams_person(self, email: str) -> tuple[str, str] | None:
        """(Entra object id, display name) of the person with `email`, if the bot knows them."""
        ...

    def living_threads(self, reference: str) -> list[tuple[str, str]]:
        """(conversation id, card's message id) of each thread the incident's card lives in."""
        ...

    def bind(self, conversation: str, reference: str, now: datetime) -> None:
        """The conversation (a Teams thread) is about the incident from now on."""
        ...


class UnitOfWork(Protocol):
    @property
    def incidents(self) -> Incidents: ...
    @property
    def deliveries(self) -> Deliveries: ...
    @property
    def drafts(self) -> Drafts: ...
    @property
    def conversations(self) -> Conversations: ...

    def flush(self) -> None:
        """Give what was added its ids, and make every change visible to the queries."""
        ...


UnitOfWorkFactory = Callable[[], AbstractContextManager[UnitOfWork]]
