"""What the work around an incident must deliver, written to the outbox in the change's own
transaction: the bridge and the review meeting in the organiser's calendar, the follow-up
actions' Planner tasks, and the documents that list the actions.

Lanes keep each incident's calendar changes in order (`<ref>:calendar`: a booking, then its
moves, then its cancellation) and its Planner changes (`<ref>:planner`: a task is made before
it is completed). What follows the filing of the review (its link in the meeting and in the
tasks) queues in the documents' lane, behind the review itself.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from comms_assistant.domain.actions import Action
from comms_assistant.domain.incident import DomainError, Incident, Priority
from comms_assistant.domain.meetings import (
    BRIDGE_LENGTH,
    Meetings,
    ReviewMeeting,
    attendees,
    invite,
    review_meeting_start,
)
from comms_assistant.domain.times import clock, zone_in_words
from comms_assistant.domain.working_hours import WorkingHours
from comms_assistant.service import meeting_words as words
from comms_assistant.service.deliveries import DeliveryPlanner
from comms_assistant.service.delivery_kinds import DeliveryKind
from comms_assistant.service.ports import DEFAULT_SECURITY_MARKING
from comms_assistant.service.unit_of_work import Queued, UnitOfWork

# Makes Outlook's transactionId from an event's key and its incident: the same on every attempt,
# different for another incident that happens to have the same reference (a new database).
_TRANSACTIONS = uuid.UUID("b5e1f7a2-9c3d-4e8f-a6b1-2d7c0e9f4a53")


@dataclass(frozen=True)
class WorkRules:
    """The settings of config_work.py, as the service needs them."""

    organiser: str | None  # None: no meetings are made
    plan: str | None  # None: actions stay in the documents
    bridge_priorities: frozenset[Priority] = frozenset({Priority.P1})
    review_days: int = 5
    review_at: time = time(10, 0)
    review_minutes: int = 60
    marking: str = DEFAULT_SECURITY_MARKING


@dataclass
class WorkPlanner:
    rules: WorkRules
    hours: WorkingHours
    documents: DeliveryPlanner
    people: Mapping[str, str] = field(default_factory=dict)  # email -> name

    def wants_bridge(self, incident: Incident) -> bool:
        return bool(self.rules.organiser) and incident.priority in self.rules.bridge_priorities

    # The meetings.

    def bridge(self, uow: UnitOfWork, incident: Incident, now: datetime) -> Queued | None:
        """The responders' Teams meeting, once (the one queued already, if there is one)."""
        if not self.rules.organiser:
            return None
        key = f"{incident.reference}:meeting:bridge"
        existing = uow.deliveries.by_key(key)
        if existing is not None:
            return existing
        start = now.replace(second=0, microsecond=0)
        event = self._event(
            incident,
            key,
            subject=words.bridge_subject(incident, self.rules.marking),
            body=words.bridge_body(incident, incident.record.report_url),
            start=start,
            end=start + BRIDGE_LENGTH,
            # The responders as they are now; the review meeting also asks those invited.
            invited=attendees(self._leads(incident), Meetings(), organiser=self._organiser),
        )
        payload = {"delivery_id": key, "event": event}
        return self._add(uow, incident, key, "calendar", DeliveryKind.BRIDGE, payload, now)

    def book_review(
        self, uow: UnitOfWork, incident: Incident, now: datetime, *, at: datetime | None = None
    ) -> Queued | None:
        """Book the review meeting: once, unless `at` books one called off again."""
        meetings = incident.record.meetings
        if not self.rules.organiser:
            return None
        earlier = meetings.review
        if earlier is not None and not (at is not None and earlier.cancelled):
            return None  # booked already, or called off: re-running never books a second
        booking = earlier.booking + 1 if earlier is not None else 1
        review = ReviewMeeting(at or self._review_start(incident, now), self.rules.review_minutes)
        review.booking = booking
        meetings.review = review
        key = f"{incident.reference}:meeting:review:{booking}"
        event = self.review_event(incident, key)
        payload = {"delivery_id": key, "event": event, "booking": booking}
        return self._add(uow, incident, key, "calendar", DeliveryKind.REVIEW_MEETING, payload, now)

    def review_event(self, incident: Incident, key: str) -> dict[str, Any]:
        """The review meeting as it should be now (its booking, or a change of it)."""
        review = incident.record.meetings.review
        assert review is not None
        record = incident.record
        body = words.review_body(
            incident,
            report_url=record.report_url,
            review_url=record.review_url,
            review_name=record.review_name or "",
        )
        return self._event(
            incident,
            key,
            subject=words.review_subject(incident, self.rules.marking),
            body=body,
            start=review.start,
            end=review.end,
            invited=self.attendees(incident),
        )

    def _review_start(self, incident: Incident, now: datetime) -> datetime:
        """`review_days` working days after it was closed, at `review_at`; never in the past."""
        closed = incident.resolved_at or now
        days = self.rules.review_days
        start = review_meeting_start(closed, days, self.rules.review_at, self.hours)
        while start <= now:
            days += 1
            start = review_meeting_start(closed, days, self.rules.review_at, self.hours)
        return start

    def move_review(
        self, uow: UnitOfWork, incident: Incident, at: datetime, now: datetime
    ) -> Queued | None:
        review = incident.record.meetings.review
        if review is None or review.cancelled:
            return self.book_review(uow, incident, now, at=at)
        if review.start == at:
            raise DomainError(f"The review meeting of {incident.reference} is then already.")
        review.start = at
        return self.change_review(uow, incident, now, why="moved")

    def change_review(
        self, uow: UnitOfWork, incident: Incident, now: datetime, *, why: str, lane: str = ""
    ) -> Queued | None:
        """An update of the booked review meeting, drawn from the incident when it goes."""
        review = incident.record.meetings.review
        if not self.rules.organiser or review is None or review.cancelled:
            return None
        changes = f"{incident.reference}:meeting:review:change:"
        key = f"{changes}{len(uow.deliveries.keyed(changes)) + 1}"
        payload = {"delivery_id": key, "why": why, "booking": review.booking}
        kind = DeliveryKind.REVIEW_MEETING_CHANGE
        return self._add(uow, incident, key, lane or "calendar", kind, payload, now)

    def cancel_review(self, uow: UnitOfWork, incident: Incident, now: datetime) -> Queued:
        review = incident.record.meetings.review
        if review is None:
            raise DomainError(
                f"{incident.reference} has no review meeting to call off: it is booked when the "
                "incident is closed."
            )
        if review.cancelled:
            raise DomainError(f"The review meeting of {incident.reference} is already off.")
        review.cancelled = True
        key = f"{incident.reference}:meeting:review:cancel:{review.booking}"
        payload = {"delivery_id": key, "booking": review.booking}
        kind = DeliveryKind.REVIEW_MEETING_CANCEL
        return self._add(uow, incident, key, "calendar", kind, payload, now)

    def invite(
        self, uow: UnitOfWork, incident: Incident, people: tuple[str, ...], now: datetime
    ) -> tuple[list[str], Queued | None]:
        """(who is new, the meeting's update that invites them, when it is booked)."""
        added = invite(incident.record.meetings, people)
        if not added:
            return added, None
        return added, self.change_review(uow, incident, now, why="invited")

    def review_filed(self, uow: UnitOfWork, incident: Incident, now: datetime) -> list[Queued]:
        """At `review`: the meeting (booked now if it never was) and the tasks get the review's
        link, once the review is filed (in the documents' lane, after it)."""
        lane = "documents"
        queued = [self.book_review(uow, incident, now)]
        queued.append(self.change_review(uow, incident, now, why="the review's link", lane=lane))
        if self.rules.plan and incident.actions:
            key = f"{incident.reference}:actions:links:{len(incident.actions)}"
            if uow.deliveries.by_key(key) is None:
                payload = {"delivery_id": key}
                queued.append(
                    self._add(uow, incident, key, lane, DeliveryKind.TASK_LINKS, payload, now)
                )
        return [q for q in queued if q is not None]

    def attendees(self, incident: Incident) -> tuple[str, ...]:
        """Who the review meeting invites: the leads, the scribe and those invited."""
        meetings = incident.record.meetings
        return attendees(self._leads(incident), meetings, organiser=self._organiser)

    @property
    def _organiser(self) -> str:
        return self.rules.organiser or ""

    @staticmethod
    def _leads(incident: Incident) -> list[str]:
        return [*incident.leads.values(), *incident.extra_leads.values()]

    # The follow-up actions.

    def add_action(
        self, uow: UnitOfWork, incident: Incident, action: Action, now: datetime
    ) -> list[Queued]:
        queued = self.documents_refresh(uow, incident, f"action:{action.number}", now)
        if self.rules.plan:
            key = f"{incident.reference}:action:{action.number}:task"
            payload = {"delivery_id": key, "number": action.number}
            queued.append(self._add(uow, incident, key, "planner", DeliveryKind.TASK, payload, now))
        return queued

    def complete_action(
        self, uow: UnitOfWork, incident: Incident, action: Action, now: datetime
    ) -> list[Queued]:
        """Completing its task; the documents are refreshed once Planner has it (then they
        read it from there), or at once when it has no task."""
        task = uow.deliveries.by_key(f"{incident.reference}:action:{action.number}:task")
        if not self.rules.plan or (task is None and action.task_id is None):
            return self.documents_refresh(uow, incident, f"action:{action.number}:done", now)
        key = f"{incident.reference}:action:{action.number}:done"
        payload = {"delivery_id": key, "number": action.number}
        return [self._add(uow, incident, key, "planner", DeliveryKind.TASK_DONE, payload, now)]

    def documents_refresh(
        self, uow: UnitOfWork, incident: Incident, key: str, now: datetime, **extra: Any
    ) -> list[Queued]:
        """The report, and the review once it is filed, showing the actions as they are."""
        queued = [self.documents.refresh(uow, incident, key, now, **extra)]
        if incident.record.review_name:
            queued.append(self.documents.review_actions(uow, incident, key, now, **extra))
        return queued

    def _event(
        self,
        incident: Incident,
        key: str,
        *,
        subject: str,
        body: str,
        start: datetime,
        end: datetime,
        invited: tuple[str, ...],
    ) -> dict[str, Any]:
        seed = f"{key}|{incident.declared_at.isoformat()}"
        return words.event_payload(
            transaction_id=str(uuid.uuid5(_TRANSACTIONS, seed)),
            subject=subject,
            body=body,
            start=start,
            end=end,
            time_zone=str(getattr(self.hours.tz, "key", "UTC")),
            attendees=invited,
            names=self.people,
            security=incident.security,
        )

    def _add(
        self,
        uow: UnitOfWork,
        incident: Incident,
        key: str,
        lane: str,
        kind: DeliveryKind,
        payload: dict[str, Any],
        now: datetime,
    ) -> Queued:
        lane = f"{incident.reference}:{lane}"
        return uow.deliveries.add(incident, key=key, lane=lane, kind=kind, payload=payload, now=now)


def meeting_time(start: datetime, tz: ZoneInfo) -> str:
    """ "Thursday 3 December 2026 at 10am UK time": how replies give a meeting's time."""
    local = start.astimezone(tz)
    return f"{local:%A} {local.day} {local:%B %Y} at {clock(local)} {zone_in_words(local)}"
