"""What Teams sends a bot when someone @mentions it in a channel thread: the `message` activity
the Bot Connector posts to the bot's /api/messages, shaped as in Microsoft's documentation
("Conversation basics" / "Channel and group chat conversations with a bot"). For tests and
tools that play the Teams client against the bot (the tests' harness, the soak's senders).

    activity = channel_message("status", sender=Sender("29:1-x", "Casey", oid), ...)

Each call makes a new activity id, as Teams gives each message one; a sender retrying the same
message sends the same activity (and the same id) again.
"""

from __future__ import annotations

import time
import uuid
from typing import Any, NamedTuple


class Sender(NamedTuple):
    teams_id: str  # "29:1-..."
    name: str
    object_id: str  # their Entra object id (aadObjectId)


class Team(NamedTuple):
    """Where the bot is installed: its app id, the tenant, the team and its channel."""

    app_id: str
    tenant: str
    team: str
    channel: str


def channel_message(
    text: str,
    *,
    sender: Sender,
    team: Team,
    service_url: str,
    conversation: str | None = None,
    value: Any = None,
) -> dict[str, Any]:
    """`text` @mentioning the bot in `conversation` (a thread of the team's channel; a new
    thread when None). `value`: a form's submitted data instead of text."""
    bot = {"id": f"28:{team.app_id}", "name": "Comms"}
    activity: dict[str, Any] = {
        "type": "message",
        "id": str(int(time.time() * 1000)) + uuid.uuid4().hex[:4],
        "timestamp": "2026-11-23T10:00:07.437Z",
        "localTimestamp": "2026-11-23T10:00:07.437+00:00",
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": {"id": sender.teams_id, "name": sender.name, "aadObjectId": sender.object_id},
        "conversation": {
            "isGroup": True,
            "conversationType": "channel",
            "tenantId": team.tenant,
            "id": conversation or f"{team.channel};messageid={uuid.uuid4().int % 10**13}",
        },
        "recipient": bot,
        "textFormat": "plain",
        "text": f"<at>Comms</at> {text}",
        "entities": [
            {"type": "mention", "mentioned": bot, "text": "<at>Comms</at>"},
            {"type": "clientInfo", "locale": "en-GB", "country": "GB", "platform": "Web"},
        ],
        "channelData": {
            "teamsChannelId": team.channel,
            "teamsTeamId": team.team,
            "channel": {"id": team.channel},
            "team": {"id": team.team},
            "tenant": {"id": team.tenant},
        },
        "locale": "en-GB",
    }
    if value is not None:
        activity["value"] = value
        activity["text"] = None
    return activity
