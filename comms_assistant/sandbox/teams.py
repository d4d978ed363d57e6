"""Teams: a chatMessage posted to a channel is written as JSON under teams/<team>/<channel>/,
one posted to a chat under chats/<chat>/.

As in Microsoft 365, posting needs a *delegated* token (a signed-in user): an app-only token gets
401, because Teamwork.Migrate.All only allows importing messages. Reading works with either.

In a channel, a message can be changed by its sender (`PATCH .../messages/{id}`, 204; the
version it replaces is kept in `<file>.history.jsonl`, message_history.py) and replied to
(`POST .../messages/{id}/replies`, 201; `GET` lists them). Replies are written beside the
messages with `replyToId` set; `GET .../messages` lists only the thread roots, as Graph does.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from typing import Any

from aiohttp import web

from comms_assistant.sandbox import auth, message_history, seed
from comms_assistant.sandbox.odata import GraphError, ci_get, file_stamp, iso, json_ok, now
from comms_assistant.sandbox.odata import read_json as read_body
from comms_assistant.sandbox.paging import page_of
from comms_assistant.sandbox.routing import CLAIMS, Router, context
from comms_assistant.sandbox.state import atomic_write

MAX_MESSAGE_BYTES = 28 * 1024
CHANNELS_FILE = "channels.json"  # channels created through Graph: id -> name
_BAD_CHANNEL_NAME = re.compile(r'[~#%&*{}+/\\:<>?|\'"\x00-\x1f]|\.\.|\.$')
ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
_ATTACHMENT_REF = re.compile(
    r"<attachment\s+id\s*=\s*[\"']([^\"']+)[\"']\s*>\s*</attachment>", re.I
)


_last_id = 0


def next_message_id() -> str:
    """Teams message ids are millisecond timestamps; keep them unique within one process."""
    global _last_id
    _last_id = max(int(time.time() * 1000), _last_id + 1)
    return str(_last_id)


def register(router: Router) -> None:
    router.add("POST GET", r"/v1\.0/teams/(?P<team>[^/]+)/channels", channels)
    router.add(
        "POST GET",
        r"/v1\.0/teams/(?P<team>[^/]+)/channels/(?P<channel>[^/]+)/messages",
        channel_messages,
    )
    router.add("POST GET", r"/v1\.0/chats/(?P<chat>[^/]+)/messages", chat_messages)
    router.add(
        "GET PATCH",
        r"/v1\.0/teams/(?P<team>[^/]+)/channels/(?P<channel>[^/]+)/messages/(?P<message>[^/]+)",
        channel_message,
    )
    router.add(
        "POST GET",
        r"/v1\.0/teams/(?P<team>[^/]+)/channels/(?P<channel>[^/]+)/messages/(?P<message>[^/]+)"
        r"/replies",
        channel_replies,
    )


def safe_folder_name(conversation: str) -> str:
    """A chat or conversation id as a folder name: no characters Windows or SharePoint refuse."""
    return re.sub(r'[<>:"/\\|?*\x00-\x1f]', "_", conversation).strip(" .") or "_"


def _require_delegated(request: web.Request) -> None:
    if not auth.is_delegated(request):
        raise GraphError(
            401,
            "Unauthorized",
            "Message POST is allowed in application-only context only for import purposes. "
            "Refer to https://docs.microsoft.com/microsoftteams/platform/graph-api/"
            "import-messages/import-external-messages-to-teams for more details.",
        )


def known_channels(state: Any) -> dict[str, str]:
    """Channel id (lower case) -> name: the seeded incidents channel and any created since."""
    found = {seed.CHANNEL_ID.lower(): seed.CHANNEL_NAME}
    found.update({k.lower(): v for k, v in seed.OTHER_CHANNELS.items()})
    registry = state.root / CHANNELS_FILE
    if registry.is_file():
        found.update({k.lower(): v for k, v in json.loads(registry.read_text()).items()})
    return found


def _channel_dir(request: web.Request, team: str, channel: str) -> Any:
    if team.lower() != seed.TEAM_ID.lower():
        raise GraphError(404, "NotFound", f"No team found with Group Id {team}")
    name = known_channels(context(request).state).get(channel.lower())
    if name is None:
        raise GraphError(404, "NotFound", f"Channel '{channel}' was not found in the team.")
    return context(request).state.teams_dir / seed.TEAM_NAME / safe_folder_name(name)


async def channels(request: web.Request, match: re.Match[str]) -> web.StreamResponse:
    """List the team's channels, or create one (Channel.Create; the name must be new)."""
    if match["team"].lower() != seed.TEAM_ID.lower():
        raise GraphError(404, "NotFound", f"No team found with Group Id {match['team']}")
    state = context(request).state
    known = known_channels(state)
    if request.method == "GET":
        return json_ok({"value": [_channel(i, n) for i, n in known.items()]})
    body = await read_body(request)
    name = str(ci_get(body, "displayName") or "").strip()
    if not name or len(name) > 50 or _BAD_CHANNEL_NAME.search(name) or name[0] in "_.":
        raise GraphError(400, "BadRequest", f"Channel name '{name}' is not valid.")
    if name.lower() in {n.lower() for n in known.values()}:
        raise GraphError(400, "NameAlreadyExists", "Channel name already existed.")
    channel_id = f"19:{secrets.token_hex(16)}@thread.tacv2"
    registry = state.root / CHANNELS_FILE
    created = json.loads(registry.read_text()) if registry.is_file() else {}
    created[channel_id] = name
    atomic_write(registry, json.dumps(created).encode(), state.tmp_dir)
    (state.teams_dir / seed.TEAM_NAME / safe_folder_name(name)).mkdir(parents=True, exist_ok=True)
    return json_ok(_channel(channel_id, name, ci_get(body, "description")), status=201)


