"""What the product has done about an incident, kept with it: who was told, how many updates
went, when the next is due and which cadence steps are done, and where its documents are.

Domain state, not storage state: the use cases change it on the incident as they change its
facts, and the unit of work stores both together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from comms_assistant.domain.meetings import Meetings


class HoldEnd(StrEnum):
    """How a message held back for its wording ended (service/handlers/drafts.py)."""

    WAITING = "waiting"
    AS_WRITTEN = "sent as written"
    SUGGESTED = "sent in the suggested words"
    REPLACED = "replaced by another message"


@dataclass
class Hold:
    at: datetime
    ended: HoldEnd = HoldEnd.WAITING


@dataclass
class Record:
    # Everyone sent a message about this incident (addresses, and Teams destinations with the
    # "teams:" prefix): they hear when it ends.
    told: list[str] = field(default_factory=list)
    updates_sent: int = 0
    # The cadence worker's marks: when stakeholders are next due to hear, and the keys of the
    # nudges, holding updates and prompts already done, so that each happens once.
    update_due_at: datetime | None = None
    cadence_done: list[str] = field(default_factory=list)
    report_name: str = ""
    report_item_id: str | None = None
    report_url: str | None = None
    review_name: str | None = None
    review_url: str | None = None
    # Set when a save of one of its documents met 423 (open in Word), cleared at the next
    # successful save: the comms lead is told once per such episode, not once per retry.
    report_locked_at: datetime | None = None
    # The bridge and the review meeting (domain/meetings.py).
    meetings: Meetings = field(default_factory=Meetings)
    # Its messages held back for their wording, and how each ended (the register counts them).
    holds: list[Hold] = field(default_factory=list)

    def end_hold(self, ended: HoldEnd) -> None:
        """The last hold still waiting ended as `ended` (nothing when none waits)."""
        for hold in reversed(self.holds):
            if hold.ended is HoldEnd.WAITING:
                hold.ended = ended
                return
