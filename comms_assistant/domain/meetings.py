"""The incident's meetings in Outlook: the responders' Teams meeting (the bridge) and the
review meeting booked when it is closed.

What the product has done about them is kept on the incident's record (`Meetings`): the
bridge's join link once Outlook has made it, the review meeting's time, whether it was called
off, and who else was invited with `invite <email>`. Pure: the times are worked out here from
the organisation's working hours and the settings, and handed in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from comms_assistant.domain.incident_kinds import DomainError
from comms_assistant.domain.working_hours import WorkingHours

# A bridge is a meeting that starts now; Teams keeps its link working after the end anyway.
BRIDGE_LENGTH = timedelta(hours=8)


@dataclass
class ReviewMeeting:
    start: datetime  # UTC
    minutes: int
    # Booked again after being called off: a new event, so its delivery needs a key of its own.
    booking: int = 1
    cancelled: bool = False
    event_id: str | None = None  # Outlook's, once it is booked
    join_url: str | None = None

    @property
    def end(self) -> datetime:
        return self.start + timedelta(minutes=self.minutes)


@dataclass
class Meetings:
    bridge_url: str | None = None  # the Teams join link, once Outlook has made it
    bridge_event_id: str | None = None
    review: ReviewMeeting | None = None
    # People asked to the review meeting besides the incident's leads (`invite <email>`).
    invitees: list[str] = field(default_factory=list)


def working_days_later(day: date, days: int, hours: WorkingHours) -> date:
    """The working day `days` working days after `day` (non-working days and holidays
    skipped): 5 working days after a Friday is the next Friday, or later round a holiday."""
    found, counted = day, 0
    for _ in range(400):
        if counted >= days and hours.is_working_day(found):
            return found
        found += timedelta(days=1)
        counted += hours.is_working_day(found)
    raise DomainError("There is no working day within a year: check the working days.")


def review_meeting_start(closed_at: datetime, days: int, at: time, hours: WorkingHours) -> datetime:
    """When the review meeting is: `days` working days after the day the incident was closed,
    at `at` in the organisation's zone (UTC)."""
    closed_on = closed_at.astimezone(hours.tz).date()
    day = working_days_later(closed_on, days, hours)
    return datetime.combine(day, at, tzinfo=hours.tz).astimezone(UTC)


def invite(meetings: Meetings, people: tuple[str, ...]) -> list[str]:
    """Add people to those asked to the review meeting; returns those who are new."""
    known = {p.lower() for p in meetings.invitees}
    added = [p for p in dict.fromkeys(p.strip().lower() for p in people) if p not in known]
    meetings.invitees.extend(added)
    return added


def attendees(leads: list[str], meetings: Meetings, *, organiser: str) -> tuple[str, ...]:
    """Who the review meeting invites: the incident's leads (its scribe and any role of the
    organisation's own included) and the people invited, each once, not the organiser."""
    seen: dict[str, None] = {}
    for person in [*leads, *meetings.invitees]:
        address = person.strip().lower()
        if "@" in address and address != organiser.lower():
            seen.setdefault(address)
    return tuple(seen)
