"""The incident register: a SharePoint list with one item per incident (issue 24).

`Register` is the port (adapters/graph/lists.py is the real one, on Graph's lists API);
`COLUMNS` the list's columns, which `comms-assistant register create` makes and docs/register.md
lists for an administrator who would rather make them by hand; `row_of` an incident's item.
Errors are ports.py's: DeliveryError (retry or not), PreconditionFailed (a stale If-Match: read
again and apply again), NotFound (no such list).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, Protocol
from zoneinfo import ZoneInfo

from comms_assistant.domain.figures import Figures, month_of
from comms_assistant.domain.incident import RESTRICTED_TITLE

ColumnType = Literal["text", "note", "number", "dateTime", "boolean"]


@dataclass(frozen=True)
class Column:
    name: str  # the internal name the fields use: never changed once lists hold it
    shown: str  # what people see at the top of the column
    kind: ColumnType
    indexed: bool = False


# `Title` (every list has it) holds the reference.
COLUMNS = (
    Column("Reference", "Reference", "text", indexed=True),
    Column("IncidentTitle", "Incident", "text"),
    Column("Services", "Services", "text"),
    Column("Status", "Status", "text"),
    Column("PriorityAtDeclaration", "Priority at declaration", "text"),
    Column("HighestPriority", "Highest priority", "text"),
    Column("Leads", "Leads", "note"),
    Column("Started", "Started", "dateTime"),
    Column("Declared", "Declared", "dateTime"),
    Column("FirstMessage", "First stakeholder message", "dateTime"),
    Column("Resolved", "Resolved", "dateTime"),
    Column("Closed", "Closed", "dateTime"),
    Column("MinutesToDeclare", "Minutes to declare", "number"),
    Column("MinutesToFirstMessage", "Minutes to first message", "number"),
    Column("MinutesToResolve", "Minutes to resolve", "number"),
    Column("StakeholderMessages", "Stakeholder messages", "number"),
    Column("UpdatesDue", "Updates due", "number"),
    Column("UpdatesLate", "Updates late", "number"),
    Column("HoldsForWording", "Held for wording", "number"),
    Column("HoldOutcomes", "How holds ended", "text"),
    Column("Security", "Security incident", "boolean"),
    Column("ReportLink", "Incident report", "text"),
    Column("ReviewLink", "Incident review", "text"),
    Column("MajorReportLink", "Major Incident report", "text"),
    Column("ActionsOpen", "Actions open", "number"),
    Column("ActionsDone", "Actions done", "number"),
    Column("Month", "Month", "text"),
)
# What a security incident's item may show: what the restricted view shows (that it exists,
# how urgent, when, who leads it), never what it is about, its services, links or timeline.
RESTRICTED_COLUMNS = frozenset(
    {
        "Reference",
        "IncidentTitle",
        "Status",
        "PriorityAtDeclaration",
        "HighestPriority",
        "Leads",
        "Declared",
        "Resolved",
        "Closed",
        "Security",
        "Month",
    }
)


@dataclass(frozen=True)
class RegisterItem:
    id: str
    etag: str
    fields: Mapping[str, Any]


class Register(Protocol):
    """The list the register_list setting names, in the incidents site."""

    @property
    def name(self) -> str: ...

    async def exists(self) -> bool: ...

    async def create_list(self, columns: tuple[Column, ...]) -> str:
        """Make the list with `columns`; returns its web address. DeliveryError when a list
        of that name is there already."""
        ...

    async def find(self, reference: str) -> RegisterItem | None:
        """The item whose Reference is `reference`, if there is one."""
        ...

    async def get(self, item_id: str) -> RegisterItem | None: ...

    async def create(self, fields: Mapping[str, Any]) -> RegisterItem: ...

    async def update(
        self, item_id: str, fields: Mapping[str, Any], *, if_match: str
    ) -> RegisterItem:
        """Change the item's fields; PreconditionFailed when `if_match` is not its eTag."""
        ...


@dataclass(frozen=True)
class Links:
    report: str = ""
    review: str = ""
    major: str = ""


def _when(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def row_of(figures: Figures, links: Links, tz: ZoneInfo) -> dict[str, Any]:
    """The incident's item: every column, an unknown value as null (a later write clears a
    value that no longer holds). A security incident's carries only RESTRICTED_COLUMNS."""
    punctuality = figures.punctuality
    row: dict[str, Any] = {
        "Title": figures.reference,
        "Reference": figures.reference,
        "IncidentTitle": RESTRICTED_TITLE if figures.security else figures.title,
        "Services": ", ".join(figures.services),
        "Status": figures.status.value,
        "PriorityAtDeclaration": figures.declared_priority.label,
        "HighestPriority": figures.highest_priority.label,
        "Leads": "\n".join(f"{role}: {who}" for role, who in figures.leads),
        "Started": _when(figures.started),
        "Declared": _when(figures.declared),
        "FirstMessage": _when(figures.first_message),
        "Resolved": _when(figures.resolved),
        "Closed": _when(figures.closed),
        "MinutesToDeclare": figures.minutes_to_declare,
        "MinutesToFirstMessage": figures.minutes_to_first_message,
        "MinutesToResolve": figures.minutes_to_resolve,
        "StakeholderMessages": figures.messages,
        "UpdatesDue": punctuality.due,
        "UpdatesLate": punctuality.late,
        "HoldsForWording": len(figures.holds),
        "HoldOutcomes": figures.holds_told,
        "Security": figures.security,
        "ReportLink": links.report,
        "ReviewLink": links.review,
        "MajorReportLink": links.major,
        "ActionsOpen": figures.actions_open,
        "ActionsDone": figures.actions_done,
        "Month": month_of(figures.declared, tz),
    }
    if figures.security:
        return {k: (v if k in RESTRICTED_COLUMNS or k == "Title" else None) for k, v in row.items()}
    return row
