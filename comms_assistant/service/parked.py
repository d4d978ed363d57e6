"""The lead hears of a delivery the dispatcher gave up on: what it was, why, and how to send
it again. Nothing is dropped silently."""

from __future__ import annotations

from datetime import datetime

from comms_assistant.service import lead_notices
from comms_assistant.service.delivery_kinds import DeliveryKind
from comms_assistant.service.outbox_port import Delivery
from comms_assistant.service.unit_of_work import UnitOfWork


def tell_lead(
    uow: UnitOfWork, delivery: Delivery, error: str, *, marking: str, now: datetime
) -> None:
    lead_notices.enqueue_notice(
        uow,
        uow.incidents.by_id(delivery.incident_id),
        key=f"parked:{delivery.key}",
        marking=marking,
        title="a delivery could not be made",
        paragraphs=[
            f"The assistant gave up on {described(delivery)} after trying "
            f"{delivery.attempts + 1} time(s).",
            # Our errors are written to be read (a missing folder says which and what to do);
            # ones passed on from Graph are bounded, and hold no token.
            f"Why: {bounded(error)}",
            "Once that is put right, an administrator can send it again with "
            "'comms-assistant deliver --failed'.",
        ],
        now=now,
    )


def described(delivery: Delivery) -> str:
    payload = delivery.payload
    if "subject" in payload:
        return f'the email "{payload["subject"]}"'
    if "summary" in payload:
        return f'the Teams message "{payload["summary"]}"'
    if delivery.kind == DeliveryKind.STATUS_PAGE:
        return f"the public status page's {payload.get('event', 'update')}"
    if "event" in payload:
        return f'the meeting "{payload["event"]["subject"]}"'
    if "number" in payload:
        return f"the Planner task of action {payload['number']}"
    if "path" in payload:
        return f"the document {payload['path']}"
    return delivery.key


def bounded(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
