"""Create a channel in a team through Graph (`POST /teams/{id}/channels`), for the bot's
"one channel per incident".

Takes the GraphServiceClient that posts to Teams (a delegated one: Channel.Create). The POST is
not retried by the SDK (a retried 503 could make two channels); instead an existing channel of
the same name is looked for first, so running it again finds the channel made the first time.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from comms_assistant.adapters.graph.client import no_retry_config
from comms_assistant.adapters.graph.errors import translated
from comms_assistant.service.ports import DeliveryError

if TYPE_CHECKING:
    from msgraph import GraphServiceClient

MAX_NAME = 50  # Teams' limit for a channel name
# Characters Teams refuses in channel names (and two dots, a leading _ or ., a trailing dot).
_REFUSED = re.compile(r"[~#%&*{}+/\\:<>?|'\"\x00-\x1f]")


def channel_name(reference: str, title: str) -> str:
    """`INC-2026-0001 Apply is down`, within Teams' rules for channel names."""
    name = _REFUSED.sub(" ", f"{reference} {title}")
    name = re.sub(r"\.{2,}", ".", re.sub(r"\s+", " ", name)).strip(" ._")
    return name[:MAX_NAME].rstrip(" .") or reference


async def create_channel(
    client: GraphServiceClient, team_id: str, name: str, description: str = ""
) -> str:
    """The id (`19:...@thread.tacv2`) of the team's channel called `name`, made if need be."""
    from msgraph.generated.models.channel import Channel
    from msgraph.generated.models.channel_membership_type import ChannelMembershipType

    channels = client.teams.by_team_id(team_id).channels
    with translated(f"list the channels of team {team_id}"):
        existing = await channels.get()
    for channel in (existing.value if existing else None) or []:
        if (channel.display_name or "").lower() == name.lower() and channel.id:
            return channel.id
    body = Channel(
        display_name=name,
        description=description[:1024] or None,
        membership_type=ChannelMembershipType.Standard,
    )
    with translated(f"create channel {name!r}"):
        created = await channels.post(body, no_retry_config())
    if created is None or not created.id:
        raise DeliveryError(f"creating channel {name!r} returned no id", retryable=False)
    return created.id
