from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comms_assistant.domain.working_hours import WorkingHours

LONDON = ZoneInfo("Europe/London")
HOURS = WorkingHours(LONDON, holidays=frozenset({date(2026, 12, 25), date(2026, 12, 28)}))


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def test_open_on_weekdays_between_nine_and_half_past_five() -> None:
    assert HOURS.is_working(london(2026, 11, 23, 9, 0))  # a Monday
    assert not HOURS.is_working(london(2026, 11, 23, 17, 30))
    assert not HOURS.is_working(london(2026, 11, 28, 12, 0))  # Saturday
    assert not HOURS.is_working(london(2026, 12, 25, 12, 0))  # Christmas Day


def test_adding_working_time_skips_the_night_the_weekend_and_holidays() -> None:
    friday_late = london(2026, 11, 27, 16, 30)
    assert HOURS.add(friday_late, timedelta(hours=4)) == london(2026, 11, 30, 12, 0)
    christmas_eve = london(2026, 12, 24, 17, 0)
    # 25th (holiday), 26-27 weekend, 28th (substitute Boxing Day): back on the 29th.
    assert HOURS.add(christmas_eve, timedelta(hours=1)) == london(2026, 12, 29, 9, 30)


def test_clock_changes_are_counted_in_real_time() -> None:
    # Clocks go back at 02:00 on 25 October 2026: a Sunday, outside working hours anyway,
    # but a working week across it still has 8.5 hours a day of real time.
    hours = WorkingHours(LONDON, days=frozenset(range(7)), start=time(0, 0), end=time(23, 59))
    before = london(2026, 10, 25, 0, 30)
    after = london(2026, 10, 25, 3, 30)
    assert hours.between(before, after) == timedelta(hours=4)


def test_between_counts_only_working_time() -> None:
    assert HOURS.between(london(2026, 11, 27, 17, 0), london(2026, 11, 30, 10, 0)) == timedelta(
        hours=1, minutes=30
    )
    assert HOURS.between(london(2026, 11, 30, 10, 0), london(2026, 11, 27, 17, 0)) == timedelta(0)


def test_a_calendar_without_working_days_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one working day"):
        WorkingHours(LONDON, days=frozenset())
    with pytest.raises(ValueError, match="end after"):
        WorkingHours(LONDON, start=time(18), end=time(9))


moments = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)
durations = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3))


@given(moments, durations)
def test_adding_working_time_never_goes_back_and_adds_exactly_that_much(
    start: datetime, duration: timedelta
) -> None:
    end = HOURS.add(start, duration)
    assert end >= start
    assert HOURS.between(start, end) == duration


@given(moments, durations, durations)
def test_adding_is_monotonic(start: datetime, a: timedelta, b: timedelta) -> None:
    shorter, longer = sorted((a, b))
    assert HOURS.add(start, shorter) <= HOURS.add(start, longer)
