"""Delivers the incident's meetings to the organiser's calendar: the bridge, and the review
meeting's booking, changes and cancellation.

Exactly once: a booking goes with Outlook's transactionId, so asking again after an answer that
never came (a 503 after Outlook made the event, a dropped connection, a worker killed) gives
back the event made the first time instead of a second one. A change is a PATCH of the whole
event as the incident has it when it goes, which doing twice does no harm. A cancellation is
looked up first when an earlier try may have gone, as a second one tells the attendees again.

Outlook makes an event with no Teams meeting, and says nothing, when the organiser cannot
have one (a shared mailbox, no Teams licence): the answer is checked, and the delivery parked
with what to do, so the lead hears of it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from comms_assistant.domain.incident import Incident
from comms_assistant.service import living_card
from comms_assistant.service.delivery_kinds import DeliveryKind
from comms_assistant.service.meeting_words import bridge_card, event_from
from comms_assistant.service.outbox_port import Delivery
from comms_assistant.service.ports import DeliveryError
from comms_assistant.service.retries import retrying
from comms_assistant.service.unit_of_work import FAILED, UnitOfWork, UnitOfWorkFactory
from comms_assistant.service.work_planner import WorkPlanner
from comms_assistant.service.work_ports import Calendar, CalendarEvent

NO_ORGANISER = (
    "no meeting organiser is set: set meeting_organiser to a licensed user's mailbox "
    "(docs/setup.md, 'Meetings')"
)
NO_TEAMS = (
    "Outlook made the event in {organiser}'s calendar without a Teams meeting: a shared "
    "mailbox, or a user without a Teams licence, cannot organise one. Set meeting_organiser "
    "to a licensed user's mailbox (docs/setup.md, 'Meetings')"
)


@dataclass
class MeetingDesk:
    uow: UnitOfWorkFactory
    calendar: Calendar | None
    work: WorkPlanner | None
    clock: Callable[[], datetime]

    def _calendar(self) -> Calendar:
        if self.calendar is None or self.work is None:
            raise DeliveryError(NO_ORGANISER, retryable=False)
        return self.calendar

    async def bridge(self, delivery: Delivery) -> dict[str, Any]:
        calendar = self._calendar()
        event = await calendar.create(event_from(delivery.payload["event"]))
        if not event.join_url:
            raise DeliveryError(NO_TEAMS.format(organiser=calendar.organiser), retryable=False)
        retrying(lambda: self._bridge_made(delivery, event), what=delivery.key)
        return {"event_id": event.id, "join_url": event.join_url}

    def _bridge_made(self, delivery: Delivery, event: CalendarEvent) -> None:
        """Keep the link, redraw the incident's card with it, and give it to the responders
        in the incidents channel (never a security incident's: it has no channel)."""
        assert event.join_url is not None
        with self.uow() as uow:
            incident = uow.incidents.by_id(delivery.incident_id)
            meetings = incident.record.meetings
            meetings.bridge_url, meetings.bridge_event_id = event.join_url, event.id
            cause = uow.deliveries.get(delivery.id)
            now = self.clock()
            living_card.queue_for(uow, incident, now, key="bridge", cause=cause, post=False)
            if not incident.security and _has_channel_card(uow, incident):
                key = f"{incident.reference}:bridge:post"
                payload = {
                    "delivery_id": key,
                    "summary": f"{incident.reference}: a Teams meeting for the responders",
                    "card": bridge_card(incident, event.join_url),
                    "where": "Incidents channel",
                    "living": True,  # a reply under the incident's card
                    "cause": delivery.id,
                }
                if uow.deliveries.by_key(key) is None:
                    lane = living_card.channel_lane(incident.reference)
                    kind = DeliveryKind.BRIDGE_POST
                    uow.deliveries.add(
                        incident, key=key, lane=lane, kind=kind, payload=payload, now=now
                    )

    async def book_review(self, delivery: Delivery) -> dict[str, Any]:
        calendar = self._calendar()
        event = await calendar.create(event_from(delivery.payload["event"]))
        booking = int(delivery.payload.get("booking", 1))
        retrying(lambda: self._review_booked(delivery.incident_id, booking, event), what="review")
        if not event.join_url:
            raise DeliveryError(NO_TEAMS.format(organiser=calendar.organiser), retryable=False)
        return {"event_id": event.id, "join_url": event.join_url}

    def _review_booked(self, incident_id: int, booking: int, event: CalendarEvent) -> None:
        with self.uow() as uow:
            review = uow.incidents.by_id(incident_id).record.meetings.review
            if review is not None and review.booking == booking:
                review.event_id, review.join_url = event.id, event.join_url

    async def change_review(self, delivery: Delivery) -> dict[str, Any]:
        calendar = self._calendar()
        assert self.work is not None
        booking = int(delivery.payload.get("booking", 1))
        with self.uow() as uow:
            incident = uow.incidents.by_id(delivery.incident_id)
            review = incident.record.meetings.review
            if review is None or review.cancelled or review.booking != booking:
                return {"skipped": "the meeting was called off or booked again since"}
            event_id = review.event_id or _booked_event(uow, incident, booking)
            event = event_from(self.work.review_event(incident, delivery.key))
        changed = await calendar.update(event_id, event)
        return {"event_id": changed.id, "attendees": len(event.attendees)}

    async def cancel_review(self, delivery: Delivery) -> dict[str, Any]:
        calendar = self._calendar()
        booking = int(delivery.payload.get("booking", 1))
        with self.uow() as uow:
            incident = uow.incidents.by_id(delivery.incident_id)
            if _booking_failed(uow, incident, booking):
                return {"skipped": "it was never booked"}
            event_id = _booked_event(uow, incident, booking)
            comment = _called_off(incident)
        if delivery.uncertain:
            found = await calendar.get(event_id)
            if found is None or found.cancelled:
                return {"event_id": event_id, "already_cancelled": True}
        await calendar.cancel(event_id, comment)
        return {"event_id": event_id}


def _has_channel_card(uow: UnitOfWork, incident: Incident) -> bool:
    lane = living_card.channel_lane(incident.reference)
    return bool(uow.deliveries.of_lane(lane, [DeliveryKind.TEAMS_CARD]))


def _booking_key(incident: Incident, booking: int) -> str:
    return f"{incident.reference}:meeting:review:{booking}"


def _booking_failed(uow: UnitOfWork, incident: Incident, booking: int) -> bool:
    booked = uow.deliveries.by_key(_booking_key(incident, booking))
    return booked is None or (booked.status == FAILED and not (booked.result or {}))


def _booked_event(uow: UnitOfWork, incident: Incident, booking: int) -> str:
    """The event the booking made, as its delivery recorded it: the meeting may have been
    booked again since, with an event of its own."""
    booked = uow.deliveries.by_key(_booking_key(incident, booking))
    event_id = str(((booked.result if booked else None) or {}).get("event_id") or "")
    review = incident.record.meetings.review
    if not event_id and review is not None and review.booking == booking:
        event_id = review.event_id or ""
    if not event_id:
        # Its booking goes first in the calendar's lane; it has not gone yet.
        raise DeliveryError("the review meeting is not booked yet", retryable=True)
    return event_id


def _called_off(incident: Incident) -> str:
    what = "a security incident" if incident.security else incident.title
    return f"The review meeting for {incident.reference} ({what}) is called off."
