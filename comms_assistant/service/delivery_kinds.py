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
    # The work around an incident (issue 21): its meetings in the organiser's calendar, its
    # follow-up actions as Planner tasks, and the actions' table in the filed review.
    BRIDGE = "meeting.bridge"
    BRIDGE_POST = "teams.bridge"
    REVIEW_MEETING = "meeting.review"
    REVIEW_MEETING_CHANGE = "meeting.change"
    REVIEW_MEETING_CANCEL = "meeting.cancel"
    TASK = "planner.task"
    TASK_DONE = "planner.done"
    TASK_LINKS = "planner.links"
    REVIEW_ACTIONS = "review.actions"
    # The public status page: publish, update, resolve or unpublish (service/status_delivery.py).
    STATUS_PAGE = "status.page"
    # The incident's item in the register list (service/register_sync.py).
    REGISTER = "register.item"


class Medium(Enum):
    DOCUMENT = "document"
    EMAIL = "email"
    TEAMS = "teams"
    CALENDAR = "calendar"
    PLANNER = "planner"
    STATUS_PAGE = "status page"
    REGISTER = "register"


class Documents(Protocol):
    async def sync_report(self, incident_id: int) -> dict[str, Any]: ...
    async def file_review(self, incident_id: int) -> dict[str, Any]: ...
    async def file_major(self, incident_id: int) -> dict[str, Any]: ...
    async def add_lessons(self, incident_id: int) -> dict[str, Any]: ...
    async def refresh_review_actions(self, incident_id: int) -> dict[str, Any]: ...


class Meetings(Protocol):
    """The incident's meetings in the organiser's calendar (service/meeting_desk.py)."""

    async def bridge(self, delivery: Delivery) -> dict[str, Any]: ...
    async def book_review(self, delivery: Delivery) -> dict[str, Any]: ...
    async def change_review(self, delivery: Delivery) -> dict[str, Any]: ...
    async def cancel_review(self, delivery: Delivery) -> dict[str, Any]: ...


class Tasks(Protocol):
    """The incident's follow-up actions as Planner tasks (service/action_tasks.py)."""

    async def create(self, delivery: Delivery) -> dict[str, Any]: ...
    async def complete(self, delivery: Delivery) -> dict[str, Any]: ...
    async def link_review(self, delivery: Delivery) -> dict[str, Any]: ...


class RegisterItems(Protocol):
    """The incident's item in the register list (service/register_sync.py)."""

    async def sync(self, delivery: Delivery) -> dict[str, Any]: ...


class Couriers(Protocol):
    """What carries a delivery out: the dispatcher."""

    @property
    def reports(self) -> Documents: ...
    @property
    def meetings(self) -> Meetings: ...
    @property
    def tasks(self) -> Tasks: ...
    @property
    def register(self) -> RegisterItems: ...
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
    # Listed in "Communications sent" too, with the message it followed, and refreshing the
    # report when done; but not a message of its own for the figures (a status page post).
    listed: bool = False
    # A message to the incident's lead about the assistant itself: when one cannot be made, no
    # notice about it is sent, as that would go the same way.
    to_lead: bool = False
    # Once done, everyone sent the Major Incident notification is sent the document's link
    # (major_report.announce_major_report), in the transaction that marks it done.
    announce: bool = False


def _action(p: dict[str, Any]) -> str:
    return f"action {p.get('number', '?')}"


