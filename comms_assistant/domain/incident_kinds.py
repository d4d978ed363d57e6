"""What an incident's fields can hold: its priorities, statuses and roles, the kinds of entry
in its timeline, and the error it refuses a change with. `incident` names them all too."""

from __future__ import annotations

import re
from enum import IntEnum, StrEnum


class DomainError(Exception):
    """A change the incident refuses; the message is written for the person who asked."""


class Priority(IntEnum):
    P1 = 1
    P2 = 2
    P3 = 3
    P4 = 4

    @property
    def label(self) -> str:
        return f"P{self.value}"

    @classmethod
    def parse(cls, word: str) -> Priority:
        match = re.fullmatch(r"[pP]([1-4])", word.strip())
        if not match:
            raise DomainError(f'"{word}" is not a priority: use P1, P2, P3 or P4.')
        return cls(int(match.group(1)))


class Status(StrEnum):
    INVESTIGATING = "investigating"
    IDENTIFIED = "identified"
    MONITORING = "monitoring"
    RESOLVED = "resolved"
    CLOSED = "closed"

    @property
    def is_open(self) -> bool:
        return self not in (Status.RESOLVED, Status.CLOSED)


class Role(StrEnum):
    INCIDENT_LEAD = "incident lead"
    COMMS_LEAD = "comms lead"
    TECH_LEAD = "tech lead"
    SUPPORT_LEAD = "support lead"
    SCRIBE = "scribe"

    @property
    def label(self) -> str:
        """As a heading or a field name: "Incident lead" (str.title would give "Incident Lead")."""
        return self.value[0].upper() + self.value[1:]


class EntryKind(StrEnum):
    DECLARED = "declared"
    UPDATE = "update"
    HOLDING = "holding"  # sent by the assistant when an update was due and none came
    PROMPT = "prompt"  # the assistant asked the leads to do something (hand over, stop)
    PRIORITY = "priority"
    FACTS = "facts"  # the title, impact, services or readers' advice changed
    ROLE = "role"
    STATUS = "status"
    LOG = "log"
    RESOLVED = "resolved"
    REVIEW = "review"
