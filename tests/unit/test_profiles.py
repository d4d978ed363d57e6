from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from comms_assistant.adapters.profiles import PROFILES, ProfileError, load_profile, parse_duration
from comms_assistant.domain.incident import Priority

LONDON = ZoneInfo("Europe/London")
SHIPPED = sorted(p.stem for p in PROFILES.glob("*.toml"))


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def test_every_seed_playbook_has_a_profile() -> None:
    assert SHIPPED == ["default", "dfe", "dxw", "govuk-paas", "moj", "wellcome"]


@pytest.mark.parametrize("name", SHIPPED)
def test_each_shipped_profile_loads_with_bank_holidays(name: str) -> None:
    policy = load_profile(name)
    assert set(policy.rules) == set(Priority)
    assert not policy.hours.is_working(london(2026, 12, 25, 11, 0)), "Christmas is a holiday"
    assert policy.hours.is_working(london(2026, 11, 24, 11, 0))


def test_default_profile_is_the_default_policy_table() -> None:
    policy = load_profile("default")
    assert policy.rule(Priority.P1).update_every == timedelta(minutes=30)
    assert policy.rule(Priority.P3).out_of_hours is False
    assert policy.hours.start == time(9) and policy.hours.end == time(17, 30)


def test_dxw_prompts_for_a_summary_at_30_minutes_and_updates_clients_hourly() -> None:
    policy = load_profile("dxw")
    sent = london(2026, 11, 24, 11, 0)
    assert policy.parse_priority("Critical") is Priority.P1
    assert policy.label(Priority.P2) == "Major (P2)"
    assert policy.nudge_due(Priority.P1, sent) == sent + timedelta(minutes=30)
    assert policy.next_update_due(Priority.P1, sent) == sent + timedelta(hours=1)
    # Major incidents wait for the office, which opens at 10:00.
    evening = london(2026, 11, 24, 17, 30)
    assert policy.next_update_due(Priority.P2, evening) == london(2026, 11, 25, 10, 30)


def test_dfe_updates_p1_stakeholders_hourly() -> None:
    policy = load_profile("dfe")
    sent = london(2026, 11, 24, 22, 0)
    assert policy.next_update_due(Priority.P1, sent) == sent + timedelta(hours=1)
    assert policy.next_update_due(Priority.P3, sent) is None


def test_govuk_paas_hands_over_at_five_or_after_six_hours() -> None:
    policy = load_profile("govuk-paas")
    assert policy.handover.end_of_day == time(17, 0)
    assert policy.handover.after == timedelta(hours=6)
    assert policy.hours.end == time(17, 0)


def test_wellcome_and_moj_name_their_roles_and_who_resolves() -> None:
    assert load_profile("wellcome").extra_roles == ("delivery manager",)
    assert load_profile("wellcome").resolvers == ("delivery manager",)
    assert load_profile("moj").resolvers == ("incident lead",)


def test_a_broken_profile_names_the_file_and_the_setting(tmp_path: Path) -> None:
    path = tmp_path / "ours.toml"
    path.write_text(
        'name = "Ours"\n[priorities.P1]\nupdate_every = "soon"\n[working_hours]\ndays = ["mon"]\n'
    )
    with pytest.raises(ProfileError) as error:
        load_profile(str(path))
    assert str(path) in str(error.value)
    assert "priorities.P1.update_every" in str(error.value)


def test_a_profile_missing_a_priority_or_naming_an_unknown_resolver(tmp_path: Path) -> None:
    path = tmp_path / "ours.toml"
    body = "".join(f'[priorities.P{n}]\nupdate_every = "none"\n' for n in (1, 2, 3))
    path.write_text('name = "Ours"\n' + body)
    with pytest.raises(ProfileError, match=r"\[priorities.P4\] is missing"):
        load_profile(str(path))
    path.write_text(
        'name = "Ours"\n' + body + '[priorities.P4]\nupdate_every = "none"\n'
        '[roles]\nresolvers = ["boss"]\n'
    )
    with pytest.raises(ProfileError, match='resolver "boss" is not a role'):
        load_profile(str(path))


def test_unknown_profile_lists_the_shipped_ones() -> None:
    with pytest.raises(ProfileError, match="Shipped profiles: default, dfe, dxw"):
        load_profile("nhs")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("30m", timedelta(minutes=30)), ("1h30m", timedelta(minutes=90)), ("none", None)],
)
def test_durations(text: str, expected: timedelta | None) -> None:
    assert parse_duration(text) == expected


def test_bad_duration() -> None:
    with pytest.raises(ValueError, match="is not a time"):
        parse_duration("half an hour")
