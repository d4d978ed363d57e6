from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comms_assistant.domain.incident import DomainError, Priority
from comms_assistant.domain.policy import DEFAULT_POLICY, Policy, PriorityRule

LONDON = ZoneInfo("Europe/London")


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def test_default_cadence_follows_the_table() -> None:
    sent = london(2026, 11, 23, 16, 0)
    assert DEFAULT_POLICY.next_update_due(Priority.P1, sent) == sent + timedelta(minutes=30)
    assert DEFAULT_POLICY.nudge_due(Priority.P1, sent) == sent + timedelta(minutes=20)
    assert DEFAULT_POLICY.next_update_due(Priority.P2, sent) == sent + timedelta(hours=1)
    assert DEFAULT_POLICY.next_update_due(Priority.P4, sent) is None
    assert DEFAULT_POLICY.nudge_due(Priority.P4, sent) is None


def test_p3_clock_pauses_outside_working_hours() -> None:
    sent = london(2026, 11, 23, 16, 0)  # 1.5 working hours left on Monday
    assert DEFAULT_POLICY.next_update_due(Priority.P3, sent) == london(2026, 11, 24, 11, 30)
    assert DEFAULT_POLICY.nudge_due(Priority.P3, sent) == london(2026, 11, 24, 11, 0)


def test_p1_runs_through_the_night() -> None:
    sent = london(2026, 11, 27, 23, 50)  # a Friday night
    assert DEFAULT_POLICY.next_update_due(Priority.P1, sent) == london(2026, 11, 28, 0, 20)


def test_named_priorities_are_accepted_and_shown() -> None:
    rules = dict(DEFAULT_POLICY.rules)
    rules[Priority.P1] = PriorityRule(timedelta(hours=1), name="Critical")
    policy = Policy(rules=rules)
    assert policy.parse_priority("critical") is Priority.P1
    assert policy.parse_priority("p2") is Priority.P2
    assert policy.label(Priority.P1) == "Critical (P1)"
    assert policy.label(Priority.P2) == "P2"
    with pytest.raises(DomainError, match="P1, P2, P3 or P4 or Critical"):
        policy.parse_priority("urgent")


def test_invalid_rules_are_refused() -> None:
    with pytest.raises(ValueError, match="nudge_before"):
        PriorityRule(timedelta(minutes=30), nudge_before=timedelta(hours=1))
    with pytest.raises(ValueError, match="no rule for P4"):
        Policy(rules={p: PriorityRule(None) for p in list(Priority)[:3]})


def test_who_may_resolve() -> None:
    assert DEFAULT_POLICY.may_resolve(set())
    policy = Policy(extra_roles=("delivery manager",), resolvers=("delivery manager",))
    assert policy.may_resolve({"delivery manager", "comms lead"})
    assert not policy.may_resolve({"comms lead"})


moments = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)


@given(moments, st.sampled_from(list(Priority)))
def test_due_times_never_go_back_and_the_nudge_comes_first(
    sent: datetime, priority: Priority
) -> None:
    due = DEFAULT_POLICY.next_update_due(priority, sent)
    nudge = DEFAULT_POLICY.nudge_due(priority, sent)
    if due is None:
        assert nudge is None
        return
    assert due > sent
    assert nudge is not None and sent <= nudge < due


@given(moments)
def test_pauses_never_delay_a_p1_update(sent: datetime) -> None:
    assert DEFAULT_POLICY.next_update_due(Priority.P1, sent) == sent + timedelta(minutes=30)
