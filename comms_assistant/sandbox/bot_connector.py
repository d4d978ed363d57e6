"""The Bot Connector API at a `serviceUrl` on the sandbox (`<base url>/`): bot replies and
proactive messages land beside the Graph-posted ones.

    POST /v3/conversations                                  start a conversation (201)
    POST /v3/conversations/{id}/activities                  send to it (200, {"id"})
    POST /v3/conversations/{id}/activities/{replyToId}      reply to an activity (200, {"id"})

A conversation in the sandbox's incidents channel (its id starts with the channel id, as Teams'
`19:...@thread.tacv2;messageid=...` ids do) is written to `teams/<team>/<channel>/`; any other
(a personal chat `a:...`, a group chat) to `chats/<conversation id>/`. Only `message` activities
are kept; typing indicators and the like are acknowledged and dropped.

No token is required, as with the Bot Framework Emulator and an anonymous Agents SDK bot.
"""

from __future__ import annotations

import json
import re
import secrets
from pathlib import Path
from typing import Any

from aiohttp import web

from comms_assistant.sandbox import seed
from comms_assistant.sandbox.odata import GraphError, ci_get, file_stamp, iso, json_ok, now
from comms_assistant.sandbox.odata import read_json as read_body
from comms_assistant.sandbox.routing import Router, base_url, context
from comms_assistant.sandbox.state import atomic_write
from comms_assistant.sandbox.teams import MAX_MESSAGE_BYTES, next_message_id, safe_folder_name

BOT_CONNECTOR = "botConnector"  # the "source" written into each stored activity


def register(router: Router) -> None:
    router.add("POST", r"/v3/conversations", create_conversation)
    router.add(
        "POST",
        r"/v3/conversations/(?P<conversation>[^/]+)/activities(?:/(?P<reply_to>[^/]+))?",
        send_activity,
    )


def folder_for(request: web.Request, conversation: str) -> Path:
    state = context(request).state
    if conversation.lower().startswith(seed.CHANNEL_ID.lower()):
        return state.teams_dir / seed.TEAM_NAME / seed.CHANNEL_NAME
    return state.root / "chats" / safe_folder_name(conversation)


def _store(
    request: web.Request, conversation: str, activity: dict[str, Any], reply_to: str | None
) -> str:
    activity_id = next_message_id()
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
        if channel_id.lower() != seed.CHANNEL_ID.lower():
            raise GraphError(404, "ConversationNotFound", f"Channel '{channel_id}' not found.")
        # Teams starts a new thread in the channel; the first message is its root.
        conversation = f"{seed.CHANNEL_ID};messageid={next_message_id()}"
    else:
        members = ci_get(params, "members") or []
        if not members:
            raise GraphError(400, "BadArgument", "Conversation must have a member or a channel.")
        conversation = "a:" + secrets.token_urlsafe(24)
    body: dict[str, Any] = {"id": conversation, "serviceUrl": base_url(request) + "/"}
    if isinstance(activity, dict):
        body["activityId"] = _store(request, conversation, activity, None)
    return json_ok(body, status=201)


async def send_activity(request: web.Request, match: re.Match[str]) -> web.StreamResponse:
    activity = await _activity(request)
    activity_id = _store(request, match["conversation"], activity, match["reply_to"])
    return json_ok({"id": activity_id})
