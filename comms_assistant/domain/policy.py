"""How often stakeholders hear about an incident of each priority.

The defaults follow the seed playbooks (DfE: hourly for high-risk incidents; GOV.UK PaaS and dxw:
every 20-30 minutes for the most urgent). The cadence worker builds on this.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from comms_assistant.domain.incident import Priority

UPDATE_EVERY: dict[Priority, timedelta | None] = {
    Priority.P1: timedelta(minutes=30),
    Priority.P2: timedelta(hours=1),
    Priority.P3: timedelta(hours=4),
    Priority.P4: None,  # only on change and at resolution
}


def next_update_due(priority: Priority, last_sent_at: datetime) -> datetime | None:
    interval = UPDATE_EVERY[priority]
    return last_sent_at + interval if interval else None
