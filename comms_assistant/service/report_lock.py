"""The comms lead's notice that the running report is open in Word (SharePoint answers 423),
so the assistant's changes wait: once per lock, by email, as it waits until someone can act."""

from __future__ import annotations

from datetime import datetime

from comms_assistant.domain.incident import Incident
from comms_assistant.service import lead_notices
from comms_assistant.service.unit_of_work import UnitOfWork


def tell_lead(
    uow: UnitOfWork, incident: Incident, document: str, *, since: str, marking: str, now: datetime
) -> None:
    lead_notices.enqueue_notice(
        uow,
        incident,
        key=f"locked:{now.isoformat()}",
        marking=marking,
        title="the incident report is open in Word, so updates are waiting",
        paragraphs=[
            f"The assistant could not save its changes to {document}: since {since} someone "
            "has it open in Word (or checked out), and SharePoint will not let anyone else "
            "save it.",
            "Nothing is lost. The changes are kept and go in by themselves once the file is "
            "closed; the assistant keeps trying, waiting a little longer each time.",
            "If it stays open, ask whoever has it open to save and close it.",
            "You get this message once each time the report is locked.",
        ],
        now=now,
        email=True,
    )
