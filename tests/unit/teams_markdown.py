"""What a person sees of a card's text: Teams reads TextBlock text and fact values as Markdown.

The Adaptive Cards renderers follow CommonMark; markdown-it is a CommonMark parser (the web
renderer's own choice), with the GitHub extensions Teams users try (strikethrough, tables).
"""

from __future__ import annotations

import html
import re
from typing import Any

# markdown-it-py comes with rich, which typer needs.
from markdown_it import MarkdownIt

_PARSER = MarkdownIt("commonmark").enable(["strikethrough", "table"])
# Paragraphs and line breaks are all the structure plain text may have.
PLAIN_TAGS = {"p", "br"}


def rendered(text: str) -> tuple[str, set[str]]:
    """(the words a reader sees, the HTML elements the Markdown made of `text`)."""
    made = _PARSER.render(text)
    tags = set(re.findall(r"<([a-z][a-z0-9]*)", made))
    words = html.unescape(re.sub(r"<[^>]*>", "", made)).strip()
    return words, tags


def seen(text: str) -> str:
    return rendered(text)[0]


def card_texts(card: dict[str, Any]) -> list[str]:
    """Every TextBlock's text and fact value: the card text Teams reads as Markdown."""
    texts = []
    for element in card["body"]:
        if element["type"] == "TextBlock":
            texts.append(element["text"])
        elif element["type"] == "FactSet":
            texts += [fact["value"] for fact in element["facts"]]
    return texts
