"""1:1 and group chats, and who the signed-in account is: what the product needs to message a
person in Teams rather than a channel.

- `GET /me`: the signed-in (delegated) account; an app-only token is refused, as in Graph.
- `GET /me/joinedTeams`: the teams it belongs to (the seeded team).
- `POST /chats`: `chatType` oneOnOne (exactly two members) or group, each member an
  aadUserConversationMember with `user@odata.bind` = `https://graph.microsoft.com/v1.0/users('<id
  or address>')`. A oneOnOne chat between the same two people is returned, not made twice.
  Its messages land in `chats/<chat id>/`, with the members in `chats/<chat id>/chat.meta` (JSON).
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from aiohttp import web

from comms_assistant.sandbox import auth, seed
from comms_assistant.sandbox.odata import GraphError, ci_get, iso, json_ok, now
from comms_assistant.sandbox.odata import read_json as read_body
from comms_assistant.sandbox.routing import CLAIMS, Router, context
from comms_assistant.sandbox.state import atomic_write
from comms_assistant.sandbox.teams import safe_folder_name

CHAT_FILE = "chat.meta"  # not *.json: the folder's *.json files are its messages
_BIND = re.compile(r"users\(\s*'([^']+)'\s*\)\s*$", re.IGNORECASE)


def register(router: Router) -> None:
    router.add("GET", r"/v1\.0/me", me)
    router.add("GET", r"/v1\.0/me/joinedTeams", joined_teams)
    router.add("POST", r"/v1\.0/chats", create_chat)


def _delegated(request: web.Request) -> dict[str, Any]:
    if not auth.is_delegated(request):
        raise GraphError(
            400, "BadRequest", "/me request is only valid with delegated authentication flow."
        )
    return dict(request.get(CLAIMS) or {})


async def me(request: web.Request, match: re.Match[str]) -> web.StreamResponse:
    claims = _delegated(request)
    return json_ok(
        {
            "id": claims.get("oid"),
            "displayName": claims.get("name"),
            "userPrincipalName": claims.get("upn"),
            "mail": claims.get("upn"),
        }
    )


async def joined_teams(request: web.Request, match: re.Match[str]) -> web.StreamResponse:
    _delegated(request)
    return json_ok({"value": [{"id": seed.TEAM_ID, "displayName": seed.TEAM_NAME}]})


async def create_chat(request: web.Request, match: re.Match[str]) -> web.StreamResponse:
    claims = _delegated(request)
    body = await read_body(request)
    chat_type = str(ci_get(body, "chatType") or "")
    if chat_type.lower() not in ("oneonone", "group"):
        raise GraphError(400, "BadRequest", f"Invalid chatType '{chat_type}'.")
    members = [_member(m) for m in ci_get(body, "members") or []]
    if chat_type.lower() == "oneonone" and len(set(members)) != 2:
        raise GraphError(400, "BadRequest", "A oneOnOne chat must have exactly two members.")
    me_ids = {str(claims.get("oid") or "").lower(), str(claims.get("upn") or "").lower()}
    if not me_ids & set(members):
        raise GraphError(403, "Forbidden", "The signed-in user must be a member of the chat.")
    people = sorted(set(members))
    digest = hashlib.sha1("|".join(people).encode()).hexdigest()[:32]
    chat_id = f"19:{digest}@unq.gbl.spaces"
    folder = context(request).state.root / "chats" / safe_folder_name(chat_id)
    record = folder / CHAT_FILE
    if record.is_file() and chat_type.lower() == "oneonone":
        return json_ok(json.loads(record.read_text()), status=201)
    chat = {
        "id": chat_id,
        "topic": ci_get(body, "topic"),
        "chatType": "oneOnOne" if chat_type.lower() == "oneonone" else "group",
        "createdDateTime": iso(now()),
        "webUrl": f"https://teams.microsoft.com/l/chat/{chat_id}/0",
        # Not in Graph's answer, kept so a person (or a test) can see whose chat it is.
        "members": [p for p in people if p not in me_ids],
    }
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write(record, json.dumps(chat, indent=2).encode(), context(request).state.tmp_dir)
    return json_ok(chat, status=201)


def _member(member: Any) -> str:
    bind = str(ci_get(member, "user@odata.bind") or "") if isinstance(member, dict) else ""
    found = _BIND.search(bind)
    if not found:
        raise GraphError(
            400,
            "BadRequest",
            "Each member needs user@odata.bind: https://graph.microsoft.com/v1.0/users('<id>').",
        )
    return found.group(1).lower()
