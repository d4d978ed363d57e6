"""The outbox as the dispatcher works it: deliveries claimed on a lease, then settled.

A claim is a lease: a process that dies holding one loses it when the lease runs out, and the
delivery is picked up again. Deliveries in one lane go strictly in order. adapters/sql/outbox.py
keeps the outbox in the database (`SqlOutbox`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from comms_assistant.service.send_slots import SendSlots

LEASE = timedelta(minutes=2)
# Deliveries one claim takes at most: enough to keep many going at once, few enough that
# another worker sharing the store gets its share.
CLAIM_LIMIT = 20


@dataclass(frozen=True)
class Delivery:
    id: int
    key: str
    kind: str
    incident_id: int
    payload: dict[str, Any]
    attempts: int
    claims: int = 1
    # The lease's owner (the claiming dispatcher's name): settling checks it still holds it.
    owner: str | None = None
    # When it was queued: no try can have reached a service before (Teams' look-back stops here).
    queued_at: datetime | None = None

    @property
    def uncertain(self) -> bool:
        """An earlier try may have reached the service without its outcome being recorded."""
        return self.attempts > 0 or self.claims > 1


class Outbox(SendSlots, Protocol):
    """What the dispatcher asks of the outbox, each in its own transaction; with the send slots
    the mail pacing reserves in the same store (service/send_slots.py)."""

    def new_owner(self) -> str:
        """A name for one dispatcher's leases."""
        ...

    def claim_due(
        self, *, owner: str, now: datetime, limit: int = CLAIM_LIMIT, lease: timedelta = LEASE
    ) -> list[Delivery]:
        """Lease the deliveries that may go now: due, unleased, and first in their lane."""
        ...

    def settle_retry(
        self, delivery_id: int, *, error: str, retry_at: datetime, owner: str | None = None
    ) -> bool:
        """An attempt that failed and may pass: counted, and tried again at `retry_at`. False,
        with nothing changed, when `owner` no longer holds the lease (another took it over)."""
        ...

    def renew(self, delivery_id: int, owner: str, until: datetime) -> bool:
        """Extend `owner`'s lease to `until`, just before it sends (service/fencing.py). False,
        with nothing changed, when `owner` no longer holds it or it was settled."""
        ...

    def defer(self, delivery_id: int, until: datetime, owner: str | None = None) -> bool:
        """Put a claimed delivery back until `until`: not an attempt, and nothing was sent.
        False, with nothing changed, when `owner` no longer holds the lease."""
        ...

    def caused_by(self, ids: set[int]) -> set[int]:
        """The deliveries whose payload names one of `ids` as its cause, `ids` left out."""
        ...

    def any_pending(self, ids: set[int]) -> bool:
        """Whether any of `ids` still waits to be delivered."""
        ...

    def next_wake(self) -> datetime | None:
        """When the earliest pending delivery could next be tried (None: nothing waits)."""
        ...
