"""The incident figures (domain/figures.py): times, minutes, punctuality, and their summaries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from comms_assistant.domain.commands import ParseError, parse
from comms_assistant.domain.dates import start_moment
from comms_assistant.domain.figures import (
    Sent,
    by_month,
    by_priority,
    by_service,
    figures_of,
    minutes,
    summarise,
)
from comms_assistant.domain.incident import DomainError, Incident, Priority
from comms_assistant.domain.policy import DEFAULT_POLICY

LONDON = ZoneInfo("Europe/London")
LEAD = "amira@example.org"


def declare(at: datetime, priority: Priority = Priority.P2, **extra: object) -> Incident:
    return Incident.declare(
        reference="INC-2026-0001",
        title="Apply is down",
        priority=priority,
        impact="",
        services=("apply",),
        who=LEAD,
        now=at,
        **extra,  # type: ignore[arg-type]
    )


def test_minutes_across_the_spring_change_of_the_clocks_count_real_time() -> None:
    # 00:30 GMT to 02:30 BST on 29 March 2026 is one hour, not two.
    declared = datetime(2026, 3, 29, 0, 30, tzinfo=LONDON)
    resolved = datetime(2026, 3, 29, 2, 30, tzinfo=LONDON)
    incident = declare(declared)
    incident.resolve("Restarted", who=LEAD, now=resolved)
    figures = figures_of(incident, DEFAULT_POLICY, [Sent(1, declared)], resolved)
    assert figures.minutes_to_resolve == 60
    assert minutes(resolved, declared) == -60


def test_minutes_across_the_autumn_change_count_the_repeated_hour() -> None:
    # 00:30 BST to 01:30 GMT on 25 October 2026 is two hours.
    declared = datetime(2026, 10, 25, 0, 30, tzinfo=LONDON)
    resolved = datetime(2026, 10, 25, 1, 30, fold=1, tzinfo=LONDON)
    incident = declare(declared)
    incident.resolve("Restarted", who=LEAD, now=resolved)
    assert figures_of(incident, DEFAULT_POLICY, [], resolved).minutes_to_resolve == 120


def test_an_incident_spanning_months_counts_in_the_month_it_was_declared_locally() -> None:
    # 23:30 UTC on 31 March is 00:30 BST on 1 April: an April incident in London.
    declared = datetime(2026, 3, 31, 23, 30, tzinfo=UTC)
    incident = declare(declared)
    resolved = datetime(2026, 4, 2, 1, 30, tzinfo=UTC)
    incident.resolve("Fixed", who=LEAD, now=resolved)
    figures = figures_of(incident, DEFAULT_POLICY, [], resolved)
    assert list(by_month([figures], LONDON)) == ["2026-04"]
    assert figures.minutes_to_resolve == 26 * 60


def test_a_p1_raised_from_p2_with_a_late_update() -> None:
    t = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
    incident = declare(t)
    incident.post_update("Still looking", who=LEAD, now=t + timedelta(minutes=50))
    incident.change_priority(Priority.P1, who=LEAD, now=t + timedelta(minutes=70))
    # At P1 the next update was due 30 minutes after 10:10: 10:40. It came at 10:55.
    incident.post_update("Found it", who=LEAD, now=t + timedelta(minutes=115))
    incident.resolve("Rolled back", who=LEAD, now=t + timedelta(minutes=120))
    sent = [Sent(1, t + timedelta(minutes=3)), Sent(2, t + timedelta(minutes=51))]
    figures = figures_of(incident, DEFAULT_POLICY, sent, t + timedelta(hours=5))
    assert (figures.declared_priority, figures.highest_priority) == (Priority.P2, Priority.P1)
    assert figures.punctuality.due == 4
    assert figures.punctuality.late == 1
    assert figures.punctuality.share == 0.75
    assert figures.minutes_to_first_message == 3
    assert figures.messages == 2


def test_priorities_raised_lowered_and_raised_again() -> None:
    t = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
    incident = declare(t, Priority.P3)
    for minutes_after, priority in ((10, Priority.P1), (40, Priority.P2), (60, Priority.P1)):
        incident.change_priority(priority, who=LEAD, now=t + timedelta(minutes=minutes_after))
    figures = figures_of(incident, DEFAULT_POLICY, [], t + timedelta(minutes=61))
    assert figures.declared_priority is Priority.P3
    assert figures.highest_priority is Priority.P1
    assert figures.priority is Priority.P1
    # Each change answered the promise before it in time; the last one is not due yet.
    assert (figures.punctuality.due, figures.punctuality.on_time) == (3, 3)


def test_an_update_never_sent_is_late_once_it_is_overdue() -> None:
    t = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
    incident = declare(t, Priority.P1)
    assert figures_of(incident, DEFAULT_POLICY, [], t + timedelta(minutes=31)).punctuality.due == 0
    overdue = figures_of(incident, DEFAULT_POLICY, [], t + timedelta(minutes=40))
    assert (overdue.punctuality.due, overdue.punctuality.late) == (1, 1)


def test_no_stakeholder_message_leaves_the_first_message_unknown() -> None:
    t = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
    incident = declare(t, Priority.P4)
    incident.resolve("Gone away", who=LEAD, now=t + timedelta(minutes=5))
    figures = figures_of(incident, DEFAULT_POLICY, [], t + timedelta(hours=1))
    assert figures.first_message is None
    assert figures.minutes_to_first_message is None
    assert figures.messages == 0
    assert figures.punctuality.share is None  # P4 has no cadence: nothing was due
    assert summarise([figures]).median_to_first_message is None


def test_time_to_declare_counts_from_when_it_started() -> None:
    t = datetime(2026, 11, 3, 9, 40, tzinfo=UTC)
    incident = declare(t, started=datetime(2026, 11, 3, 9, 5, tzinfo=UTC))
    assert figures_of(incident, DEFAULT_POLICY, [], t).minutes_to_declare == 35
    with pytest.raises(DomainError, match="cannot have started after now"):
        declare(t, started=t + timedelta(minutes=1))


def test_started_is_read_at_open_and_means_the_most_recent_such_time() -> None:
    command = parse("open Apply is down p2 started: 09:05 services: apply")
    said = command.started  # type: ignore[union-attr]
    assert said is not None
    morning = datetime(2026, 11, 3, 9, 40, tzinfo=UTC)
    assert start_moment(said, morning, LONDON) == datetime(2026, 11, 3, 9, 5, tzinfo=LONDON)
    # Said at 08:00, 09:05 today is still to come: it began yesterday.
    early = datetime(2026, 11, 3, 8, 0, tzinfo=UTC)
    assert start_moment(said, early, LONDON).date().day == 2
    dated = parse("open Apply is down p2 started: 30 November 23:50").started  # type: ignore[union-attr]
    assert dated is not None
    january = datetime(2027, 1, 2, 9, 0, tzinfo=UTC)
    assert start_moment(dated, january, LONDON) == datetime(2026, 11, 30, 23, 50, tzinfo=LONDON)
    with pytest.raises(ParseError, match="not a time of day"):
        parse("open Apply is down p2 started: soonish")


def test_summaries_by_priority_service_and_month() -> None:
    t = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
    one = declare(t, Priority.P1)
    one.resolve("Fixed", who=LEAD, now=t + timedelta(minutes=20))
    two = Incident.declare(
        reference="INC-2026-0002",
        title="Find is slow",
        priority=Priority.P3,
        impact="",
        services=("find", "apply"),
        who=LEAD,
        now=t + timedelta(days=30),
    )
    two.resolve("Fixed", who=LEAD, now=t + timedelta(days=30, minutes=60))
    now = t + timedelta(days=40)
    figures = [
        figures_of(one, DEFAULT_POLICY, [Sent(1, t + timedelta(minutes=2))], now),
        figures_of(two, DEFAULT_POLICY, [Sent(1, t + timedelta(days=30, minutes=6))], now),
    ]
    assert list(by_month(figures, LONDON)) == ["2026-11", "2026-12"]
    assert [p.label for p in by_priority(figures)] == ["P1", "P3"]
    assert {k: len(v) for k, v in by_service(figures).items()} == {"apply": 2, "find": 1}
    summary = summarise(figures)
    assert summary.incidents == 2
    assert summary.median_to_first_message == 4
    assert summary.median_to_resolve == 40
    assert summary.by_priority[Priority.P1] == 1
    assert summary.punctuality.due == 2 and summary.punctuality.on_time == 2
