"""The Bot Connector API at a `serviceUrl` on the sandbox (`<base url>/`): bot replies and
proactive messages land beside the Graph-posted ones.

    POST /v3/conversations                                  start a conversation (201)
    POST /v3/conversations/{id}/activities                  send to it (200, {"id"})
    POST /v3/conversations/{id}/activities/{replyToId}      reply to an activity (200, {"id"})
    PUT  /v3/conversations/{id}/activities/{activityId}     update the bot's own message (200)

A conversation in the sandbox's incidents channel (its id starts with the channel id, as Teams'
`19:...@thread.tacv2;messageid=...` ids do) is written to `teams/<team>/<channel>/`; any other
(a personal chat `a:...`, a group chat) to `chats/<conversation id>/`. Only `message` activities
are kept; typing indicators and the like are acknowledged and dropped. A thread started in a
channel (`createConversation`) is `<channel>;messageid=<root>`, its first message's id being
`<root>`, as in Teams; what is sent to that conversation is a reply in the thread. An update
replaces the stored activity and keeps the one before in `<file>.history.jsonl`
(message_history.py).

    GET  /v3/conversations/{id}/members                     who is in it (Teams-shaped)
    GET  /v3/conversations/{id}/members/{userId}            one member: email and UPN included
    POST /_sandbox/users                                    add people to the directory

Members come from a small directory: `USERS` below (the sandbox does not read the product's
contacts) plus whoever was added with `POST /_sandbox/users` (kept in `<root>/bot_users.json`).
Everyone in it is a member of every conversation, except that a conversation in the sandbox's
team (one of its channels, a thread in one, or the team itself) has only the team's members:
someone added with `"inTeam": false` is in the tenant, and can chat with the bot, but is not in
the team (404 MemberNotFoundInConversation there, as Teams answers). `{userId}` is the Teams id
(`29:...`) or the Entra object id, as with Teams.

No token is required, as with the Bot Framework Emulator and an anonymous Agents SDK bot.
"""

from __future__ import annotations

import json
import re
import secrets
import uuid
from pathlib import Path
from typing import Any

from aiohttp import web

from comms_assistant.sandbox import message_history, seed
from comms_assistant.sandbox.odata import GraphError, ci_get, file_stamp, iso, json_ok, now
from comms_assistant.sandbox.odata import read_json as read_body
from comms_assistant.sandbox.routing import Router, base_url, context
from comms_assistant.sandbox.state import atomic_write
from comms_assistant.sandbox.teams import (
    MAX_MESSAGE_BYTES,
    known_channels,
    next_message_id,
    safe_folder_name,
)

BOT_CONNECTOR = "botConnector"  # the "source" written into each stored activity


USERS_FILE = "bot_users.json"
IN_TEAM = "inTeam"  # false: in the tenant, not in the sandbox's team (POST /_sandbox/users)
# The sandbox's own people (Teams id, Entra object id, name, email).
USERS = (
    ("29:1-sandbox-comms", "5a1d0000-0000-4000-8000-000000000001", "Casey Comms",
     "comms.lead@example.org"),
    ("29:1-sandbox-tech", "5a1d0000-0000-4000-8000-000000000002", "Tariq Tech",
     "tech.lead@example.org"),
    ("29:1-sandbox-visitor", "5a1d0000-0000-4000-8000-000000000003", "Val Visitor",
     "visitor@example.org"),
)  # fmt: skip


def register(router: Router) -> None:
    router.add("POST", r"/v3/conversations", create_conversation)
    router.add("GET", r"/v3/conversations/(?P<conversation>[^/]+)/members", members)
    router.add("GET", r"/v3/conversations/(?P<conversation>[^/]+)/members/(?P<user>.+)", member)
    router.add("POST", r"/_sandbox/users", add_users)
    router.add(
        "POST",
        r"/v3/conversations/(?P<conversation>[^/]+)/activities(?:/(?P<reply_to>[^/]+))?",
        send_activity,
    )
    router.add(
        "PUT",
        r"/v3/conversations/(?P<conversation>[^/]+)/activities/(?P<activity>[^/]+)",
        update_activity,
    )


def folder_for(request: web.Request, conversation: str) -> Path:
    state = context(request).state
    channel = conversation.split(";", 1)[0].lower()
    name = known_channels(state).get(channel)
    if name is not None:
        return state.teams_dir / seed.TEAM_NAME / safe_folder_name(name)
    return state.root / "chats" / safe_folder_name(conversation)


def _member(teams_id: str, object_id: str, name: str, email: str) -> dict[str, Any]:
    given, _, surname = name.partition(" ")
    return {
        "id": teams_id,
        "name": name,
        "aadObjectId": object_id,
        "givenName": given,
        "surname": surname or None,
        "email": email,
        "userPrincipalName": email,
        "tenantId": seed.TENANT_ID,
        "userRole": "user",
    }


def directory(request: web.Request, conversation: str | None = None) -> list[dict[str, Any]]:
    """Everyone the sandbox knows; with `conversation`, those in it."""
    state = context(request).state
    people = [_member(*user) for user in USERS]
    added = state.root / USERS_FILE
    if added.is_file():
        people += json.loads(added.read_text())
    team = conversation is not None and _in_team(request, conversation)
    return [
        {k: v for k, v in person.items() if k != IN_TEAM}
        for person in people
        if not team or person.get(IN_TEAM, True)
    ]


def _in_team(request: web.Request, conversation: str) -> bool:
    channel = conversation.split(";", 1)[0].lower()
    return channel in known_channels(context(request).state) or channel == seed.TEAM_ID.lower()


