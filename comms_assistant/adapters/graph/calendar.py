"""Outlook events with a Teams meeting, in the organiser's calendar: the `Calendar` port.

Graph "Create event" with `isOnlineMeeting: true` and `onlineMeetingProvider:
"teamsForBusiness"` answers with `onlineMeeting.joinUrl`. Application permission
Calendars.ReadWrite, which Exchange RBAC for Applications limits to the organiser's mailbox
(docs/setup.md). A shared mailbox cannot organise a Teams meeting: Graph still makes the event
(201) with `isOnlineMeeting: false` and no join link, which `CalendarEvent.join_url` shows as
None for the caller to refuse.

The create goes with `transactionId` and with kiota's retry off: a retry is the outbox's, and
the transactionId makes Outlook give back the event it made the first time. Cancelling tells
the attendees, so it is not retried by kiota either.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from comms_assistant.adapters.graph.client import no_retry_config
from comms_assistant.adapters.graph.errors import translated
from comms_assistant.service import fencing
from comms_assistant.service.ports import NotFound
from comms_assistant.service.work_ports import CalendarEvent, OutgoingEvent

if TYPE_CHECKING:
    from msgraph import GraphServiceClient


class GraphCalendar:
    def __init__(self, client: GraphServiceClient, organiser: str) -> None:
        self._client = client
        self._organiser = organiser

    @property
    def organiser(self) -> str:
        return self._organiser

    @property
    def _events(self) -> Any:
        return self._client.users.by_user_id(self._organiser).events

    async def create(self, event: OutgoingEvent) -> CalendarEvent:
        body = graph_event(event, create=True)
        with translated(f"create the event {event.subject!r} in {self._organiser}'s calendar"):
            made = await self._events.post(body, no_retry_config())
        return seen(made)

    async def update(self, event_id: str, event: OutgoingEvent) -> CalendarEvent:
        with translated(f"change the event {event.subject!r} in {self._organiser}'s calendar"):
            changed = await self._events.by_event_id(event_id).patch(graph_event(event))
        return seen(changed)

    async def cancel(self, event_id: str, comment: str) -> None:
        from msgraph.generated.users.item.events.item.cancel.cancel_post_request_body import (
            CancelPostRequestBody,
        )

        body = CancelPostRequestBody(comment=comment)
        fencing.before_sending()  # each cancel tells the attendees again
        with translated(f"cancel an event in {self._organiser}'s calendar"):
            await self._events.by_event_id(event_id).cancel.post(body, no_retry_config())

    async def get(self, event_id: str) -> CalendarEvent | None:
        try:
            with translated(f"read an event in {self._organiser}'s calendar"):
                found = await self._events.by_event_id(event_id).get()
        except NotFound:
            return None
        return seen(found) if found is not None else None

    async def delete(self, event_id: str) -> None:
        """Remove an event (`graph check`'s test event, which has no attendees)."""
        with translated(f"delete an event in {self._organiser}'s calendar"):
            await self._events.by_event_id(event_id).delete()

    async def allowed_providers(self) -> list[str]:
        """The calendar's allowedOnlineMeetingProviders (for `graph check`)."""
        with translated(f"read {self._organiser}'s calendar"):
            calendar = await self._client.users.by_user_id(self._organiser).calendar.get()
        providers = (calendar.allowed_online_meeting_providers or []) if calendar else []
        return [str(getattr(p, "value", p)) for p in providers]


def graph_event(event: OutgoingEvent, *, create: bool = False) -> Any:
    """The msgraph Event; the transactionId and the Teams meeting only on a create."""
    from msgraph.generated.models.attendee import Attendee
    from msgraph.generated.models.attendee_type import AttendeeType
    from msgraph.generated.models.body_type import BodyType
    from msgraph.generated.models.date_time_time_zone import DateTimeTimeZone
    from msgraph.generated.models.email_address import EmailAddress
    from msgraph.generated.models.event import Event
    from msgraph.generated.models.item_body import ItemBody
    from msgraph.generated.models.online_meeting_provider_type import OnlineMeetingProviderType
    from msgraph.generated.models.sensitivity import Sensitivity

    def when(moment: Any) -> DateTimeTimeZone:
        # The wall-clock time in the organisation's zone, so Outlook shows it as such.
        local = moment.astimezone(_zone(event.time_zone)).replace(tzinfo=None)
        return DateTimeTimeZone(date_time=local.isoformat(), time_zone=event.time_zone)

    made = Event(
        subject=event.subject,
        body=ItemBody(content_type=BodyType.Html, content=event.html),
        start=when(event.start),
        end=when(event.end),
        attendees=[
            Attendee(
                email_address=EmailAddress(address=a.email, name=a.name or None),
                type=AttendeeType.Required,
            )
            for a in event.attendees
        ],
        sensitivity=Sensitivity.Private if event.sensitivity == "private" else Sensitivity.Normal,
    )
    if create:
        made.transaction_id = event.transaction_id
        made.is_online_meeting = event.online
        made.online_meeting_provider = OnlineMeetingProviderType.TeamsForBusiness
    return made


def _zone(name: str) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def seen(event: Any) -> CalendarEvent:
    meeting = getattr(event, "online_meeting", None)
    join_url = getattr(meeting, "join_url", None) if meeting is not None else None
    return CalendarEvent(
        id=str(event.id),
        join_url=str(join_url) if join_url else None,
        online=bool(event.is_online_meeting),
        cancelled=bool(event.is_cancelled),
        web_link=str(event.web_link or ""),
    )
