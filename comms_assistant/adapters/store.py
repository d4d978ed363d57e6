"""The names the store had before it became the adapters/sql package, for the modules not yet
moved to it (the service layer is being rebuilt around a unit of work; it imports sql/ then).
New code imports from comms_assistant.adapters.sql.* instead.
"""

from comms_assistant.adapters.sql.database import open_engine
from comms_assistant.adapters.sql.engine import UnreadableDatabase, sqlite_engine, transaction
from comms_assistant.adapters.sql.incidents import (
    find_incident,
    incidents_with_status,
    latest_incident,
    latest_reviewed,
    next_number,
    open_incidents,
    to_domain,
    write_incident,
)
from comms_assistant.adapters.sql.models import (
    Base,
    DraftRow,
    IncidentRow,
    OutboxRow,
    TimelineRow,
    UTCDateTime,
)

__all__ = [
    "Base",
    "DraftRow",
    "IncidentRow",
    "OutboxRow",
    "TimelineRow",
    "UTCDateTime",
    "UnreadableDatabase",
    "find_incident",
    "incidents_with_status",
    "latest_incident",
    "latest_reviewed",
    "next_number",
    "open_engine",
    "open_incidents",
    "sqlite_engine",
    "to_domain",
    "transaction",
    "write_incident",
]
