"""What a person does in Planner and Outlook while the product works (no token, never faulted):

    POST /_sandbox/planner/tasks/{task id}
         {"by": "<user id or address>", <task properties>, "details": {<details properties>}}
         a person changes the task in Planner (ticks it done with "percentComplete": 100,
         moves its due date, ...): no If-Match, its eTag moves; 200 with the task
    POST /_sandbox/calendar/{mailbox}/events/{event id}
         {<event properties>}: the organiser changes the event in Outlook (its changeKey
         moves, attendees get an update); 200 with the event as Graph shows it

`by` defaults to the directory's first person (bot_connector.USERS); it must be in the
directory, and is who Planner records as having completed or assigned.
"""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from comms_assistant.sandbox import bot_connector, calendars, planner, users
from comms_assistant.sandbox.calendar_store import Calendar, graph_view
from comms_assistant.sandbox.odata import GraphError, ci_get, json_ok, read_json
from comms_assistant.sandbox.routing import Router, context


def register(router: Router) -> None:
    router.add("POST", r"/_sandbox/planner/tasks/(?P<task>[^/]+)", task_by_person)
    router.add(
        "POST", r"/_sandbox/calendar/(?P<user>[^/]+)/events/(?P<event>[^/]+)", event_by_person
    )


def _person(request: web.Request, body: dict[str, Any]) -> users.Person:
    by = ci_get(body, "by") or bot_connector.USERS[0][1]
    person = users.find(request, str(by))
    if person is None:
        raise GraphError(400, "invalidRequest", f"'{by}' is not in the sandbox's directory.")
    return person


async def task_by_person(request: web.Request, match: re.Match[str]) -> web.StreamResponse:
    body = await read_json(request)
    person = _person(request, body)
    identity = {"user": {"id": person.id, "displayName": person.name}}
    changes = {k: v for k, v in body.items() if k.lower() not in {"by", "details"}}
    task = planner.change_task(request, match["task"], changes, identity)
    details = ci_get(body, "details")
    if isinstance(details, dict):
        planner.change_details(request, match["task"], details, identity)
        task = planner.Planner(context(request).state).get("tasks", match["task"])[1]
    return json_ok(task)


async def event_by_person(request: web.Request, match: re.Match[str]) -> web.StreamResponse:
    organiser = users.find(request, match["user"])
    if organiser is None:
        message = f"The requested user '{match['user']}' is invalid."
        raise GraphError(404, "ErrorInvalidUser", message)
    changes = await read_json(request)
    calendar = Calendar(context(request).state, organiser.mail)
    event = calendars.change(calendar, organiser, match["event"], changes)
    return json_ok(graph_view(event))
