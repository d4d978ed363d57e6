"""The cadence arithmetic over an incident's timeline (pure)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from comms_assistant.domain.cadence import ActionKind, Done, actions_due, last_message_at
from comms_assistant.domain.incident import Incident, Priority, Role
from comms_assistant.domain.policy import DEFAULT_POLICY

LONDON = ZoneInfo("Europe/London")
T0 = datetime(2026, 11, 24, 10, 0, tzinfo=LONDON)  # a Tuesday morning
TICK = timedelta(minutes=1)


def p1(at: datetime = T0, lead: str | None = None) -> Incident:
    return Incident.declare(
        reference="INC-2026-0001",
        title="Apply is down",
        priority=Priority.P1,
        impact="Candidates cannot apply",
        services=("apply",),
        who="a@example.org",
        now=at,
        lead=lead,
    )


def kinds(actions: list) -> list[ActionKind]:
    return [a.kind for a in actions]


def test_nothing_is_owed_before_the_nudge() -> None:
    assert actions_due(p1(), DEFAULT_POLICY, Done(), T0 + timedelta(minutes=19), tick=TICK) == []


def test_the_nudge_comes_ten_minutes_before_and_the_holding_update_when_due() -> None:
    incident = p1()
    nudge = actions_due(incident, DEFAULT_POLICY, Done(), T0 + timedelta(minutes=20), tick=TICK)
    assert kinds(nudge) == [ActionKind.NUDGE]
    both = actions_due(incident, DEFAULT_POLICY, Done(), T0 + timedelta(minutes=30), tick=TICK)
    assert kinds(both) == [ActionKind.NUDGE, ActionKind.HOLDING]
    assert not both[1].late
    done = Done(frozenset(a.key for a in both))
    assert actions_due(incident, DEFAULT_POLICY, done, T0 + timedelta(minutes=31), tick=TICK) == []


def test_an_update_by_a_person_restarts_the_clock() -> None:
    incident = p1()
    incident.post_update("Some can sign in", who="a@example.org", now=T0 + timedelta(minutes=25))
    assert last_message_at(incident) == T0 + timedelta(minutes=25)
    owed = actions_due(incident, DEFAULT_POLICY, Done(), T0 + timedelta(minutes=40), tick=TICK)
    assert owed == []


def test_a_priority_change_replans_at_once() -> None:
    incident = Incident.declare(
        reference="INC-2026-0002",
        title="Find is slow",
        priority=Priority.P3,
        impact="",
        services=(),
        who="a@example.org",
        now=T0,
    )
    incident.change_priority(Priority.P1, who="a@example.org", now=T0 + timedelta(minutes=5))
    owed = actions_due(incident, DEFAULT_POLICY, Done(), T0 + timedelta(minutes=35), tick=TICK)
    assert kinds(owed) == [ActionKind.NUDGE, ActionKind.HOLDING]
    assert owed[1].due == T0 + timedelta(minutes=35)


def test_a_missed_update_is_owed_once_and_marked_late() -> None:
    owed = actions_due(p1(), DEFAULT_POLICY, Done(), T0 + timedelta(hours=2), tick=TICK)
    holding = [a for a in owed if a.kind is ActionKind.HOLDING]
    assert len(holding) == 1 and holding[0].late


def test_p4_is_never_nudged_and_resolved_incidents_owe_nothing() -> None:
    p4 = p1()
    p4.change_priority(Priority.P4, who="a@example.org", now=T0)
    assert actions_due(p4, DEFAULT_POLICY, Done(), T0 + timedelta(hours=3), tick=TICK) == []
    closed = p1()
    closed.resolve("Fixed", who="a@example.org", now=T0)
    assert actions_due(closed, DEFAULT_POLICY, Done(), T0 + timedelta(hours=9), tick=TICK) == []


def test_hand_over_at_five_and_after_six_hours() -> None:
    incident = p1()
    incident.assign(Role.COMMS_LEAD, "c@example.org", who="c@example.org", now=T0)
    at_five = datetime(2026, 11, 24, 17, 0, tzinfo=LONDON)
    owed = actions_due(incident, DEFAULT_POLICY, Done(), at_five, tick=TICK)
    assert any(a.key == "end-of-day:2026-11-24" for a in owed)
    at_four_pm = at_five + timedelta(hours=-1, minutes=1)  # 6h01 after 10:00 is 16:01
    owed = actions_due(incident, DEFAULT_POLICY, Done(), at_four_pm, tick=TICK)
    assert any(a.key == "long:1" for a in owed)


def test_out_of_hours_incident_prompts_after_two_hours() -> None:
    night = datetime(2026, 11, 24, 22, 0, tzinfo=LONDON)
    incident = p1(night)
    early = actions_due(incident, DEFAULT_POLICY, Done(), night + timedelta(hours=1), tick=TICK)
    assert ActionKind.OUT_OF_HOURS not in kinds(early)
    later = actions_due(incident, DEFAULT_POLICY, Done(), night + timedelta(hours=2), tick=TICK)
    assert ActionKind.OUT_OF_HOURS in kinds(later)


@given(st.integers(min_value=0, max_value=600))
def test_actions_are_never_early(minutes: int) -> None:
    now = T0 + timedelta(minutes=minutes)
    for action in actions_due(p1(), DEFAULT_POLICY, Done(), now, tick=TICK):
        assert action.due <= now


def test_an_incident_without_leads_is_nudged_until_someone_takes_a_role() -> None:
    incident = p1(lead="")  # 'open ... lead: none': whoever declared it does not lead it
    incident.change_priority(Priority.P3, who="a@example.org", now=T0)  # no automatic holding
    done: set[str] = set()

    def nudges_between(first: int, last: int) -> list[int]:
        minutes = []
        for minute in range(first, last):
            now = T0 + timedelta(minutes=minute)
            owed = actions_due(incident, DEFAULT_POLICY, Done(frozenset(done)), now, tick=TICK)
            minutes += [minute for a in owed if a.kind is ActionKind.NUDGE]
            done.update(a.key for a in owed)
        return minutes

    # Due at 14:00 (four working hours), nudged from 13:30 every 30 minutes while nobody leads.
    assert nudges_between(0, 300) == [210, 240, 270]
    incident.assign(Role.COMMS_LEAD, "c@example.org", who="c@example.org", now=T0)
    assert nudges_between(300, 400) == [300], "the new lead hears once, then no more repeats"


def test_whoever_declared_an_incident_leads_it_so_its_nudge_is_not_repeated() -> None:
    incident = p1()
    incident.change_priority(Priority.P3, who="a@example.org", now=T0)
    assert incident.leads == {Role.INCIDENT_LEAD: "a@example.org"}
    done: set[str] = set()
    nudged = []
    for minute in range(0, 300):
        now = T0 + timedelta(minutes=minute)
        owed = actions_due(incident, DEFAULT_POLICY, Done(frozenset(done)), now, tick=TICK)
        nudged += [minute for a in owed if a.kind is ActionKind.NUDGE]
        done.update(a.key for a in owed)
    assert nudged == [210]
