"""Teams: posting a chatMessage to a channel writes it as JSON under teams/<team>/<channel>/."""

from __future__ import annotations

import json
import re
import time
from typing import Any

from aiohttp import web

from comms_assistant.sandbox import seed
from comms_assistant.sandbox.odata import GraphError, ci_get, file_stamp, iso, json_ok, now
from comms_assistant.sandbox.odata import read_json as read_body
from comms_assistant.sandbox.routing import Router, context
from comms_assistant.sandbox.state import atomic_write

MAX_MESSAGE_BYTES = 28 * 1024
ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
_ATTACHMENT_REF = re.compile(
    r"<attachment\s+id\s*=\s*[\"']([^\"']+)[\"']\s*>\s*</attachment>", re.I
)


_last_id = 0


def _next_id() -> str:
    """Teams message ids are millisecond timestamps; keep them unique within one process."""
    global _last_id
    _last_id = max(int(time.time() * 1000), _last_id + 1)
    return str(_last_id)


def register(router: Router) -> None:
    router.add(
        "POST GET",
        r"/v1\.0/teams/(?P<team>[^/]+)/channels/(?P<channel>[^/]+)/messages",
        channel_messages,
    )


def _channel_dir(request: web.Request, team: str, channel: str) -> Any:
    if team.lower() != seed.TEAM_ID.lower():
        raise GraphError(404, "NotFound", f"No team found with Group Id {team}")
    if channel.lower() != seed.CHANNEL_ID.lower():
        raise GraphError(404, "NotFound", f"Channel '{channel}' was not found in the team.")
    return context(request).state.teams_dir / seed.TEAM_NAME / seed.CHANNEL_NAME


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
    if request.method == "GET":
        messages = [json.loads(path.read_text()) for path in sorted(folder.glob("*.json"))]
        return json_ok({"value": messages[::-1]})
    raw = await request.read()
    if len(raw) > MAX_MESSAGE_BYTES:
        raise GraphError(
            413, "RequestEntityTooLarge", f"Message size {len(raw)} bytes exceeds the 28 KB limit."
        )
    message = await read_body(request)
    validate(message)
    moment = now()
    message_id = _next_id()
    stored = {
        "id": message_id,
        "replyToId": None,
        "etag": message_id,
        "messageType": "message",
        "createdDateTime": iso(moment),
        "lastModifiedDateTime": iso(moment),
        "deletedDateTime": None,
        "subject": ci_get(message, "subject"),
        "summary": ci_get(message, "summary"),
        "chatId": None,
        "importance": ci_get(message, "importance") or "normal",
        "locale": "en-us",
        "webUrl": (
            f"https://teams.microsoft.com/l/message/{seed.CHANNEL_ID}/{message_id}"
            f"?groupId={seed.TEAM_ID}"
        ),
        "from": {
            "application": None,
            "device": None,
            "user": {
                "id": "00000000-0000-4000-8000-0000000000b0",
                "displayName": "Comms Assistant (sandbox)",
                "userIdentityType": "aadUser",
            },
        },
        "body": {
            "contentType": str(ci_get(ci_get(message, "body"), "contentType") or "text").lower(),
            "content": ci_get(ci_get(message, "body"), "content"),
        },
        "channelIdentity": {"teamId": seed.TEAM_ID, "channelId": seed.CHANNEL_ID},
        "attachments": [
            {
                "id": ci_get(a, "id"),
                "contentType": ci_get(a, "contentType"),
                "contentUrl": ci_get(a, "contentUrl"),
                "content": ci_get(a, "content"),
                "name": ci_get(a, "name"),
                "thumbnailUrl": ci_get(a, "thumbnailUrl"),
            }
            for a in ci_get(message, "attachments") or []
        ],
        "mentions": ci_get(message, "mentions") or [],
        "reactions": [],
    }
    path = folder / f"{file_stamp(moment)}-{message_id}.json"
    atomic_write(path, json.dumps(stored, indent=2).encode(), context(request).state.tmp_dir)
    return json_ok(stored, status=201)
