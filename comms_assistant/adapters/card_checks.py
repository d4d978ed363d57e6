"""The building blocks of the Adaptive Card rules (card_rules.py): each check takes a value, its
path in the card (for the message) and the list of problems it adds to."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Check = Callable[[Any, str, list[str]], None]
# An object's properties: the ones it must have, the ones it may have; each with its check.
Spec = tuple[dict[str, Check], dict[str, Check]]


def properties(value: dict[str, Any], path: str, spec: Spec, problems: list[str]) -> None:
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


def string(value: Any, path: str, problems: list[str]) -> None:
    if not isinstance(value, str):
        problems.append(f"{path}: must be text")


def boolean(value: Any, path: str, problems: list[str]) -> None:
    if not isinstance(value, bool):
        problems.append(f"{path}: must be true or false")


def integer(value: Any, path: str, problems: list[str]) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append(f"{path}: must be a whole number")


def url(value: Any, path: str, problems: list[str]) -> None:
    if not isinstance(value, str) or not re.match(r"(https?://\S+|data:\S+)$", value):
        problems.append(f"{path}: must be an http(s) address")


def enum(*choices: str) -> Check:
    allowed = {c.lower() for c in choices}

    def check(value: Any, path: str, problems: list[str]) -> None:
        # Adaptive Card enum values are case-insensitive.
        if not isinstance(value, str) or value.lower() not in allowed:
            problems.append(f"{path}: must be one of {', '.join(choices)}")

    return check


def json_object(value: Any, path: str, problems: list[str]) -> None:
    if not isinstance(value, dict):
        problems.append(f"{path}: must be an object")


def list_of(item: Check) -> Check:
    def check(value: Any, path: str, problems: list[str]) -> None:
        if not isinstance(value, list):
            problems.append(f"{path}: must be a list")
            return
        for index, each in enumerate(value):
            item(each, f"{path}[{index}]", problems)

    return check


def typed(kinds: dict[str, Spec], what: str) -> Check:
    def check(value: Any, path: str, problems: list[str]) -> None:
        if not isinstance(value, dict):
            problems.append(f"{path}: must be an object")
            return
        kind = value.get("type")
        spec = kinds.get(kind) if isinstance(kind, str) else None
        if spec is None:
            problems.append(f"{path}.type: {kind!r} is not a known {what} type")
            return
        properties(value, path, spec, problems)

    return check
