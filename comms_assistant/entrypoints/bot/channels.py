"""One channel per incident (setting `bot_channel_per_incident`): `open` makes a channel in the
configured team (Graph), starts a thread there with the incident card (Bot Connector), and binds
the channel to the incident, so commands in any of its threads need no reference. That card is
the incident's living card there: kept, by its activity id, and updated in place whenever the
incident changes (service/living_card.py), as in the incidents channel.

The Graph client lives on the delivery thread's loop, so the channel is made there; the thread
is started with the turn's own connector client. A failure only costs the channel: the incident
is open and the person is told, in a plain sentence, to carry on where they are.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any, Protocol

from comms_assistant.adapters.graph.channels import channel_name, create_channel
from comms_assistant.adapters.sql import conversations
from comms_assistant.entrypoints.bot.outbound import connector_of

if TYPE_CHECKING:
    from microsoft_agents.hosting.core import TurnContext

    from comms_assistant.config import Settings
    from comms_assistant.entrypoints.bot.delivery import DeliveryThread
    from comms_assistant.entrypoints.bot.turns import Answer, Turns

log = logging.getLogger(__name__)

NO_CHANNEL = "I could not make a channel for it, so carry on here."


class ChannelHost(Protocol):
    """What making a channel needs of the bot's host (sdk.AgentHost), named here so that this
    module does not import the host that imports it."""

    @property
    def settings(self) -> Settings: ...

    @property
    def delivery(self) -> DeliveryThread | None: ...

    @property
    def turns(self) -> Turns: ...


async def channel_line(
    host: ChannelHost, context: TurnContext, answer: Answer | None, stored: dict[str, Any]
) -> str | None:
    """The line saying where the incident's new channel is, when the answer opened an incident
    and each incident gets a channel; None when no channel is made."""
    if answer is None or not answer.opened or not host.settings.bot_channel_per_incident:
        return None
    reference = answer.reply.reference
    if not reference:
        return None
    return await open_channel(host, context, reference, answer.opened, answer.card, stored)


async def open_channel(
    host: ChannelHost,
    context: TurnContext,
    reference: str,
    title: str,
    card: dict[str, Any] | None,
    stored: dict[str, Any],
) -> str:
    """Make the incident's channel and post its card there; returns a line for the reply."""
    from microsoft_agents.activity import ConversationParameters
    from microsoft_agents.hosting.core import CardFactory, MessageFactory

    delivery = host.delivery
    if delivery is None or delivery.graph is None:
        log.error("no Graph client for channels: is the delivery thread running?")
        return NO_CHANNEL
    graph = delivery.graph
    client = graph.teams_client or graph.client
    name = channel_name(reference, title)
    settings = host.settings
    try:
        channel_id = await asyncio.wait_for(
            delivery.run(
                lambda: create_channel(client, settings.team_id, name, f"Incident {reference}")
            ),
            settings.bot_outbound_timeout,
        )
        first = (
            MessageFactory.attachment(CardFactory.adaptive_card(card))
            if card is not None
            else MessageFactory.text(f"{reference}: {title}")
        )
        first.text = f"{reference}: {title}"
        activity = context.activity
        tenant = getattr(activity.conversation, "tenant_id", None)
        parameters = ConversationParameters(
            is_group=True,
            bot=activity.recipient,
            channel_data={"channel": {"id": channel_id}},
            activity=first,
            tenant_id=tenant,
        )
        connector = connector_of(context)
        started = await asyncio.wait_for(
            connector.conversations.create_conversation(parameters),
            settings.bot_outbound_timeout,
        )
    except Exception as error:  # the incident is open either way; only the channel is missing
        log.error("no channel for %s: %s: %s", reference, type(error).__name__, error)
        return NO_CHANNEL
    thread = started.id
    # Teams answers with the thread ("<channel>;messageid=<root>") and the root's activity id.
    card_id = str(getattr(started, "activity_id", None) or thread.partition(";messageid=")[2])
    # Outcomes and nudges for the incident can now go to the new thread as well.
    ref = dict(stored["reference"])
    ref["conversation"] = {**ref.get("conversation", {}), "id": thread}
    ref.pop("activityId", None)
    now = host.turns.clock()

    def record() -> None:
        conversations.remember(
            host.turns.engine,
            thread,
            kind=conversations.BOT,
            service_url=str(context.activity.service_url or ""),
            reference={**stored, "reference": ref},
            now=now,
        )
        conversations.bind(host.turns.engine, thread, reference, now=now, card=card_id or None)
        conversations.bind(host.turns.engine, channel_id, reference, now=now)

    await asyncio.to_thread(record)
    log.info("channel %s (%s) made for %s", name, channel_id, reference)
    return f"I made the channel \u201c{name}\u201d for it and posted the card there."
