"""The Adaptive Cards the bot answers with: the incident card (`open`, `status`) and `help`.

The incident card is the stakeholder card the Renderer makes (so an organisation's wording
applies here too), checked against Teams' rules, then given the bot's buttons. A button sends
back a command in `value`, which goes through exactly the same checks as typed text.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.engine import Engine

from comms_assistant.adapters import store
from comms_assistant.adapters.card_rules import validate_card
from comms_assistant.adapters.render import CARD_SCHEMA, CARD_VERSION, Renderer
from comms_assistant.domain.cadence import next_update_due
from comms_assistant.domain.messages import MessageKind
from comms_assistant.domain.policy import DEFAULT_POLICY, Policy

log = logging.getLogger(__name__)

HELP_ROWS = (
    ("open", "open Apply is down p2 impact: Candidates cannot apply services: apply"),
    ("update", "update Candidates can sign in again but still cannot submit"),
    ("holding", "holding  /  holding We are waiting for the supplier"),
    ("priority", "priority p1 every candidate is affected"),
    ("lead, comms, tech, support, scribe", "comms me  /  scribe sam.jones@example.org"),
    ("log", "log Rolled back the 10:40 release"),
    ("status", "status  /  status monitoring"),
    ("close", "close Restored the connection to the applications database"),
    ("review", "review"),
)


def help_card() -> dict[str, Any]:
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": "Incident commands", "size": "Large", "weight": "Bolder"},
        {
            "type": "TextBlock",
            "wrap": True,
            "text": "Mention me, then a command. In the chat where an incident was opened, "
            "commands need no reference.",
        },
    ]
    for name, example in HELP_ROWS:
        body.append({"type": "TextBlock", "text": name, "weight": "Bolder", "spacing": "Medium"})
        body.append({"type": "TextBlock", "text": example, "wrap": True, "fontType": "Monospace"})
    return {"type": "AdaptiveCard", "$schema": CARD_SCHEMA, "version": CARD_VERSION, "body": body}


def incident_card(
    engine: Engine,
    renderer: Renderer,
    reference: str,
    *,
    buttons: bool = True,
    policy: Policy = DEFAULT_POLICY,
) -> dict[str, Any] | None:
    """The incident as it is now; None when it cannot be shown (the text reply still is)."""
    with store.transaction(engine) as session:
        row = store.find_incident(session, reference)
        if row is None:
            return None
        incident = store.to_domain(row)
        report_url = row.report_url
    kind = MessageKind.OPENED if incident.is_open else MessageKind.RESOLVED
    due = next_update_due(incident, policy)  # the worker's arithmetic: None once resolved
    card = renderer.card(
        kind, incident, incident.timeline[-1], next_update_by=due, report_url=report_url
    )
    problems = validate_card(card)
    if problems:
        log.error("incident card for %s breaks Teams rules: %s", reference, "; ".join(problems))
        return None
    if buttons and incident.is_open:
        # Action.Submit / ShowCard are checked by Teams itself: card_rules knows only OpenUrl.
        card.setdefault("actions", []).extend(_buttons(reference))
    return card


# "Send holding update": the worker's own holding update ("no change yet"), sent now.
HOLDING_COMMAND = "holding"


def _buttons(reference: str) -> list[dict[str, Any]]:
    return [
        {
            "type": "Action.Submit",
            "title": "Send holding update",
            "data": {"command": HOLDING_COMMAND, "incident": reference},
        },
        {
            "type": "Action.Submit",
            "title": "I'm the comms lead",
            "data": {"command": "comms me", "incident": reference},
        },
        {
            "type": "Action.ShowCard",
            "title": "Close incident",
            # The second step is the confirmation: nothing closes until this card is sent.
            "card": {
                "type": "AdaptiveCard",
                "version": CARD_VERSION,
                "body": [
                    {
                        "type": "TextBlock",
                        "wrap": True,
                        "text": f"Close {reference}? Everyone who was told will hear it is over.",
                    },
                    {
                        "type": "Input.Text",
                        "id": "resolution",
                        "isRequired": True,
                        "label": "What fixed it?",
                        "errorMessage": "Say what fixed it.",
                    },
                ],
                "actions": [
                    {
                        "type": "Action.Submit",
                        "title": "Yes, close it",
                        "style": "destructive",
                        "data": {"command": "close", "input": "resolution", "incident": reference},
                    }
                ],
            },
        },
    ]


def submitted_command(value: Any) -> tuple[str, str | None] | None:
    """The command a card button sent (text, incident reference), or None if it is not ours."""
    if not isinstance(value, dict) or not isinstance(value.get("command"), str):
        return None
    text = value["command"]
    extra = value.get("input")
    if isinstance(extra, str) and isinstance(value.get(extra), str):
        text = f"{text} {value[extra]}"
    incident = value.get("incident")
    return text, incident if isinstance(incident, str) else None
