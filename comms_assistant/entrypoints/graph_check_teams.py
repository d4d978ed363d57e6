"""`graph check`'s Teams steps: for each destination the settings name, whether its transport
is ready, and with `--teams` a test card posted (and, through Graph, updated in place, as the
incident's living card is). A Workflows webhook cannot update a card: said as a note."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

from comms_assistant.entrypoints.graph_check_steps import (
    FAIL,
    PASS,
    SKIP,
    WARN,
    CheckerBase,
    sign_in_fix,
)

TEAMS_FIX = (
    "the account must be a member of the team, with delegated ChannelMessage.Send consented "
    "(docs/setup.md, 'Teams'); or set teams_transport to bot or webhook"
)
UPDATE_FIX = (
    "consent delegated ChannelMessage.ReadWrite for the account (docs/setup.md, 'Teams'): "
    "without it each incident's card cannot be kept up to date in place"
)
WEBHOOK_NOTE = (
    "a Workflows webhook cannot update a card or reply in its thread: each change to an "
    "incident posts a new card there instead of updating the incident's one card"
)
WEBHOOK_FIX = "for one living card per incident, send the incidents channel by the bot or Graph"
CARD = {
    "type": "AdaptiveCard",
    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
    "version": "1.5",
    "body": [
        {
            "type": "TextBlock",
            "wrap": True,
            "text": "comms-assistant pre-flight check: incident updates can be posted here. "
            "You can delete this message.",
        }
    ],
}


def _updated() -> dict[str, Any]:
    text = "comms-assistant pre-flight check: this card was updated in place. You can delete it."
    return {**CARD, "body": [{"type": "TextBlock", "wrap": True, "text": text}]}


async def check_teams(checker: CheckerBase, *, post: bool) -> None:
    from comms_assistant.adapters.teams_transports import DEFAULT_DESTINATION

    s = checker.settings
    for destination in sorted({DEFAULT_DESTINATION, *s.teams_transports} - {"channel:*", "chat:*"}):
        await _check_destination(checker, destination, post=post)


async def _check_destination(checker: CheckerBase, destination: str, *, post: bool) -> None:
    from comms_assistant.adapters.teams_transports import transport_name
    from comms_assistant.service.ports import TeamsCard

    name = transport_name(checker.settings, destination, bot_running=True)
    label = f"Teams {destination} ({name})"
    if name == "bot":
        checker.add(
            SKIP,
            label,
            "the bot posts from comms-assistant serve: @mention it "
            "with 'help' in the channel to check it",
        )
        return
    poster = _webhook(checker, destination, label) if name == "webhook" else _graph(checker, label)
    if poster is None:
        return
    if not post:
        checker.add(PASS, label, "ready (not posted: add --teams to post a test card)")
        return
    card = TeamsCard(f"comms-assistant-check-{uuid.uuid4()}", "Pre-flight check", CARD)
    try:
        posted = await poster.post_card(card)
    except Exception as error:  # noqa: BLE001
        fix = TEAMS_FIX if name == "graph" else "make a new Workflows URL"
        checker.add(FAIL, label, str(error)[:200], fix)
        return
    if name != "graph":
        checker.add(PASS, label, "test card posted")
        return
    try:  # as the incident's card is kept up to date
        await poster.update_card(replace(card, card=_updated()), posted)
    except Exception as error:  # noqa: BLE001
        detail = f"test card posted, but not updated: {str(error)[:160]}"
        checker.add(WARN, label, detail, UPDATE_FIX)
        return
    checker.add(PASS, label, "test card posted and updated in place")


def _webhook(checker: CheckerBase, destination: str, label: str) -> Any:
    """The Workflows webhook that posts to `destination`; None (and a failed step) without a URL."""
    from comms_assistant.adapters.teams_transports import (
        DEFAULT_DESTINATION,
        WebhookTransport,
        webhook_url,
    )

    url = webhook_url(checker.settings, destination)
    if not url:
        checker.add(FAIL, label, "no URL", "set teams_webhook_url (docs/setup.md, 'Teams')")
        return None
    if destination == DEFAULT_DESTINATION:
        checker.add(WARN, f"{label} card updates", WEBHOOK_NOTE, WEBHOOK_FIX)
    return WebhookTransport(url, name=destination)


def _graph(checker: CheckerBase, label: str) -> Any:
    """Graph as the delegated account, once it signs in; None (and a failed step) otherwise."""
    credential = checker.adapters.teams_credential
    if credential is None:
        checker.add(
            FAIL,
            label,
            "no delegated account: app-only tokens cannot post",
            "set teams_account and run comms-assistant graph login",
        )
        return None
    try:
        from comms_assistant.adapters.graph.client import scopes_for

        credential.get_token(*scopes_for(checker.graph_url))
    except Exception as error:  # noqa: BLE001
        checker.add(FAIL, label, "cannot sign in as the account", sign_in_fix(error))
        return None
    return checker.adapters.teams_graph