def _channel(channel_id: str, name: str, description: str | None = None) -> dict[str, Any]:
    return {
        "id": channel_id,
        "displayName": name,
        "description": description,
        "membershipType": "standard",
        "createdDateTime": iso(now()),
        "webUrl": f"https://teams.microsoft.com/l/channel/{channel_id}?groupId={seed.TEAM_ID}",
    }


def validate(message: dict[str, Any]) -> None:
    body = ci_get(message, "body")
    if not isinstance(body, dict):
        raise GraphError(400, "BadRequest", "A message must have a body.")
    content_type = str(ci_get(body, "contentType") or "text").lower()
    if content_type not in {"html", "text"}:
        raise GraphError(400, "BadRequest", f"Invalid body contentType '{content_type}'.")
    content = str(ci_get(body, "content") or "")
    referenced = set(_ATTACHMENT_REF.findall(content))
    attachments = ci_get(message, "attachments") or []
    ids = set()
    for attachment in attachments:
        attachment_id = str(ci_get(attachment, "id") or "")
        ids.add(attachment_id)
        if attachment_id not in referenced:
            raise GraphError(
                400,
                "BadRequest",
                f"Attachment with id '{attachment_id}' is not referenced in the message body"
                f' (<attachment id="{attachment_id}"></attachment>).',
            )
        if str(ci_get(attachment, "contentType") or "") == ADAPTIVE_CARD:
            card = ci_get(attachment, "content")
            try:
                parsed = json.loads(card) if isinstance(card, str) else None
            except json.JSONDecodeError:
                parsed = None
            if not isinstance(parsed, dict):
                raise GraphError(
                    400,
                    "BadRequest",
                    "An Adaptive Card attachment's content must be a JSON string.",
                )
    missing = referenced - ids
    if missing:
        raise GraphError(
            400, "BadRequest", f"The body refers to attachment(s) not sent: {sorted(missing)}."
        )


async def channel_messages(request: web.Request, match: re.Match[str]) -> web.StreamResponse:
    folder = _channel_dir(request, match["team"], match["channel"])
    identity = {"channelIdentity": {"teamId": seed.TEAM_ID, "channelId": match["channel"]}}
    return await _messages(request, folder, identity)


async def chat_messages(request: web.Request, match: re.Match[str]) -> web.StreamResponse:
    chat = match["chat"]
    if not chat.startswith("19:"):
        raise GraphError(404, "NotFound", f"Chat '{chat}' was not found.")
    folder = context(request).state.root / "chats" / safe_folder_name(chat)
    return await _messages(request, folder, {"chatId": chat, "channelIdentity": None})


