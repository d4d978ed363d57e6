"""What Teams does when someone presses a card's `Action.Execute` button: the `invoke` activity
named `adaptiveCard/action` the Bot Connector then sends the bot (Microsoft's "Universal
Actions for Adaptive Cards": the action's verb, and its data with every input of the card
merged in), for tests and tools that play the Teams client against the bot.

    activity = press(card, "Declare the incident", {"title": "Apply is down"}, base=message)

`base` is an activity the same person sent in the same conversation (from, conversation,
recipient, serviceUrl, channelData are taken from it). The bot answers in the HTTP response:
`{"statusCode": 200, "type": "application/vnd.microsoft.card.adaptive", "value": <card>}` to
replace the card for the presser, or `type "application/vnd.microsoft.activity.message"` with
the text Teams shows beside it.
"""

from __future__ import annotations

import copy
import time
import uuid
from collections.abc import Iterator, Mapping
from typing import Any

ACTION = "adaptiveCard/action"
ENVELOPE = ("from", "conversation", "recipient", "serviceUrl", "channelId", "channelData")


class NoSuchButton(LookupError):
    """The card has no Action.Execute with that title."""


def buttons(card: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Every Action.Execute of the card, including those in the cards its ShowCards open."""
    for action in card.get("actions") or []:
        if action.get("type") == "Action.Execute":
            yield action
        elif action.get("type") == "Action.ShowCard":
            yield from buttons(action.get("card") or {})


def inputs(card: Mapping[str, Any]) -> dict[str, str]:
    """Each input's id and the value it shows (what is sent when nobody changes it)."""
    found: dict[str, str] = {}
    for element in _elements(card):
        kind = str(element.get("type", ""))
        if kind.startswith("Input.") and isinstance(element.get("id"), str):
            default = element.get("valueOff", "false") if kind == "Input.Toggle" else ""
            found[element["id"]] = str(element.get("value", default))
    return found


def _elements(card: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    def walk(items: Any) -> Iterator[dict[str, Any]]:
        for item in items or []:
            if isinstance(item, dict):
                yield item
                yield from walk(item.get("items"))
                for column in item.get("columns") or []:
                    yield from walk(column.get("items") if isinstance(column, dict) else None)

    yield from walk(card.get("body"))
    for action in card.get("actions") or []:
        if action.get("type") == "Action.ShowCard":
            yield from _elements(action.get("card") or {})


def press_value(
    card: Mapping[str, Any], title: str, typed: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The invoke's `value` for pressing the button `title` after typing `typed` into inputs."""
    action = next((a for a in buttons(card) if a.get("title") == title), None)
    if action is None:
        titles = [a.get("title") for a in buttons(card)]
        raise NoSuchButton(f"no button {title!r} on the card (there are: {titles})")
    data = dict(action.get("data") or {})
    data.update(inputs(card))
    data.update(typed or {})
    return {
        "action": {
            "type": "Action.Execute",
            "id": action.get("id") or uuid.uuid4().hex[:8],
            "title": title,
            "verb": action.get("verb"),
            "data": data,
        },
        "trigger": "manual",
    }


def press(
    card: Mapping[str, Any],
    title: str,
    typed: Mapping[str, str] | None = None,
    *,
    base: Mapping[str, Any],
    reply_to: str | None = None,
) -> dict[str, Any]:
    """The invoke activity for a press, addressed as `base` (an activity of the presser's)."""
    activity = {key: copy.deepcopy(base[key]) for key in ENVELOPE if key in base}
    activity.update(
        type="invoke",
        name=ACTION,
        id=f"f:{int(time.time() * 1000)}{uuid.uuid4().hex[:6]}",
        locale=base.get("locale", "en-GB"),
        value=press_value(card, title, typed),
    )
    if base.get("timestamp"):
        activity["timestamp"] = base["timestamp"]
    if reply_to:
        activity["replyToId"] = reply_to  # the message holding the card
    return activity
