"""How times are shown to people: in the organisation's zone, with the zone named."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo


def zone_name(local: datetime) -> str:
    # Zones without a customary abbreviation (Asia/Dubai) give "+04": say what it is relative to.
    name = local.tzname() or ""
    return f"UTC{name}" if name.startswith(("+", "-")) else name


# Zones on the UK's clocks: GOV.UK style says "UK time", right in winter (GMT) and summer (BST).
_UK = frozenset({"Europe/London", "Europe/Belfast", "GB", "GB-Eire"})
_UTC = frozenset(
    {"UTC", "UCT", "Universal", "Zulu", "GMT", "GMT0", "GMT+0", "GMT-0", "Greenwich"}
    | {f"Etc/{name}" for name in ("UTC", "UCT", "Universal", "Zulu", "GMT", "GMT0", "GMT+0")}
    | {"Etc/GMT-0", "Etc/Greenwich"}
)
_UTC_IN_WORDS = "Coordinated Universal Time (UTC)"


def zone_in_words(local: datetime) -> str:
    """The zone of `local` as words a reader needs no acronym for, and that stay true whether
    or not its clocks have gone forward: "UK time" (Europe/London), "New York time"
    (America/New_York), "Coordinated Universal Time (UTC)". A zone with no place in its name
    (Etc/GMT+5, a fixed offset) is named as `zone_name` names it ("UTC-05")."""
    key = getattr(local.tzinfo, "key", None) or ""
    if key in _UK:
        return "UK time"
    name = zone_name(local)
    if key in _UTC or (not key and name == "UTC"):
        return _UTC_IN_WORDS
    region, _, place = key.rpartition("/")
    if region and not key.startswith("Etc/"):
        return f"{place.replace('_', ' ')} time"
    return name


def clock(local: datetime) -> str:
    if (local.hour, local.minute) == (12, 0):
        return "midday"
    if (local.hour, local.minute) == (0, 0):
        return "midnight"
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    return f"{hour}{suffix}" if local.minute == 0 else f"{hour}:{local.minute:02d}{suffix}"


def show_time(at: datetime | None, tz: ZoneInfo) -> str:
    """ "2:05pm GMT on 23 November 2026": the emails' way of giving a time, with the zone and
    the year, as a document is read long after, perhaps in summer about a winter incident."""
    if at is None:
        return "\u2014"  # an em dash: no time
    local = at.astimezone(tz)
    return f"{clock(local)} {zone_name(local)} on {local.day} {local:%B %Y}"
