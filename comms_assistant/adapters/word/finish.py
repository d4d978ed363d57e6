"""A finished report looks finished: once the incident is over, the assistant's notes to the
people writing it go, and a section nobody wrote in says so plainly.

The notes are the template's instruction paragraphs, each in a content control tagged
`ca:note` (locked, so nobody types into one by mistake and loses words when it goes). A section
is a Heading 1 and what follows it up to the next. People's words are never touched; a section
with nothing in it gets one "Not written." line in a control of its own (`ca:unwritten`), which
goes again if someone writes there later. A report made from a template without notes keeps its
instructions: text that is not tagged may be someone's.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from docx.oxml.ns import qn

from comms_assistant.adapters.word.fields import DASH, LOCK_OWNED, TAG_PREFIX, control_tag
from comms_assistant.adapters.word.xml import element_text, make_control, xpath

NOTE_TAG = TAG_PREFIX + "note"
UNWRITTEN_TAG = TAG_PREFIX + "unwritten"
UNWRITTEN = "Not written."


def finish(document: Any) -> None:
    """Remove the notes and mark the empty sections of a python-docx Document; idempotent."""
    body = document.element.body
    for note in _tagged(body, NOTE_TAG):
        note.getparent().remove(note)
    for heading, blocks in _sections(body, _style_id(document, "Heading 1")):
        markers = [b for b in blocks if control_tag(b) == UNWRITTEN_TAG]
        if any(_has_words(b) for b in blocks if b not in markers):
            _remove(body, markers)
        elif not markers:
            _mark_unwritten(body, heading, blocks)


def _remove(body: Any, blocks: list[Any]) -> None:
    for block in blocks:
        body.remove(block)


def _mark_unwritten(body: Any, heading: Any, blocks: list[Any]) -> None:
    """Say under `heading` that nobody wrote its section, in place of its empty paragraphs and
    tables (nothing of anyone's)."""
    _remove(body, [block for block in blocks if _is_empty_filler(block)])
    marker = make_control(
        UNWRITTEN_TAG, "Not written", UNWRITTEN, lock=LOCK_OWNED, block=True, plain=False
    )
    heading.addnext(marker)


def _is_empty_filler(block: Any) -> bool:
    # A paragraph that ends a section carries its page layout: it stays.
    return block.tag in (qn("w:p"), qn("w:tbl")) and not xpath(block, "./w:pPr/w:sectPr")


def _sections(body: Any, heading_style: str | None) -> Iterator[tuple[Any, list[Any]]]:
    heading: Any = None
    blocks: list[Any] = []
    for child in list(body):
        if child.tag == qn("w:sectPr"):
            break
        if _is_heading(child, heading_style):
            if heading is not None:
                yield heading, blocks
            heading, blocks = child, []
        elif heading is not None:
            blocks.append(child)
    if heading is not None:
        yield heading, blocks


def _is_heading(block: Any, style: str | None) -> bool:
    if block.tag != qn("w:p") or style is None:
        return False
    return xpath(block, "./w:pPr/w:pStyle/@w:val") == [style]


def _has_words(block: Any) -> bool:
    # A picture, a chart or an embedded file is someone's, though it has no text.
    if xpath(block, ".//w:drawing | .//w:pict | .//w:object"):
        return True
    # A table's heading row is the template's, not anyone's writing.
    rows = xpath(block, ".//w:tr[not(w:trPr/w:tblHeader)]")
    parts = rows if block.tag == qn("w:tbl") or xpath(block, ".//w:tbl") else [block]
    return any(element_text(part).strip() not in ("", DASH) for part in parts)


def _tagged(body: Any, tag: str) -> list[Any]:
    return xpath(body, f".//w:sdt[w:sdtPr/w:tag/@w:val='{tag}']")


def _style_id(document: Any, name: str) -> str | None:
    for style in document.styles:
        if style.name == name:
            return str(style.style_id)
    return None
