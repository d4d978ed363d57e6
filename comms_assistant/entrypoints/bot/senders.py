"""Who sent a turn (a message or a button press alike) and where to answer them.

- `who`: the sender's email, from their Entra object id (policy.People: the configured map,
  then the Bot Connector's member look-up). The same for a message and a press, so a press is
  allowed or refused exactly as the typed command would be. The object id, name and email found
  together are kept (conversations.TeamsPersonRow): the leads' nudges @mention people by them.
- `remember`: the conversation's reference, for replies, cards and nudges sent later.

Both write only when something changed: a write per turn would queue every turn behind
SQLite's one writer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Engine

from comms_assistant.adapters.sql import conversations
from comms_assistant.entrypoints.bot.outbound import ANONYMOUS, connector_of
from comms_assistant.entrypoints.bot.policy import People

if TYPE_CHECKING:
    from microsoft_agents.hosting.core import TurnContext


class Senders:
    def __init__(
        self, engine: Engine, people: People, *, timeout: float, clock: Callable[[], datetime]
    ) -> None:
        self.engine = engine
        self.people = people
        self.timeout = timeout
        self.clock = clock
        self._remembered: dict[str, tuple[str | None, bool]] = {}
        self._known: dict[str, tuple[str, str]] = {}  # email -> (object id, name) as stored

    async def who(self, context: TurnContext) -> str | None:
        """The sender's email (lower case), or None when the bot cannot tell."""
        sender = context.activity.from_property
        object_id = getattr(sender, "aad_object_id", None)
        who = await self.people.email_for(object_id, self._member_lookup(context))
        if who and object_id:
            name = str(getattr(sender, "name", None) or "")
            if self._known.get(who) != (object_id, name):
                await asyncio.to_thread(
                    conversations.remember_person,
                    self.engine,
                    who,
                    object_id=object_id,
                    name=name,
                    now=self.clock(),
                )
                self._known[who] = (object_id, name)
        return who

    def _member_lookup(self, context: TurnContext) -> Any:
        sender = context.activity.from_property
        connector = connector_of(context)
        getter = getattr(connector, "get_conversation_member", None)
        if getter is None or sender is None or not sender.id:
            return None

        async def lookup() -> str | None:
            member = await asyncio.wait_for(
                getter(context.activity.conversation.id, sender.id), self.timeout
            )
            return member.email or member.user_principal_name

        return lookup

    async def remember(self, context: TurnContext, who: str | None) -> dict[str, Any]:
        """Keep the conversation's address (where replies, cards and nudges can be sent);
        returns it as stored."""
        activity = context.activity
        conversation = activity.conversation.id
        anonymous = context.identity is None or context.identity.allow_anonymous
        reference = activity.get_conversation_reference().model_dump(
            mode="json",
            by_alias=True,
            exclude_none=True,  # None fields do not validate back
        )
        stored = {"reference": reference, ANONYMOUS: anonymous}
        if self._remembered.get(conversation) != (activity.service_url, anonymous):
            await asyncio.to_thread(
                conversations.remember,
                self.engine,
                conversation,
                kind=conversations.BOT,
                service_url=activity.service_url or "",
                reference=stored,
                now=self.clock(),
                # A 1:1 chat is where that person's own cards can go ("chat:<email>").
                person=who if activity.conversation.conversation_type == "personal" else None,
            )
            self._remembered[conversation] = (activity.service_url, anonymous)
        return stored
