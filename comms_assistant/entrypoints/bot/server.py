"""`comms-assistant serve`: the Teams bot on the Microsoft 365 Agents SDK, plus Teams outgoing
webhooks and a health check.

Routes: `/api/messages` (Bot Connector activities: the token is checked by auth.py with the
SDK's validator), `/api/webhook` (outgoing webhooks, HMAC-checked here), and `/metrics` and
`/healthz` (no auth: counts and ages only; watch.py). With bot_metrics_port, /metrics is on a
port of its own, on metrics_host, and not on the bot's.
A request that is malformed or unauthenticated gets 400 or 401 and one log line.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import sys
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from functools import partial
from typing import Any

from aiohttp import web

from comms_assistant.adapters.sql import conversations, views
from comms_assistant.bootstrap import App, bootstrap, utc_now
from comms_assistant.config import Settings
from comms_assistant.entrypoints.bot import auth
from comms_assistant.entrypoints.bot.delivery import DeliveryThread
from comms_assistant.entrypoints.bot.edited_files import EditedFiles
from comms_assistant.entrypoints.bot.members import TeamMembers
from comms_assistant.entrypoints.bot.policy import People, bot_mentions, command_text
from comms_assistant.entrypoints.bot.proactive import ProactiveSender
from comms_assistant.entrypoints.bot.sdk import AgentHost
from comms_assistant.entrypoints.bot.turns import SORRY, Answer, Background, Turns
from comms_assistant.entrypoints.watch import PortTaken, add_routes, watch_of
from comms_assistant.entrypoints.watch import start as start_watch

log = logging.getLogger("comms_assistant.bot")

WEBHOOK_DEADLINE = 4.0  # Teams drops an outgoing webhook's answer after 5 s
ANONYMOUS_WARNING = (
    "\n"
    "!!! ANONYMOUS MODE: /api/messages accepts activities with NO token. Anyone who can reach\n"
    "!!! this port can run incident commands as anyone. Local development only: unset\n"
    "!!! COMMS_ASSISTANT_BOT_ANONYMOUS before this is reachable from anywhere else.\n"
)


HOST = web.AppKey("host", AgentHost)
TURNS = web.AppKey("turns", Turns)
PEOPLE = web.AppKey("people", People)
TASKS: web.AppKey[set[asyncio.Task[None]]] = web.AppKey("tasks", set)
WEBHOOK_BACKGROUND = web.AppKey("webhook_background", Background)
WEBHOOK_POOL = web.AppKey("webhook_pool", ThreadPoolExecutor)
DELIVERIES = web.AppKey("deliveries", DeliveryThread)


class NotConfigured(Exception):
    """The bot's settings do not allow it to start; the message says what to set."""


def check_settings(settings: Settings) -> None:
    if not settings.bot_app_id and not settings.bot_anonymous:
        raise NotConfigured(
            "The bot needs its Microsoft App ID: set COMMS_ASSISTANT_BOT_APP_ID (and "
            "COMMS_ASSISTANT_BOT_APP_SECRET), or COMMS_ASSISTANT_BOT_ANONYMOUS=true for local "
            "development only."
        )


