"""Working hours: when the office is open, and how much working time lies between two moments.

Pure. Boundaries are worked out in the organisation's zone and all arithmetic is done in UTC,
because subtracting two aware datetimes that share a zone ignores a clock change between them.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# Far enough to cross any run of weekends and holidays; a calendar with no working day at all
# is refused rather than looped over.
_SEARCH_DAYS = 400


@dataclass(frozen=True)
class WorkingHours:
    tz: ZoneInfo
    start: time = time(9, 0)
    end: time = time(17, 30)
    days: frozenset[int] = frozenset(range(5))  # Monday is 0
    holidays: Container[date] = field(default=frozenset(), compare=False)

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError("working hours must end after they start")
        if not self.days:
            raise ValueError("working hours need at least one working day")

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.days and day not in self.holidays

    def is_working(self, at: datetime) -> bool:
        local = at.astimezone(self.tz)
        return self.is_working_day(local.date()) and self.start <= local.time() < self.end

    def opening(self, at: datetime) -> datetime:
        """`at` itself when the office is open, otherwise the next time it opens (UTC)."""
        if self.is_working(at):
            return at.astimezone(UTC)
        local = at.astimezone(self.tz)
        day = local.date()
        if self.is_working_day(day) and local.time() < self.start:
            return self._at(day, self.start)
        for offset in range(1, _SEARCH_DAYS):
            candidate = day + timedelta(days=offset)
            if self.is_working_day(candidate):
                return self._at(candidate, self.start)
        raise ValueError("no working day within a year: check the working days and holidays")

    def closing(self, at: datetime) -> datetime:
        """When the working period that `at` falls in ends (UTC); `at` must be in one."""
        return self._at(at.astimezone(self.tz).date(), self.end)

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The moment when `duration` of working time has passed since `start` (UTC)."""
        remaining, cursor = duration, start.astimezone(UTC)
        for _ in range(_SEARCH_DAYS):
            cursor = self.opening(cursor)
            available = self.closing(cursor) - cursor
            if remaining <= available:
                return cursor + remaining
            remaining -= available
            cursor = self.closing(cursor)
        raise ValueError("that much working time does not fit in a year")

    def between(self, earlier: datetime, later: datetime) -> timedelta:
        """Working time from `earlier` to `later` (zero when later is not after earlier)."""
        total, cursor, later = timedelta(0), earlier.astimezone(UTC), later.astimezone(UTC)
        while cursor < later:
            cursor = self.opening(cursor)
            if cursor >= later:
                break
            end = min(self.closing(cursor), later)
            total += end - cursor
            cursor = end
        return total

    def _at(self, day: date, moment: time) -> datetime:
        return datetime.combine(day, moment, tzinfo=self.tz).astimezone(UTC)