async def _messages(
    request: web.Request, folder: Any, where: dict[str, Any], reply_to: str | None = None
) -> web.StreamResponse:
    if request.method == "GET":
        found = [json.loads(path.read_text()) for path in sorted(folder.glob("*.json"))[::-1]]
        # The channel's messages are its threads' roots; a thread's, its replies (Graph's way).
        found = [m for m in found if _reply_to(m) == reply_to]
        # Newest change first, as Graph lists them: a card changed in place moves to the top.
        found.sort(key=lambda m: str(m.get("lastModifiedDateTime") or ""), reverse=True)
        return json_ok(page_of(request, found, lambda m: m, default=20, most=50))
    _require_delegated(request)
    raw = await request.read()
    if len(raw) > MAX_MESSAGE_BYTES:
        raise GraphError(
            413, "RequestEntityTooLarge", f"Message size {len(raw)} bytes exceeds the 28 KB limit."
        )
    message = await read_body(request)
    validate(message)
    moment = now()
    message_id = next_message_id()
    claims = request.get(CLAIMS) or {}
    stored = {
        "id": message_id,
        "replyToId": reply_to,
        "etag": message_id,
        "messageType": "message",
        "createdDateTime": iso(moment),
        "lastModifiedDateTime": iso(moment),
        "deletedDateTime": None,
        "subject": ci_get(message, "subject"),
        "summary": ci_get(message, "summary"),
        "chatId": None,
        "channelIdentity": None,
        "importance": ci_get(message, "importance") or "normal",
        "locale": "en-us",
        "webUrl": (
            f"https://teams.microsoft.com/l/message/{where.get('chatId') or seed.CHANNEL_ID}"
            f"/{message_id}" + ("" if where.get("chatId") else f"?groupId={seed.TEAM_ID}")
        ),
        "from": {
            "application": None,
            "device": None,
            "user": {
                "id": claims.get("oid"),
                "displayName": claims.get("name"),
                "userIdentityType": "aadUser",
            },
        },
        "body": _body(ci_get(message, "body")),
        "attachments": _attachments(ci_get(message, "attachments")),
        "mentions": ci_get(message, "mentions") or [],
        "reactions": [],
        **where,
    }
    path = folder / f"{file_stamp(moment)}-{message_id}.json"
    atomic_write(path, json.dumps(stored, indent=2).encode(), context(request).state.tmp_dir)
    return json_ok(stored, status=201)


async def channel_message(request: web.Request, match: re.Match[str]) -> web.StreamResponse:
    """GET one channel message, or PATCH it: only its sender may, with a delegated token."""
    folder = _channel_dir(request, match["team"], match["channel"])
    path, stored = message_history.load(folder, match["message"])
    if request.method == "GET":
        return json_ok(stored)
    _require_delegated(request)
    claims = request.get(CLAIMS) or {}
    if ((stored.get("from") or {}).get("user") or {}).get("id") != claims.get("oid"):
        raise GraphError(403, "Forbidden", "Only the sender of a message can update it.")
    raw = await request.read()
    if len(raw) > MAX_MESSAGE_BYTES:
        raise GraphError(
            413, "RequestEntityTooLarge", f"Message size {len(raw)} bytes exceeds the 28 KB limit."
        )
    change = await read_body(request)
    if ci_get(change, "body") is not None or ci_get(change, "attachments") is not None:
        validate({"body": stored["body"], "attachments": stored["attachments"], **change})
    updated = dict(stored)
    for field in ("body", "attachments", "subject", "summary", "mentions", "importance"):
        value = ci_get(change, field)
        if value is not None:
            shaped = {"body": _body, "attachments": _attachments}.get(field)
            updated[field] = shaped(value) if shaped else value
    moment = iso(now())
    updated.update(lastModifiedDateTime=moment, lastEditedDateTime=moment, etag=next_message_id())
    message_history.replace(path, stored, updated, context(request).state.tmp_dir)
    return web.Response(status=204)


async def channel_replies(request: web.Request, match: re.Match[str]) -> web.StreamResponse:
    """The replies in a channel message's thread: listed, or one more posted (201)."""
    folder = _channel_dir(request, match["team"], match["channel"])
    root = match["message"]
    _, stored = message_history.load(folder, root)
    if stored.get("replyToId"):
        raise GraphError(400, "BadRequest", "A reply cannot be replied to: reply to its root.")
    identity = {"channelIdentity": {"teamId": seed.TEAM_ID, "channelId": match["channel"]}}
    return await _messages(request, folder, identity, reply_to=root)


def _body(given: Any) -> dict[str, Any]:
    return {
        "contentType": str(ci_get(given, "contentType") or "text").lower(),
        "content": ci_get(given, "content"),
    }


def _attachments(given: Any) -> list[dict[str, Any]]:
    return [
        {
            "id": ci_get(a, "id"),
            "contentType": ci_get(a, "contentType"),
            "contentUrl": ci_get(a, "contentUrl"),
            "content": ci_get(a, "content"),
            "name": ci_get(a, "name"),
            "thumbnailUrl": ci_get(a, "thumbnailUrl"),
        }
        for a in given or []
    ]


def _reply_to(message: dict[str, Any]) -> str | None:
    """The root a stored message replies to: a Bot Connector activity sent into a channel
    thread (`<channel>;messageid=<root>`) is a reply there even when it names none."""
    if message.get("replyToId"):
        return str(message["replyToId"])
    conversation = str((message.get("conversation") or {}).get("id") or "")
    root = conversation.partition(";messageid=")[2]
    return root if root and root != message.get("id") else None
