"""The buttons on the product's Teams cards: Universal Actions (`Action.Execute`).

A press reaches the bot as an `invoke` activity named `adaptiveCard/action` carrying the verb
and the data below (with the card's inputs merged in by Teams), so it is authenticated like a
message and answered in the HTTP response (entrypoints/bot/invoke.py). Every verb ends in a
command of the command language run through the same gate as typed text, or in a form that does.

Verbs:
- `command`: run `data.command` (e.g. "holding", "comms me"), for `data.incident`; with
  `data.input`, the input of that id is added after it ("close" + what fixed it).
- `open`, `update`: a form's fields, made into the command as data (entrypoints/bot/forms.py).
- `draft`: send the message held back for its wording (`data.how`: "anyway" or "suggested"),
  only by its author (`data.author`) and only while it is the one shown (`data.draft`).
- `form.open`, `form.update`, `form.edit`: answer with a form (to declare, to write an update,
  to edit a held-back message); nothing is changed.

Cards posted by Graph or a Workflows webhook show these buttons, but Teams sends a press only to
the bot that posted the card: the buttons work where the bot posts the card.
"""

from __future__ import annotations

import hashlib
from typing import Any

from comms_assistant.adapters.render_cards import CARD_VERSION

COMMAND = "command"
OPEN = "open"
UPDATE = "update"
DRAFT = "draft"
FORM_OPEN = "form.open"
FORM_UPDATE = "form.update"
FORM_EDIT = "form.edit"
VERBS = frozenset({COMMAND, OPEN, UPDATE, DRAFT, FORM_OPEN, FORM_UPDATE, FORM_EDIT})


def execute(title: str, verb: str, data: dict[str, Any], **options: Any) -> dict[str, Any]:
    """An `Action.Execute` button (`options`: style, tooltip...)."""
    return {"type": "Action.Execute", "title": title, "verb": verb, "data": data, **options}


def command_button(title: str, command: str, incident: str | None, **options: Any) -> dict:
    data: dict[str, Any] = {"command": command}
    if incident:
        data["incident"] = incident
    return execute(title, COMMAND, data, **options)


def fingerprint(text: str) -> str:
    """A short mark of a held-back message's text: a button for an older draft is refused."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def nudge_buttons(reference: str) -> list[dict[str, Any]]:
    """On the nudge before an update is due: write one now, or send the holding update."""
    return [
        execute("Write the update", FORM_UPDATE, {"incident": reference}, style="positive"),
        command_button("Send the holding update", "holding", reference),
    ]


# "Send holding update": the worker's own holding update ("no change yet"), sent now.
HOLDING_COMMAND = "holding"


def incident_buttons(reference: str) -> list[dict[str, Any]]:
    """On an open incident's card where the bot posts it: the holding update, take the comms
    lead's role, and close it (two steps: nothing closes until the second card is sent)."""
    question = f"Close {reference}? Everyone who was told will hear it is over."
    close = execute(
        "Yes, close it",
        COMMAND,
        {"command": "close", "input": "resolution", "incident": reference},
        style="destructive",
    )
    resolution = {
        "type": "Input.Text",
        "id": "resolution",
        "isRequired": True,
        "label": "What fixed it?",
        "errorMessage": "Say what fixed it.",
    }
    confirm = {
        "type": "AdaptiveCard",
        "version": CARD_VERSION,
        "body": [{"type": "TextBlock", "wrap": True, "text": question}, resolution],
        "actions": [close],
    }
    return [
        command_button("Send holding update", HOLDING_COMMAND, reference),
        command_button("I'm the comms lead", "comms me", reference),
        {"type": "Action.ShowCard", "title": "Close incident", "card": confirm},
    ]
