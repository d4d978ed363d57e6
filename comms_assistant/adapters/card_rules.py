"""The Adaptive Card rules Teams enforces, for the element types this product uses.

Teams answers a card it does not like with a bare 400, or shows an empty message: checking here
turns that into a list of readable problems, each with where in the card it is. Deliberately a
subset of the schema (version 1.5): an element type we do not use is reported as unknown.
"""

from __future__ import annotations

import json
import re
from typing import Any

from comms_assistant.adapters.card_checks import properties
from comms_assistant.adapters.card_schema import CARD

SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
MAX_VERSION = (1, 5)
MAX_BYTES = 28 * 1024  # Teams' limit for a whole message


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
    properties(card, "", CARD, problems)
    _mentions(card, problems)
    problems += _size_problems(card)
    return problems


def _size_problems(card: dict[str, Any]) -> list[str]:
    try:
        size = len(json.dumps(card, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    except (TypeError, ValueError) as error:
        return [f"the card is not plain JSON data: {error}"]
    if size > MAX_BYTES:
        return [f"the card is {size} bytes: Teams accepts at most {MAX_BYTES}"]
    return []


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
        problems += _mention_problems(entity, f"msteams.entities[{index}]", texts)


_AT_NAME = re.compile(r"<at>[^<>]+</at>")


def _mention_problems(entity: Any, path: str, texts: str) -> list[str]:
    if not isinstance(entity, dict) or entity.get("type") != "mention":
        return [f'{path}: must be a mention ({{"type": "mention", ...}})']
    problems = []
    text = entity.get("text")
    if not isinstance(text, str) or not _AT_NAME.fullmatch(text):
        problems.append(f"{path}.text: must be <at>Name</at>")
    elif text not in texts:
        problems.append(f"{path}.text: {text} appears in no TextBlock, so nobody is told")
    if not _names_whom(entity.get("mentioned")):
        problems.append(f"{path}.mentioned: needs the person's id and name")
    return problems


def _names_whom(mentioned: Any) -> bool:
    return isinstance(mentioned, dict) and all(
        isinstance(mentioned.get(key), str) and mentioned[key] for key in ("id", "name")
    )


def _texts(elements: Any) -> list[str]:
    """The text of every TextBlock in `elements`, inside containers and columns too."""
    found: list[str] = []
    for element in elements if isinstance(elements, list) else []:
        if isinstance(element, dict):
            found += _element_texts(element)
    return found


def _element_texts(element: dict[str, Any]) -> list[str]:
    text = element.get("text")
    found = [text] if element.get("type") == "TextBlock" and isinstance(text, str) else []
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