async def members(request: web.Request, match: re.Match[str]) -> web.StreamResponse:
    return json_ok(directory(request, match["conversation"]))


async def member(request: web.Request, match: re.Match[str]) -> web.StreamResponse:
    wanted = match["user"].lower()
    for person in directory(request, match["conversation"]):
        if wanted in (person["id"].lower(), person["aadObjectId"].lower()):
            return json_ok(person)
    raise GraphError(404, "MemberNotFoundInConversation", "The member was not found.")


async def add_users(request: web.Request, match: re.Match[str]) -> web.StreamResponse:
    """`{"id", "name", "email", "aadObjectId"?}` or `{"value": [...]}`: 201 with what was added."""
    body = await read_body(request)
    given = ci_get(body, "value") if ci_get(body, "value") is not None else [body]
    added = []
    for user in given if isinstance(given, list) else []:
        teams_id, name, email = (str(ci_get(user, k) or "") for k in ("id", "name", "email"))
        if not teams_id or "@" not in email:
            raise GraphError(400, "BadArgument", "A user needs an 'id' and an 'email'.")
        object_id = str(ci_get(user, "aadObjectId") or uuid.uuid4())
        added.append(_member(teams_id, object_id, name or email, email))
        if ci_get(user, IN_TEAM) is False:
            added[-1][IN_TEAM] = False
    if not added:
        raise GraphError(400, "BadArgument", "Send a user, or {'value': [users]}.")
    state = context(request).state
    path = state.root / USERS_FILE
    kept = json.loads(path.read_text()) if path.is_file() else []
    ids = {a["id"].lower() for a in added}
    kept = [p for p in kept if p["id"].lower() not in ids] + added
    atomic_write(path, json.dumps(kept, indent=2).encode(), state.tmp_dir)
    return json_ok({"value": added}, status=201)


def _store(
    request: web.Request,
    conversation: str,
    activity: dict[str, Any],
    reply_to: str | None,
    activity_id: str | None = None,
) -> str:
    activity_id = activity_id or next_message_id()
    if str(ci_get(activity, "type") or "message").lower() != "message":
        return activity_id
    moment = now()
    stored = {
        **activity,
        "id": activity_id,
        "type": "message",
        "timestamp": iso(moment),
        "conversation": {**(ci_get(activity, "conversation") or {}), "id": conversation},
        "replyToId": reply_to or ci_get(activity, "replyToId"),
        "serviceUrl": base_url(request) + "/",
        "source": BOT_CONNECTOR,
    }
    path = folder_for(request, conversation) / f"{file_stamp(moment)}-{activity_id}.json"
    atomic_write(path, json.dumps(stored, indent=2).encode(), context(request).state.tmp_dir)
    return activity_id


async def _activity(request: web.Request) -> dict[str, Any]:
    raw = await request.read()
    if len(raw) > MAX_MESSAGE_BYTES:
        # Teams refuses a message much over ~28 KB, whichever API sent it.
        raise GraphError(413, "MessageSizeTooBig", f"Activity of {len(raw)} bytes is too large.")
    return await read_body(request)


async def create_conversation(request: web.Request, match: re.Match[str]) -> web.StreamResponse:
    params = await read_body(request)
    channel = ci_get(ci_get(params, "channelData") or {}, "channel") or {}
    channel_id = str(ci_get(channel, "id") or "")
    activity = ci_get(params, "activity")
    if channel_id:
        if channel_id.lower() not in known_channels(context(request).state):
            raise GraphError(404, "ConversationNotFound", f"Channel '{channel_id}' not found.")
        # Teams starts a new thread in the channel; the first message is its root.
        root = next_message_id()
        conversation = f"{channel_id};messageid={root}"
    else:
        members = ci_get(params, "members") or []
        if not members:
            raise GraphError(400, "BadArgument", "Conversation must have a member or a channel.")
        conversation = "a:" + secrets.token_urlsafe(24)
    body: dict[str, Any] = {"id": conversation, "serviceUrl": base_url(request) + "/"}
    if isinstance(activity, dict):
        thread_root = conversation.partition(";messageid=")[2] or None
        body["activityId"] = _store(request, conversation, activity, None, thread_root)
    return json_ok(body, status=201)


async def send_activity(request: web.Request, match: re.Match[str]) -> web.StreamResponse:
    activity = await _activity(request)
    activity_id = _store(request, match["conversation"], activity, match["reply_to"])
    return json_ok({"id": activity_id})


async def update_activity(request: web.Request, match: re.Match[str]) -> web.StreamResponse:
    """The whole new activity replaces the bot's message; the one before goes to its history."""
    conversation, activity_id = match["conversation"], match["activity"]
    activity = await _activity(request)
    if str(ci_get(activity, "type") or "message").lower() != "message":
        raise GraphError(400, "BadArgument", "Only a message activity can replace a message.")
    path, stored = message_history.load(folder_for(request, conversation), activity_id)
    channel = conversation.split(";", 1)[0].lower()
    if stored.get("source") != BOT_CONNECTOR:
        raise GraphError(403, "Forbidden", "The bot can update only the messages it sent.")
    if str(stored["conversation"]["id"]).split(";", 1)[0].lower() != channel:
        raise GraphError(404, "ActivityNotFoundInConversation", "Not in this conversation.")
    kept = {k: stored[k] for k in ("id", "timestamp", "conversation", "replyToId", "serviceUrl")}
    updated = {**activity, **kept, "type": "message", "source": BOT_CONNECTOR}
    updated["lastUpdated"] = iso(now())
    message_history.replace(path, stored, updated, context(request).state.tmp_dir)
    return json_ok({"id": activity_id})
