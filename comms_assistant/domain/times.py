"""How times are shown to people: in the organisation's zone, with the zone named."""

from __future__ import annotations

from datetime import datetime


def zone_name(local: datetime) -> str:
    # Zones without a customary abbreviation (Asia/Dubai) give "+04": say what it is relative to.
    name = local.tzname() or ""
    return f"UTC{name}" if name.startswith(("+", "-")) else name
