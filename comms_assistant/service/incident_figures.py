"""An incident's figures (domain/figures.py) with what only the outbox knows: when each of its
messages to stakeholders actually went, and where its Major Incident report was filed.

The register, `comms-assistant report incidents` and the board report all ask here, so they
agree.
"""

from __future__ import annotations

import re
from datetime import datetime

from comms_assistant.domain.figures import Figures, Sent, figures_of
from comms_assistant.domain.incident import Incident, Status
from comms_assistant.domain.policy import Policy
from comms_assistant.service.comms_sent import message_key
from comms_assistant.service.delivery_kinds import STAKEHOLDER_COMMS, DeliveryKind
from comms_assistant.service.register_port import Links
from comms_assistant.service.unit_of_work import DONE, UnitOfWork, UnitOfWorkFactory


def sent_of(uow: UnitOfWork, incident: Incident) -> list[Sent]:
    """Each message told by a timeline entry (`<ref>:<seq>`), with when its first delivery was
    done. Catch-ups for people told later and the central team's own messages are not counted:
    they told nobody anything new."""
    own = re.compile(rf"{re.escape(incident.reference)}:(\d+)")
    first: dict[int, datetime] = {}
    for row in uow.deliveries.of_incident(incident, STAKEHOLDER_COMMS, DONE):
        found = own.fullmatch(message_key(row.key))
        if found is None:
            continue
        seq, at = int(found[1]), row.done_at or row.created_at
        first[seq] = min(at, first.get(seq, at))
    return [Sent(seq, at) for seq, at in sorted(first.items())]


def links_of(uow: UnitOfWork, incident: Incident) -> Links:
    major = uow.deliveries.of_incident(incident, [DeliveryKind.MAJOR_FILE], DONE)
    filed = str((major[-1].result or {}).get("web_url") or "") if major else ""
    record = incident.record
    return Links(report=record.report_url or "", review=record.review_url or "", major=filed)


def figures_for(uow: UnitOfWork, incident: Incident, policy: Policy, now: datetime) -> Figures:
    return figures_of(incident, policy, sent_of(uow, incident), now)


def every_incident(uow: UnitOfWork) -> list[Incident]:
    """Every incident the store holds, oldest declaration first."""
    found = {i.reference: i for status in Status for i in uow.incidents.with_status(status)}
    return sorted(found.values(), key=lambda i: i.declared_at)


def all_figures(
    uow: UnitOfWorkFactory, policy: Policy, now: datetime, *, since: datetime | None = None
) -> list[Figures]:
    """Every incident's figures (declared at or after `since`, when given), oldest first."""
    with uow() as work:
        return [
            figures_for(work, incident, policy, now)
            for incident in every_incident(work)
            if since is None or incident.declared_at >= since
        ]
