"""Teams transports: the Workflows webhook against a local aiohttp server, the bot's callable,
and the per-destination choice the settings make."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest
from aiohttp import web
from pydantic import SecretStr

from comms_assistant.adapters.teams_transports import (
    BotNotRunning,
    BotTransport,
    WebhookTransport,
    build_teams_delivery,
    transport_name,
)
from comms_assistant.config import Settings
from comms_assistant.service.ports import CannotUpdate, DeliveryError, TeamsCard

T = TypeVar("T")
CARD = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "text": "Hi"}]}
SIG = "sig-secret-abc123"


def with_webhook(
    statuses: list[int], scenario: Callable[[str, list[Any]], Awaitable[T]]
) -> tuple[T, list[Any]]:
    """Run `scenario(url, received)` with a Workflows stand-in on 127.0.0.1."""
    received: list[Any] = []

    async def hook(request: web.Request) -> web.Response:
        received.append({"query": dict(request.query), "body": await request.json()})
        return web.Response(status=statuses[min(len(received), len(statuses)) - 1])

    async def main() -> T:
        app = web.Application()
        app.router.add_post("/workflows/abc/triggers/manual/paths/invoke", hook)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        url = f"http://127.0.0.1:{port}/workflows/abc/triggers/manual/paths/invoke?sig={SIG}"
        try:
            return await scenario(url, received)
        finally:
            await runner.cleanup()

    return asyncio.run(main()), received


def test_webhook_posts_the_card_in_the_workflows_shape() -> None:
    async def scenario(url: str, _: list[Any]) -> str:
        return await WebhookTransport(url).post_card(TeamsCard("d-1", "Summary", CARD))

    message_id, received = with_webhook([202], scenario)
    assert message_id == "webhook:d-1"
    assert received == [
        {
            "query": {"sig": SIG},
            "body": {
                "type": "message",
                "attachments": [
                    {"contentType": "application/vnd.microsoft.card.adaptive", "content": CARD}
                ],
            },
        }
    ]


@pytest.mark.parametrize(("status", "retryable"), [(429, True), (503, True), (404, False)])
def test_webhook_failures_say_whether_to_retry_and_hide_the_signature(
    status: int, retryable: bool
) -> None:
    async def scenario(url: str, _: list[Any]) -> DeliveryError:
        with pytest.raises(DeliveryError) as caught:
            await WebhookTransport(url).post_card(TeamsCard("d-2", "Summary", CARD))
        return caught.value

    error, _ = with_webhook([status], scenario)
    assert error.retryable is retryable and f"HTTP {status}" in str(error)
    assert SIG not in str(error) and "127.0.0.1" in str(error)


def test_webhook_refuses_plain_http_off_this_machine_and_oversized_cards() -> None:
    with pytest.raises(ValueError, match="https"):
        WebhookTransport("http://prod-00.logic.azure.com/workflows/x?sig=1")
    big = {"type": "AdaptiveCard", "body": [{"type": "TextBlock", "text": "x" * 30_000}]}
    with pytest.raises(DeliveryError, match="bytes"):
        asyncio.run(WebhookTransport("https://example.org/x").post_card(TeamsCard("d", "s", big)))


def test_bot_transport_sends_an_activity_to_the_channel_conversation() -> None:
    sent: list[tuple[str, dict[str, Any]]] = []

    async def send(conversation: str, activity: dict[str, Any]) -> str:
        sent.append((conversation, activity))
        return "activity-7"

    transport = BotTransport(send, "19:abc@thread.tacv2")
    assert asyncio.run(transport.post_card(TeamsCard("d-3", "Apply is down", CARD))) == "activity-7"
    [(conversation, activity)] = sent
    assert conversation == "19:abc@thread.tacv2"
    assert activity["type"] == "message" and activity["summary"] == "Apply is down"
    assert activity["attachments"][0]["content"] == CARD
    with pytest.raises(DeliveryError) as caught:
        asyncio.run(BotNotRunning().post_card(TeamsCard("d-4", "s", CARD)))
    assert caught.value.retryable and "serve" in str(caught.value)


def test_bot_transport_replies_in_the_cards_thread_and_updates_the_card_in_place() -> None:
    calls: list[tuple[Any, ...]] = []

    class Send:
        async def __call__(self, conversation: str, activity: dict[str, Any]) -> str:
            calls.append(("send", conversation))
            return "activity-8"

        async def update(self, conversation: str, activity_id: str, body: dict[str, Any]) -> None:
            calls.append(("update", conversation, activity_id, body["id"]))

    transport = BotTransport(Send(), "19:abc@thread.tacv2")
    asyncio.run(transport.post_card(TeamsCard("d-5", "Update 1", CARD, thread="activity-7")))
    asyncio.run(transport.update_card(TeamsCard("d-6", "Apply is down", CARD), "activity-7"))
    thread = "19:abc@thread.tacv2;messageid=activity-7"
    assert calls == [("send", thread), ("update", thread, "activity-7", "activity-7")]

    async def plain(conversation: str, activity: dict[str, Any]) -> str:
        return "x"

    # A sender that cannot update, and a Workflows webhook, say so: the card is posted anew.
    for transport in (BotTransport(plain, "19:abc"), WebhookTransport("https://example.org/x")):
        with pytest.raises(CannotUpdate):
            asyncio.run(transport.update_card(TeamsCard("d-7", "s", CARD), "activity-7"))


class Recorder:
    def __init__(self, name: str) -> None:
        self.name, self.cards = name, []

    async def post_card(self, message: TeamsCard) -> str:
        self.cards.append(message)
        return self.name


class Card(TeamsCard):
    """A card with a destination, as per-person delivery plans them."""

    def __init__(self, destination: str) -> None:
        super().__init__("d", "s", CARD)
        object.__setattr__(self, "destination", destination)


def test_settings_pick_a_transport_per_destination() -> None:
    settings = Settings(
        bot_app_id="bot",
        teams_transports={"chat:*": "graph", "channel:Security/Private": "webhook"},
        teams_webhooks={"channel:Security/Private": SecretStr("https://example.org/hook?sig=1")},
    )
    assert transport_name(settings, "channel", bot_running=True) == "bot"
    assert transport_name(settings, "channel", bot_running=False) == "graph"
    assert transport_name(settings, "chat:sam@example.org", bot_running=True) == "graph"
    graph = Recorder("graph")

    async def bot_send(conversation: str, activity: dict[str, Any]) -> str:
        return f"bot:{conversation}"

    router = build_teams_delivery(settings, graph, bot_send=bot_send)
    assert asyncio.run(router.post_card(TeamsCard("d", "s", CARD))) == f"bot:{settings.channel_id}"
    assert asyncio.run(router.post_card(Card("chat:sam@example.org"))) == "graph"
    assert isinstance(router.transport_for("channel:Security/Private"), WebhookTransport)


def test_a_webhook_destination_without_its_url_never_falls_back_to_the_channel() -> None:
    settings = Settings(
        teams_transport="webhook",
        teams_webhook_url=SecretStr("https://example.org/channel-hook?sig=1"),
    )
    router = build_teams_delivery(settings, Recorder("graph"))
    with pytest.raises(DeliveryError) as caught:
        asyncio.run(router.post_card(Card("chat:sam@example.org")))
    assert not caught.value.retryable and "no URL" in str(caught.value)
    with pytest.raises(ValueError, match="TEAMS_WEBHOOK_URL"):
        build_teams_delivery(Settings(teams_transport="webhook"), Recorder("graph"))
