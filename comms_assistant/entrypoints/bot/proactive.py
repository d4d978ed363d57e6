"""The bot's own nudges and cards: the `BotSend` that `comms-assistant serve` gives the outbox.

`adapters/teams_transports.BotTransport` calls `send(conversation, activity)` with the incidents
channel's id for "channel", and the destination itself otherwise. Here each becomes a Bot
Connector call in a proactive turn (the Agents SDK's continue-conversation path, as the replies
use), addressed with a conversation reference the bot stored when someone spoke to it:

- a channel (`19:...@thread.tacv2`): a new thread there, by `createConversation` with the
  channel (how Teams documents a bot starting a channel post). The reference comes from that
  channel, else from any conversation the bot has: the Bot Connector address (`serviceUrl`),
  the tenant and the bot's id are the tenant's, not one channel's.
- a thread in a channel (`19:...;messageid=<root>`): a reply there, sent to that conversation.
- `update(thread, activity id, activity)`: the Bot Connector's update activity (`PUT
  /v3/conversations/{thread}/activities/{id}` with the whole new activity), which keeps an
  incident's card up to date in place (service/living_card.py).
- "chat:<email>": the stored 1:1 chat with that person. With none, the person is looked up in
  the incidents channel's members (the Bot Connector gives their email and sign-in name), the
  chat is created with `createConversation`, and stored for next time.
- "channel:Team/Channel" by names: the Bot Connector addresses channels by id only. Refused
  with a clear reason; "auto" sends those through Graph (teams_transports.transport_name).

Every failure is a `DeliveryError` saying whether trying again may help (a 429 is counted for
/metrics); the outbox retries or parks it and tells the lead. Nothing else reaches Teams users.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

import aiohttp
from sqlalchemy.engine import Engine

from comms_assistant.adapters.graph.errors import retry_after_seconds
from comms_assistant.adapters.metrics.counters import BOT_CONNECTOR, saw_status
from comms_assistant.adapters.sql import conversations
from comms_assistant.adapters.teams_transports import THREAD
from comms_assistant.entrypoints.bot.outbound import ANONYMOUS, UntrustedAddress, in_proactive_turn
from comms_assistant.service.ports import DeliveryError

if TYPE_CHECKING:
    from comms_assistant.entrypoints.bot.sdk import AgentHost

log = logging.getLogger(__name__)

CHAT, CHANNEL = "chat:", "channel:"
T = TypeVar("T")


class NoReference(DeliveryError):
    """The bot has no stored conversation to send from."""


@dataclass
class ProactiveSender:
    """`BotSend` for the dispatcher: callable from any thread's loop; the SDK work runs on the
    bot's turn loop, where its connector clients and token provider live."""

    host: AgentHost
    engine: Engine
    channel_id: str  # the incidents channel: where people are looked up for 1:1 chats
    clock: Callable[[], datetime]

    async def __call__(self, conversation_id: str, activity: dict[str, Any]) -> str:
        action = f"send to {_shown(conversation_id)} through the Bot Connector"
        return await self._guarded(action, lambda: self._send(conversation_id, activity))

    async def update(
        self, conversation_id: str, activity_id: str, activity: dict[str, Any]
    ) -> None:
        """Replace the bot's message `activity_id` in a channel thread with `activity`."""
        action = f"update {activity_id} in {_shown(conversation_id)} through the Bot Connector"
        await self._guarded(action, lambda: self._update(conversation_id, activity_id, activity))

    async def _guarded(self, action: str, work: Callable[[], Awaitable[T]]) -> T:
        try:
            return await self.host.turn_loop.run(work)
        except DeliveryError:
            raise
        except TimeoutError:
            raise DeliveryError(f"{action}: no answer in time", retryable=True) from None
        except aiohttp.ClientResponseError as error:
            # 403: the bot is not in that team or chat (or was blocked); 404: no such channel;
            # neither passes by itself, so the lead hears at once rather than after retries.
            saw_status(BOT_CONNECTOR, error.status)
            retryable = error.status in {408, 429} or error.status >= 500
            raise DeliveryError(
                f"{action}: HTTP {error.status}",
                retryable=retryable,
                retry_after=retry_after_seconds(error.headers),
            ) from None
        except aiohttp.ClientError as error:
            raise DeliveryError(f"{action}: {type(error).__name__}", retryable=True) from None

    async def _send(self, destination: str, activity: dict[str, Any]) -> str:
        from microsoft_agents.activity import Activity

        message = Activity.model_validate(activity)
        if destination.startswith(CHAT):
            return await self._to_chat(destination.removeprefix(CHAT).strip(), message)
        channel = _channel_id(destination)
        if THREAD in channel:
            return await self._to_thread(channel, message)
        return await self._to_channel(channel, message)

    async def _to_thread(self, thread: str, message: Any) -> str:
        stored = await self._base(thread)

        async def post(connector: Any, ref: Any) -> str:
            message.apply_conversation_reference(_in(ref, thread), is_incoming=False)
            message.reply_to_id = None  # in the thread: the conversation id says where
            sent = await connector.conversations.send_to_conversation(thread, message)
            return str(sent.id)

        return await in_proactive_turn(self.host, stored, post)

    async def _update(self, destination: str, activity_id: str, activity: dict[str, Any]) -> None:
        from microsoft_agents.activity import Activity

        thread = _channel_id(destination)
        if THREAD not in thread:
            raise DeliveryError(f"the bot updates cards in channel threads only, not {thread!r}")
        message = Activity.model_validate(activity)
        stored = await self._base(thread)

        async def put(connector: Any, ref: Any) -> None:
            message.apply_conversation_reference(_in(ref, thread), is_incoming=False)
            message.id = activity_id
            message.reply_to_id = None  # type: ignore[assignment]  # the card itself, no reply
            await connector.conversations.update_activity(thread, activity_id, message)

        await in_proactive_turn(self.host, stored, put)

    async def _to_channel(self, channel: str, message: Any) -> str:
        from microsoft_agents.activity import ConversationParameters

        stored = await self._base(channel)

        async def post(connector: Any, ref: Any) -> str:
            message.from_property = ref.agent
            created = await connector.conversations.create_conversation(
                ConversationParameters(
                    is_group=True,
                    agent=ref.agent,
                    channel_data={"channel": {"id": channel}, **_tenant_data(ref)},
                    activity=message,
                    **_tenant_id(ref),
                )
            )
            return str(created.activity_id or created.id)

        return await in_proactive_turn(self.host, stored, post)

    async def _to_chat(self, person: str, message: Any) -> str:
        if "@" not in person:
            raise DeliveryError(f"'chat:{person}' does not name a person", retryable=False)
        found = await asyncio.to_thread(conversations.chat_with, self.engine, person)
        if found is None:
            found = await self._new_chat(person)
        conversation, stored = found

        async def post(connector: Any, ref: Any) -> str:
            message.apply_conversation_reference(ref, is_incoming=False)
            message.reply_to_id = None  # a new message, not a reply
            sent = await connector.conversations.send_to_conversation(conversation, message)
            return str(sent.id)

        return await in_proactive_turn(self.host, stored, post)

    async def _new_chat(self, person: str) -> tuple[str, dict[str, Any]]:
        """Find `person` among the incidents channel's members, start a 1:1 chat, store it."""
        from microsoft_agents.activity import ChannelAccount, ConversationParameters

        base = await self._base(self.channel_id)

        async def create(connector: Any, ref: Any) -> tuple[str, str, Any]:
            roster = self.channel_id or ref.conversation.id.split(";", 1)[0]
            members = await connector.conversations.get_conversation_members(roster)
            member = next((m for m in members if person.casefold() in _addresses(m)), None)
            if member is None:
                # Not retryable: they join the team (or their Teams card goes by Graph) first.
                raise DeliveryError(
                    f"{person} is not a member of the incidents channel's team, so the bot "
                    "cannot start a chat with them: add them to the team, or send 'chat:*' "
                    "through Graph (teams_transports)",
                    retryable=False,
                )
            created = await connector.conversations.create_conversation(
                ConversationParameters(
                    is_group=False,
                    agent=ref.agent,
                    members=[ChannelAccount(id=member.id)],
                    channel_data=_tenant_data(ref),
                    **_tenant_id(ref),
                )
            )
            return str(created.id), str(created.service_url or ref.service_url), member

        conversation, service_url, member = await in_proactive_turn(self.host, base, create)
        if not self.host.service_urls.allows(service_url):
            raise UntrustedAddress(
                "Teams answered the new chat with a Bot Connector address that is not in "
                "bot_service_urls: the chat was not kept",
                retryable=False,
            )
        reference = dict(base["reference"])
        reference.pop("activityId", None)
        reference.update(
            conversation={
                "id": conversation,
                "conversationType": "personal",
                **({"tenantId": t} if (t := _stored_tenant(base)) else {}),
            },
            user={"id": member.id, **({"name": member.name} if member.name else {})},
            serviceUrl=service_url,
        )
        stored = {"reference": reference, ANONYMOUS: bool(base.get(ANONYMOUS))}
        await asyncio.to_thread(
            conversations.remember,
            self.engine,
            conversation,
            kind=conversations.BOT,
            service_url=service_url,
            reference=stored,
            now=self.clock(),
            person=person,
        )
        log.info("started a 1:1 chat with %s for the bot's cards", person)
        return conversation, stored

    async def _base(self, channel: str) -> dict[str, Any]:
        stored = await asyncio.to_thread(conversations.channel_reference, self.engine, channel)
        if stored is None:
            stored = await asyncio.to_thread(conversations.latest_reference, self.engine)
        if stored is None:
            # Retryable: the reference is stored as soon as anyone @mentions the bot (or the app
            # is installed), which is usually minutes away on a new install. The outbox's
            # bounded retries then park it and tell the lead, so it is never retried for ever.
            raise NoReference(
                "the bot has no stored Teams conversation to send from yet: @mention it once in "
                "the incidents channel (or send this destination through Graph)",
                retryable=True,
            )
        return stored


