"""The bot's forms: declare an incident, write an update, edit a held-back message.

A form's fields become a command of the command language, built as data: each field is made
plain as typed text is (`plain_text`, one line), put in its own place in the command, and the
command is parsed back; it is run only if the parser reads back exactly the fields given (so a
title holding "impact:" or a priority cannot change what else the incident says). Then it takes
the path a typed command takes (Turns.answer): the same gate, checks and messages. A field that
is wrong comes back next to that field, with everything typed kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from comms_assistant.adapters import card_actions as actions
from comms_assistant.adapters.render import CARD_SCHEMA, CARD_VERSION
from comms_assistant.adapters.render_cards import markdown_literal
from comms_assistant.domain import commands as c
from comms_assistant.domain.incident import Priority
from comms_assistant.domain.policy import Policy

OPEN_FIELDS = ("title", "priority", "impact", "services", "advice", "security")
UPDATE_FIELDS = ("text", "impact", "advice")
TEXT_FIELD = "text"  # the one box of the form that edits any other command
SHOWN = 2000  # characters of a value shown again: a card must stay under Teams' ~28 KB

TITLE_WORDS = (
    "Leave the priority and words such as 'impact:' out of the title: the form has a box for each."
)
CHOOSE_PRIORITY = "Choose how urgent it is (P1 is the most urgent)."
SECTION_WORDS = "Leave words such as 'impact:', 'do:' or 'services:' out of this box."
UPDATE_WORDS = "Leave 'impact:' and 'do:' out of the update: the form has a box for each."
SECURITY_WORDS = 'Security is "yes" or "no".'
OPEN_HEADING = "Declare an incident"
UPDATE_HEADING = "Write the update"
EDIT_HEADING = "Edit the message"


@dataclass(frozen=True)
class Filled:
    """A submitted form: the command it makes, or what is wrong with which field."""

    text: str | None
    values: dict[str, str]  # as submitted (made plain), to show again
    errors: dict[str, str] = field(default_factory=dict)  # field id ("" for the whole form)


def one_line(value: Any) -> str:
    """A submitted value as the parser reads typed text: plain, on one line."""
    return " ".join(c.plain_text(value).split()) if isinstance(value, str) else ""


def _parsed(text: str, names: Mapping[str, Priority]) -> c.Command | str:
    try:
        return c.parse(text, priority_names=names)
    except c.ParseError as error:
        return str(error)


def open_command(
    data: Mapping[str, Any], names: Mapping[str, Priority], services: Mapping[str, str]
) -> Filled:
    """The `open` command the declare form makes, or the fields that are wrong."""
    values = {name: one_line(data.get(name)) for name in OPEN_FIELDS}
    errors: dict[str, str] = {}
    title, priority = values["title"], values["priority"]
    probe = _parsed(f"open {title} priority: p4", names)
    if isinstance(probe, str):
        errors["title"] = probe if not title else TITLE_WORDS
    elif not isinstance(probe, c.Open) or (
        probe.title,
        probe.impact,
        probe.services,
        probe.advice,
        probe.security,
    ) != (title, "", (), "", False):
        errors["title"] = TITLE_WORDS
    words = {f"p{p.value}" for p in Priority} | {name.casefold() for name in names}
    if not priority:
        errors["priority"] = CHOOSE_PRIORITY
    elif priority.casefold() not in words:
        # The typed command's own words for an unknown priority.
        probe = _parsed(f"open t priority: {priority}", names)
        errors["priority"] = probe if isinstance(probe, str) else CHOOSE_PRIORITY
    for name, section in (("impact", "impact"), ("advice", "do")):
        if values[name]:
            made = _parsed(f"open t p4 {section}: {values[name]}", names)
            if not isinstance(made, c.Open) or not _alone(made, name, values[name]):
                errors[name] = SECTION_WORDS
    chosen = [s.strip().lower() for s in values["services"].split(",") if s.strip()]
    known = {key.lower() for key in services}
    unknown = [s for s in chosen if s not in known]
    if unknown:
        errors["services"] = f'"{unknown[0]}" is not a service in the service catalogue.'
    security = values["security"].lower() or "no"
    if security not in ("yes", "no", "true", "false"):
        errors["security"] = SECURITY_WORDS
    if errors:
        return Filled(None, values, errors)
    parts = [f"open {title} priority: {priority}"]
    if values["impact"]:
        parts.append(f"impact: {values['impact']}")
    if chosen:
        parts.append(f"services: {', '.join(chosen)}")
    if values["advice"]:
        parts.append(f"do: {values['advice']}")
    secure = security in ("yes", "true")
    parts.append(f"security: {'yes' if secure else 'no'}")
    text = " ".join(parts)
    made = _parsed(text, names)
    expected = (title, values["impact"], tuple(chosen), values["advice"], secure)
    if not isinstance(made, c.Open) or expected != (
        made.title, made.impact, made.services, made.advice, made.security
    ):  # fmt: skip
        return Filled(None, values, {"": made if isinstance(made, str) else TITLE_WORDS})
    return Filled(text, values)


def _alone(made: c.Open, name: str, value: str) -> bool:
    """The probe read back `value` as field `name`, and nothing else (no section slipped in)."""
    fields = {"impact": made.impact, "advice": made.advice, "services": made.services}
    said = fields.pop(name)
    return said == value and not any(fields.values()) and not made.security


def update_command(data: Mapping[str, Any]) -> Filled:
    """The `update` command the update form makes, or the fields that are wrong."""
    values = {name: one_line(data.get(name)) for name in UPDATE_FIELDS}
    errors: dict[str, str] = {}
    text = values["text"]
    probe = _parsed(f"update {text}", {})
    if isinstance(probe, str):
        errors["text"] = probe if not text else UPDATE_WORDS
    elif not isinstance(probe, c.Update) or (probe.text, probe.impact, probe.advice) != (
        text, None, None
    ):  # fmt: skip
        errors["text"] = UPDATE_WORDS
    for name, section in (("impact", "impact"), ("advice", "do")):
        if values[name]:
            made = _parsed(f"update x {section}: {values[name]}", {})
            if not isinstance(made, c.Update) or getattr(made, name) != values[name]:
                errors[name] = SECTION_WORDS
    if errors:
        return Filled(None, values, errors)
    parts = [f"update {text}"]
    if values["impact"]:
        parts.append(f"impact: {values['impact']}")
    if values["advice"]:
        parts.append(f"do: {values['advice']}")
    made = _parsed(" ".join(parts), {})
    expected = (text, values["impact"] or None, values["advice"] or None)
    if not isinstance(made, c.Update) or (made.text, made.impact, made.advice) != expected:
        return Filled(None, values, {"": made if isinstance(made, str) else UPDATE_WORDS})
    return Filled(" ".join(parts), values)


# --- the cards -----------------------------------------------------------------------------


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
) -> dict[str, Any]:
    """The form to declare an incident (`open` with nothing after it, "Declare an incident")."""
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
    security = {
        "type": "Input.Toggle",
        "id": "security",
        "title": "This is a security incident (only its team and the security contacts see it)",
        "valueOn": "yes",
        "valueOff": "no",
        "value": "yes" if values.get("security", "").lower() in ("yes", "true") else "no",
        "wrap": True,
    }
    body += [
        _text("advice", "What readers should do (optional)", values, isMultiline=True),
        *_error(errors, "advice"),
        security,
        *_error(errors, "security"),
    ]
    submit = actions.execute("Declare the incident", actions.OPEN, {}, style="positive")
    return _card(OPEN_HEADING, body, submit)


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
        }
    if isinstance(command, c.Update):
        return {
            "text": command.text,
            "impact": command.impact or "",
            "advice": command.advice or "",
        }
    return {}
