"""Outlook's dateTimeTimeZone: `{"dateTime": "2026-12-01T10:00:00", "timeZone": "Europe/London"}`.

Graph takes IANA and Windows time zone names; the sandbox knows every IANA name (zoneinfo) and
the few Windows names below. An unknown one is refused as Outlook refuses it (400
TimeZoneNotSupportedException). Events are stored in UTC and shown in UTC, or in the zone a
`Prefer: outlook.timezone="..."` header asks for, as Graph does.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from comms_assistant.sandbox.odata import GraphError, ci_get

WINDOWS_ZONES = {
    "utc": "UTC",
    "gmt standard time": "Europe/London",
    "greenwich standard time": "Atlantic/Reykjavik",
    "w. europe standard time": "Europe/Berlin",
    "romance standard time": "Europe/Paris",
    "eastern standard time": "America/New_York",
    "pacific standard time": "America/Los_Angeles",
    "india standard time": "Asia/Kolkata",
}
_PREFER_ZONE = re.compile(r'outlook\.timezone\s*=\s*"([^"]+)"', re.IGNORECASE)


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(WINDOWS_ZONES.get(name.strip().lower(), name.strip()))
    except (ZoneInfoNotFoundError, ValueError):
        raise GraphError(
            400,
            "TimeZoneNotSupportedException",
            "A valid TimeZone value must be specified. The following TimeZone value is not "
            f"supported: '{name}'.",
        ) from None


def parse(value: Any, field: str) -> tuple[datetime, str]:
    """The moment (in UTC) and the zone name a dateTimeTimeZone gives; 400 if it is not one."""
    text = str(ci_get(value, "dateTime") or "") if isinstance(value, dict) else ""
    zone_name = str(ci_get(value, "timeZone") or "UTC") if isinstance(value, dict) else "UTC"
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise GraphError(
            400, "ErrorInvalidRequest", f"'{field}' needs a dateTime, such as 2026-12-01T10:00:00."
        ) from None
    if moment.tzinfo is None:  # a wall-clock time in the zone given
        moment = moment.replace(tzinfo=zone(zone_name))
    else:
        zone(zone_name)  # still refuse a zone Outlook would not know
    return moment.astimezone(UTC), zone_name


def stored(moment: datetime) -> str:
    """Graph's dateTime form: no offset, seven fractional digits."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond:06d}0"


def shown(value: dict[str, Any], prefer: str) -> dict[str, Any]:
    """A stored (UTC) dateTimeTimeZone as the `Prefer` header asks for it."""
    found = _PREFER_ZONE.search(prefer)
    if not found:
        return value
    local = moment_of(value).astimezone(zone(found.group(1)))
    return {"dateTime": stored(local.replace(tzinfo=None)), "timeZone": found.group(1)}


def utc(moment: datetime) -> dict[str, str]:
    return {"dateTime": stored(moment.astimezone(UTC).replace(tzinfo=None)), "timeZone": "UTC"}


def moment_of(value: dict[str, Any]) -> datetime:
    """The UTC moment a stored dateTimeTimeZone names."""
    return datetime.fromisoformat(value["dateTime"][:26]).replace(tzinfo=UTC)
