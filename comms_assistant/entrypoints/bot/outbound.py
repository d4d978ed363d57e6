"""Messages the bot starts itself: a proactive turn on a stored conversation reference.

The Agents SDK's continue-conversation path, with the bot's identity (or none, when the
conversation came in anonymously). The SDK's own helpers add a random replyToId, so new messages
go by `send_to_conversation`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from comms_assistant.service.ports import DeliveryError

if TYPE_CHECKING:
    from microsoft_agents.hosting.core import TurnContext

    from comms_assistant.config import Settings
    from comms_assistant.entrypoints.bot.auth import ServiceUrls

T = TypeVar("T")


class ProactiveHost(Protocol):
    """What a proactive turn needs of the bot's host (sdk.AgentHost), named here so that this
    module does not import the host that imports it."""

    @property
    def settings(self) -> Settings: ...

    @property
    def service_urls(self) -> ServiceUrls: ...

    @property
    def adapter(self) -> Any: ...  # the SDK's CloudAdapter

    @property
    def timeout(self) -> float: ...


class UntrustedAddress(DeliveryError):
    """A stored conversation's serviceUrl is not one the bot trusts (bot_service_urls)."""


# Stored beside each conversation reference: the conversation came in without a token (local
# development), so the bot answers it without one too.
ANONYMOUS = "anonymous"


def connector_of(context: TurnContext) -> Any:
    """The Bot Connector client the adapter keeps in a turn's services (keyed by its base)."""
    from microsoft_agents.hosting.core import ConnectorClientBase

    return context.services.get(ConnectorClientBase)


async def in_proactive_turn(
    host: ProactiveHost, stored: dict[str, Any], work: Callable[[Any, Any], Awaitable[T]]
) -> T:
    """`work(connector, reference)` in a proactive turn on `stored` (a reference as the bot
    keeps it). Run it on the turn loop (`host.turn_loop.run`)."""
    from microsoft_agents.activity import ConversationReference
    from microsoft_agents.hosting.core import ClaimsIdentity

    ref = ConversationReference.model_validate(stored["reference"])
    if not host.service_urls.allows(ref.service_url):
        # Kept before the allow-list changed, or by an older version: never send the token there.
        raise UntrustedAddress(
            "the stored Teams conversation's Bot Connector address is not in bot_service_urls "
            "any more, so the bot will not send there: @mention the bot in that conversation "
            "again, or add the address to bot_service_urls",
            retryable=False,
        )
    if stored.get(ANONYMOUS) or not host.settings.bot_app_id:
        claims = ClaimsIdentity()
    else:
        claims = host.adapter.create_claims_identity(host.settings.bot_app_id)
    done: list[T] = []
    failed: list[BaseException] = []

    async def run(context: TurnContext) -> None:
        # Caught here: the adapter hands a callback's error to on_turn_error, which would
        # post "Sorry" into the conversation and swallow it; the caller must see it.
        try:
            done.append(await work(connector_of(context), ref))
        except Exception as error:
            failed.append(error)

    await asyncio.wait_for(
        host.adapter.continue_conversation_with_claims(
            claims, ref.get_continuation_activity(), run
        ),
        host.timeout,
    )
    if failed:
        raise failed[0]
    if not done:
        raise RuntimeError("the proactive turn did not run")
    return done[0]


async def send_text(
    host: ProactiveHost, stored: dict[str, Any], text: str, *, reply_to: str | None = None
) -> None:
    """A plain message in the stored conversation: a new one, or the answer to the activity
    `reply_to`."""
    from microsoft_agents.hosting.core import MessageFactory

    async def send(connector: Any, ref: Any) -> None:
        message = MessageFactory.text(text)
        message.apply_conversation_reference(ref, is_incoming=False)
        message.reply_to_id = reply_to  # type: ignore[assignment]
        await connector.conversations.send_to_conversation(ref.conversation.id, message)

    await in_proactive_turn(host, stored, send)


async def replace_message(
    host: ProactiveHost, stored: dict[str, Any], activity_id: str, activity: dict[str, Any]
) -> None:
    """The bot's own message `activity_id` in the stored conversation, replaced by `activity`."""
    from microsoft_agents.activity import Activity

    message = Activity.model_validate(activity)

    async def put(connector: Any, ref: Any) -> None:
        message.apply_conversation_reference(ref, is_incoming=False)
        message.id = activity_id
        await connector.conversations.update_activity(ref.conversation.id, activity_id, message)

    await in_proactive_turn(host, stored, put)
