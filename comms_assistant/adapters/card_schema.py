"""The part of the Adaptive Card schema (version 1.5) this product uses, as the checks Teams
applies: each element, action and input type with the properties it must and may have. An
element type not here is reported as unknown (card_rules.py says why).
"""

from __future__ import annotations

from typing import Any

from comms_assistant.adapters.card_checks import (
    Check,
    Spec,
    boolean,
    enum,
    integer,
    json_object,
    list_of,
    properties,
    string,
    typed,
    url,
)


def _title_value(value: Any, path: str, problems: list[str]) -> None:
    if not isinstance(value, dict):
        problems.append(f"{path}: must be an object")
        return
    properties(value, path, ({"title": string, "value": string}, {}), problems)


def _fallback(value: Any, path: str, problems: list[str]) -> None:
    if value != "drop":
        _element(value, path, problems)


def _action_fallback(value: Any, path: str, problems: list[str]) -> None:
    if value != "drop":
        _action(value, path, problems)


def _element(value: Any, path: str, problems: list[str]) -> None:
    typed(_ELEMENTS, "element")(value, path, problems)


def _action(value: Any, path: str, problems: list[str]) -> None:
    typed(_ACTIONS, "action")(value, path, problems)


def _column(value: Any, path: str, problems: list[str]) -> None:
    typed({"Column": _COLUMN}, "column")(value, path, problems)


_TYPE: dict[str, Check] = {"type": string}
_SPACING = enum("None", "Small", "Default", "Medium", "Large", "ExtraLarge", "Padding")
_ALIGN = enum("Left", "Center", "Right")
_VERTICAL = enum("Top", "Center", "Bottom")
_STYLE = enum("default", "emphasis", "good", "attention", "warning", "accent")
_COMMON: dict[str, Check] = {
    "id": string,
    "isVisible": boolean,
    "separator": boolean,
    "spacing": _SPACING,
    "height": enum("auto", "stretch"),
    "fallback": _fallback,
    "requires": json_object,
}
_CONTAINER_OPTIONS: dict[str, Check] = {
    "style": _STYLE,
    "bleed": boolean,
    "minHeight": string,
    "verticalContentAlignment": _VERTICAL,
    "selectAction": _action,
    "rtl": boolean,
}
_ELEMENTS: dict[str, Spec] = {
    "TextBlock": (
        {**_TYPE, "text": string},
        {
            **_COMMON,
            "wrap": boolean,
            "weight": enum("Default", "Lighter", "Bolder"),
            "size": enum("Default", "Small", "Medium", "Large", "ExtraLarge"),
            "color": enum("Default", "Dark", "Light", "Accent", "Good", "Warning", "Attention"),
            "isSubtle": boolean,
            "maxLines": integer,
            "horizontalAlignment": _ALIGN,
            "fontType": enum("Default", "Monospace"),
            "style": enum("default", "heading"),
        },
    ),
    "FactSet": ({**_TYPE, "facts": list_of(_title_value)}, dict(_COMMON)),
    "Container": ({**_TYPE, "items": list_of(_element)}, {**_COMMON, **_CONTAINER_OPTIONS}),
    "ColumnSet": (
        {**_TYPE, "columns": list_of(_column)},
        {**_COMMON, **_CONTAINER_OPTIONS, "horizontalAlignment": _ALIGN},
    ),
    "Image": (
        {**_TYPE, "url": url},
        {
            **_COMMON,
            "height": string,  # an Image may also give a pixel height, e.g. "48px"
            "altText": string,
            "size": enum("Auto", "Stretch", "Small", "Medium", "Large"),
            "style": enum("Default", "Person"),
            "width": string,
            "horizontalAlignment": _ALIGN,
            "backgroundColor": string,
            "selectAction": _action,
        },
    ),
}


def _width(value: Any, path: str, problems: list[str]) -> None:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        problems.append(f'{path}: must be "auto", "stretch", a weight or "<n>px"')


_COLUMN: Spec = (
    dict(_TYPE),
    {**_COMMON, **_CONTAINER_OPTIONS, "items": list_of(_element), "width": _width},
)
_ACTION_COMMON: dict[str, Check] = {
    "id": string,
    "iconUrl": url,
    "style": enum("default", "positive", "destructive"),
    "tooltip": string,
    "isEnabled": boolean,
    "mode": enum("primary", "secondary"),
    "fallback": _action_fallback,
    "requires": json_object,
}
_ACTIONS: dict[str, Spec] = {
    "Action.OpenUrl": ({**_TYPE, "url": url, "title": string}, _ACTION_COMMON),
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
    properties(value, path, (dict(_TYPE), {**CARD[1], "version": string}), problems)


_ACTIONS["Action.Submit"] = (
    dict(_TYPE),
    {
        **_ACTION_COMMON,
        "title": string,
        "data": _data,
        "associatedInputs": enum("auto", "none"),
    },
)
_ACTIONS["Action.ShowCard"] = (dict(_TYPE), {**_ACTION_COMMON, "title": string, "card": _sub_card})
# Universal Actions (1.4+): Teams sends the press to the bot as an adaptiveCard/action invoke.
_ACTIONS["Action.Execute"] = (
    dict(_TYPE),
    {**_ACTIONS["Action.Submit"][1], "verb": string},
)
_ELEMENTS["Input.Text"] = (
    {**_TYPE, "id": string},
    {
        **_COMMON,
        "label": string,
        "isRequired": boolean,
        "errorMessage": string,
        "placeholder": string,
        "isMultiline": boolean,
        "maxLength": integer,
        "regex": string,
        "style": enum("text", "tel", "url", "email", "password"),
        "value": string,
        "inlineAction": _action,
    },
)
_INPUT: dict[str, Check] = {
    **_COMMON,
    "label": string,
    "isRequired": boolean,
    "errorMessage": string,
}

_ELEMENTS["Input.ChoiceSet"] = (
    {**_TYPE, "id": string},
    {
        **_INPUT,
        "choices": list_of(_title_value),
        "isMultiSelect": boolean,
        "style": enum("compact", "expanded", "filtered"),
        "value": string,
        "placeholder": string,
        "wrap": boolean,
    },
)
_ELEMENTS["Input.Toggle"] = (
    {**_TYPE, "id": string, "title": string},
    {**_INPUT, "value": string, "valueOn": string, "valueOff": string, "wrap": boolean},
)
CARD: Spec = (
    {"type": string, "version": string},
    {
        "$schema": string,
        "body": list_of(_element),
        "actions": list_of(_action),
        "msteams": json_object,
        "fallbackText": string,
        "speak": string,
        "lang": string,
        "minHeight": string,
        "verticalContentAlignment": _VERTICAL,
        "selectAction": _action,
        "rtl": boolean,
        "metadata": json_object,
    },
)