def build(
    settings: Settings,
    *,
    provider_factory: auth.ProviderFactory | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> web.Application:
    """The whole server as an aiohttp application (tests run it on 127.0.0.1)."""
    check_settings(settings)
    if settings.bot_anonymous:
        log.warning(ANONYMOUS_WARNING)
    app_ = bootstrap(settings, clock=clock)
    # The team the bot serves is the incidents channel's: its members may open incidents.
    members = TeamMembers(settings.channel_id, timeout=settings.bot_outbound_timeout)
    edited = EditedFiles(app_, members)
    turns = Turns(
        engine=app_.engine,
        clock=clock,
        incidents_channel=settings.channel_id,
        before=edited,
        **edited.parts(),
    )
    people = People(dict(settings.bot_people))
    host = AgentHost(settings, turns, people, provider_factory=provider_factory)
    # Before every turn (typed or a button), so the Gate knows: only for those it could help.
    host.agent.before_turn(members.before_turn(host.senders.who, lambda w: turns.gate.asks_team(w)))
    root = web.Application(client_max_size=256 * 1024, middlewares=[_no_traceback])
    root[HOST], root[TURNS], root[PEOPLE], root[TASKS] = host, turns, people, set()
    # Webhook answers must come within 5 s: their own threads, never queued behind bot turns.
    root[WEBHOOK_POOL] = ThreadPoolExecutor(4, thread_name_prefix="bot-webhook")
    # /healthz, and /metrics unless it has a port of its own (watch.py).
    own_port = settings.bot_metrics_port
    add_routes(root, watch_of(app_), metrics=not own_port)
    if own_port:
        root.cleanup_ctx.append(_metrics_port(app_, settings.metrics_host, own_port))
    root.router.add_post("/api/webhook", _webhook)
    root.router.add_post("/api/messages", host.messages)
    root.cleanup_ctx.append(_deliveries(app_, host))
    return root


def _metrics_port(
    app_: App, host: str, port: int
) -> Callable[[web.Application], AsyncIterator[None]]:
    async def context(root: web.Application) -> AsyncIterator[None]:
        runner = await start_watch(app_, host, port, setting="bot_metrics_port")
        print(f"Metrics on http://{host}:{port}/metrics.", flush=True)
        try:
            yield
        finally:
            await runner.cleanup()

    return context


def _deliveries(app_: App, host: AgentHost) -> Callable[[web.Application], AsyncIterator[None]]:
    async def context(root: web.Application) -> AsyncIterator[None]:
        # Nudges and cards the settings send by bot go through the Bot Connector, as the bot.
        send = ProactiveSender(host, app_.engine, app_.settings.channel_id, app_.clock)
        thread = DeliveryThread(app_, bot_send=send)
        await asyncio.to_thread(thread.start)  # it may start a sandbox tenant: not on the loop
        if thread.sandbox_url:
            # The sandbox started here is the tenant: its Bot Connector is a trusted address.
            host.service_urls.allow(thread.sandbox_url + "/")
        root[DELIVERIES] = thread
        host.delivery = thread
        rows = partial(views.deliveries, app_.engine)
        host.background = Background(rows, thread.deliver, host.post, host.tasks, host.amend)
        webhook_tasks: set[asyncio.Task[None]] = root[TASKS]
        root[WEBHOOK_BACKGROUND] = Background(rows, thread.deliver, None, webhook_tasks)
        # Before the port opens: what was acknowledged before a stop goes ahead of anything new.
        await host.replay()
        try:
            yield
        finally:
            await host.close()
            tasks = list(webhook_tasks)
            for task in tasks:
                task.cancel()  # a delivery cut short is leased, not lost: 'deliver' finishes it
            await asyncio.gather(*tasks, return_exceptions=True)
            await asyncio.to_thread(thread.stop)
            root[WEBHOOK_POOL].shutdown(wait=False, cancel_futures=True)

    return context


async def _webhook(request: web.Request) -> web.Response:
    """A Teams outgoing webhook: verify the HMAC over the raw body, answer within 5 s."""
    settings: Settings = request.app[HOST].settings
    body = await request.read()
    secret = settings.bot_webhook_secret
    header = request.headers.get("Authorization")
    if secret is None or not auth.webhook_signature_ok(secret.get_secret_value(), body, header):
        log.warning("outgoing webhook refused: bad or missing HMAC signature")
        return web.json_response({"error": "The signature is not valid."}, status=401)
    try:
        activity = _webhook_activity(await request.json())
    except (ValueError, TypeError, RecursionError):
        return web.json_response({"error": "The body is not a Teams activity."}, status=400)
    conversation = _text(activity["conversation"].get("id")) or ""
    if not conversation:
        return web.json_response({"error": "The activity has no conversation."}, status=400)
    recipient = _text(activity["recipient"].get("id"))
    mentions = bot_mentions(recipient, activity.get("entities") or ())
    text = command_text(activity.get("text"), mentions)
    sender = activity["from"]
    people = request.app[PEOPLE]
    who = await people.email_for(_text(sender.get("aadObjectId")), None)
    try:
        answer = await _remember_and_answer(request, activity, conversation, text, who)
    except TimeoutError:
        log.error("outgoing webhook: no answer within %.0f s", WEBHOOK_DEADLINE)
        return web.json_response({"type": "message", "text": "Still working: try 'status'."})
    except Exception:
        log.exception("outgoing webhook command failed")
        return web.json_response({"type": "message", "text": SORRY})
    request.app[WEBHOOK_BACKGROUND].start(answer.reply.deliveries, conversation)
    reply: dict[str, Any] = {"type": "message", "text": answer.reply.text}
    if answer.card is not None:
        reply["attachments"] = [
            {"contentType": "application/vnd.microsoft.card.adaptive", "content": answer.card}
        ]
    return web.json_response(reply)


async def _remember_and_answer(
    request: web.Request, activity: dict[str, Any], conversation: str, text: str, who: str | None
) -> Answer:
    """The conversation remembered (for messages the bot sends it later), then the command's
    answer, both on the webhook's own threads; within WEBHOOK_DEADLINE or TimeoutError."""
    turns = request.app[TURNS]
    now = turns.clock()
    loop, pool = asyncio.get_running_loop(), request.app[WEBHOOK_POOL]
    await loop.run_in_executor(
        pool,
        partial(
            conversations.remember,
            turns.engine,
            conversation,
            kind=conversations.WEBHOOK,
            service_url=_text(activity.get("serviceUrl")) or "",
            reference={},
            now=now,
        ),
    )
    return await asyncio.wait_for(
        loop.run_in_executor(pool, partial(turns.answer, text, who=who, conversation=conversation)),
        WEBHOOK_DEADLINE,
    )


# What each part of an outgoing webhook's activity the bot reads must be, when given.
_WEBHOOK_PARTS: dict[str, type] = {
    "from": dict,
    "conversation": dict,
    "recipient": dict,
    "text": str,
    "entities": list,
}
_NOT_A: dict[type, str] = {dict: "is not an object", str: "is not a string", list: "is not a list"}


def _webhook_activity(body: Any) -> dict[str, Any]:
    """The parts of an outgoing webhook's activity the bot reads, each of the type Teams sends;
    raises ValueError for anything else."""
    if not isinstance(body, dict):
        raise ValueError("not an object")
    for part, kind in _WEBHOOK_PARTS.items():
        if not isinstance(body.get(part) or kind(), kind):
            raise ValueError(f"{part} {_NOT_A[kind]}")
    return body | {part: body.get(part) or {} for part in ("from", "conversation", "recipient")}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


@web.middleware
async def _no_traceback(request: web.Request, handler: Any) -> web.StreamResponse:
    """The last net: a request that reaches a fault of ours is answered 500 with one log line
    (the traceback only at debug level), so nobody can fill the log by sending odd requests."""
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except Exception as error:
        log.error("%s %s failed: %s", request.method, request.path, type(error).__name__)
        log.debug("the failure in full", exc_info=True)
        return web.json_response({"error": "The bot cannot answer just now."}, status=500)


def share_the_interpreter() -> None:
    """The serving loop shares the GIL with the turn and delivery threads (python-docx is CPU
    work): Python's default 5 ms switch interval let an accepted request wait several of those
    (bench: p99 0.27 s with 50 senders on a busy 2-CPU machine; 1 ms: 0.04 s)."""
    sys.setswitchinterval(0.001)


def serve(settings: Settings) -> None:
    share_the_interpreter()
    app = build(settings)
    if settings.bot_anonymous:
        print(ANONYMOUS_WARNING, flush=True)
    print(
        f"Teams bot on http://{settings.bot_host}:{settings.bot_port}/api/messages "
        f"(outgoing webhooks: /api/webhook)",
        flush=True,
    )
    try:
        web.run_app(app, host=settings.bot_host, port=settings.bot_port, print=None)
    except PortTaken as error:
        raise NotConfigured(str(error)) from None
    except OSError as error:
        if error.errno != errno.EADDRINUSE:
            raise
        raise NotConfigured(
            f"Port {settings.bot_port} on {settings.bot_host} is taken (another `serve`?): "
            "stop what holds it, or choose another with --port or COMMS_ASSISTANT_BOT_PORT."
        ) from None
