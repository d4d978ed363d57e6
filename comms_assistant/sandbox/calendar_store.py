"""Where a mailbox's events live, as files a person can open.

    calendar/<mailbox>/<event id>.json                 the event, as Graph shows it (in UTC)
    calendar/<mailbox>/Deleted Items/<event id>.json   cancelled or deleted: out of the calendar

Each file is the Graph event plus `sandboxNotices`, which Graph does not show: what Exchange
sent the attendees (an invitation, an update, a cancellation with its comment), oldest first,
so a test can see that attendees were told, and told once.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
from pathlib import Path
from typing import Any

from comms_assistant.sandbox import calendar_times
from comms_assistant.sandbox.odata import GraphError, iso, now
from comms_assistant.sandbox.state import TenantState, atomic_write

NOTICES = "sandboxNotices"
DELETED = "Deleted Items"
_ID = re.compile(r"[A-Za-z0-9_-]{1,200}")


def new_event_id() -> str:
    return "AAMkAGSandboxEv" + secrets.token_urlsafe(30).replace("-", "x").replace("_", "y")


def new_change_key() -> str:
    return base64.b64encode(secrets.token_bytes(16)).decode()


def not_found() -> GraphError:
    return GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.")


class Calendar:
    """One mailbox's calendar folder (and its Deleted Items)."""

    def __init__(self, state: TenantState, mailbox: str) -> None:
        self.folder = state.root / "calendar" / mailbox
        self.tmp_dir = state.tmp_dir

    def find(self, event_id: str) -> Path | None:
        if not _ID.fullmatch(event_id):
            return None
        for folder in (self.folder, self.folder / DELETED):
            path = folder / f"{event_id}.json"
            if path.is_file():
                return path
        return None

    def load(self, event_id: str) -> tuple[Path, dict[str, Any]]:
        path = self.find(event_id)
        if path is None:
            raise not_found()
        return path, json.loads(path.read_text())

    def is_deleted(self, path: Path) -> bool:
        return path.parent.name == DELETED

    def save(self, event: dict[str, Any], deleted: bool = False) -> Path:
        folder = self.folder / DELETED if deleted else self.folder
        path = folder / f"{event['id']}.json"
        atomic_write(path, json.dumps(event, indent=2).encode(), self.tmp_dir)
        return path

    def move_to_deleted(self, path: Path, event: dict[str, Any]) -> None:
        self.save(event, deleted=True)
        if not self.is_deleted(path):
            path.unlink(missing_ok=True)

    def events(self, deleted: bool = False) -> list[dict[str, Any]]:
        """The events in the calendar (or in Deleted Items), earliest start first."""
        folder = self.folder / DELETED if deleted else self.folder
        found = [json.loads(p.read_text()) for p in folder.glob("*.json")]
        return sorted(found, key=lambda e: (e["start"]["dateTime"], e["createdDateTime"]))

    def by_transaction(self, transaction_id: str) -> dict[str, Any] | None:
        """The event created with this transactionId, wherever it is now."""
        for folder in (self.folder, self.folder / DELETED):
            for path in folder.glob("*.json"):
                event = json.loads(path.read_text())
                if event.get("transactionId") == transaction_id:
                    return event
        return None


def all_calendars(state: TenantState) -> list[tuple[str, list[dict[str, Any]]]]:
    """Every mailbox with a calendar folder, and its events, cancelled ones last (the page)."""
    root = state.root / "calendar"
    folders = sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
    found = []
    for folder in folders:
        calendar = Calendar(state, folder.name)
        found.append((folder.name, calendar.events() + calendar.events(deleted=True)))
    return found


def touch(event: dict[str, Any]) -> None:
    """A new version: Outlook's changeKey (and the eTag made of it) moves on every change."""
    key = new_change_key()
    event.update({"@odata.etag": f'W/"{key}"', "changeKey": key})
    event["lastModifiedDateTime"] = iso(now())


def notify(event: dict[str, Any], kind: str, to: list[str], comment: str | None = None) -> None:
    if to:
        notice = {"kind": kind, "time": iso(now()), "to": to, "comment": comment}
        event.setdefault(NOTICES, []).append(notice)


def attendee_addresses(event: dict[str, Any]) -> list[str]:
    return [a["emailAddress"]["address"] for a in event.get("attendees") or []]


def graph_view(event: dict[str, Any], prefer: str = "") -> dict[str, Any]:
    """The event as Graph answers with it: no sandbox notes, times in the zone asked for."""
    shown = {k: v for k, v in event.items() if k != NOTICES}
    for key in ("start", "end"):
        shown[key] = calendar_times.shown(event[key], prefer)
    return shown