# The work around an incident: meetings, Planner tasks, the review's list of actions. None is
# a stakeholder message, so none is listed in a document's "Communications sent".
WORK_KINDS: dict[DeliveryKind, KindSpec] = {
    DeliveryKind.BRIDGE: KindSpec(
        Medium.CALENDAR,
        lambda c, d: c.meetings.bridge(d),
        "Teams meeting",
        lambda p: f"meeting Teams meeting for the responders: {p['event']['subject']!r}",
    ),
    DeliveryKind.BRIDGE_POST: KindSpec(
        Medium.TEAMS,
        lambda c, d: c.post_card(d),
        "Teams meeting link",
        lambda p: "teams   the Teams meeting's link in the Incidents channel",
    ),
    DeliveryKind.REVIEW_MEETING: KindSpec(
        Medium.CALENDAR,
        lambda c, d: c.meetings.book_review(d),
        "review meeting",
        lambda p: f"meeting review meeting booked: {p['event']['subject']!r}",
    ),
    DeliveryKind.REVIEW_MEETING_CHANGE: KindSpec(
        Medium.CALENDAR,
        lambda c, d: c.meetings.change_review(d),
        "review meeting change",
        lambda p: f"meeting review meeting changed ({p.get('why', 'changed')})",
    ),
    DeliveryKind.REVIEW_MEETING_CANCEL: KindSpec(
        Medium.CALENDAR,
        lambda c, d: c.meetings.cancel_review(d),
        "review meeting cancellation",
        lambda p: "meeting review meeting called off",
    ),
    DeliveryKind.TASK: KindSpec(
        Medium.PLANNER,
        lambda c, d: c.tasks.create(d),
        "Planner task",
        lambda p: f"planner task for {_action(p)}",
    ),
    DeliveryKind.TASK_DONE: KindSpec(
        Medium.PLANNER,
        lambda c, d: c.tasks.complete(d),
        "Planner task completed",
        lambda p: f"planner {_action(p)} marked complete",
    ),
    DeliveryKind.TASK_LINKS: KindSpec(
        Medium.PLANNER,
        lambda c, d: c.tasks.link_review(d),
        "Planner tasks' links",
        lambda p: "planner the review's link on each action's task",
    ),
    DeliveryKind.REVIEW_ACTIONS: KindSpec(
        Medium.DOCUMENT,
        lambda c, d: c.reports.refresh_review_actions(d.incident_id),
        "review's actions",
        lambda p: f"review  actions in {p['path']}",
    ),
}

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
        # To the lead, or to admin_email for a bad edit while no incident is open (bad_edits.py).
        lambda p: f"email   {p['subject']!r} to {_addressee(p)}",
        to_lead=True,
    ),
    DeliveryKind.LEAD_CARD: KindSpec(
        Medium.TEAMS,
        lambda c, d: c.post_card(d),
        "Teams card to the lead",
        lambda p: f"teams   card in the Incidents channel for the comms lead: {p['summary']!r}",
        to_lead=True,
    ),
    **WORK_KINDS,
    DeliveryKind.STATUS_PAGE: KindSpec(
        Medium.STATUS_PAGE,
        lambda c, d: c.update_status_page(d),
        "public status page",
        lambda p: (
            f"status  {p['event']} on the public status page: {' '.join(p['body'].split())!r}"
        ),
        listed=True,
    ),
    DeliveryKind.REGISTER: KindSpec(
        Medium.REGISTER,
        lambda c, d: c.register.sync(d),
        "incident register",
        lambda p: f"register {p.get('reference', 'the incident')}'s item in the incident register",
    ),
}

STAKEHOLDER_COMMS = tuple(kind for kind, spec in KINDS.items() if spec.stakeholder)
# What a document's "Communications sent" lists: the messages and the public posts after them.
LISTED_COMMS = tuple(kind for kind, spec in KINDS.items() if spec.stakeholder or spec.listed)
EMAILS = tuple(kind for kind, spec in KINDS.items() if spec.medium is Medium.EMAIL)


def spec_of(kind: str) -> KindSpec | None:
    """`kind` as stored; None for one this version does not know (a newer version wrote it)."""
    try:
        return KINDS[DeliveryKind(kind)]
    except ValueError:
        return None


def _addressee(payload: dict[str, Any]) -> str:
    to = payload.get("to") or []
    return str(to[0].get("email") or "the comms lead") if to else "the comms lead"
