"""The Adaptive Cards the bot answers with: the incident card (`open`, `status`), `help`, the
welcome, and a message held back for its wording.

The incident card is the stakeholder card the Renderer makes (so an organisation's wording
applies here too), checked against Teams' rules, then given the bot's buttons. Buttons are
Universal Actions (adapters/card_actions.py): a press runs a command through exactly the same
checks as typed text. A message whose `value` carries a command (a card posted before the bot
used Universal Actions, with `Action.Submit`) is still read: `submitted_command`.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.engine import Engine

from comms_assistant.adapters import card_actions as actions
from comms_assistant.adapters.card_rules import validate_card
from comms_assistant.adapters.render import CARD_SCHEMA, CARD_VERSION, Renderer
from comms_assistant.adapters.render_cards import markdown_literal
from comms_assistant.adapters.sql import views
from comms_assistant.domain import commands as c
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
    ("list, status", "list  /  status INC-2026-0001  /  status monitoring"),
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
    return card_of(body, [declare_button()])


def declare_button() -> dict[str, Any]:
    """Opens the form to declare an incident."""
    return actions.execute("Declare an incident", actions.FORM_OPEN, {}, style="positive")


def welcome_card(text: str) -> dict[str, Any]:
    """What the bot says when it is added to a team or chat, with the way to start."""
    body = [{"type": "TextBlock", "text": text, "wrap": True}]
    return card_of(body, [declare_button()])


def held_card(text: str, *, author: str, draft: str, suggested: bool) -> dict[str, Any]:
    """A message held back for its wording (`text` says why), with its three ways on: send it as
    written, see the suggested words (then send these words), or edit it. The buttons are for
    `author`'s message as it is now (`draft`): pressed by anyone else, or once it has changed,
    they send nothing."""
    data = {"author": author, "draft": actions.fingerprint(draft)}
    buttons = [actions.execute("Send as written", actions.DRAFT, data | {"how": "anyway"})]
    # "Send suggested" shows the final words first; that reply asks for them to be confirmed.
    confirming = f"'{c.CONFIRM_WORDS}'" in text
    if suggested:
        title, how = "Send suggested", "suggested"
        if confirming:
            title, how = "Send these words", "confirmed"
        buttons.append(actions.execute(title, actions.DRAFT, data | {"how": how}, style="positive"))
    buttons.append(actions.execute("Edit", actions.FORM_EDIT, data))
    body = [
        {"type": "TextBlock", "text": "Not sent yet", "weight": "Bolder", "size": "Medium"},
        *text_blocks(text),
    ]
    return card_of(body, buttons)


def text_blocks(text: str) -> list[dict[str, Any]]:
    """A reply's paragraphs as TextBlocks, shown as written (never as Markdown)."""
    return [
        {"type": "TextBlock", "text": markdown_literal(part), "wrap": True}
        for part in text.split("\n\n")
        if part.strip()
    ]


def card_of(body: list[dict[str, Any]], buttons: list[dict[str, Any]]) -> dict[str, Any]:
    """A card of the bot's own (schema 1.5), with its buttons if it has any."""
    card = {"type": "AdaptiveCard", "$schema": CARD_SCHEMA, "version": CARD_VERSION, "body": body}
    return card | {"actions": buttons} if buttons else card


def incident_card(
    engine: Engine,
    renderer: Renderer,
    reference: str,
    *,
    buttons: bool = True,
    policy: Policy = DEFAULT_POLICY,
) -> dict[str, Any] | None:
    """The incident as it is now; None when it cannot be shown (the text reply still is)."""
    shown = views.incident_shown(engine, reference)
    if shown is None:
        return None
    incident, report_url = shown.incident, shown.report_url
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
        card.setdefault("actions", []).extend(actions.incident_buttons(reference))
    return card


def submitted_command(value: Any) -> tuple[str, str | None] | None:
    """The command a card button sent (text, incident reference), or None if it is not ours.
    With `input`, the input of that id follows the command ("close" + what fixed it; with no
    command, the input is the whole command: the box of a form that edits any command)."""
    if not isinstance(value, dict) or not isinstance(value.get("command"), str):
        return None
    text = value["command"]
    extra = value.get("input")
    if isinstance(extra, str) and isinstance(value.get(extra), str):
        text = f"{text} {value[extra]}".strip()
    incident = value.get("incident")
    return text, incident if isinstance(incident, str) else None
