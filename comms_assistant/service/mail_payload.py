"""A mail delivery's payload, as the outbox keeps it, made into the message the mailer sends."""

from __future__ import annotations

from typing import Any

from comms_assistant.service.ports import OutgoingMail, Recipient


def outgoing_mail(payload: dict[str, Any]) -> OutgoingMail:
    return OutgoingMail(
        delivery_id=payload["delivery_id"],
        subject=payload["subject"],
        html=payload["html"],
        text=payload["text"],
        to=tuple(Recipient(r["email"], r["name"]) for r in payload["to"]),
        bcc=tuple(Recipient(r["email"], r["name"]) for r in payload["bcc"]),
        # Rows queued before sensitivity was recorded have none.
        sensitivity=payload.get("sensitivity", "normal"),
    )
