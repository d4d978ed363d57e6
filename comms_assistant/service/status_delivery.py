"""Delivering a status page delivery: its payload as a `PublicPost`, with what the earlier
posts of the same publication learnt (the page's own ids), to the page's adapter.

Where the page's ids live: in the outbox, as the living card's do. Each post's result keeps
what the page answered; the next post of the incident (its lane keeps them in order) reads the
results of those done since it was last published. A post whose predecessors failed finds no id
and the adapter finds or makes the incident on the page itself, so nothing waits on a parked
delivery.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from comms_assistant.domain.publication import Event
from comms_assistant.service.delivery_kinds import DeliveryKind
from comms_assistant.service.outbox_port import Delivery
from comms_assistant.service.ports import DeliveryError
from comms_assistant.service.status_page_port import PageService, PublicPost, StatusPage
from comms_assistant.service.unit_of_work import DONE, UnitOfWorkFactory

NOT_SET_UP = (
    "no public status page is set up (the status_page setting is none): set it, or this "
    "incident's public updates wait for nothing (docs/status-page.md)"
)


async def deliver(
    page: StatusPage | None, uow: UnitOfWorkFactory, delivery: Delivery
) -> dict[str, Any]:
    if page is None:
        raise DeliveryError(NOT_SET_UP, retryable=False)
    post = post_of(delivery, known=learnt(uow, delivery))
    match post.event:
        case Event.PUBLISH:
            result = await page.publish(post)
        case Event.UPDATE:
            result = await page.update(post)
        case Event.RESOLVE:
            result = await page.resolve(post)
        case Event.UNPUBLISH:
            result = await page.unpublish(post)
    return {"page": page.name, **result}


def learnt(uow: UnitOfWorkFactory, delivery: Delivery) -> dict[str, Any]:
    """What the posts done before this one learnt since the incident was last published."""
    known: dict[str, Any] = {}
    with uow() as work:
        incident = work.incidents.by_id(delivery.incident_id)
        for done in work.deliveries.of_incident(incident, [DeliveryKind.STATUS_PAGE], DONE):
            if done.id == delivery.id:
                continue
            if done.payload.get("event") == Event.PUBLISH:
                known = {}
            known.update((done.result or {}).get("known", {}))
    return known


def post_of(delivery: Delivery, *, known: dict[str, Any]) -> PublicPost:
    payload = delivery.payload
    queued = payload.get("queued_at")
    return PublicPost(
        delivery_id=payload["delivery_id"],
        event=Event(payload["event"]),
        name=payload["name"],
        body=payload["body"],
        status=payload["status"],
        services=tuple(PageService(**s) for s in payload["services"]),
        page_ref=payload["page_ref"],
        known=known,
        uncertain=delivery.uncertain,
        queued_at=datetime.fromisoformat(queued) if queued else None,
    )
