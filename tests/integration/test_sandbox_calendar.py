"""Outlook calendars in the sandbox tenant, driven by the real msgraph-sdk: a Teams meeting per
incident, transactionId replays, updates, cancellation, permissions, faults and the page."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_sandbox_sdk import make_client

from comms_assistant.sandbox import SandboxTenant, seed

ORGANISER = seed.SERVICE_ACCOUNT  # a licensed user: may organise Teams meetings
SHARED = seed.MAILBOXES[0]  # the shared comms mailbox: may not
TECH_LEAD, COMMS_LEAD = "tech.lead@example.org", "comms.lead@example.org"


def meeting(transaction_id: str | None = "incident-42-bridge", **extra: Any) -> Any:
    from msgraph.generated.models.attendee import Attendee
    from msgraph.generated.models.body_type import BodyType
    from msgraph.generated.models.date_time_time_zone import DateTimeTimeZone
    from msgraph.generated.models.email_address import EmailAddress
    from msgraph.generated.models.event import Event
    from msgraph.generated.models.item_body import ItemBody
    from msgraph.generated.models.online_meeting_provider_type import OnlineMeetingProviderType

    people = extra.pop("attendees", [TECH_LEAD, COMMS_LEAD])
    return Event(
        subject=extra.pop("subject", "P1 bridge: payroll down"),
        body=ItemBody(content_type=BodyType.Html, content="<p>The incident bridge.</p>"),
        start=DateTimeTimeZone(date_time="2026-12-01T10:00:00", time_zone="Europe/London"),
        end=DateTimeTimeZone(date_time="2026-12-01T11:00:00", time_zone="Europe/London"),
        attendees=[Attendee(email_address=EmailAddress(address=a)) for a in people],
        is_online_meeting=True,
        online_meeting_provider=OnlineMeetingProviderType.TeamsForBusiness,
        transaction_id=transaction_id,
        **extra,
    )


def event_files(sandbox: SandboxTenant, mailbox: str, deleted: bool = False) -> list[Path]:
    folder = sandbox.root / "calendar" / mailbox
    return sorted((folder / "Deleted Items" if deleted else folder).glob("*.json"))


def stored(sandbox: SandboxTenant, mailbox: str, deleted: bool = False) -> dict[str, Any]:
    [path] = event_files(sandbox, mailbox, deleted)
    return dict(json.loads(path.read_text()))


def test_sdk_books_a_teams_meeting_and_a_retry_with_its_transaction_id_gets_the_same_one(
    sandbox: SandboxTenant,
) -> None:
    async def scenario() -> tuple[Any, Any, Any]:
        events = make_client(sandbox).users.by_user_id(ORGANISER).events
        first = await events.post(meeting())
        again = await events.post(meeting())  # the client's retry after a lost answer
        fetched = await events.by_event_id(first.id).get()
        return first, again, fetched

    first, again, fetched = asyncio.run(scenario())
    join = first.online_meeting.join_url
    assert join.startswith("https://teams.microsoft.com/l/meetup-join/19%3Ameeting_")
    assert first.is_online_meeting is True and first.online_meeting_provider.value == (
        "teamsForBusiness"
    )
    assert again.id == first.id and fetched.online_meeting.join_url == join  # stable
    assert first.transaction_id == "incident-42-bridge"
    # London is on GMT in December: the event is kept and shown in UTC.
    assert (first.start.date_time, first.start.time_zone) == ("2026-12-01T10:00:00.0000000", "UTC")
    assert first.original_start_time_zone == "Europe/London"
    assert join in first.body.content  # Exchange's join block is in the invitation
    assert first.organizer.email_address.address == ORGANISER
    kept = stored(sandbox, ORGANISER)  # one event, not two
    assert kept["id"] == first.id
    assert kept["sandboxNotices"] == [
        {"kind": "invitation", "time": kept["sandboxNotices"][0]["time"],
         "to": [TECH_LEAD, COMMS_LEAD], "comment": None}
    ]  # fmt: skip


def test_a_transaction_id_already_used_for_another_event_is_refused(
    graph: httpx.Client, sandbox: SandboxTenant
) -> None:
    from msgraph.generated.models.o_data_errors.o_data_error import ODataError

    async def scenario() -> None:
        events = make_client(sandbox).users.by_user_id(ORGANISER).events
        await events.post(meeting())
        with pytest.raises(ODataError) as refused:
            await events.post(meeting(subject="Something else entirely"))
        assert refused.value.response_status_code == 400
        assert refused.value.error.code == "ErrorDuplicateTransactionId"

    asyncio.run(scenario())
    assert len(event_files(sandbox, ORGANISER)) == 1
    # Without a transactionId nothing is deduplicated: two creates, two events.
    body = {"subject": "x", "start": {"dateTime": "2026-12-02T09:00:00"},
            "end": {"dateTime": "2026-12-02T09:30:00"}}  # fmt: skip
    for _ in range(2):
        assert graph.post(f"/users/{ORGANISER}/calendar/events", json=body).status_code == 201
    assert len(event_files(sandbox, ORGANISER)) == 3


def test_sdk_moves_the_meeting_then_cancels_it_and_the_attendees_are_told(
    sandbox: SandboxTenant,
) -> None:
    from msgraph.generated.models.attendee import Attendee
    from msgraph.generated.models.date_time_time_zone import DateTimeTimeZone
    from msgraph.generated.models.email_address import EmailAddress
    from msgraph.generated.models.event import Event
    from msgraph.generated.users.item.events.item.cancel.cancel_post_request_body import (
        CancelPostRequestBody,
    )

    async def scenario() -> tuple[Any, Any, Any, Any]:
        events = make_client(sandbox).users.by_user_id(ORGANISER).events
        booked = await events.post(meeting())
        change = Event(
            start=DateTimeTimeZone(date_time="2026-12-01T14:00:00", time_zone="UTC"),
            end=DateTimeTimeZone(date_time="2026-12-01T15:00:00", time_zone="UTC"),
            attendees=[Attendee(email_address=EmailAddress(address=TECH_LEAD))],
        )
        moved = await events.by_event_id(booked.id).patch(change)
        await events.by_event_id(booked.id).cancel.post(CancelPostRequestBody(comment="Resolved"))
        listed = await events.get()
        return booked, moved, listed, await events.by_event_id(booked.id).get()

    booked, moved, listed, cancelled = asyncio.run(scenario())
    assert moved.start.date_time.startswith("2026-12-01T14:00:00")
    assert moved.change_key != booked.change_key
    assert moved.online_meeting.join_url == booked.online_meeting.join_url
    assert [a.email_address.address for a in moved.attendees] == [TECH_LEAD]
    assert listed.value == []  # a cancelled event leaves the calendar ...
    assert cancelled.is_cancelled is True  # ... for Deleted Items, where its id still finds it
    assert event_files(sandbox, ORGANISER) == []
    notices = stored(sandbox, ORGANISER, deleted=True)["sandboxNotices"]
    told = [(n["kind"], n["to"], n["comment"]) for n in notices]
    assert told == [
        ("invitation", [TECH_LEAD, COMMS_LEAD], None),
        ("update", [TECH_LEAD], None),
        ("cancellation", [COMMS_LEAD], None),  # taken off the meeting
        ("cancellation", [TECH_LEAD], "Resolved"),
    ]


def test_delete_moves_an_event_to_deleted_items_then_removes_it_for_good(
    graph: httpx.Client, sandbox: SandboxTenant
) -> None:
    body = {"subject": "Review", "start": {"dateTime": "2026-12-03T09:00:00Z"},
            "end": {"dateTime": "2026-12-03T10:00:00Z"},
            "attendees": [{"emailAddress": {"address": TECH_LEAD}}]}  # fmt: skip
    event = graph.post(f"/users/{ORGANISER}/events", json=body).json()
    url = f"/users/{ORGANISER}/events/{event['id']}"
    assert graph.delete(url).status_code == 204
    assert graph.get(url).json()["isCancelled"] is True  # a meeting: deleting cancels it
    assert [n["kind"] for n in stored(sandbox, ORGANISER, deleted=True)["sandboxNotices"]] == [
        "invitation",
        "cancellation",
    ]
    assert graph.delete(url).status_code == 204
    gone = graph.get(url)
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "ErrorItemNotFound"
    assert event_files(sandbox, ORGANISER, deleted=True) == []


def test_a_shared_mailbox_gets_the_event_but_no_teams_meeting(sandbox: SandboxTenant) -> None:
    async def scenario() -> tuple[Any, Any]:
        client = make_client(sandbox)
        made = await client.users.by_user_id(SHARED).events.post(meeting())
        return made, await client.users.by_user_id(SHARED).calendar.get()

    made, calendar = asyncio.run(scenario())
    # As Graph answers an organiser who cannot have Teams meetings: 201, and no meeting.
    assert made.id and made.is_online_meeting is False and made.online_meeting is None
    assert made.online_meeting_provider.value == "unknown"
    assert calendar.allowed_online_meeting_providers == []
    assert stored(sandbox, SHARED)["onlineMeeting"] is None


def test_calendars_need_the_permission_and_the_mailbox_in_the_apps_scope(
    graph: httpx.Client, control: httpx.Client, sandbox: SandboxTenant
) -> None:
    from msgraph.generated.models.o_data_errors.o_data_error import ODataError

    roles = [r for r in control.get("/_sandbox/app").json()["roles"] if r != "Calendars.ReadWrite"]
    assert control.patch("/_sandbox/app", json={"roles": roles}).status_code == 200

    async def refused() -> ODataError:
        with pytest.raises(ODataError) as raised:
            await make_client(sandbox).users.by_user_id(ORGANISER).events.post(meeting())
        return raised.value

    error = asyncio.run(refused())
    assert error.response_status_code == 403 and error.error.code == "ErrorAccessDenied"
    # A token issued before the change keeps its roles, as in Entra ID.
    assert graph.get(f"/users/{ORGANISER}/events").status_code == 200

    assert control.delete("/_sandbox/app").status_code == 204  # the defaults again
    scope = {"calendarMailboxes": [COMMS_LEAD]}  # RBAC for Applications
    assert control.patch("/_sandbox/app", json=scope).json()["calendarMailboxes"] == [COMMS_LEAD]
    outside = graph.get(f"/users/{ORGANISER}/events")
    assert outside.status_code == 403 and "AccessPolicy" in outside.json()["error"]["message"]
    assert graph.get(f"/users/{COMMS_LEAD}/events").status_code == 200
    unknown = graph.get("/users/nobody%40example.org/events")
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "ErrorInvalidUser"
    assert event_files(sandbox, ORGANISER) == []


def test_a_delegated_token_reaches_only_its_own_calendar(graph_as_user: httpx.Client) -> None:
    assert graph_as_user.get(f"/users/{seed.SERVICE_ACCOUNT}/events").status_code == 200
    other = graph_as_user.get(f"/users/{COMMS_LEAD}/events")
    assert other.status_code == 403 and other.json()["error"]["code"] == "ErrorAccessDenied"


def test_accept_then_fail_on_a_create_is_safe_to_retry_with_a_transaction_id(
    control: httpx.Client, sandbox: SandboxTenant
) -> None:
    rule = {"method": "POST", "path": "/events$", "status": 503, "after": True,
            "retry_after": 1, "times": 1}  # fmt: skip
    assert control.post("/_sandbox/faults", json=rule).status_code == 201

    async def scenario() -> Any:
        # The SDK's own retry sends the create again after the 503 (PLATFORM-FACTS).
        return await make_client(sandbox).users.by_user_id(ORGANISER).events.post(meeting())

    made = asyncio.run(scenario())
    posts = [r for r in sandbox.requests if r.method == "POST" and r.path.endswith("/events")]
    assert [r.status for r in posts] == [503, 201]
    assert stored(sandbox, ORGANISER)["id"] == made.id  # stored once, though sent twice


def test_throttling_and_an_injected_412_reach_the_client(
    graph: httpx.Client, control: httpx.Client, sandbox: SandboxTenant
) -> None:
    from kiota_abstractions.base_request_configuration import RequestConfiguration
    from kiota_http.middleware.options.retry_handler_option import RetryHandlerOption
    from msgraph.generated.models.event import Event
    from msgraph.generated.models.o_data_errors.o_data_error import ODataError

    event = graph.post(f"/users/{ORGANISER}/events", json={
        "subject": "Bridge", "start": {"dateTime": "2026-12-01T10:00:00"},
        "end": {"dateTime": "2026-12-01T11:00:00"}}).json()  # fmt: skip
    rules = [{"method": "PATCH", "path": "/events/", "status": 412, "times": 1},
             {"method": "GET", "path": "/events$", "status": 429, "retry_after": 7}]  # fmt: skip
    control.post("/_sandbox/faults", json=rules)

    async def scenario() -> tuple[ODataError, ODataError]:
        events = make_client(sandbox).users.by_user_id(ORGANISER).events
        with pytest.raises(ODataError) as stale:
            await events.by_event_id(event["id"]).patch(Event(subject="Changed"))
        no_retry = RequestConfiguration(options=[RetryHandlerOption(should_retry=False)])
        with pytest.raises(ODataError) as throttled:
            await events.get(no_retry)
        return stale.value, throttled.value

    stale, throttled = asyncio.run(scenario())
    assert stale.response_status_code == 412
    assert throttled.response_status_code == 429 and throttled.error.code == "TooManyRequests"
    assert stored(sandbox, ORGANISER)["subject"] == "Bridge"  # the 412 changed nothing


def test_time_zones_and_impossible_times(graph: httpx.Client) -> None:
    summer = {"subject": "Review", "start": {"dateTime": "2026-07-01T10:00:00",
              "timeZone": "GMT Standard Time"}, "end": {"dateTime": "2026-07-01T11:00:00",
              "timeZone": "Europe/London"}}  # fmt: skip
    made = graph.post(f"/users/{ORGANISER}/events", json=summer).json()
    assert made["start"] == {"dateTime": "2026-07-01T09:00:00.0000000", "timeZone": "UTC"}
    local = graph.get(
        f"/users/{ORGANISER}/events/{made['id']}",
        headers={"Prefer": 'outlook.timezone="Europe/London"'},
    ).json()
    assert local["start"] == {
        "dateTime": "2026-07-01T10:00:00.0000000",
        "timeZone": "Europe/London",
    }
    nowhere = {**summer, "start": {"dateTime": "2026-07-01T10:00:00", "timeZone": "Mars/Base"}}
    reply = graph.post(f"/users/{ORGANISER}/events", json=nowhere)
    assert reply.json()["error"]["code"] == "TimeZoneNotSupportedException"
    backwards = {**summer, "end": {"dateTime": "2026-07-01T08:00:00", "timeZone": "UTC"}}
    reply = graph.post(f"/users/{ORGANISER}/events", json=backwards)
    assert reply.status_code == 400
    assert reply.json()["error"]["code"] == "ErrorCalendarEndDateIsEarlierThanStartDate"


def test_a_person_changes_the_event_in_outlook_and_the_page_shows_it(
    graph: httpx.Client, control: httpx.Client, sandbox: SandboxTenant
) -> None:
    evil = "<script>alert(1)</script>"
    tariq = {"emailAddress": {"address": TECH_LEAD, "name": "Tariq Tech"}}
    body = {"subject": f"Review {evil}", "start": {"dateTime": "2026-12-04T09:00:00"},
            "end": {"dateTime": "2026-12-04T10:00:00"}, "isOnlineMeeting": True,
            "attendees": [tariq]}  # fmt: skip
    made = graph.post(f"/users/{ORGANISER}/events", json=body).json()
    edit = control.post(
        f"/_sandbox/calendar/{ORGANISER}/events/{made['id']}",
        json={
            "start": {"dateTime": "2026-12-04T12:00:00"},
            "end": {"dateTime": "2026-12-04T13:00:00"},
        },
    )
    assert edit.status_code == 200 and edit.json()["changeKey"] != made["changeKey"]
    assert graph.get(f"/users/{ORGANISER}/events/{made['id']}").json()["start"]["dateTime"] == (
        "2026-12-04T12:00:00.0000000"
    )
    html = control.get("/").text
    assert "<html lang='en-GB'>" in html and "<h2>Calendars</h2>" in html
    section = html[html.index("<h2>Calendars</h2>") :]
    assert f"<h3>{ORGANISER}</h3>" in section
    assert "Review &lt;script&gt;alert(1)&lt;/script&gt;" in section and "<script" not in section
    assert "2026-12-04 12:00 UTC" in section and "Tariq Tech" in section
    join = made["onlineMeeting"]["joinUrl"].replace("&", "&amp;")
    assert f'<a href="{join}">Join' in section
    assert "invitation, update" in section  # what the attendees were sent
