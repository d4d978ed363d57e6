"""The domain of the work around an incident (issue 21): follow-up actions and the review
meeting's day. Pure: no store, no clock but the one handed in."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from comms_assistant.adapters.profiles import bank_holidays
from comms_assistant.domain.actions import (
    MAX_TEXT,
    ActionState,
    add_action,
    complete_action,
    described,
    task_title,
)
from comms_assistant.domain.incident import DomainError
from comms_assistant.domain.meetings import (
    Meetings,
    attendees,
    invite,
    review_meeting_start,
    working_days_later,
)
from comms_assistant.domain.working_hours import WorkingHours

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 12, 22, 11, 0, tzinfo=UTC)
TODAY = NOW.date()
HOURS = WorkingHours(LONDON, holidays=bank_holidays("england-and-wales"))


def add(actions: list, text: str = "Add an alert", **kw: object):  # type: ignore[no-untyped-def]
    said = {"owner": "", "due": None, "who": "lead@example.org", "now": NOW, "today": TODAY}
    return add_action(actions, text, **{**said, **kw})  # type: ignore[arg-type]


def test_actions_are_numbered_within_their_incident_and_keep_their_words_on_one_line() -> None:
    actions: list = []
    first = add(actions, "  Add an alert\n on queue depth ", owner="Tech.Lead@Example.org")
    second = add(actions, "Write it down", due=date(2027, 1, 5))
    assert (first.number, second.number) == (1, 2)
    assert first.text == "Add an alert on queue depth" and first.owner == "tech.lead@example.org"
    assert first.state is ActionState.NOT_STARTED and not first.done
    assert (
        task_title("INC-2026-0001", first) == "INC-2026-0001 action 1: Add an alert on queue depth"
    )
    assert (
        described(second, TODAY)
        == "2. Write it down (no owner yet, due 5 January 2027, not started)"
    )


def test_an_action_refused_says_why_and_adds_nothing() -> None:
    actions: list = []
    for text, kw, said in [
        ("   ", {}, "Say what needs doing"),
        ("x" * (MAX_TEXT + 1), {}, "fewer words"),
        ("Add an alert", {"due": date(2026, 12, 21)}, "is in the past"),
    ]:
        with pytest.raises(DomainError, match=said):
            add(actions, text, **kw)
    assert actions == []


def test_completing_an_action_once_and_finding_the_wrong_number() -> None:
    actions: list = []
    with pytest.raises(DomainError, match="has no actions yet"):
        complete_action(actions, 1, "INC-2026-0001")
    add(actions)
    add(actions, "Second")
    assert complete_action(actions, 2, "INC-2026-0001").done
    with pytest.raises(DomainError, match="already done"):
        complete_action(actions, 2, "INC-2026-0001")
    with pytest.raises(DomainError, match="has no action 7: its actions are 1 and 2"):
        complete_action(actions, 7, "INC-2026-0001")
    overdue = add(actions, "Late", due=TODAY)
    assert described(overdue, date(2027, 1, 2)).endswith("not started, overdue)")


@pytest.mark.parametrize(
    ("percent", "state"),
    [(0, ActionState.NOT_STARTED), (1, ActionState.IN_PROGRESS), (50, ActionState.IN_PROGRESS),
     (100, ActionState.DONE)],
)  # fmt: skip
def test_planners_progress_is_the_actions_state(percent: int, state: ActionState) -> None:
    assert ActionState.from_percent(percent) is state


@pytest.mark.parametrize(
    ("closed", "days", "meeting"),
    [
        (date(2026, 11, 23), 5, date(2026, 11, 30)),  # a Monday: the next Monday
        (date(2026, 11, 27), 5, date(2026, 12, 4)),  # a Friday: the next Friday
        (date(2026, 11, 28), 5, date(2026, 12, 4)),  # a Saturday counts from Monday
        (date(2026, 12, 22), 5, date(2026, 12, 31)),  # round Christmas and Boxing Day's Monday
        (date(2026, 12, 22), 0, date(2026, 12, 22)),
        (date(2026, 12, 25), 0, date(2026, 12, 29)),  # closed on a holiday: the next working day
    ],
)
def test_the_review_meeting_is_so_many_working_days_later(
    closed: date, days: int, meeting: date
) -> None:
    assert working_days_later(closed, days, HOURS) == meeting
    assert HOURS.is_working_day(meeting)


def test_the_review_meetings_time_is_local_and_stored_in_utc() -> None:
    summer = datetime(2026, 6, 1, 15, 0, tzinfo=UTC)  # a Monday, in British Summer Time
    start = review_meeting_start(summer, 5, time(10, 0), HOURS)
    assert start == datetime(2026, 6, 8, 9, 0, tzinfo=UTC)  # 10am BST
    late_evening = datetime(2026, 12, 22, 23, 30, tzinfo=UTC)  # still the 22nd in London
    assert review_meeting_start(late_evening, 5, time(10), HOURS).date() == date(2026, 12, 31)


def test_invitees_are_added_once_and_the_organiser_is_never_invited() -> None:
    meetings = Meetings()
    assert invite(meetings, ("A@example.org", "b@example.org", "a@example.org")) == [
        "a@example.org",
        "b@example.org",
    ]
    assert invite(meetings, ("b@example.org",)) == []
    leads = ["Lead@example.org", "comms.assistant@example.org", "a@example.org", ""]
    assert attendees(leads, meetings, organiser="Comms.Assistant@example.org") == (
        "lead@example.org",
        "a@example.org",
        "b@example.org",
    )
