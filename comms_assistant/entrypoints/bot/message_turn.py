"""A message turn: the typed command (or a card's submitted one) run once and answered, with its
card; and the welcome when the bot is added to a team or a chat.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any, Protocol

from comms_assistant.adapters.sql import turn_journal
from comms_assistant.entrypoints.bot.cards import submitted_command, welcome_card
from comms_assistant.entrypoints.bot.channels import ChannelHost, channel_line
from comms_assistant.entrypoints.bot.jobs import CURRENT_TURN
from comms_assistant.entrypoints.bot.policy import bot_mentions, command_text
from comms_assistant.entrypoints.bot.turns import Answer, Sent

if TYPE_CHECKING:
    from microsoft_agents.hosting.core import TurnContext
    from sqlalchemy.engine import Engine

    from comms_assistant.entrypoints.bot.senders import Senders
    from comms_assistant.entrypoints.bot.turns import Background

log = logging.getLogger("comms_assistant.bot")

WELCOME = (
    "Hello. I help run incident communications: the running report, stakeholder emails and "
    "Teams updates. @mention me with 'help' to see the commands, or 'open' to declare an "
    "incident."
)


class MessageHost(ChannelHost, Protocol):
    """What a message turn needs of the bot's host (sdk.AgentHost), named here so that this
    module does not import the host that imports it."""

    @property
    def senders(self) -> Senders: ...

    @property
    def journal(self) -> Engine: ...

    @property
    def owner(self) -> str: ...  # this bot instance's id: it claims only its own turns

    @property
    def timeout(self) -> float: ...

    @property
    def background(self) -> Background | None: ...


async def on_members_added(host: MessageHost, context: TurnContext) -> None:
    """Added to a team or a chat: its address is kept at once, so the worker's cards can go
    there before anyone has @mentioned the bot, and people are told how to start."""
    from microsoft_agents.hosting.core import CardFactory, MessageFactory

    activity = context.activity
    me = activity.recipient.id if activity.recipient else None
    if not any(member.id == me for member in activity.members_added or []):
        return  # people joining a team the bot is already in
    await host.senders.remember(context, None)
    welcome = MessageFactory.attachment(CardFactory.adaptive_card(welcome_card(WELCOME)))
    welcome.text = WELCOME  # shown in notifications and where cards are not
    await context.send_activity(welcome)


async def on_message(host: MessageHost, context: TurnContext) -> None:
    from microsoft_agents.hosting.core import CardFactory, MessageFactory

    activity = context.activity
    conversation = activity.conversation.id
    incident: str | None = None
    submitted = submitted_command(activity.value)
    if submitted is not None:
        raw, incident = submitted
    else:
        raw = activity.text or ""
    text = command_text(raw, bot_mentions_of(activity))
    who = await host.senders.who(context)
    stored = await host.senders.remember(context, who)
    turn_id = CURRENT_TURN.get()

    def run_once() -> Answer | None:
        # Claimed in the journal just before the command runs: a turn is never run twice.
        if turn_id is not None and not turn_journal.start(host.journal, turn_id, owner=host.owner):
            return None
        return host.turns.answer(
            text, who=who, conversation=conversation, incident=incident, forms=True
        )

    answer = await asyncio.to_thread(run_once)
    if answer is None:
        log.warning("turn %s had already begun: not run again", turn_id)
        return
    text = answer.reply.text
    line = await channel_line(host, context, answer, stored)
    if line is not None:
        text = f"{text}\n\n{line}"
    if answer.card is not None:
        reply = MessageFactory.attachment(CardFactory.adaptive_card(answer.card))
        reply.text = text  # shown in notifications and where cards are not
    else:
        reply = MessageFactory.text(text)
    sent = await asyncio.wait_for(context.send_activity(reply), host.timeout)
    if host.background is not None:
        kept = reply.model_dump(mode="json", by_alias=True, exclude_none=True)
        went = Sent(str(sent.id), kept) if sent is not None and sent.id else None
        host.background.start(answer.reply.deliveries, conversation, went)


def bot_mentions_of(activity: Any) -> list[str]:
    entities = [e.model_dump(by_alias=True) for e in activity.entities or []]
    return bot_mentions(getattr(activity.recipient, "id", None), entities)
