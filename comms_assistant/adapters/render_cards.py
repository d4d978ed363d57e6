"""Adaptive Cards (schema 1.5) for Teams, built as data from the same sections as the email.

User text only ever goes into a TextBlock's `text` or a fact's `value` as data; json.dumps does
the escaping when the card is sent. Teams reads both as Markdown, so user text goes through
`markdown_literal` first: what people typed is shown as typed, never as a link or formatting.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any, Protocol

from comms_assistant.adapters.render_text import clip
from comms_assistant.domain.incident import Priority
from comms_assistant.service.card_text import as_read, markdown_literal

__all__ = ["as_read", "build_card", "markdown_literal"]

CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_VERSION = "1.5"
# Teams refuses messages over 28 KB, and Graph carries the card as an escaped JSON string inside
# the message, so quotes and backslashes grow: aim well below the limit.
CARD_BUDGET = 20 * 1024
SHORTENED = "… (shortened to fit in Teams: the email and the incident report have it all)"
_MIN_KEPT = 200
FACT_MAX = 300


class CardSection(Protocol):
    @property
    def heading(self) -> str: ...

    @property
    def text(self) -> str: ...


def build_card(
    *,
    banner: str,
    title: str,
    colour: str,
    sections: Sequence[CardSection],
    facts: Sequence[tuple[str, str]],
    report_url: str | None,
    button: str,
    restricted: str = "",
) -> dict[str, Any]:
    body: list[dict[str, Any]] = []
    if restricted:
        # First and in red: whoever sees the card knows not to pass it on before reading it.
        body.append(text_block(restricted, weight="Bolder") | {"color": "Attention"})
    body += [
        text_block(banner, size="Small", weight="Bolder") | {"color": colour},
        text_block(markdown_literal(title), size="Large", weight="Bolder"),
    ]
    for section in sections:
        body.append(text_block(section.heading, weight="Bolder") | {"spacing": "Medium"})
        # Teams' markdown joins single newlines: a blank line keeps each line apart.
        body.append(text_block("\n\n".join(section.text.splitlines())))
    fact_list = [{"title": t, "value": markdown_literal(clip(v, FACT_MAX))} for t, v in facts]
    body.append({"type": "FactSet", "facts": fact_list, "spacing": "Medium"})
    card: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": CARD_SCHEMA,
        "version": CARD_VERSION,
        "body": body,
        "msteams": {"width": "Full"},
    }
    # Teams rejects the whole card for a link it cannot open, so only web addresses go in.
    if report_url and re.match(r"https?://\S+$", report_url):
        card["actions"] = [{"type": "Action.OpenUrl", "title": button, "url": report_url}]
    return fit_card(card, CARD_BUDGET)


def fit_card(card: dict[str, Any], budget: int) -> dict[str, Any]:
    """Shorten the longest TextBlocks, with a note, until the card's JSON fits in `budget`."""
    blocks = [b for b in card["body"] if b.get("type") == "TextBlock"]
    original = [b["text"] for b in blocks]
    while card_size(card) > budget:
        index = max(range(len(blocks)), key=lambda i: len(blocks[i]["text"]))
        current = blocks[index]["text"]
        if len(current) <= _MIN_KEPT + len(SHORTENED):
            break  # nothing left worth cutting; validate_card will report the size
        keep = max(_MIN_KEPT, (len(current) - len(SHORTENED)) // 2)
        blocks[index]["text"] = _clip_escaped(original[index], keep)
    return card


def _clip_escaped(text: str, keep: int) -> str:
    kept = clip(text, keep, note="")
    if kept == text:
        return text
    # A cut between a backslash and the character it escapes would leave the backslash showing.
    if (len(kept) - len(kept.rstrip("\\"))) % 2:
        kept = kept[:-1].rstrip()
    return kept + SHORTENED


def card_size(card: dict[str, Any]) -> int:
    return len(json.dumps(card, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def text_block(text: str, **style: str) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def colour_for(priority: Priority, resolved: bool) -> str:
    if resolved:
        return "Good"
    return "Attention" if priority <= Priority.P2 else "Accent"
