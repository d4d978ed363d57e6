"""In-memory stand-ins for the organiser's calendar and the actions' Planner plan, with faults
a test can queue (fakes.Faults: "before" fails the call, "after" makes it take effect first)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace

from fakes import Faults

from comms_assistant.service.ports import NotFound, PreconditionFailed
from comms_assistant.service.work_ports import CalendarEvent, NewTask, OutgoingEvent, Task

JOIN = "https://teams.microsoft.com/l/meetup-join/fake-{}"


@dataclass
class StoredEvent:
    id: str
    event: OutgoingEvent
    join_url: str | None
    cancelled: bool = False
    notices: list[str] = field(default_factory=list)

    def seen(self) -> CalendarEvent:
        online = self.join_url is not None
        return CalendarEvent(self.id, self.join_url, online, self.cancelled)


class FakeCalendar:
    """`teams=False` plays a shared mailbox: events are made, with no Teams meeting."""

    def __init__(self, organiser: str = "comms.assistant@example.org", *, teams: bool = True):
        self.organiser = organiser
        self.teams = teams
        self.events: dict[str, StoredEvent] = {}
        self.faults = Faults()
        self._ids = itertools.count(1)

    async def create(self, event: OutgoingEvent) -> CalendarEvent:
        self.faults.check_before("create")
        for stored in self.events.values():
            if stored.event.transaction_id == event.transaction_id:
                return stored.seen()  # Outlook's answer to a transactionId used before
        event_id = f"event{next(self._ids)}"
        url = JOIN.format(event_id) if self.teams and event.online else None
        self.events[event_id] = StoredEvent(event_id, event, url, notices=["invitation"])
        self.faults.check_after("create")
        return self.events[event_id].seen()

    async def update(self, event_id: str, event: OutgoingEvent) -> CalendarEvent:
        self.faults.check_before("update")
        stored = self._get(event_id)
        keep = stored.event.transaction_id
        stored.event = replace(event, transaction_id=keep)
        stored.notices.append("update")
        return stored.seen()

    async def cancel(self, event_id: str, comment: str) -> None:
        self.faults.check_before("cancel")
        stored = self._get(event_id)
        stored.cancelled = True
        stored.notices.append(f"cancellation: {comment}")
        self.faults.check_after("cancel")

    async def get(self, event_id: str) -> CalendarEvent | None:
        stored = self.events.get(event_id)
        return stored.seen() if stored else None

    def _get(self, event_id: str) -> StoredEvent:
        if event_id not in self.events:
            raise NotFound(f"no event {event_id}")
        return self.events[event_id]

    def live(self) -> list[StoredEvent]:
        return [e for e in self.events.values() if not e.cancelled]


@dataclass
class StoredTask:
    task: NewTask
    id: str
    version: int = 1
    percent: int = 0
    description: str = ""
    links: dict[str, str] = field(default_factory=dict)
    details_version: int = 1

    def seen(self) -> Task:
        return Task(self.id, f'W/"{self.id}-{self.version}"', self.task.title, self.percent)


class FakeBoard:
    def __init__(self, plan: str = "plan1", people: dict[str, str] | None = None) -> None:
        self.plan = plan
        self.people = people if people is not None else {}  # email -> object id
        self.tasks: dict[str, StoredTask] = {}
        self.buckets: dict[str, str] = {}  # name -> id
        self.faults = Faults()
        self._ids = itertools.count(1)

    async def bucket_named(self, name: str) -> str:
        return self.buckets.setdefault(name, f"bucket{len(self.buckets) + 1}")

    async def find(self, title_start: str) -> Task | None:
        found = [t for t in self.tasks.values() if t.task.title.startswith(title_start)]
        return found[0].seen() if found else None

    async def create(self, task: NewTask) -> Task:
        self.faults.check_before("create")
        task_id = f"task{next(self._ids)}"
        self.tasks[task_id] = StoredTask(task, task_id)
        self.faults.check_after("create")
        return self.tasks[task_id].seen()

    async def get(self, task_id: str) -> Task | None:
        stored = self.tasks.get(task_id)
        return stored.seen() if stored else None

    async def complete(self, task_id: str, *, if_match: str) -> Task:
        self.faults.check_before("complete")
        stored = self.tasks[task_id]
        if if_match != stored.seen().etag:
            raise PreconditionFailed("412: the task changed", retryable=True)
        stored.percent, stored.version = 100, stored.version + 1
        return stored.seen()

    def edit(self, task_id: str, *, percent: int | None = None) -> None:
        """A person changes the task in Planner: its eTag moves."""
        stored = self.tasks[task_id]
        stored.version += 1
        if percent is not None:
            stored.percent = percent

    async def details_etag(self, task_id: str) -> str:
        stored = self.tasks[task_id]
        return f'W/"{task_id}-details-{stored.details_version}"'

    async def describe(
        self, task_id: str, description: str | None, links: dict[str, str], *, if_match: str
    ) -> None:
        self.faults.check_before("describe")
        stored = self.tasks[task_id]
        if if_match != await self.details_etag(task_id):
            raise PreconditionFailed("412: the details changed", retryable=True)
        if description is not None:
            stored.description = description
        stored.links.update(links)
        stored.details_version += 1

    async def user_id(self, email: str) -> str | None:
        return self.people.get(email.lower())
