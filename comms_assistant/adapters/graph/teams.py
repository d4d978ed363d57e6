"""Adaptive Cards in a Teams channel through Graph: the `TeamsPoster` port.

A chatMessage whose HTML body holds only `<attachment id="...">` and whose attachment is the
card. Graph needs a *delegated* token (ChannelMessage.Send) for this on a real tenant: an
app-only token is refused with 401 (see PLATFORM-FACTS, "Teams").

The attachment id is derived from the delivery id, so before posting the channel's newest
messages are searched for it: a post whose answer was lost (a 503 or a dropped connection after
Teams accepted it) is found there instead of being posted a second time.
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import TYPE_CHECKING, Any

from comms_assistant.adapters.graph.client import no_retry_config
from comms_assistant.adapters.graph.errors import translated
from comms_assistant.service.ports import DeliveryError, TeamsCard

if TYPE_CHECKING:
    from msgraph import GraphServiceClient

log = logging.getLogger(__name__)

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
# Teams refuses messages much over ~28 KB; fail clearly here rather than with a vague 413/400.
MAX_CARD_BYTES = 28 * 1024
# Attachment ids derived from the delivery id: stable across retries, unique per card.
_ATTACHMENT_NAMESPACE = uuid.UUID("0d9e4c52-3b1f-4f0e-9a51-2f6c1f7b8a10")
# How many of the channel's newest messages are searched for an earlier post of the same card.
RECENT_MESSAGES = 20


class GraphTeamsPoster:
    """Posts to one channel of one team."""

    def __init__(self, client: GraphServiceClient, team_id: str, channel_id: str) -> None:
        self._client = client
        self._team_id = team_id
        self._channel_id = channel_id

    async def post_card(self, message: TeamsCard) -> str:
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
        chat_message = ChatMessage(
            summary=message.summary or None,
            body=ItemBody(
                content_type=BodyType.Html,
                content=f'<attachment id="{attachment_id}"></attachment>',
            ),
            attachments=[
                ChatMessageAttachment(id=attachment_id, content_type=ADAPTIVE_CARD, content=content)
            ],
        )
        messages = (
            self._client.teams.by_team_id(self._team_id)
            .channels.by_channel_id(self._channel_id)
            .messages
        )
        earlier = await self._already_posted(messages, attachment_id)
        if earlier is not None:
            return earlier
        # Retry OFF: POST is not idempotent, a retried 503 could post the card twice.
        with translated(f"post card {message.delivery_id} to Teams"):
            posted = await messages.post(chat_message, no_retry_config())
        if posted is None or not posted.id:
            raise DeliveryError(
                "Teams accepted the card but returned no message id", retryable=False
            )
        return str(posted.id)

    async def _already_posted(self, messages: Any, attachment_id: str) -> str | None:
        """The id of a recent channel message carrying this card, if an earlier try posted it."""
        from kiota_abstractions.base_request_configuration import RequestConfiguration
        from msgraph.generated.teams.item.channels.item.messages.messages_request_builder import (
            MessagesRequestBuilder,
        )

        query = MessagesRequestBuilder.MessagesRequestBuilderGetQueryParameters(top=RECENT_MESSAGES)
        try:
            with translated("look for the card among the channel's recent messages"):
                page = await messages.get(RequestConfiguration(query_parameters=query))
        except DeliveryError as error:
            if error.retryable:
                raise  # throttled or down: the outbox tries the whole post again later
            # Not allowed to read the channel (no ChannelMessage.Read permission): post without
            # the check rather than never; only a lost answer could then mean a second card.
            log.warning("cannot read the channel to avoid a duplicate card: %s", error)
            return None
        for posted in (page.value if page else None) or []:
            if any(a.id == attachment_id for a in posted.attachments or []) and posted.id:
                return str(posted.id)
        return None
