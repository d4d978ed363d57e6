"""Rules the service catalogue sets on incidents: a service may be never above a priority
(DfE: "Google BigQuery incidents are never above P2"), the `max_priority` column of
services.csv. Pure."""

from __future__ import annotations

from collections.abc import Sequence

from comms_assistant.domain.audiences import Service
from comms_assistant.domain.incident import Priority


def priority_refusal(
    services: Sequence[Service], keys: Sequence[str], priority: Priority
) -> str | None:
    """Why an incident affecting `keys` cannot be at `priority`; None when it may.

    A limit holds only when every service named has one (an incident that also affects a
    service with no limit may be as urgent as that service allows), and then the most urgent
    of them is the limit. Services not in the catalogue set no limit."""
    by_key = {service.key: service for service in services}
    named = [by_key.get(key) for key in keys]
    if not named or any(s is None or s.max_priority is None for s in named):
        return None
    capped = [s for s in named if s is not None and s.max_priority is not None]
    limit = min(s.max_priority for s in capped if s.max_priority is not None)
    if priority >= limit:  # P1 is 1: a larger number is less urgent
        return None
    names = " and ".join(s.name for s in capped)
    return (
        f"{names} incidents are never above {limit.label} (max_priority in the service "
        f"catalogue, services.csv): use {limit.label} or lower, or ask whoever keeps the "
        "catalogue to change it."
    )
