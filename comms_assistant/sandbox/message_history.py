"""Messages changed after they were posted: each earlier version is kept beside the message.

A posted message is `<folder>/<time>-<id>.json`; when it is updated (the Bot Connector's update
activity, Graph's PATCH of a chatMessage) that file becomes the new version, and the version it
replaces is appended to `<time>-<id>.history.jsonl`, one JSON object a line, oldest first:
`{"version": 1, "replacedAt": "...", "message": {...}}`. So the folder still holds one `.json`
file per message, always the current one, and a person can see what it said before.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from comms_assistant.sandbox.odata import GraphError, iso, now
from comms_assistant.sandbox.state import atomic_write

HISTORY_SUFFIX = ".history.jsonl"


def find(folder: Path, message_id: str) -> Path | None:
    """The file of the message `message_id` in `folder`, if there is one."""
    if not message_id or any(c in message_id for c in "/\\*?[]"):
        return None
    return next(iter(sorted(folder.glob(f"*-{message_id}.json"))), None)


def history_of(path: Path) -> Path:
    return path.with_name(path.name.removesuffix(".json") + HISTORY_SUFFIX)


def versions(path: Path) -> list[dict[str, Any]]:
    """The earlier versions of the message at `path`, oldest first."""
    history = history_of(path)
    if not history.is_file():
        return []
    return [json.loads(line) for line in history.read_text().splitlines() if line.strip()]


def replace(path: Path, current: dict[str, Any], new: dict[str, Any], tmp_dir: Path) -> int:
    """Make `new` the message at `path` (whose content is `current`); returns its version."""
    earlier = versions(path)
    number = len(earlier) + 1
    earlier.append({"version": number, "replacedAt": iso(now()), "message": current})
    lines = "".join(json.dumps(v, ensure_ascii=False) + "\n" for v in earlier)
    # The history first: a crash between the two writes keeps a version twice, never loses one.
    atomic_write(history_of(path), lines.encode(), tmp_dir)
    atomic_write(path, json.dumps({**new, "version": number + 1}, indent=2).encode(), tmp_dir)
    return number + 1


def load(folder: Path, message_id: str) -> tuple[Path, dict[str, Any]]:
    """The message `message_id` in `folder` and its content; 404 as Teams answers."""
    path = find(folder, message_id)
    if path is None:
        raise GraphError(404, "NotFound", f"Message '{message_id}' was not found.")
    return path, json.loads(path.read_text())
