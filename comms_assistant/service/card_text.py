"""Text people typed, made safe for a Teams card: shown as typed, never as Markdown.

Used by every card the product builds: the renderer's (adapters/render_cards.py) and the notices
to the leads (service/lead_notices.py).
"""

from __future__ import annotations

import re

# Teams renders a TextBlock's text and a fact's value as Markdown (links, bold and italic,
# lists). The Adaptive Cards renderers follow CommonMark, where a backslash before ASCII
# punctuation shows that character literally (Teams' mobile renderers once showed the backslash
# too; that was fixed). Only characters that can start Markdown are escaped, so the card's JSON
# stays readable. `(` after `]` is escaped too: older renderers look for "](" without honouring
# the backslash before the "]". An `&` is escaped only where it would start an entity ("&amp;").
_INLINE = re.compile(r"[\\`*_\[\]<>~|]|(?<=\])\(|&(?=#?[0-9A-Za-z]+;)")
# At the start of a line: headings, list items, and the "===" or "---" under a setext heading.
_LINE_START = re.compile(r"^([ \t]*)(?:([-+=#])|(\d+)([.)]))", re.MULTILINE)


def markdown_literal(text: str) -> str:
    """`text` as a TextBlock or fact value that Teams shows exactly as typed.

    The one escape for text people type on its way into a card: build_card applies it to the
    title and fact values, and the Renderer's card templates to every `{{ ... }}` they show, so
    the templates' own words may still use Markdown.
    """
    escaped = _INLINE.sub(lambda match: "\\" + match.group(), text)
    return _LINE_START.sub(_escape_line_start, escaped)


def as_read(markdown: str) -> str:
    """What a reader sees of a card's text, for our own viewers (the demo, the sandbox page):
    CommonMark's backslash escapes undone."""
    return _ESCAPED.sub(lambda match: match.group(1), markdown)


_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


def _escape_line_start(match: re.Match[str]) -> str:
    indent, marker, number, delimiter = match.groups()
    if marker:
        return f"{indent}\\{marker}"
    return f"{indent}{number}\\{delimiter}"
