"""The ports of the work around an incident: an Outlook calendar for its meetings and a
Planner plan for its follow-up actions. adapters/graph/calendar.py and adapters/graph/planner.py
are the real ones; unit tests use fakes. Errors are ports.py's: DeliveryError (retry or not),
PreconditionFailed (a stale If-Match: read again and apply again), NotFound.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from comms_assistant.service.ports import Recipient


@dataclass(frozen=True)
class OutgoingEvent:
    """An Outlook event with a Teams meeting, as the product asks for it.

    `transaction_id`: Outlook's own idempotency key (Graph "Create event"): creating again with
    it gives back the event made the first time, so a create whose answer was lost is safe to
    send again, as long as it asks for the same event. `time_zone`: the zone the times are
    shown in (an IANA name); the times themselves are aware.
    """

    transaction_id: str
    subject: str
    html: str
    start: datetime
    end: datetime
    time_zone: str
    attendees: tuple[Recipient, ...] = ()
    online: bool = True
    sensitivity: Literal["normal", "private"] = "normal"


@dataclass(frozen=True)
class CalendarEvent:
    id: str
    join_url: str | None  # the Teams meeting's link; None when Outlook made no Teams meeting
    online: bool
    cancelled: bool = False
    web_link: str = ""


class Calendar(Protocol):
    """The organiser's calendar (the meeting_organiser setting)."""

    @property
    def organiser(self) -> str: ...

    async def create(self, event: OutgoingEvent) -> CalendarEvent: ...

    async def update(self, event_id: str, event: OutgoingEvent) -> CalendarEvent:
        """Change the event's subject, body, times and attendees (Outlook tells them)."""
        ...

    async def cancel(self, event_id: str, comment: str) -> None:
        """Call the meeting off: the attendees are sent `comment`."""
        ...

    async def get(self, event_id: str) -> CalendarEvent | None: ...


@dataclass(frozen=True)
class Task:
    """A Planner task as the product reads it; `etag` is what a change must name (If-Match)."""

    id: str
    etag: str
    title: str
    percent_complete: int


@dataclass(frozen=True)
class NewTask:
    title: str
    bucket_id: str
    due: datetime | None = None
    assignee: str | None = None  # the owner's Entra object id


class TaskBoard(Protocol):
    """The plan the actions_plan setting names."""

    @property
    def plan(self) -> str: ...

    async def bucket_named(self, name: str) -> str:
        """The id of the plan's bucket called `name`, made when there is none."""
        ...

    async def find(self, title_start: str) -> Task | None:
        """The plan's task whose title starts with `title_start`, if there is one."""
        ...

    async def create(self, task: NewTask) -> Task: ...

    async def get(self, task_id: str) -> Task | None: ...

    async def complete(self, task_id: str, *, if_match: str) -> Task:
        """Mark it 100% complete; PreconditionFailed when `if_match` is no longer its eTag."""
        ...

    async def details_etag(self, task_id: str) -> str: ...

    async def describe(
        self, task_id: str, description: str | None, links: dict[str, str], *, if_match: str
    ) -> None:
        """Set the task's description (None: leave it as it is) and add its links (URL ->
        what the link is called); PreconditionFailed when `if_match` is no longer the
        details' eTag."""
        ...

    async def user_id(self, email: str) -> str | None:
        """The directory's object id of the person with `email`; None when there is nobody."""
        ...
