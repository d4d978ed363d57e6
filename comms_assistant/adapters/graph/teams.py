"""Adaptive Cards in Teams through Graph: the `TeamsPoster` port.

Where a card goes is its `destination`: the configured incidents channel (none given), another
channel by its names ("channel:Team name/Channel name", found among the teams the signed-in
account has joined), or a 1:1 chat with a person ("chat:person@example.org": `POST /chats`
with both members first, which Graph answers with the existing chat when there is one).
Teams allows 4 messages a second per channel or chat: a fifth waits its turn (pace.py; counted
across processes when the poster is given the store's send slots).

A chatMessage whose HTML body holds only `<attachment id="...">` and whose attachment is the
card. Graph needs a *delegated* token (ChannelMessage.Send) for this on a real tenant: an
app-only token is refused with 401 (see PLATFORM-FACTS, "Teams").

The attachment id is derived from the delivery id, so before a retry posts, the channel's (or
chat's) messages are searched for it, page by page from the newest change back to when the
delivery was queued: a post whose answer was lost (a 503 or a dropped connection after Teams
accepted it) is found there instead of being posted a second time, however busy the chat has
been since (a fixed window of the newest 20 missed it in a busy 1:1 chat minutes later).

A card with a `thread` is a reply in a channel thread (`POST .../messages/{id}/replies`; its
replies are searched the same way), and `update_card` changes a posted card in place
(`PATCH .../messages/{id}`, delegated ChannelMessage.ReadWrite; only its sender may).
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from comms_assistant.adapters.graph.client import no_retry_config
from comms_assistant.adapters.graph.errors import translated
from comms_assistant.adapters.graph.pace import PER_SECOND, Pace, Pacer, SharedPace
from comms_assistant.service import fencing
from comms_assistant.service.ports import DeliveryError, TeamsCard

if TYPE_CHECKING:
    from msgraph import GraphServiceClient

__all__ = ["PER_SECOND", "GraphTeamsPoster", "Pace", "SharedPace"]

log = logging.getLogger(__name__)

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
# Teams refuses messages much over ~28 KB; fail clearly here rather than with a vague 413/400.
MAX_CARD_BYTES = 28 * 1024
# Attachment ids derived from the delivery id: stable across retries, unique per card.
_ATTACHMENT_NAMESPACE = uuid.UUID("0d9e4c52-3b1f-4f0e-9a51-2f6c1f7b8a10")
# Messages asked for per page when looking for an earlier post (Graph's most).
PAGE = 50
# How far back the look goes at most, in pages, when it never reaches the delivery's queuing.
MAX_PAGES = 40
# Graph's clocks and ours differ a little: look this much further back than the queuing.
CLOCK_SKEW = timedelta(minutes=5)


class GraphTeamsPoster:
    """Posts to the incidents channel of one team, and to the channels and chats cards name."""

    def __init__(
        self,
        client: GraphServiceClient,
        team_id: str,
        channel_id: str,
        *,
        pace: Pacer | None = None,
    ) -> None:
        self._client = client
        self._team_id = team_id
        self._channel_id = channel_id
        self._pace = pace or Pace()
        # Names and people resolved once per process: they do not move during an incident.
        self._channels: dict[str, tuple[str, str]] = {}
        self._chats: dict[str, str] = {}
        self._me: str | None = None

    async def post_card(self, message: TeamsCard) -> str:
        chat_message = self._chat_message(message)
        messages, query_class, place = await self._messages_for(message.destination)
        query = query_class.MessagesRequestBuilderGetQueryParameters(top=PAGE)
        if message.thread and message.destination.partition(":")[0] in ("", "channel"):
            # A reply in the thread of the incident's card (chats have no threads).
            messages = messages.by_chat_message_id(message.thread).replies
            query = messages.RepliesRequestBuilderGetQueryParameters(top=PAGE)
        # Only a retry after an unknown outcome looks first: a first try has nothing to find,
        # and the look costs a Graph call per page.
        if message.uncertain:
            attachment_id = chat_message.attachments[0].id
            earlier = await self._already_posted(messages, attachment_id, query, message.since)
            if earlier is not None:
                return earlier
        wait = self._pace.delay(place)
        if wait > 0:
            await asyncio.sleep(wait)
        fencing.before_sending()  # the pace's wait may have outlasted the lease
        # Retry OFF: POST is not idempotent, a retried 503 could post the card twice.
        with translated(f"post card {message.delivery_id} to Teams ({place})"):
            posted = await messages.post(chat_message, no_retry_config())
        if posted is None or not posted.id:
            raise DeliveryError(
                "Teams accepted the card but returned no message id", retryable=False
            )
        return str(posted.id)

    async def update_card(self, message: TeamsCard, message_id: str) -> None:
        """The whole card again (PATCH replaces the body and attachments): safe to repeat."""
        chat_message = self._chat_message(message)
        messages, _, place = await self._messages_for(message.destination)
        wait = self._pace.delay(place)
        if wait > 0:
            await asyncio.sleep(wait)
        # Retry OFF as for posts: the outbox retries, on its own clock and with its back-off.
        with translated(f"update card {message_id} in Teams ({place})"):
            await messages.by_chat_message_id(message_id).patch(chat_message, no_retry_config())

    def _chat_message(self, message: TeamsCard) -> Any:
        from msgraph.generated.models.body_type import BodyType
        from msgraph.generated.models.chat_message import ChatMessage
        from msgraph.generated.models.chat_message_attachment import ChatMessageAttachment
        from msgraph.generated.models.item_body import ItemBody

        content = json.dumps(message.card, ensure_ascii=False)
        if len(content.encode()) > MAX_CARD_BYTES:
            raise DeliveryError(
                f"card {message.delivery_id} is {len(content.encode())} bytes; "
                f"Teams accepts about {MAX_CARD_BYTES}",
                retryable=False,
            )
        attachment_id = uuid.uuid5(_ATTACHMENT_NAMESPACE, message.delivery_id).hex
        return ChatMessage(
            summary=message.summary or None,
            body=ItemBody(
                content_type=BodyType.Html,
                content=f'<attachment id="{attachment_id}"></attachment>',
            ),
            attachments=[
                ChatMessageAttachment(id=attachment_id, content_type=ADAPTIVE_CARD, content=content)
            ],
        )

    async def _messages_for(self, destination: str) -> tuple[Any, Any, str]:
        """The messages endpoint for `destination`, its query class, and a key for pacing."""
        from msgraph.generated.chats.item.messages.messages_request_builder import (
            MessagesRequestBuilder as ChatMessages,
        )
        from msgraph.generated.teams.item.channels.item.messages.messages_request_builder import (
            MessagesRequestBuilder as ChannelMessages,
        )

        kind, _, where = destination.partition(":")
        if kind == "chat" and where:
            chat_id = await self._chat_with(where)
            return self._client.chats.by_chat_id(chat_id).messages, ChatMessages, chat_id
        if kind == "channel" and where:
            team_id, channel_id = await self._channel_named(where)
        elif kind in ("", "channel"):
            team_id, channel_id = self._team_id, self._channel_id
        else:
            raise DeliveryError(f"unknown Teams destination {destination!r}", retryable=False)
        builder = self._client.teams.by_team_id(team_id).channels.by_channel_id(channel_id)
        return builder.messages, ChannelMessages, channel_id

    async def _channel_named(self, names: str) -> tuple[str, str]:
        if names in self._channels:
            return self._channels[names]
        team_name, _, channel_name = names.partition("/")
        with translated("list the teams the account has joined"):
            teams = await self._client.me.joined_teams.get()
        team = _named(teams, team_name)
        if team is None:
            raise DeliveryError(
                f'no team named "{team_name}" that the posting account belongs to', retryable=False
            )
        with translated(f"list the channels of {team_name}"):
            channels = await self._client.teams.by_team_id(team.id).channels.get()
        channel = _named(channels, channel_name)
        if channel is None:
            raise DeliveryError(
                f'no channel named "{channel_name}" in the team "{team_name}"', retryable=False
            )
        self._channels[names] = (str(team.id), str(channel.id))
        return self._channels[names]

    async def _chat_with(self, person: str) -> str:
        """The 1:1 chat between the posting account and `person`, created if need be."""
        from msgraph.generated.models.aad_user_conversation_member import (
            AadUserConversationMember,
        )
        from msgraph.generated.models.chat import Chat
        from msgraph.generated.models.chat_type import ChatType

        key = person.casefold()
        if key in self._chats:
            return self._chats[key]
        if self._me is None:
            with translated("read the posting account"):
                me = await self._client.me.get()
            if me is None or not me.id:
                raise DeliveryError("Graph did not say who the posting account is")
            self._me = str(me.id)

        def member(user: str) -> AadUserConversationMember:
            bind = f"https://graph.microsoft.com/v1.0/users('{user}')"
            return AadUserConversationMember(
                odata_type="#microsoft.graph.aadUserConversationMember",
                roles=["owner"],
                additional_data={"user@odata.bind": bind},
            )

        chat = Chat(chat_type=ChatType.OneOnOne, members=[member(self._me), member(person)])
        # Safe to retry: for a 1:1 chat Graph returns the existing chat rather than a second one.
        with translated(f"open a chat with {person}"):
            created = await self._client.chats.post(chat)
        if created is None or not created.id:
            raise DeliveryError(f"Teams opened no chat with {person}", retryable=False)
        self._chats[key] = str(created.id)
        return self._chats[key]

    async def _already_posted(
        self, messages: Any, attachment_id: str, query: Any, since: datetime | None
    ) -> str | None:
        """The id of a message (or reply) carrying this card, if an earlier try posted it.

        Graph lists the newest change first, so once a page reaches back before `since` (when
        the delivery was queued) no older message can be one of its tries."""
        from kiota_abstractions.base_request_configuration import RequestConfiguration

        oldest_wanted = _utc(since) - CLOCK_SKEW if since else None
        pages, looked_at = messages, 0
        config: RequestConfiguration[Any] | None = RequestConfiguration(query_parameters=query)
        for _ in range(MAX_PAGES):
            try:
                with translated("look for the card among the channel's messages"):
                    page = await pages.get(config)
            except DeliveryError as error:
                if error.retryable:
                    raise  # throttled or down: the outbox tries the whole post again later
                # Not allowed to read the channel (no ChannelMessage.Read permission): post
                # without the check rather than never; only a lost answer could then double it.
                log.warning("cannot read the channel to avoid a duplicate card: %s", error)
                return None
            found = (page.value if page else None) or []
            looked_at += len(found)
            for posted in found:
                if any(a.id == attachment_id for a in posted.attachments or []) and posted.id:
                    return str(posted.id)
            link = page.odata_next_link if page else None
            if not link or _reaches_back_to(found, oldest_wanted):
                return None
            pages, config = messages.with_url(link), None
        log.warning(
            "looked through %d messages without reaching when card %s was queued; posting it",
            looked_at,
            attachment_id,
        )
        return None


def _reaches_back_to(found: list[Any], oldest_wanted: datetime | None) -> bool:
    """Whether this page holds a message last changed before `oldest_wanted` (the rest are
    older still). Without a time, the first page is as far as the look goes."""
    if oldest_wanted is None:
        return True
    for posted in found:
        changed = posted.last_modified_date_time or posted.created_date_time
        if changed is not None and _utc(changed) < oldest_wanted:
            return True
    return False


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _named(page: Any, name: str) -> Any:
    """The team or channel in Graph's `page` whose display name is `name` (any case), if it has
    an id."""
    wanted = name.strip().casefold()
    for found in (page.value if page else None) or []:
        if (found.display_name or "").casefold() == wanted:
            return found if found.id else None
    return None
