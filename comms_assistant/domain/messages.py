"""The kinds of stakeholder message an incident produces."""

from enum import StrEnum


class MessageKind(StrEnum):
    OPENED = "opened"
    UPDATE = "update"
    PRIORITY = "priority"
    RESOLVED = "resolved"
