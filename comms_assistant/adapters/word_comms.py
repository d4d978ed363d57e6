"""The "Communications sent" table: one row per stakeholder message or card that went out.

Rows are tagged `ca:sent:<number>` (the delivery's number in the outbox), so a message is shown
once however often the document is refreshed, and rows people add (a status page post, a call)
stay where they put them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from comms_assistant.adapters.word_fields import COMMS, show_time
from comms_assistant.adapters.word_rows import NewRow, add_missing_rows, find_table, read_table

SENT_PREFIX = "ca:sent:"
COMMS_COLUMNS = ("Sent at", "Channel", "To", "Subject")


@dataclass(frozen=True)
class SentMessage:
    """A stakeholder message or card that was delivered; `number` never changes."""

    number: int
    at: datetime
    channel: str
    audience: str
    subject: str


def find_comms_table(roots: list[Any], what: str, template: str, *, required: bool) -> Any:
    return find_table(roots, COMMS, len(COMMS_COLUMNS), what, template, required=required)


def add_missing_messages(table: Any, messages: Iterable[SentMessage], tz: ZoneInfo) -> int:
    rows = (
        NewRow(m.number, (show_time(m.at, tz), m.channel, m.audience, m.subject)) for m in messages
    )
    return add_missing_rows(table, rows, SENT_PREFIX, "Message sent")


def read_comms_rows(table: Any) -> list[tuple[int | None, list[str]]]:
    return read_table(table, SENT_PREFIX)
