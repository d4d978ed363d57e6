"""Small text helpers for the stakeholder messages: Jinja filters, clipping, times, lists."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from comms_assistant.domain.times import clock as clock  # shared with the documents

# Everything a person types is bounded, so one pasted log cannot make a message unreadable
# (or too big for Teams); the note says where the whole text is.
TITLE_MAX = 150
TEXT_MAX = 2000
CUT_NOTE = "… (shortened: the running incident report has all of it)"


def nl2br(value: str) -> Markup:
    """Line breaks as <br>: each line is escaped first, so only our <br> is markup."""
    return Markup("<br>\n").join(escape(line) for line in str(value).splitlines())


def sentence(value: str) -> str:
    """Capital first letter, one full stop at the end; the lines people typed stay lines."""
    lines = (" ".join(line.split()) for line in str(value).splitlines())
    text = "\n".join(line for line in lines if line)
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def bounded(text: str, limit: int = TEXT_MAX) -> str:
    return clip(text, limit, note=CUT_NOTE)


def clip(text: str, limit: int, note: str = "…") -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip() + note


def paragraphs(text: str) -> tuple[str, ...]:
    # A blank line starts a new paragraph; a single newline is a line break within one.
    chunks = re.split(r"\n[ \t]*\n", text.strip())
    cleaned = ("\n".join(line.strip() for line in c.splitlines() if line.strip()) for c in chunks)
    return tuple(c for c in cleaned if c)


def and_list(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"