def _channel_id(destination: str) -> str:
    """The channel (or channel thread) a destination names by id; refused by name."""
    channel = destination.removeprefix(CHANNEL)
    if not channel.startswith("19:"):
        raise DeliveryError(
            f"the bot cannot post to {destination!r}: the Bot Connector finds channels by "
            "id (19:...), not by name. Send that destination through Graph or a webhook "
            "(teams_transports).",
            retryable=False,
        )
    return channel


def _in(ref: Any, thread: str) -> Any:
    """`ref` (a reference from somewhere in the tenant) moved to the channel thread `thread`."""
    moved = {"id": thread, "is_group": True, "conversation_type": "channel"}
    conversation = ref.conversation.model_copy(update=moved)
    return ref.model_copy(update={"conversation": conversation})


def _tenant_id(ref: Any) -> dict[str, str]:
    # Teams wants the tenant on a new conversation; a reference from elsewhere may have none.
    tenant = getattr(ref.conversation, "tenant_id", None)
    return {"tenant_id": tenant} if tenant else {}


def _tenant_data(ref: Any) -> dict[str, Any]:
    tenant = getattr(ref.conversation, "tenant_id", None)
    return {"tenant": {"id": tenant}} if tenant else {}


def _stored_tenant(stored: dict[str, Any]) -> str | None:
    conversation = stored["reference"].get("conversation") or {}
    return conversation.get("tenantId") or conversation.get("tenant_id")


def _addresses(member: Any) -> set[str]:
    """A member's email and sign-in name (Teams gives both, as extra fields of the account)."""
    extra = member.model_extra or {}
    found = {
        extra.get("email"),
        extra.get("userPrincipalName"),
        getattr(member, "email", None),
        getattr(member, "user_principal_name", None),
    }
    return {str(a).casefold() for a in found if a}


def _shown(destination: str) -> str:
    return destination if len(destination) <= 80 else destination[:79] + "…"
