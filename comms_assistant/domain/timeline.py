"""The incident's record: one timestamped line per change, numbered from 1."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from comms_assistant.domain.incident_kinds import EntryKind


@dataclass(frozen=True)
class TimelineEntry:
    """One timestamped line of the incident's record.

    `seq` numbers entries within their incident from 1, so a document that already shows entry 7
    can tell it apart from entry 8 without looking at the text.
    """

    seq: int
    at: datetime
    who: str
    kind: EntryKind
    text: str


# The timeline keeps only text: a holding update's added words follow this marker in its entry.
HOLDING_NOTE = ". Added: "


def holding_note(entry: TimelineEntry) -> str:
    """The words a lead added to a holding update (`holding <text>`), or ""."""
    if entry.kind is not EntryKind.HOLDING:
        return ""
    return entry.text.partition(HOLDING_NOTE)[2]
