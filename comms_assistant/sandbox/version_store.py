"""Where a driveItem's earlier contents are kept: `<root>/.versions/<item id>/<number>`, outside
the library folder a person browses, with each version's size and time in sqlite."""

from __future__ import annotations

import shutil
from pathlib import Path

from comms_assistant.sandbox.drive_items import Item
from comms_assistant.sandbox.state import TenantState


def folder(state: TenantState, item_id: str) -> Path:
    return state.root / ".versions" / item_id


def keep(state: TenantState, item: Item, current: Path) -> None:
    """Keep `item`'s current content as version `content_version` before it is overwritten."""
    if not current.is_file():
        return
    kept = folder(state, item.id)
    kept.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(current, kept / str(item.content_version))
    state.db.execute(
        "INSERT OR REPLACE INTO versions (item_id, number, modified, size) VALUES (?, ?, ?, ?)",
        (item.id, item.content_version, item.modified, item.size),
    )
