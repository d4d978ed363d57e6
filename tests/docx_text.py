"""A Word document's text as a reader meets it, for tests in every folder (tests/ is on the path
through its conftest.py).

python-docx's `Paragraph.text` and `.paragraphs` skip runs inside content controls, which is where
every value the product owns lives: these read the runs themselves. Written apart from the
product's own reader (adapters/word/xml.py), so a test does not check the code with itself.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import docx
from docx.oxml.ns import qn

# What a reader sees of each piece of a run.
_SHOWN = {qn("w:t"): None, qn("w:tab"): "\t", qn("w:br"): "\n", qn("w:cr"): "\n"}


def open_document(document: bytes | Path) -> Any:
    """A python-docx Document from a file's bytes or its path."""
    return docx.Document(io.BytesIO(document) if isinstance(document, bytes) else str(document))


def text_of(element: Any) -> str:
    """The text of the runs under `element`, tabs and line breaks as a reader sees them."""
    pieces = (
        (node.text or "") if _SHOWN[node.tag] is None else _SHOWN[node.tag]
        for node in element.iter(*_SHOWN)
        if node.getparent().tag == qn("w:r")
    )
    return "".join(pieces)


def _cell_text(cell: Any) -> str:
    return "\n".join(text_of(p) for p in cell.iter(qn("w:p")))


def paragraphs(document: bytes | Path) -> list[str]:
    """Each paragraph's text, top to bottom: content controls and table cells included."""
    return [text_of(p) for p in open_document(document).element.body.iter(qn("w:p"))]


def document_text(document: bytes | Path, between: str = "\n") -> str:
    """The whole document's text, its paragraphs joined by `between`."""
    return between.join(paragraphs(document))


def reading_order(document: bytes | Path) -> list[str]:
    """The document's lines as a reader meets them: each paragraph, and each table row as its
    cells joined by " | "; blank lines left out."""
    return [text for _style, text in styled_reading_order(document) if text.strip()]


def styled_reading_order(document: bytes | Path) -> list[tuple[str, str]]:
    """As reading_order, blank lines kept, each line with its paragraph style's name ("table"
    for a table row)."""
    doc = open_document(document)
    names = {style.style_id: style.name for style in doc.styles}
    lines: list[tuple[str, str]] = []

    def walk(element: Any) -> None:
        for child in element:
            if child.tag == qn("w:p"):
                style = child.xpath("string(./w:pPr/w:pStyle/@w:val)")
                lines.append((names.get(style, "Normal"), text_of(child)))
            elif child.tag == qn("w:tbl"):
                for row in child.iter(qn("w:tr")):
                    cells = (_cell_text(cell) for cell in row.iter(qn("w:tc")))
                    lines.append(("table", " | ".join(cells)))
            elif child.tag in (qn("w:sdt"), qn("w:sdtContent")):
                walk(child)

    walk(doc.element.body)
    return lines
