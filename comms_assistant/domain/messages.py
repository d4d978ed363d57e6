"""The kinds of stakeholder message an incident produces."""

from enum import StrEnum


class MessageKind(StrEnum):
    OPENED = "opened"
    UPDATE = "update"
    HOLDING = "holding"  # sent by the assistant when an update is due and none came
    PRIORITY = "priority"
    RESOLVED = "resolved"
