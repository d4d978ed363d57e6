"""The Adaptive Card rules Teams enforces, for the element types this product uses.

Teams answers a card it does not like with a bare 400, or shows an empty message: checking here
turns that into a list of readable problems, each with where in the card it is. Deliberately a
subset of the schema (version 1.5): an element type we do not use is reported as unknown.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
MAX_VERSION = (1, 5)
MAX_BYTES = 28 * 1024  # Teams' limit for a whole message

Check = Callable[[Any, str, list[str]], None]


def validate_card(card: Any) -> list[str]:
    """Every problem with `card` (a dict as sent to Teams); empty when Teams will accept it."""
    problems: list[str] = []
    if not isinstance(card, dict):
        return ["the card must be a JSON object"]
    if "type" in card and card["type"] != "AdaptiveCard":
        problems.append('type: must be "AdaptiveCard"')
    if card.get("$schema") != SCHEMA:
        problems.append(f"$schema: must be {SCHEMA}")
    if "version" in card:
        _version(card["version"], "version", problems)
    _properties(card, "", _CARD, problems)
    _mentions(card, problems)
    try:
        size = len(json.dumps(card, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    except (TypeError, ValueError) as error:
        problems.append(f"the card is not plain JSON data: {error}")
    else:
        if size > MAX_BYTES:
            problems.append(f"the card is {size} bytes: Teams accepts at most {MAX_BYTES}")
    return problems


def _mentions(card: dict[str, Any], problems: list[str]) -> None:
    """A mention (`msteams.entities`) notifies only when its text appears as is in a TextBlock
    and it names whom: `{type: mention, text: "<at>Name</at>", mentioned: {id, name}}`."""
    teams = card.get("msteams")
    entities = teams.get("entities", []) if isinstance(teams, dict) else []
    if not isinstance(entities, list):
        problems.append("msteams.entities: must be a list")
        return
    texts = " ".join(_texts(card.get("body", [])))
    for index, entity in enumerate(entities):
        path = f"msteams.entities[{index}]"
        if not isinstance(entity, dict) or entity.get("type") != "mention":
            problems.append(f'{path}: must be a mention ({{"type": "mention", ...}})')
            continue
        text, mentioned = entity.get("text"), entity.get("mentioned")
        if not isinstance(text, str) or not re.fullmatch(r"<at>[^<>]+</at>", text):
            problems.append(f"{path}.text: must be <at>Name</at>")
        elif text not in texts:
            problems.append(f"{path}.text: {text} appears in no TextBlock, so nobody is told")
        if not isinstance(mentioned, dict) or not all(
            isinstance(mentioned.get(key), str) and mentioned[key] for key in ("id", "name")
        ):
            problems.append(f"{path}.mentioned: needs the person's id and name")


def _texts(elements: Any) -> list[str]:
    found: list[str] = []
    for element in elements if isinstance(elements, list) else []:
        if not isinstance(element, dict):
            continue
        if element.get("type") == "TextBlock" and isinstance(element.get("text"), str):
            found.append(element["text"])
        found += _texts(element.get("items"))
        for column in element.get("columns") or []:
            found += _texts(column.get("items") if isinstance(column, dict) else None)
    return found


def _version(value: Any, path: str, problems: list[str]) -> None:
    match = re.fullmatch(r"(\d+)\.(\d+)", value) if isinstance(value, str) else None
    if not match:
        problems.append(f'{path}: must be a version such as "1.5"')
    elif (int(match.group(1)), int(match.group(2))) > MAX_VERSION:
        problems.append(f"{path}: {value} is newer than Teams supports (1.5)")


def _properties(
    value: dict[str, Any], path: str, spec: tuple[dict[str, Check], dict[str, Check]], problems
) -> None:
    required, optional = spec
    prefix = f"{path}." if path else ""
    for name in required:
        if name not in value:
            problems.append(f"{prefix}{name}: is required")
    for name, item in value.items():
        check = required.get(name) or optional.get(name)
        if check is None:
            problems.append(f"{prefix}{name}: is not a property Teams knows here")
        else:
            check(item, f"{prefix}{name}", problems)


def _string(value: Any, path: str, problems: list[str]) -> None:
    if not isinstance(value, str):
        problems.append(f"{path}: must be text")


def _boolean(value: Any, path: str, problems: list[str]) -> None:
    if not isinstance(value, bool):
        problems.append(f"{path}: must be true or false")


def _integer(value: Any, path: str, problems: list[str]) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append(f"{path}: must be a whole number")


def _url(value: Any, path: str, problems: list[str]) -> None:
    if not isinstance(value, str) or not re.match(r"(https?://\S+|data:\S+)$", value):
        problems.append(f"{path}: must be an http(s) address")


def _enum(*choices: str) -> Check:
    allowed = {c.lower() for c in choices}

    def check(value: Any, path: str, problems: list[str]) -> None:
        # Adaptive Card enum values are case-insensitive.
        if not isinstance(value, str) or value.lower() not in allowed:
            problems.append(f"{path}: must be one of {', '.join(choices)}")

    return check


def _object(value: Any, path: str, problems: list[str]) -> None:
    if not isinstance(value, dict):
        problems.append(f"{path}: must be an object")


def _list_of(item: Check) -> Check:
    def check(value: Any, path: str, problems: list[str]) -> None:
        if not isinstance(value, list):
            problems.append(f"{path}: must be a list")
            return
        for index, each in enumerate(value):
            item(each, f"{path}[{index}]", problems)

    return check


def _typed(kinds: dict[str, tuple[dict[str, Check], dict[str, Check]]], what: str) -> Check:
    def check(value: Any, path: str, problems: list[str]) -> None:
        if not isinstance(value, dict):
            problems.append(f"{path}: must be an object")
            return
        kind = value.get("type")
        spec = kinds.get(kind) if isinstance(kind, str) else None
        if spec is None:
            problems.append(f"{path}.type: {kind!r} is not a known {what} type")
            return
        _properties(value, path, spec, problems)

    return check


def _fact(value: Any, path: str, problems: list[str]) -> None:
    if not isinstance(value, dict):
        problems.append(f"{path}: must be an object")
        return
    _properties(value, path, ({"title": _string, "value": _string}, {}), problems)


def _fallback(value: Any, path: str, problems: list[str]) -> None:
    if value != "drop":
        _element(value, path, problems)


def _action_fallback(value: Any, path: str, problems: list[str]) -> None:
    if value != "drop":
        _action(value, path, problems)


def _element(value: Any, path: str, problems: list[str]) -> None:
    _typed(_ELEMENTS, "element")(value, path, problems)


def _action(value: Any, path: str, problems: list[str]) -> None:
    _typed(_ACTIONS, "action")(value, path, problems)


def _column(value: Any, path: str, problems: list[str]) -> None:
    _typed({"Column": _COLUMN}, "column")(value, path, problems)


_TYPE: dict[str, Check] = {"type": _string}
_SPACING = _enum("None", "Small", "Default", "Medium", "Large", "ExtraLarge", "Padding")
_ALIGN = _enum("Left", "Center", "Right")
_VERTICAL = _enum("Top", "Center", "Bottom")
_STYLE = _enum("default", "emphasis", "good", "attention", "warning", "accent")
_COMMON: dict[str, Check] = {
    "id": _string,
    "isVisible": _boolean,
    "separator": _boolean,
    "spacing": _SPACING,
    "height": _enum("auto", "stretch"),
    "fallback": _fallback,
    "requires": _object,
}
_CONTAINER_OPTIONS: dict[str, Check] = {
    "style": _STYLE,
    "bleed": _boolean,
    "minHeight": _string,
    "verticalContentAlignment": _VERTICAL,
    "selectAction": _action,
    "rtl": _boolean,
}
_ELEMENTS: dict[str, tuple[dict[str, Check], dict[str, Check]]] = {
    "TextBlock": (
        {**_TYPE, "text": _string},
        {
            **_COMMON,
            "wrap": _boolean,
            "weight": _enum("Default", "Lighter", "Bolder"),
            "size": _enum("Default", "Small", "Medium", "Large", "ExtraLarge"),
            "color": _enum("Default", "Dark", "Light", "Accent", "Good", "Warning", "Attention"),
            "isSubtle": _boolean,
            "maxLines": _integer,
            "horizontalAlignment": _ALIGN,
            "fontType": _enum("Default", "Monospace"),
            "style": _enum("default", "heading"),
        },
    ),
    "FactSet": ({**_TYPE, "facts": _list_of(_fact)}, dict(_COMMON)),
    "Container": ({**_TYPE, "items": _list_of(_element)}, {**_COMMON, **_CONTAINER_OPTIONS}),
    "ColumnSet": (
        {**_TYPE, "columns": _list_of(_column)},
        {**_COMMON, **_CONTAINER_OPTIONS, "horizontalAlignment": _ALIGN},
    ),
    "Image": (
        {**_TYPE, "url": _url},
        {
            **_COMMON,
            "height": _string,  # an Image may also give a pixel height, e.g. "48px"
            "altText": _string,
            "size": _enum("Auto", "Stretch", "Small", "Medium", "Large"),
            "style": _enum("Default", "Person"),
            "width": _string,
            "horizontalAlignment": _ALIGN,
            "backgroundColor": _string,
            "selectAction": _action,
        },
    ),
}


def _width(value: Any, path: str, problems: list[str]) -> None:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        problems.append(f'{path}: must be "auto", "stretch", a weight or "<n>px"')


_COLUMN: tuple[dict[str, Check], dict[str, Check]] = (
    dict(_TYPE),
    {**_COMMON, **_CONTAINER_OPTIONS, "items": _list_of(_element), "width": _width},
)
_ACTION_COMMON: dict[str, Check] = {
    "id": _string,
    "iconUrl": _url,
    "style": _enum("default", "positive", "destructive"),
    "tooltip": _string,
    "isEnabled": _boolean,
    "mode": _enum("primary", "secondary"),
    "fallback": _action_fallback,
    "requires": _object,
}
_ACTIONS: dict[str, tuple[dict[str, Check], dict[str, Check]]] = {
    "Action.OpenUrl": ({**_TYPE, "url": _url, "title": _string}, _ACTION_COMMON),
}


def _data(value: Any, path: str, problems: list[str]) -> None:
    if not isinstance(value, dict | str):
        problems.append(f"{path}: must be an object or text")


def _sub_card(value: Any, path: str, problems: list[str]) -> None:
    """The card an Action.ShowCard opens: a card of its own, without a $schema of its own."""
    if not isinstance(value, dict):
        problems.append(f"{path}: must be an object")
        return
    if value.get("type") != "AdaptiveCard":
        problems.append(f'{path}.type: must be "AdaptiveCard"')
    _properties(value, path, (dict(_TYPE), {**_CARD[1], "version": _string}), problems)


_ACTIONS["Action.Submit"] = (
    dict(_TYPE),
    {
        **_ACTION_COMMON,
        "title": _string,
        "data": _data,
        "associatedInputs": _enum("auto", "none"),
    },
)
_ACTIONS["Action.ShowCard"] = (dict(_TYPE), {**_ACTION_COMMON, "title": _string, "card": _sub_card})
# Universal Actions (1.4+): Teams sends the press to the bot as an adaptiveCard/action invoke.
_ACTIONS["Action.Execute"] = (
    dict(_TYPE),
    {**_ACTIONS["Action.Submit"][1], "verb": _string},
)
_ELEMENTS["Input.Text"] = (
    {**_TYPE, "id": _string},
    {
        **_COMMON,
        "label": _string,
        "isRequired": _boolean,
        "errorMessage": _string,
        "placeholder": _string,
        "isMultiline": _boolean,
        "maxLength": _integer,
        "regex": _string,
        "style": _enum("text", "tel", "url", "email", "password"),
        "value": _string,
        "inlineAction": _action,
    },
)
_INPUT: dict[str, Check] = {
    **_COMMON,
    "label": _string,
    "isRequired": _boolean,
    "errorMessage": _string,
}


def _choice(value: Any, path: str, problems: list[str]) -> None:
    if not isinstance(value, dict):
        problems.append(f"{path}: must be an object")
        return
    _properties(value, path, ({"title": _string, "value": _string}, {}), problems)


_ELEMENTS["Input.ChoiceSet"] = (
    {**_TYPE, "id": _string},
    {
        **_INPUT,
        "choices": _list_of(_choice),
        "isMultiSelect": _boolean,
        "style": _enum("compact", "expanded", "filtered"),
        "value": _string,
        "placeholder": _string,
        "wrap": _boolean,
    },
)
_ELEMENTS["Input.Toggle"] = (
    {**_TYPE, "id": _string, "title": _string},
    {**_INPUT, "value": _string, "valueOn": _string, "valueOff": _string, "wrap": _boolean},
)
_CARD: tuple[dict[str, Check], dict[str, Check]] = (
    {"type": _string, "version": _string},
    {
        "$schema": _string,
        "body": _list_of(_element),
        "actions": _list_of(_action),
        "msteams": _object,
        "fallbackText": _string,
        "speak": _string,
        "lang": _string,
        "minHeight": _string,
        "verticalContentAlignment": _VERTICAL,
        "selectAction": _action,
        "rtl": _boolean,
        "metadata": _object,
    },
)
