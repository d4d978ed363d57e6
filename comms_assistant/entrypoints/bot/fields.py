"""A form's fields made into a command of the command language, or the fields that are wrong.

Built as data: each field is made plain as typed text is (`plain_text`, one line), put in its own
place in the command, and the command is parsed back; it is run only if the parser reads back
exactly the fields given (so a title holding "impact:" or a priority cannot change what else the
incident says). Then it takes the path a typed command takes (Turns.answer): the same gate,
checks and messages. A field that is wrong comes back next to that field (forms.py), with
everything typed kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from comms_assistant.domain import commands as c
from comms_assistant.domain.incident import Priority

OPEN_FIELDS = ("title", "priority", "impact", "services", "advice", "security", "public")
UPDATE_FIELDS = ("text", "impact", "advice")

TITLE_WORDS = (
    "Leave the priority and words such as 'impact:' out of the title: the form has a box for each."
)
CHOOSE_PRIORITY = "Choose how urgent it is (P1 is the most urgent)."
SECTION_WORDS = "Leave words such as 'impact:', 'do:' or 'services:' out of this box."
UPDATE_WORDS = "Leave 'impact:' and 'do:' out of the update: the form has a box for each."
SECURITY_WORDS = 'Security is "yes" or "no".'
PUBLIC_WORDS = 'On the public status page is "yes" or "no".'


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
    chosen = [s.strip().lower() for s in values["services"].split(",") if s.strip()]
    errors = {
        **_title_errors(values["title"], names),
        **_priority_errors(values["priority"], names),
        **_section_errors(values, names),
        **_services_errors(chosen, services),
        **_yes_no_errors(values, "security", SECURITY_WORDS),
        **_yes_no_errors(values, "public", PUBLIC_WORDS),
    }
    if errors:
        return Filled(None, values, errors)
    secure, public = (values[name].lower() in ("yes", "true") for name in ("security", "public"))
    text = _open_text(values, chosen, secure, public)
    made = _parsed(text, names)
    expected = (values["title"], values["impact"], tuple(chosen), values["advice"], secure, public)
    if not isinstance(made, c.Open) or expected != (
        made.title, made.impact, made.services, made.advice, made.security, made.public
    ):  # fmt: skip
        return Filled(None, values, {"": made if isinstance(made, str) else TITLE_WORDS})
    return Filled(text, values)


def _title_errors(title: str, names: Mapping[str, Priority]) -> dict[str, str]:
    """The title alone must read back as the title, with no section slipped in."""
    probe = _parsed(f"open {title} priority: p4", names)
    if isinstance(probe, str):
        return {"title": probe if not title else TITLE_WORDS}
    if not isinstance(probe, c.Open) or (
        probe.title,
        probe.impact,
        probe.services,
        probe.advice,
        probe.security,
    ) != (title, "", (), "", False):
        return {"title": TITLE_WORDS}
    return {}


def _priority_errors(priority: str, names: Mapping[str, Priority]) -> dict[str, str]:
    words = {f"p{p.value}" for p in Priority} | {name.casefold() for name in names}
    if not priority:
        return {"priority": CHOOSE_PRIORITY}
    if priority.casefold() not in words:
        # The typed command's own words for an unknown priority.
        probe = _parsed(f"open t priority: {priority}", names)
        return {"priority": probe if isinstance(probe, str) else CHOOSE_PRIORITY}
    return {}


def _section_errors(values: Mapping[str, str], names: Mapping[str, Priority]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for name, section in (("impact", "impact"), ("advice", "do")):
        if values[name]:
            made = _parsed(f"open t p4 {section}: {values[name]}", names)
            if not isinstance(made, c.Open) or not _alone(made, name, values[name]):
                errors[name] = SECTION_WORDS
    return errors


def _services_errors(chosen: list[str], services: Mapping[str, str]) -> dict[str, str]:
    known = {key.lower() for key in services}
    unknown = [s for s in chosen if s not in known]
    if unknown:
        return {"services": f'"{unknown[0]}" is not a service in the service catalogue.'}
    return {}


def _yes_no_errors(values: Mapping[str, str], name: str, words: str) -> dict[str, str]:
    if (values[name].lower() or "no") not in ("yes", "no", "true", "false"):
        return {name: words}
    return {}


def _open_text(values: Mapping[str, str], chosen: list[str], secure: bool, public: bool) -> str:
    parts = [f"open {values['title']} priority: {values['priority']}"]
    if values["impact"]:
        parts.append(f"impact: {values['impact']}")
    if chosen:
        parts.append(f"services: {', '.join(chosen)}")
    if values["advice"]:
        parts.append(f"do: {values['advice']}")
    parts.append(f"security: {'yes' if secure else 'no'}")
    if public:
        parts.append("public: yes")
    return " ".join(parts)


def _alone(made: c.Open, name: str, value: str) -> bool:
    """The probe read back `value` as field `name`, and nothing else (no section slipped in)."""
    fields = {"impact": made.impact, "advice": made.advice, "services": made.services}
    said = fields.pop(name)
    return said == value and not any(fields.values()) and not made.security


def update_command(data: Mapping[str, Any]) -> Filled:
    """The `update` command the update form makes, or the fields that are wrong."""
    values = {name: one_line(data.get(name)) for name in UPDATE_FIELDS}
    text = values["text"]
    errors = {**_update_text_errors(text), **_update_section_errors(values)}
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


def _update_text_errors(text: str) -> dict[str, str]:
    """The update's text alone must read back as the text, with no section slipped in."""
    probe = _parsed(f"update {text}", {})
    if isinstance(probe, str):
        return {"text": probe if not text else UPDATE_WORDS}
    if not isinstance(probe, c.Update) or (probe.text, probe.impact, probe.advice) != (
        text, None, None
    ):  # fmt: skip
        return {"text": UPDATE_WORDS}
    return {}


def _update_section_errors(values: Mapping[str, str]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for name, section in (("impact", "impact"), ("advice", "do")):
        if values[name]:
            made = _parsed(f"update x {section}: {values[name]}", {})
            if not isinstance(made, c.Update) or getattr(made, name) != values[name]:
                errors[name] = SECTION_WORDS
    return errors
