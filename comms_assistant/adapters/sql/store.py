"""The store's rows and lookups under one name, for the tests and scripts that look into the
database directly. The product itself goes through the unit of work (unit_of_work.py), the
read-model (views.py) and the outbox (outbox.py).
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
