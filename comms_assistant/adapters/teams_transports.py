"""Teams delivery: one `TeamsPoster` interface, three transports, picked per destination.

- **bot**: the Azure Bot's proactive messages (the default when the bot runs: `comms-assistant
  serve`). The bot plugs in a `BotSend` callable; this module knows nothing of the Agents SDK.
- **graph**: Graph as the delegated service account (`adapters/graph/teams.py`).
- **webhook**: a Teams Workflows "when a webhook request is received" URL: one-way, Adaptive
  Cards only, no message id back. (Office 365 connectors are retired: never those.)

Destinations are the keys the planner gives a card: "channel" for the configured incidents
channel (also when a card names none), "channel:Team/Channel", "chat:person@example.org".
Settings map them to transports (`teams_transports`, with "channel:*" and "chat:*" wildcards)
and fall back to `teams_transport`.

Plugging in the bot: `App.dispatcher(bot_send=send)` where

    async def send(conversation_id: str, activity: dict) -> str:  # returns the activity id

posts `activity` (a Bot Framework message activity built here) as a new message in the
conversation: for "channel" that is `channel_id` (the channel's Bot Framework conversation id),
otherwise the destination string itself, for the bot to resolve (e.g. a 1:1 chat it created).
A reply in a channel thread goes to `<channel>;messageid=<root id>`, as Teams addresses threads.
If `send` also has `update(conversation_id, activity_id, activity)`, the bot can change a card
it posted (the Bot Connector's update activity), which the incident's living card needs.

Updating a posted card: the bot and Graph can; a Workflows webhook cannot (CannotUpdate), and
the dispatcher then posts the card anew (service/living_card.py).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import httpx

from comms_assistant.adapters.metrics.counters import TEAMS_WEBHOOK, saw_status
from comms_assistant.service import fencing
from comms_assistant.service.ports import CannotUpdate, DeliveryError, TeamsCard, TeamsPoster

if TYPE_CHECKING:
    from comms_assistant.config import Settings

log = logging.getLogger(__name__)

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
MAX_CARD_BYTES = 28 * 1024  # Teams refuses bigger messages, whichever way they arrive
DEFAULT_DESTINATION = "channel"
TRANSPORTS = ("bot", "graph", "webhook")

BotSend = Callable[[str, dict[str, Any]], Awaitable[str]]
BotUpdate = Callable[[str, str, dict[str, Any]], Awaitable[None]]
THREAD = ";messageid="


def in_thread(conversation: str, root: str) -> str:
    """The conversation id of the thread under `root` in a channel (Teams' own form)."""
    return f"{conversation.split(THREAD, 1)[0]}{THREAD}{root}"


def destination_of(message: TeamsCard) -> str:
    # Cards planned before per-person destinations existed carry none: the incidents channel.
    return str(getattr(message, "destination", None) or DEFAULT_DESTINATION)


def card_attachment(card: dict[str, Any]) -> dict[str, Any]:
    return {"contentType": ADAPTIVE_CARD, "content": card}


def _check_size(message: TeamsCard, payload: dict[str, Any]) -> None:
    size = len(json.dumps(payload, ensure_ascii=False).encode())
    if size > MAX_CARD_BYTES:
        raise DeliveryError(
            f"card {message.delivery_id} is {size} bytes; Teams accepts about {MAX_CARD_BYTES}",
            retryable=False,
        )


class WebhookTransport:
    """POSTs the card to a Workflows webhook URL.

    The URL's `sig=` query authorises the post, so it is treated as a secret: errors name only
    its host. Workflows answers 202 and no id, and cannot be searched afterwards, so a post whose
    answer is lost may appear twice; the id returned is the product's own.
    """

    def __init__(self, url: str, *, timeout: float = 10.0, name: str = DEFAULT_DESTINATION) -> None:
        parsed = urlparse(url)
        loopback = parsed.hostname in {"127.0.0.1", "localhost", "::1"}
        if parsed.scheme != "https" and not (parsed.scheme == "http" and loopback):
            raise ValueError(f"the Workflows webhook URL for {name!r} must start with https://")
        self._url = url
        self._host = parsed.hostname or "?"
        self._timeout = timeout

    def __repr__(self) -> str:
        return f"WebhookTransport(host={self._host!r})"

    async def post_card(self, message: TeamsCard) -> str:
        payload = {"type": "message", "attachments": [card_attachment(message.card)]}
        _check_size(message, payload)
        action = f"post card {message.delivery_id} to the Workflows webhook on {self._host}"
        fencing.before_sending()
        try:
            async with httpx.AsyncClient(timeout=self._timeout, follow_redirects=False) as http:
                response = await http.post(self._url, json=payload)
        except httpx.TimeoutException:
            raise DeliveryError(f"{action} failed: timed out", retryable=True) from None
        except httpx.HTTPError as error:
            # str(error) may hold the URL (and its signature): show the type only.
            raise DeliveryError(f"{action} failed: {type(error).__name__}") from None
        status = response.status_code
        if status < 300:
            # No thread either: a reply goes as a new post.
            return f"webhook:{message.delivery_id}"
        saw_status(TEAMS_WEBHOOK, status)
        retryable = status in {408, 429} or status >= 500
        hint = {
            401: "the URL's signature is wrong",
            403: "the flow's owner may not post there",
            404: "the flow was deleted or turned off: make a new URL",
        }.get(status, "")
        raise DeliveryError(
            f"{action} failed: HTTP {status}{f' ({hint})' if hint else ''}", retryable=retryable
        )

    async def update_card(self, message: TeamsCard, message_id: str) -> None:
        raise CannotUpdate(
            "a Workflows webhook cannot change a card it posted (nor reply in its thread)"
        )


class BotTransport:
    """Proactive messages through the bot, via a callable the bot supplies."""

    def __init__(self, send: BotSend, channel_conversation: str) -> None:
        self._send = send
        self._channel = channel_conversation

    def _conversation(self, message: TeamsCard) -> str:
        destination = destination_of(message)
        return self._channel if destination == DEFAULT_DESTINATION else destination

    async def post_card(self, message: TeamsCard) -> str:
        conversation = self._conversation(message)
        if message.thread and not conversation.startswith("chat:"):
            conversation = in_thread(conversation, message.thread)
        activity = {
            "type": "message",
            "summary": message.summary,
            "attachments": [card_attachment(message.card)],
        }
        _check_size(message, activity)
        fencing.before_sending()
        try:
            return str(await self._send(conversation, activity))
        except DeliveryError:
            raise
        except Exception as error:  # noqa: BLE001 - the bot's own errors, whatever they are
            raise DeliveryError(
                f"post card {message.delivery_id} through the bot failed: {type(error).__name__}",
                retryable=True,
            ) from error

    async def update_card(self, message: TeamsCard, message_id: str) -> None:
        update: BotUpdate | None = getattr(self._send, "update", None)
        if update is None:
            raise CannotUpdate("this bot cannot change a card it posted")
        conversation = self._conversation(message)
        if not conversation.startswith("chat:"):
            conversation = in_thread(conversation, message_id)
        activity = {
            "type": "message",
            "id": message_id,
            "summary": message.summary,
            "attachments": [card_attachment(message.card)],
        }
        _check_size(message, activity)
        try:
            await update(conversation, message_id, activity)
        except DeliveryError:
            raise
        except Exception as error:  # noqa: BLE001 - the bot's own errors, whatever they are
            raise DeliveryError(
                f"update card {message_id} through the bot failed: {type(error).__name__}",
                retryable=True,
            ) from error


class BotNotRunning:
    """Stands in for the bot outside `comms-assistant serve`: the card waits in the outbox."""

    async def post_card(self, message: TeamsCard) -> str:
        raise DeliveryError(
            f"card {message.delivery_id} goes through the bot, which only comms-assistant serve "
            "runs: it stays in the outbox until serve delivers it (or set teams_transport)",
            retryable=True,
        )

    async def update_card(self, message: TeamsCard, message_id: str) -> None:
        await self.post_card(message)  # the same reason: it waits for serve


class TeamsRouter:
    """The `TeamsPoster` the dispatcher sees: picks a transport per card's destination.

    Each destination is resolved on its own (never "whatever the channel uses"), so a person's
    card can never fall through to the channel's webhook.
    """

    def __init__(self, resolve: Callable[[str], TeamsPoster]) -> None:
        self._resolve = resolve
        self._cache: dict[str, TeamsPoster] = {}

    def transport_for(self, destination: str) -> TeamsPoster:
        if destination not in self._cache:
            self._cache[destination] = self._resolve(destination)
        return self._cache[destination]

    async def post_card(self, message: TeamsCard) -> str:
        destination = destination_of(message)
        try:
            transport = self.transport_for(destination)
        except ValueError as error:
            raise DeliveryError(f"card {message.delivery_id}: {error}", retryable=False) from None
        return await transport.post_card(message)

    async def update_card(self, message: TeamsCard, message_id: str) -> None:
        try:
            transport = self.transport_for(destination_of(message))
        except ValueError as error:
            raise DeliveryError(f"card {message.delivery_id}: {error}", retryable=False) from None
        await transport.update_card(message, message_id)


def transport_name(settings: Settings, destination: str, *, bot_running: bool) -> str:
    """bot, graph or webhook for `destination`, from the settings."""
    routes = settings.teams_transports
    kind = destination.split(":", 1)[0]
    name = routes.get(destination) or routes.get(f"{kind}:*") or settings.teams_transport
    if name == "auto":
        # The Bot Connector finds a channel by its id only: one named "channel:Team/Channel"
        # goes through Graph, which can look names up.
        named = destination.removeprefix("channel:")
        by_name = destination.startswith("channel:") and not named.startswith("19:")
        bot = bot_running and settings.bot_app_id and not by_name
        return "bot" if bot else "graph"
    return name


def webhook_url(settings: Settings, destination: str) -> str | None:
    secret = settings.teams_webhooks.get(destination)
    if secret is None and destination == DEFAULT_DESTINATION:
        secret = settings.teams_webhook_url
    return secret.get_secret_value() if secret is not None else None


def build_teams_delivery(
    settings: Settings, graph: TeamsPoster, *, bot_send: BotSend | None = None
) -> TeamsRouter:
    """The router for `settings`. `graph` is the Graph poster (delegated where possible)."""
    bot: TeamsPoster = BotTransport(bot_send, settings.channel_id) if bot_send else BotNotRunning()
    by_name: dict[str, TeamsPoster] = {"bot": bot, "graph": graph}

    def resolve(destination: str) -> TeamsPoster:
        name = transport_name(settings, destination, bot_running=bot_send is not None)
        if name != "webhook":
            return by_name[name]
        url = webhook_url(settings, destination)
        if not url:
            raise ValueError(
                f"Teams destination {destination!r} is set to the webhook transport but has no "
                "URL: set COMMS_ASSISTANT_TEAMS_WEBHOOK_URL (or teams_webhooks)"
            )
        return WebhookTransport(url, name=destination)

    router = TeamsRouter(resolve)
    # Configuration mistakes for the destinations the settings name show up at start-up.
    for key in {DEFAULT_DESTINATION, *settings.teams_transports, *settings.teams_webhooks}:
        if not key.endswith(":*"):
            router.transport_for(key)
    return router
