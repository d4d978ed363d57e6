"""A POST to /api/messages read and checked before anything is queued: who sent it (the token),
what it is (the body as an activity), and where an answer would go (its serviceUrl).
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from pydantic import ValidationError

from comms_assistant.entrypoints.bot import auth

log = logging.getLogger("comms_assistant.bot")

NOT_AN_ACTIVITY = "The body is not a valid activity."

# (the caller's identity, the activity, the body as it came)
Arrived = tuple[Any, Any, dict[str, Any]]


async def read(
    request: web.Request, authenticator: auth.Authenticator, service_urls: auth.ServiceUrls
) -> Arrived | web.Response:
    """The request's identity, activity and body; or the answer that refuses it."""
    try:
        identity = await authenticator.identify(request.headers.get("Authorization"))
    except auth.Refused as refused:
        log.warning("refused a request to /api/messages: %s", refused)
        return web.json_response({"error": "Invalid token or authentication failed."}, status=401)
    parsed = await _activity(request)
    if isinstance(parsed, web.Response):
        return parsed
    body, activity = parsed
    refusal = _address_refusal(identity, activity, service_urls)
    if refusal is not None:
        return refusal
    if not activity.type or not activity.conversation or not activity.conversation.id:
        return web.json_response(
            {"error": "The activity needs a type and a conversation."}, status=400
        )
    return identity, activity, body


async def _activity(request: web.Request) -> tuple[dict[str, Any], Any] | web.Response:
    from microsoft_agents.activity import Activity

    try:
        body = await request.json()
        return body, Activity.model_validate(body)
    except ValidationError as error:
        # repr: a field name is the sender's text, and must not start a log line of its own.
        fields = sorted({".".join(map(str, e["loc"]))[:40] for e in error.errors()})[:5]
        log.warning("refused: the body is not a valid activity (%s)", ", ".join(map(repr, fields)))
        return web.json_response({"error": NOT_AN_ACTIVITY}, status=400)
    except (ValueError, TypeError, RecursionError) as error:
        log.warning("refused: the body is not JSON (%s)", type(error).__name__)
        return web.json_response({"error": NOT_AN_ACTIVITY}, status=400)


def _address_refusal(
    identity: Any, activity: Any, service_urls: auth.ServiceUrls
) -> web.Response | None:
    # The SDK only logs a mismatch (unless its host validator, which refuses loopback
    # sandboxes, is on): replying would hand the bot's own token to that other host.
    if identity.claims and not auth.service_url_matches(identity.claims, activity.service_url):
        log.warning("refused: the token names no serviceUrl, or another one")
        return web.json_response({"error": "Invalid token for this serviceUrl."}, status=401)
    if not service_urls.allows(activity.service_url):
        log.warning("refused: serviceUrl %s is not in bot_service_urls", _host(activity))
        return web.json_response(
            {"error": "That serviceUrl is not a Bot Connector this bot trusts."}, status=401
        )
    return None


def _host(activity: Any) -> str:
    """For the log: the host only, so a hostile serviceUrl cannot write lines of its own."""
    url = str(activity.service_url or "")
    return repr(urlsplit(url).netloc[:100]) if url else "(none)"
