"""Outlook calendars: a Teams meeting per incident and the review meeting, through Graph.

    GET    /users/{mailbox}/calendar                       allowedOnlineMeetingProviders etc.
    POST   /users/{mailbox}[/calendar]/events              201 with the event
    GET    /users/{mailbox}[/calendar]/events              the calendar's events ($top, $skip)
    GET    /users/{mailbox}[/calendar]/events/{id}         200
    PATCH  /users/{mailbox}[/calendar]/events/{id}         200 with the updated event
    POST   /users/{mailbox}[/calendar]/events/{id}/cancel  202, empty ({"comment"} optional)
    DELETE /users/{mailbox}[/calendar]/events/{id}         204

As Graph documents them ("Create event", "Update event", "event: cancel", "Delete event",
"event resource type"):
- Application permission Calendars.ReadWrite (delegated: the signed-in user's own calendar);
  403 ErrorAccessDenied otherwise, and for a mailbox outside the app's RBAC for Applications
  scope (grants.py). An unknown mailbox is 404 ErrorInvalidUser, as for mail.
- `transactionId`: "a custom identifier specified by a client app for the server to avoid
  redundant POST operations in case of client retries to create the same event". A create with
  a transactionId already used for the same event (subject, start, end, attendees) answers with
  that event (201, the sandbox's choice of status) and stores nothing new; with a different
  event, 400 ErrorDuplicateTransactionId (Exchange's code, seen in public reports). It cannot
  be changed by an update.
- Cancel (only the organiser; the events here are all the mailbox's own) sends the comment to
  the attendees and moves the event to Deleted Items: it leaves the calendar listing, a GET by
  id still finds it with `isCancelled: true`. A second cancel tells the attendees again, as a
  second request would. Delete moves it there too (telling attendees of a meeting it is
  cancelled); deleting it from Deleted Items removes it for good (404 afterwards).
- Creating a meeting with attendees sends them an invitation, changing it sends an update
  (attendees taken off are sent a cancellation): kept as `sandboxNotices` in the event's file.
"""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from comms_assistant.sandbox import calendar_events, grants, users
from comms_assistant.sandbox.calendar_store import (
    Calendar,
    attendee_addresses,
    graph_view,
    new_event_id,
    notify,
    touch,
)
from comms_assistant.sandbox.odata import GraphError, ci_get, json_ok, read_json
from comms_assistant.sandbox.paging import page_of
from comms_assistant.sandbox.routing import Router, context
from comms_assistant.sandbox.users import Person

_USER = r"/v1\.0/users/(?P<user>[^/]+)"
_EVENTS = _USER + r"(?:/calendar)?/events"
# Fields whose change Exchange sends the attendees an update for.
_MEETING_FIELDS = {"subject", "body", "start", "end", "location", "attendees", "onlineMeeting"}


def register(router: Router) -> None:
    router.add("GET", _USER + r"/calendar", get_calendar)
    router.add("GET POST", _EVENTS, events)
    router.add("GET PATCH DELETE", _EVENTS + r"/(?P<event>[^/]+)", one_event)
    router.add("POST", _EVENTS + r"/(?P<event>[^/]+)/cancel", cancel)


def mailbox(request: web.Request, user: str) -> tuple[Person, Calendar]:
    grants.require_calendar_role(request)
    person = users.find(request, user)
    if person is None:
        raise GraphError(404, "ErrorInvalidUser", f"The requested user '{user}' is invalid.")
    grants.require_calendar_mailbox(request, person.mail)
    return person, Calendar(context(request).state, person.mail)


def _answer(request: web.Request, event: dict[str, Any], status: int = 200) -> web.Response:
    return json_ok(graph_view(event, request.headers.get("Prefer", "")), status=status)


