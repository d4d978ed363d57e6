"""What a person does to a file in the library: opens it in Word, types a paragraph, saves.

The save goes through the Drive like any other, so the eTag and cTag move and a version is kept,
exactly what the product sees when a colleague edits the running report while it works.
"""

from __future__ import annotations

import io

from comms_assistant.sandbox.drive_items import Item
from comms_assistant.sandbox.drive_store import Drive
from comms_assistant.sandbox.odata import GraphError


def append_paragraph(content: bytes, text: str, name: str) -> bytes:
    """The document with `text` added as a last paragraph (plain files get a last line)."""
    if not name.lower().endswith(".docx"):
        return (
            content
            + ("\n" if content and not content.endswith(b"\n") else "").encode()
            + (text.encode() + b"\n")
        )
    from docx import Document  # python-docx: imported only when a person actually edits

    try:
        document = Document(io.BytesIO(content))
    except Exception as exc:  # not a Word file after all: tell the caller, do not 500
        raise GraphError(400, "invalidRequest", f"'{name}' is not a Word document: {exc}") from exc
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def edit(drive: Drive, item: Item, text: str) -> Item:
    if item.is_folder:
        raise GraphError(400, "invalidRequest", "A folder cannot be edited.")
    parent = drive.get(item.parent_id or "root")
    updated, _ = drive.write(parent, item.name, append_paragraph(drive.read(item), text, item.name))
    return updated
