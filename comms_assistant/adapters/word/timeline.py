"""The timeline table: found by its tagged content control, rows matched to entries by `seq`.

The table sits inside a block-level content control tagged `ca:timeline`; each row the assistant
writes carries a control tagged `ca:entry:<seq>` around its time (see rows.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from comms_assistant.adapters.word.fields import TIMELINE, show_time
from comms_assistant.adapters.word.rows import (
    NewRow,
    add_missing_rows,
    find_table,
    read_table,
    row_number,
)
from comms_assistant.domain.incident import TimelineEntry

ENTRY_PREFIX = "ca:entry:"
COLUMNS = ("Time", "Who", "What")


def find_timeline_table(roots: list[Any], what: str, template: str) -> Any:
    return find_table(roots, TIMELINE, len(COLUMNS), what, template)


def entry_seq(row: Any) -> int | None:
    return row_number(row, ENTRY_PREFIX)


def add_missing_entries(table: Any, entries: Iterable[TimelineEntry], tz: ZoneInfo) -> int:
    """Insert a row for each entry the table does not show yet; return how many were added."""
    rows = (NewRow(e.seq, (show_time(e.at, tz), e.who, e.text)) for e in entries)
    return add_missing_rows(table, rows, ENTRY_PREFIX, "Timeline entry")


def read_rows(table: Any) -> list[tuple[int | None, list[str]]]:
    return read_table(table, ENTRY_PREFIX)
