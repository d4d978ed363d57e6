"""Keeps the incident's item in the register current: one item per incident, never two.

Each delivery writes the whole item from the incident as it is when it goes (its figures from
domain/figures.py), so a later one carries everything an earlier, failed or coalesced one would
have, and order within the incident's lane is all that matters.

- **Making the item, once.** A list item has no idempotency key: a create whose answer was lost
  (a 503 after SharePoint made it, a dropped connection, a killed worker) is there already, and
  a blind retry makes a second. So, unless an earlier delivery of the incident learnt the
  item's id, the item is first looked for by its Reference, and made only when it is not there.
- **Changing it.** The update names the eTag the last write saw (`If-Match`); a 412 (someone
  changed the item since) is read again and our columns written again, as the report does.
- **No list yet.** Until `comms-assistant register create` (or an administrator) makes the
  list, a delivery settles saying so and changes nothing: `register create` then writes every
  incident's item, so nothing is lost by waiting.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from comms_assistant.domain.incident import Incident
from comms_assistant.domain.policy import Policy
from comms_assistant.service import fencing
from comms_assistant.service.delivery_kinds import DeliveryKind
from comms_assistant.service.incident_figures import every_incident, figures_for, links_of
from comms_assistant.service.outbox_port import Delivery
from comms_assistant.service.ports import DeliveryError, PreconditionFailed
from comms_assistant.service.register_port import Register, RegisterItem, row_of
from comms_assistant.service.unit_of_work import DONE, PENDING, UnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)

REAPPLY_LIMIT = 5
NO_LIST = (
    "the register list {name!r} is not in the incidents site yet: run 'comms-assistant "
    "register create' (docs/register.md); every incident's item is written then"
)


@dataclass
class RegisterSync:
    uow: UnitOfWorkFactory
    register: Register | None
    policy: Policy
    tz: ZoneInfo
    clock: Callable[[], datetime]
    told_no_list: bool = field(default=False, init=False)

    async def sync(self, delivery: Delivery) -> dict[str, Any]:
        if self.register is None:
            return {"skipped": "the register is turned off (register_list is empty)"}
        register = self.register
        fields, known = self._read(delivery)
        if not await register.exists():
            if not self.told_no_list:  # once a process: each delivery's result says it too
                log.warning(NO_LIST.format(name=register.name))
                self.told_no_list = True
            return {"skipped": NO_LIST.format(name=register.name)}
        reference = str(fields["Reference"])
        item: RegisterItem | None = None
        if known.get("item_id"):
            item = await self._update(register, str(known["item_id"]), known.get("etag"), fields)
        if item is None:
            found = await register.find(reference)
            if found is None:
                fencing.before_sending()  # no idempotency key: a second POST, a second item
                made = await register.create(fields)
                return {"item_id": made.id, "etag": made.etag, "made": True}
            item = await self._update(register, found.id, found.etag, fields)
            if item is None:
                raise DeliveryError(f"{reference}'s register item went while it was written")
            return {"item_id": item.id, "etag": item.etag, "found": True}
        return {"item_id": item.id, "etag": item.etag}

    def _read(self, delivery: Delivery) -> tuple[dict[str, Any], dict[str, Any]]:
        """The item's fields now, and what the incident's earlier register deliveries learnt."""
        with self.uow() as uow:
            incident = uow.incidents.by_id(delivery.incident_id)
            figures = figures_for(uow, incident, self.policy, self.clock())
            fields = row_of(figures, links_of(uow, incident), self.tz)
            known: dict[str, Any] = {}
            for done in uow.deliveries.of_incident(incident, [DeliveryKind.REGISTER], DONE):
                if done.id != delivery.id and (done.result or {}).get("item_id"):
                    known = dict(done.result or {})
        return fields, known

    async def _update(
        self, register: Register, item_id: str, etag: str | None, fields: Mapping[str, Any]
    ) -> RegisterItem | None:
        """Write `fields` over the item; None when the item is no longer there (someone
        deleted it: it is made again)."""
        for _ in range(REAPPLY_LIMIT):
            if etag is None:
                current = await register.get(item_id)
                if current is None:
                    return None
                etag = current.etag
            try:
                return await register.update(item_id, fields, if_match=etag)
            except PreconditionFailed:
                etag = None  # changed since we last wrote it: read it again, write ours again
        raise DeliveryError("the register item kept changing under us; will try again later")


def queue_sync(uow: UnitOfWork, incident: Incident, now: datetime, *, why: str) -> None:
    """A register write for the incident, unless one is already waiting (not started): that
    one reads the incident when it goes, so it carries this change too. Keyed by `why` (the
    timeline entry, or the delivery that caused it)."""
    if uow.deliveries.waiting(incident, DeliveryKind.REGISTER):
        return
    key = f"{incident.reference}:register:{why}"
    existing = uow.deliveries.by_key(key)
    if existing is not None and existing.status == PENDING:
        return
    if existing is not None:
        key = f"{key}:{now.isoformat()}"
    uow.deliveries.add(
        incident,
        key=key,
        lane=f"{incident.reference}:register",
        kind=DeliveryKind.REGISTER,
        payload={"reference": incident.reference},
        now=now,
    )


def queue_all(uow: UnitOfWorkFactory, now: datetime) -> int:
    """A register write for every incident (once the list is made): how many were queued."""
    with uow() as work:
        incidents = every_incident(work)
        for incident in incidents:
            queue_sync(work, incident, now, why=f"all:{now.isoformat()}")
    return len(incidents)


class RegisterOff:
    """No register: the register_list setting is empty."""

    async def sync(self, delivery: Delivery) -> dict[str, Any]:
        return {"skipped": "the register is turned off (register_list is empty)"}


OFF = RegisterOff()
