"""The kinds of delivery the outbox holds and, for each, how it is delivered and described.

Every place that acts on a delivery's kind asks `KINDS`, so a kind cannot be added without
saying how it goes and how it reads (tests/unit/test_delivery_kinds.py walks each one through
them all).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import Any, Protocol

from comms_assistant.service.outbox_port import Delivery


class DeliveryKind(StrEnum):
    # The values are what outbox rows store, and databases already hold them: never change one.
    REPORT_SYNC = "report.sync"
    REVIEW_FILE = "review.file"
    MAJOR_FILE = "major.file"
    MAJOR_LESSONS = "major.lessons"
    MAIL = "mail"
    TEAMS_CARD = "teams.card"
    # The incident's living card in a channel, redrawn from the incident as it is when it goes.
    TEAMS_REFRESH = "teams.refresh"
    NOTICE = "notice"
    LEAD_CARD = "lead.card"
    # The public status page: publish, update, resolve or unpublish (service/status_delivery.py).
    STATUS_PAGE = "status.page"


class Medium(Enum):
    DOCUMENT = "document"
    EMAIL = "email"
    TEAMS = "teams"
    STATUS_PAGE = "status page"


class Documents(Protocol):
    async def sync_report(self, incident_id: int) -> dict[str, Any]: ...
    async def file_review(self, incident_id: int) -> dict[str, Any]: ...
    async def file_major(self, incident_id: int) -> dict[str, Any]: ...
    async def add_lessons(self, incident_id: int) -> dict[str, Any]: ...


class Couriers(Protocol):
    """What carries a delivery out: the dispatcher."""

    @property
    def reports(self) -> Documents: ...
    async def send_mail(self, delivery: Delivery) -> dict[str, Any]: ...
    async def post_card(self, delivery: Delivery) -> dict[str, Any]: ...
    async def refresh_card(self, delivery: Delivery) -> dict[str, Any]: ...
    async def update_status_page(self, delivery: Delivery) -> dict[str, Any]: ...


@dataclass(frozen=True)
class KindSpec:
    medium: Medium
    deliver: Callable[[Couriers, Delivery], Awaitable[dict[str, Any]]]
    name: str  # in a list of what failed or waits: "2 could not be delivered (email, report)"
    # Its line in `comms-assistant deliver` (and `run`), from its payload.
    describe: Callable[[dict[str, Any]], str]
    # A message to stakeholders: listed in the report's "Communications sent", and sending one
    # refreshes the report.
    stakeholder: bool = False
    # A message to the incident's lead about the assistant itself: when one cannot be made, no
    # notice about it is sent, as that would go the same way.
    to_lead: bool = False
    # Once done, everyone sent the Major Incident notification is sent the document's link
    # (major_report.announce_major_report), in the transaction that marks it done.
    announce: bool = False


KINDS: dict[DeliveryKind, KindSpec] = {
    DeliveryKind.REPORT_SYNC: KindSpec(
        Medium.DOCUMENT,
        lambda c, d: c.reports.sync_report(d.incident_id),
        "report",
        lambda p: f"report  {p['path']}",
    ),
    DeliveryKind.REVIEW_FILE: KindSpec(
        Medium.DOCUMENT,
        lambda c, d: c.reports.file_review(d.incident_id),
        "review",
        lambda p: f"review  {p['path']}",
    ),
    DeliveryKind.MAJOR_FILE: KindSpec(
        Medium.DOCUMENT,
        lambda c, d: c.reports.file_major(d.incident_id),
        "major incident report",
        lambda p: f"major incident report  {p['path']}",
        announce=True,
    ),
    DeliveryKind.MAJOR_LESSONS: KindSpec(
        Medium.DOCUMENT,
        lambda c, d: c.reports.add_lessons(d.incident_id),
        "lessons learnt",
        lambda p: f"lessons learnt  {p['path']}",
    ),
    DeliveryKind.MAIL: KindSpec(
        Medium.EMAIL,
        lambda c, d: c.send_mail(d),
        "email",
        lambda p: f"email   {p['subject']!r} to {len(p['bcc'])} recipient(s)",
        stakeholder=True,
    ),
    DeliveryKind.TEAMS_CARD: KindSpec(
        Medium.TEAMS,
        lambda c, d: c.post_card(d),
        "Teams card",
        lambda p: f"teams   card in the {p.get('where', 'Incidents channel')}: {p['summary']!r}",
        stakeholder=True,
    ),
    DeliveryKind.TEAMS_REFRESH: KindSpec(
        Medium.TEAMS,
        lambda c, d: c.refresh_card(d),
        "Teams card update",
        lambda p: (
            f"teams   update the incident's card in the {p.get('where', 'Incidents channel')}"
        ),
    ),
    DeliveryKind.NOTICE: KindSpec(
        Medium.EMAIL,
        lambda c, d: c.send_mail(d),
        "email to the lead",
        lambda p: f"email   {p['subject']!r} to the comms lead",
        to_lead=True,
    ),
    DeliveryKind.LEAD_CARD: KindSpec(
        Medium.TEAMS,
        lambda c, d: c.post_card(d),
        "Teams card to the lead",
        lambda p: f"teams   card in the Incidents channel for the comms lead: {p['summary']!r}",
        to_lead=True,
    ),
    DeliveryKind.STATUS_PAGE: KindSpec(
        Medium.STATUS_PAGE,
        lambda c, d: c.update_status_page(d),
        "public status page",
        lambda p: (
            f"status  {p['event']} on the public status page: {' '.join(p['body'].split())!r}"
        ),
    ),
}

STAKEHOLDER_COMMS = tuple(kind for kind, spec in KINDS.items() if spec.stakeholder)
EMAILS = tuple(kind for kind, spec in KINDS.items() if spec.medium is Medium.EMAIL)


def spec_of(kind: str) -> KindSpec | None:
    """`kind` as stored; None for one this version does not know (a newer version wrote it)."""
    try:
        return KINDS[DeliveryKind(kind)]
    except ValueError:
        return None
