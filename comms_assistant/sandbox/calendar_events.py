"""An Outlook event made from, and changed by, what a client sends (Graph "Create event",
"Update event", "event resource type").

Online meetings ("Create or set an event as an online meeting in an Outlook calendar"): with
`isOnlineMeeting: true` (and `onlineMeetingProvider: "teamsForBusiness"`, the default provider
of a user's calendar) the event gets `onlineMeeting.joinUrl`, a stable fake Teams link made
from the mailbox and the event id, and Exchange's join block is added to the body. Once an
event is online it stays online. A shared mailbox's calendar allows no online meeting provider
(no licence, no Teams): the event is still created (201), with `isOnlineMeeting: false`,
`onlineMeetingProvider: "unknown"` and `onlineMeeting: null`, which is how Graph answers when
the organiser cannot have a Teams meeting (reported in microsoft-graph-docs issues 9741 and
1027; Microsoft documents no error). The product must look at what came back.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from typing import Any
from urllib.parse import quote

from comms_assistant.sandbox import calendar_store, calendar_times, seed
from comms_assistant.sandbox.odata import GraphError, ci_get, iso, now
from comms_assistant.sandbox.users import Person

TEAMS = "teamsForBusiness"
_ATTENDEE_TYPES = {"required", "optional", "resource"}
_NEVER = "0001-01-01T00:00:00Z"
JOIN_BLOCK_MARK = "sandbox-teams-meeting"


def providers(person: Person) -> list[str]:
    """A calendar's allowedOnlineMeetingProviders: Teams for a licensed user, none if shared."""
    return [] if person.shared else [TEAMS]


def join_info(person: Person, event_id: str) -> dict[str, Any]:
    """Teams' onlineMeetingInfo for this event: the same every time it is asked for."""
    digest = hashlib.sha256(f"{person.mail.lower()}|{event_id}".encode()).hexdigest()
    thread = f"19:meeting_{digest[:48]}@thread.v2"
    context = json.dumps({"Tid": seed.TENANT_ID, "Oid": person.id}, separators=(",", ":"))
    url = (
        f"https://teams.microsoft.com/l/meetup-join/{quote(thread, safe='')}/0"
        f"?context={quote(context, safe='')}"
    )
    return {
        "conferenceId": str(int(digest[:12], 16) % 10**9),
        "joinUrl": url,
        "phones": [],
        "quickDial": None,
        "tollFreeNumbers": [],
        "tollNumber": None,
    }


def new_event(person: Person, body: dict[str, Any], event_id: str) -> dict[str, Any]:
    for required in ("start", "end"):
        if ci_get(body, required) is None:
            raise GraphError(400, "ErrorInvalidRequest", f"An event needs '{required}'.")
    moment = iso(now())
    uid = "040000008200E00074C5B7101A82E008" + hashlib.sha256(event_id.encode()).hexdigest()[:64]
    event: dict[str, Any] = {
        "id": event_id,
        "createdDateTime": moment,
        "categories": [],
        "iCalUId": uid.upper(),
        "uid": uid.upper(),
        "reminderMinutesBeforeStart": 15,
        "isReminderOn": True,
        "hasAttachments": False,
        "subject": "",
        "importance": "normal",
        "sensitivity": "normal",
        "isAllDay": False,
        "isCancelled": False,
        "isOrganizer": True,
        "responseRequested": True,
        "seriesMasterId": None,
        "showAs": "busy",
        "type": "singleInstance",
        "webLink": "https://outlook.office365.com/owa/?itemid="
        + quote(event_id, safe="")
        + "&exvsurl=1&path=/calendar/item",
        "onlineMeetingUrl": None,
        "isOnlineMeeting": False,
        "onlineMeetingProvider": "unknown",
        "allowNewTimeProposals": True,
        "isDraft": False,
        "hideAttendees": False,
        "responseStatus": {"response": "organizer", "time": _NEVER},
        "body": {"contentType": "html", "content": ""},
        "location": {"displayName": ""},
        "locations": [],
        "recurrence": None,
        "attendees": [],
        "organizer": {"emailAddress": {"name": person.name, "address": person.mail}},
        "onlineMeeting": None,
    }
    transaction_id = ci_get(body, "transactionId")
    if transaction_id:
        event["transactionId"] = str(transaction_id)  # only shown when a client set it
    apply(event, body, person)
    calendar_store.touch(event)
    return event