async def get_calendar(request: web.Request, match: re.Match[str]) -> web.StreamResponse:
    person, _ = mailbox(request, match["user"])
    allowed = calendar_events.providers(person)
    return json_ok(
        {
            "id": "AAMkAGSandboxCalendar" + person.id.replace("-", ""),
            "name": "Calendar",
            "color": "auto",
            "isDefaultCalendar": True,
            "canEdit": True,
            "canShare": not person.shared,
            "canViewPrivateItems": True,
            "isRemovable": False,
            "isTallyingResponses": True,
            "allowedOnlineMeetingProviders": allowed,
            "defaultOnlineMeetingProvider": allowed[0] if allowed else "unknown",
            "owner": {"name": person.name, "address": person.mail},
        }
    )


async def events(request: web.Request, match: re.Match[str]) -> web.StreamResponse:
    person, calendar = mailbox(request, match["user"])
    if request.method == "GET":
        return _list(request, calendar)
    body = await read_json(request)
    event = calendar_events.new_event(person, body, new_event_id())
    transaction_id = event.get("transactionId")
    earlier = calendar.by_transaction(transaction_id) if transaction_id else None
    if earlier is not None:
        if not calendar_events.same_request(earlier, event):
            raise GraphError(
                400,
                "ErrorDuplicateTransactionId",
                "Your request can't be completed. The TransactionId specified in the request "
                "has already been used to create a different event.",
            )
        return _answer(request, earlier, status=201)
    notify(event, "invitation", attendee_addresses(event))
    calendar.save(event)
    return _answer(request, event, status=201)


def _list(request: web.Request, calendar: Calendar) -> web.Response:
    query = request.query
    if query.get("$filter"):
        wanted = query["$filter"]
        raise GraphError(400, "ErrorInvalidUrlQueryFilter", f"The sandbox cannot filter: {wanted}")
    prefer = request.headers.get("Prefer", "")
    body = page_of(request, calendar.events(), lambda e: graph_view(e, prefer), default=10)
    return json_ok(body)


def change(
    calendar: Calendar, person: Person, event_id: str, changes: dict[str, Any]
) -> dict[str, Any]:
    """Change an event (the client's PATCH, or a person in Outlook) and tell the attendees."""
    path, event = calendar.load(event_id)
    given = ci_get(changes, "transactionId")
    if given is not None and given != event.get("transactionId"):
        raise GraphError(
            400, "ErrorInvalidRequest", "An event's transactionId cannot be changed once set."
        )
    before = set(attendee_addresses(event))
    changed = calendar_events.apply(event, changes, person)
    touch(event)
    if changed & _MEETING_FIELDS and not event["isCancelled"]:
        notify(event, "update", attendee_addresses(event))
        gone = before - set(attendee_addresses(event))
        notify(event, "cancellation", sorted(gone))
    calendar.save(event, deleted=calendar.is_deleted(path))
    return event


async def one_event(request: web.Request, match: re.Match[str]) -> web.StreamResponse:
    person, calendar = mailbox(request, match["user"])
    if request.method == "GET":
        return _answer(request, calendar.load(match["event"])[1])
    if request.method == "PATCH":
        changes = await read_json(request)
        return _answer(request, change(calendar, person, match["event"], changes))
    path, event = calendar.load(match["event"])
    if calendar.is_deleted(path):
        path.unlink()  # out of Deleted Items: gone for good
        return web.Response(status=204)
    if event["attendees"] and not event["isCancelled"]:
        # Deleting a meeting on the organiser's calendar cancels it for the attendees.
        event["isCancelled"] = True
        notify(event, "cancellation", attendee_addresses(event))
    touch(event)
    calendar.move_to_deleted(path, event)
    return web.Response(status=204)


async def cancel(request: web.Request, match: re.Match[str]) -> web.StreamResponse:
    _, calendar = mailbox(request, match["user"])
    path, event = calendar.load(match["event"])
    body = await read_json(request) if request.can_read_body else {}
    comment = ci_get(body, "comment")
    event["isCancelled"] = True
    said = None if comment is None else str(comment)
    notify(event, "cancellation", attendee_addresses(event), said)
    touch(event)
    calendar.move_to_deleted(path, event)
    return web.Response(status=202)
