"""The bot's forms as cards: declare an incident, write an update, edit a held-back message.

What a submitted form's fields make is read in fields.py; a field that is wrong comes back next
to that field here, with everything typed kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from comms_assistant.adapters import card_actions as actions
from comms_assistant.adapters.render import CARD_SCHEMA, CARD_VERSION
from comms_assistant.adapters.render_cards import markdown_literal
from comms_assistant.domain import commands as c
from comms_assistant.domain.incident import Priority
from comms_assistant.domain.policy import Policy
from comms_assistant.entrypoints.bot.fields import CHOOSE_PRIORITY

TEXT_FIELD = "text"  # the one box of the form that edits any other command
SHOWN = 2000  # characters of a value shown again: a card must stay under Teams' ~28 KB
OPEN_HEADING = "Declare an incident"
UPDATE_HEADING = "Write the update"
EDIT_HEADING = "Edit the message"


def _card(heading: str, body: list[dict[str, Any]], submit: dict[str, Any]) -> dict[str, Any]:
    top = {"type": "TextBlock", "text": markdown_literal(heading), "size": "Large"}
    return {
        "type": "AdaptiveCard",
        "$schema": CARD_SCHEMA,
        "version": CARD_VERSION,
        "body": [top | {"weight": "Bolder", "wrap": True}, *body],
        "actions": [submit],
    }


def _error(errors: Mapping[str, str], name: str) -> list[dict[str, Any]]:
    """The problem with a field, shown just under it (Teams shows `errorMessage` only for its
    own checks, so the bot's answer is a TextBlock)."""
    if not errors.get(name):
        return []
    text = markdown_literal(errors[name])
    return [{"type": "TextBlock", "text": text, "color": "Attention", "wrap": True}]


def _text(
    name: str, label: str, values: Mapping[str, str], *, required: bool = False, **more: Any
) -> dict[str, Any]:
    box: dict[str, Any] = {"type": "Input.Text", "id": name, "label": label, **more}
    if required:
        box |= {"isRequired": True, "errorMessage": f"{label.split(':')[0]} is needed."}
    if values.get(name):
        box["value"] = values[name][:SHOWN]
    return box


def open_form(
    policy: Policy,
    services: Mapping[str, str],
    values: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    *,
    public_page: str | None = None,
) -> dict[str, Any]:
    """The form to declare an incident (`open` with nothing after it, "Declare an incident");
    `public_page`: the status page's name, when one is set up (a box to publish it there)."""
    values, errors = values or {}, errors or {}
    priority: dict[str, Any] = {
        "type": "Input.ChoiceSet",
        "id": "priority",
        "label": "Priority",
        "style": "compact",
        "isRequired": True,
        "errorMessage": CHOOSE_PRIORITY,
        "placeholder": "Choose a priority",
        "choices": [{"title": policy.label(p), "value": p.label.lower()} for p in sorted(Priority)],
    }
    if values.get("priority"):
        priority["value"] = values["priority"][:SHOWN]
    body = [
        *_error(errors, ""),
        _text("title", "Title: what is wrong, in a few words", values, required=True),
        *_error(errors, "title"),
        priority,
        *_error(errors, "priority"),
        _text("impact", "Who is affected, and how", values, isMultiline=True),
        *_error(errors, "impact"),
    ]
    if services:
        chosen: dict[str, Any] = {
            "type": "Input.ChoiceSet",
            "id": "services",
            "label": "Services affected",
            "isMultiSelect": True,
            "style": "compact",
            "choices": [{"title": name, "value": key} for key, name in services.items()],
        }
        if values.get("services"):
            chosen["value"] = values["services"][:SHOWN]
        body += [chosen, *_error(errors, "services")]
    body += [
        _text("advice", "What readers should do (optional)", values, isMultiline=True),
        *_error(errors, "advice"),
        _toggle("security", SECURITY_BOX, values),
        *_error(errors, "security"),
    ]
    if public_page:
        body += [
            _toggle("public", PUBLIC_BOX.format(public_page), values),
            *_error(errors, "public"),
        ]
    submit = actions.execute("Declare the incident", actions.OPEN, {}, style="positive")
    return _card(OPEN_HEADING, body, submit)


SECURITY_BOX = "This is a security incident (only its team and the security contacts see it)"
PUBLIC_BOX = "Put it on the public status page ({}) too, in public words"


def _toggle(name: str, title: str, values: Mapping[str, str]) -> dict[str, Any]:
    on = values.get(name, "").lower() in ("yes", "true")
    return {
        "type": "Input.Toggle",
        "id": name,
        "title": title,
        "valueOn": "yes",
        "valueOff": "no",
        "value": "yes" if on else "no",
        "wrap": True,
    }


def update_form(
    reference: str | None,
    values: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The form of the `update` command: what is happening, who is affected, what to do."""
    values, errors = values or {}, errors or {}
    body = [
        *_error(errors, ""),
        _text("text", "What is happening: what people can and cannot do now", values,
              required=True, isMultiline=True),
        *_error(errors, "text"),
        _text("impact", "Who is affected now (leave empty if unchanged)", values,
              isMultiline=True),
        *_error(errors, "impact"),
        _text("advice", "What readers should do (leave empty if unchanged)", values,
              isMultiline=True),
        *_error(errors, "advice"),
    ]  # fmt: skip
    data = {"incident": reference} if reference else {}
    submit = actions.execute("Send the update", actions.UPDATE, data, style="positive")
    return _card(f"{UPDATE_HEADING} for {reference}" if reference else UPDATE_HEADING, body, submit)


def text_form(
    command: str, reference: str | None, errors: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Any other command, as text in one box: edit it and send it again."""
    body = [
        *_error(errors or {}, ""),
        _text(TEXT_FIELD, "The command, as you would type it", {TEXT_FIELD: command},
              required=True, isMultiline=True),
    ]  # fmt: skip
    data: dict[str, Any] = {"command": "", "input": TEXT_FIELD}
    if reference:
        data["incident"] = reference
    return _card(EDIT_HEADING, body, actions.execute("Send", actions.COMMAND, data))


def values_of(command: c.Command) -> dict[str, str]:
    """A command's fields as a form shows them (to edit a held-back `open` or `update`)."""
    if isinstance(command, c.Open):
        return {
            "title": command.title,
            "priority": command.priority.label.lower(),
            "impact": command.impact,
            "services": ",".join(command.services),
            "advice": command.advice,
            "security": "yes" if command.security else "no",
            "public": "yes" if command.public else "no",
        }
    if isinstance(command, c.Update):
        return {
            "text": command.text,
            "impact": command.impact or "",
            "advice": command.advice or "",
        }
    return {}