def _attendees(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise GraphError(400, "ErrorInvalidRequest", "'attendees' must be a list.")
    found: dict[str, dict[str, Any]] = {}
    for attendee in value:
        email = ci_get(attendee, "emailAddress") or {}
        address = str(ci_get(email, "address") or "").strip()
        kind = str(ci_get(attendee, "type") or "required").lower()
        if "@" not in address or kind not in _ATTENDEE_TYPES:
            raise GraphError(
                400, "ErrorInvalidRecipients", f"The attendee '{address}' is not valid."
            )
        found.setdefault(
            address.lower(),
            {
                "type": kind,
                "status": {"response": "none", "time": _NEVER},
                "emailAddress": {"name": str(ci_get(email, "name") or address), "address": address},
            },
        )
    return list(found.values())


def _times(event: dict[str, Any], changes: dict[str, Any]) -> None:
    for key in ("start", "end"):
        if ci_get(changes, key) is not None:
            moment, zone_name = calendar_times.parse(ci_get(changes, key), key)
            event[key] = calendar_times.utc(moment)
            event["original" + key.title() + "TimeZone"] = zone_name
    if calendar_times.moment_of(event["end"]) < calendar_times.moment_of(event["start"]):
        raise GraphError(
            400,
            "ErrorCalendarEndDateIsEarlierThanStartDate",
            "The end date occurs before the start date.",
        )


def _online(event: dict[str, Any], changes: dict[str, Any], person: Person) -> None:
    if event["isOnlineMeeting"] or ci_get(changes, "isOnlineMeeting") is not True:
        return  # once online, always online; and only when asked for
    provider = ci_get(changes, "onlineMeetingProvider") or (providers(person) or ["unknown"])[0]
    if provider in providers(person):
        event.update(isOnlineMeeting=True, onlineMeetingProvider=provider)
        event["onlineMeeting"] = join_info(person, event["id"])


def _with_join_block(event: dict[str, Any]) -> None:
    body = event["body"]
    meeting = event.get("onlineMeeting") or {}
    url = meeting.get("joinUrl")
    if not url or url in body["content"]:
        return
    if body["contentType"] == "html":
        body["content"] += (
            f'<div class="{JOIN_BLOCK_MARK}"><hr><p><b>Microsoft Teams meeting</b></p>'
            f'<p><a href="{html.escape(url)}">Join the meeting now</a></p></div>'
        )
    else:
        body["content"] += f"\n\nMicrosoft Teams meeting\nJoin the meeting now: {url}\n"


def _preview(body: dict[str, Any]) -> str:
    text = body["content"]
    if body["contentType"] == "html":
        text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return re.sub(r"\s+", " ", text).strip()[:255]


def _content(event: dict[str, Any], changes: dict[str, Any]) -> None:
    """Subject, body and location as given."""
    if ci_get(changes, "subject") is not None:
        event["subject"] = str(ci_get(changes, "subject"))
    if ci_get(changes, "body") is not None:
        given = ci_get(changes, "body")
        kind = str(ci_get(given, "contentType") or "text").lower()
        event["body"] = {"contentType": kind, "content": str(ci_get(given, "content") or "")}
    if ci_get(changes, "location") is not None:
        name = str(ci_get(ci_get(changes, "location"), "displayName") or "")
        event["location"] = {"displayName": name}
        event["locations"] = [{"displayName": name}] if name else []


def apply(event: dict[str, Any], changes: dict[str, Any], person: Person) -> set[str]:
    """Apply what a client sent (a create, or a PATCH); returns the fields that changed."""
    earlier = json.loads(json.dumps(event))
    _content(event, changes)
    if ci_get(changes, "attendees") is not None:
        event["attendees"] = _attendees(ci_get(changes, "attendees"))
    _times(event, changes)
    _online(event, changes, person)
    _with_join_block(event)
    event["bodyPreview"] = _preview(event["body"])
    return {k for k in event if event[k] != earlier.get(k)}


def same_request(existing: dict[str, Any], new: dict[str, Any]) -> bool:
    """Whether a create with a used transactionId asks for the same event (a retry)."""
    fields = ("subject", "start", "end")
    return all(existing[f] == new[f] for f in fields) and sorted(
        calendar_store.attendee_addresses(existing)
    ) == sorted(calendar_store.attendee_addresses(new))
