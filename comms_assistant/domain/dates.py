"""Dates and times as people type them in commands: "due 14 December", "review meeting monday
10am". Pure: parsing needs no clock; what a date means ("monday", "14 December" with no year)
is worked out later against today's date (`SaidDate.resolve`).

Understood: 2026-12-14, 14/12/2026, 14/12 (day first, as in the UK), 14 December [2026],
14th Dec, December 14 [2026], today, tomorrow, and a day of the week (the next one after
today). Times: 10:00, 14:30, 10am, 2:30pm, midday, noon.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from comms_assistant.domain.command_words import ParseError, shown

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
RELATIVE = {"today": 0, "tomorrow": 1}
DATE_EXAMPLE = "a date such as 14 December, 2026-12-14 or 14/12/2026"
TIME_EXAMPLE = "a time such as 10:00, 2:30pm or 10am"

_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_SLASHED = re.compile(r"(\d{1,2})/(\d{1,2})(?:/(\d{4}))?")
_DAY = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?")
_CLOCK = re.compile(r"(\d{1,2})(?::(\d{2}))?\s*(am|pm)?")


@dataclass(frozen=True)
class SaidDate:
    """A date as it was said: a day of a month (the year when given), a day of the week, or
    so many days from today."""

    day: int = 0
    month: int = 0
    year: int | None = None
    weekday: int | None = None  # Monday is 0
    days_from_today: int | None = None

    def resolve(self, today: date) -> date:
        """The date meant, said on `today`: a day and month with no year is the next one on or
        after today; a day of the week is the next one after today."""
        if self.days_from_today is not None:
            return today + timedelta(days=self.days_from_today)
        if self.weekday is not None:
            return today + timedelta(days=(self.weekday - today.weekday() - 1) % 7 + 1)
        if self.year is not None:
            return date(self.year, self.month, self.day)
        # A leap day said with no year is the next one there is (within 8 years, always).
        found = (_valid(year, self.month, self.day) for year in range(today.year, today.year + 9))
        return next(d for d in found if d is not None and d >= today)


@dataclass(frozen=True)
class SaidMoment:
    """A date and a time of day, as said ("14 December 10am"), in the organisation's zone."""

    day: SaidDate
    at: time


def _valid(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _checked(words: str, day: int, month: int, year: int | None) -> SaidDate:
    """The date, once it is known to exist (a leap day with no year is taken on trust)."""
    if not 1 <= month <= 12 or _valid(year or 2028, month, day) is None:
        raise ParseError(f'"{shown(words)}" is not a date: use {DATE_EXAMPLE}.')
    return SaidDate(day, month, year)


def _named_month(words: list[str]) -> SaidDate | None:
    """14 December [2026], 14th Dec, December 14 [2026]; None when it is not one of those."""
    text = " ".join(words)
    if len(words) not in (2, 3) or (len(words) == 3 and not words[2].isdigit()):
        return None
    year = int(words[2]) if len(words) == 3 else None
    first, second = words[0].rstrip(","), words[1].rstrip(",")
    if first in MONTHS and (day := _DAY.fullmatch(second)):
        return _checked(text, int(day.group(1)), MONTHS[first], year)
    if second in MONTHS and (day := _DAY.fullmatch(first)):
        return _checked(text, int(day.group(1)), MONTHS[second], year)
    return None


def parse_date(text: str) -> SaidDate:
    """A date as typed; a ParseError naming the words and the forms understood."""
    words = text.lower().rstrip(".").split()
    single = words[0] if len(words) == 1 else ""
    if single in RELATIVE:
        return SaidDate(days_from_today=RELATIVE[single])
    if single in WEEKDAYS:
        return SaidDate(weekday=WEEKDAYS.index(single))
    if match := _ISO.fullmatch(single):
        return _checked(text, int(match.group(3)), int(match.group(2)), int(match.group(1)))
    if match := _SLASHED.fullmatch(single):
        year = int(match.group(3)) if match.group(3) else None
        return _checked(text, int(match.group(1)), int(match.group(2)), year)
    found = _named_month(words)
    if found is None:
        raise ParseError(f'"{shown(text)}" is not a date: use {DATE_EXAMPLE}.')
    return found


def looks_like_a_date(word: str) -> bool:
    """Whether a word starts what could only be a date (a figure, a month, a day's name)."""
    word = word.lower().rstrip(".,")
    return word[:1].isdigit() or word in MONTHS or word in WEEKDAYS or word in RELATIVE


def parse_time(text: str) -> time:
    word = text.lower().strip().rstrip(".")
    if word in ("midday", "noon"):
        return time(12, 0)
    match = _CLOCK.fullmatch(word)
    if match is not None:
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        suffix = match.group(3)
        if suffix and 1 <= hour <= 12:
            hour = hour % 12 + (12 if suffix == "pm" else 0)
        elif suffix:
            hour = 24  # "13pm" is no time
        if (suffix or match.group(2)) and hour < 24 and minute < 60:
            return time(hour, minute)
    raise ParseError(f'"{shown(text)}" is not a time of day: use {TIME_EXAMPLE}.')


def parse_moment(text: str) -> SaidMoment:
    """A date, then a time ("14 December 10am", "2026-12-14 at 14:30", "monday 2pm")."""
    words = text.split()
    if words and words[-1].lower() in ("am", "pm") and len(words) > 1:
        words = [*words[:-2], words[-2] + words[-1]]  # "10 am" is one time
    if len(words) < 2:
        raise ParseError(
            f'"{shown(text)}" needs a date and a time: e.g. "14 December 10am" or '
            '"2026-12-14 14:30".'
        )
    day_words = words[:-1]
    if day_words[-1].lower() == "at":
        day_words = day_words[:-1]
    return SaidMoment(parse_date(" ".join(day_words)), parse_time(words[-1]))


@dataclass(frozen=True)
class SaidStart:
    """When an incident began, as said at `open` ("started: 09:05", "started: yesterday
    23:40", "started: 14 December 09:05"). `day` None: the time most recently past."""

    at: time
    day: SaidDate | None = None
    yesterday: bool = False


def parse_start(text: str) -> SaidStart:
    words = text.lower().rstrip(".").split()
    if words[:1] == ["yesterday"]:
        return SaidStart(parse_time(" ".join(words[1:]) or "?"), yesterday=True)
    if len(words) == 1 or (len(words) == 2 and words[1] in ("am", "pm")):
        return SaidStart(parse_time("".join(words)))
    said = parse_moment(text)
    return SaidStart(said.at, said.day)


def start_moment(said: SaidStart, now: datetime, tz: ZoneInfo) -> datetime:
    """The moment `said` means, said at `now`: always in the past, never in the future (a
    start in the past is what people mean: "14 December" on 2 January is last December)."""
    today = now.astimezone(tz).date()
    if said.yesterday:
        day = today - timedelta(days=1)
    elif said.day is None:
        day = today
        if datetime.combine(day, said.at, tzinfo=tz) > now:
            day -= timedelta(days=1)
    elif said.day.year is not None:
        day = date(said.day.year, said.day.month, said.day.day)
    elif said.day.weekday is not None:
        day = today - timedelta(days=(today.weekday() - said.day.weekday) % 7)
    elif said.day.days_from_today is not None:
        day = today + timedelta(days=said.day.days_from_today)
    else:
        day = _valid(today.year, said.day.month, said.day.day) or today
        if day > today:
            day = _valid(today.year - 1, said.day.month, said.day.day) or day
    return datetime.combine(day, said.at, tzinfo=tz)
