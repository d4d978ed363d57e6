"""The kinds of stakeholder message an incident produces."""

from enum import StrEnum


class MessageKind(StrEnum):
    OPENED = "opened"
    UPDATE = "update"
    HOLDING = "holding"  # sent by the assistant when an update is due and none came
    PRIORITY = "priority"
    RESOLVED = "resolved"
    # To people who join the audience late (a raised priority, `notify`): what happened so far.
    CATCH_UP = "catch_up"
    # To the central team, once per incident, when it is (or becomes) a P1 (DfE playbook).
    MAJOR_INCIDENT = "major_incident"
