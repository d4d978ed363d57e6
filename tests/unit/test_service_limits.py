"""The service catalogue's max_priority (issue 24): DfE's "Google BigQuery incidents are never
above P2", enforced with a clear answer at `open` and `priority`; and the month's figures in
Teams (`report`), for the people allowed to open incidents; and the holds for wording the
register counts."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from world import World
from world_build import build_world

from comms_assistant.adapters.contacts import inspect_directory
from comms_assistant.domain import commands as c
from comms_assistant.domain.authority import TEAM_MEMBER, Person, Rights, to_act
from comms_assistant.domain.record import HoldEnd
from comms_assistant.resources import bundled
from comms_assistant.service.incident_figures import all_figures
from comms_assistant.service.register_port import Links, row_of

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
BIGQUERY = "bigquery,Google BigQuery,priya.anand@example.org,,,no,,,P2\n"


def contacts(tmp_path: Path, row: str = BIGQUERY) -> Path:
    folder = tmp_path / "contacts"
    shutil.copytree(bundled("contacts"), folder)
    services = folder / "services.csv"
    lines = services.read_text().splitlines()
    lines[0] += ",max_priority"
    lines = [lines[0], *(line + "," for line in lines[1:])]
    services.write_text("\n".join(lines) + "\n" + row)
    return folder


@pytest.fixture
def world(tmp_path: Path) -> World:
    return build_world(tmp_path / "home", T0, contacts_dir=contacts(tmp_path))


def test_open_above_the_services_limit_is_refused_saying_why(world: World) -> None:
    reply = world.run(
        "open Reports are empty p1 impact: Staff cannot see reports services: bigquery"
    )
    assert not reply.ok
    assert "Google BigQuery incidents are never above P2" in reply.text
    assert "max_priority" in reply.text and "use P2 or lower" in reply.text
    assert not world.outbox()  # nothing was opened, nothing queued


def test_at_the_limit_it_opens_and_cannot_be_raised_past_it(world: World) -> None:
    opened = world.run(
        "open Reports are empty p2 impact: Staff cannot see reports services: bigquery"
    )
    assert opened.ok and opened.deliveries, opened.text
    reply = world.run("priority p1 It is worse")
    assert not reply.ok and "never above P2" in reply.text
    assert world.run("priority p3 It is better").ok


def test_an_incident_also_affecting_a_service_without_a_limit_may_be_p1(world: World) -> None:
    reply = world.run(
        "open Reports are empty p1 impact: Candidates cannot apply services: bigquery, apply"
    )
    assert reply.ok, reply.text


def test_a_wrong_max_priority_cell_names_the_line_and_what_is_expected(tmp_path: Path) -> None:
    folder = contacts(tmp_path, BIGQUERY.replace(",P2\n", ",urgent\n"))
    _, problems = inspect_directory(folder)
    [problem] = [p for p in problems if "max_priority" in str(p.message)]
    assert problem.line == 6 and '"urgent" is not P1, P2, P3 or P4' in problem.message


def test_the_month_report_in_teams_tells_the_figures_to_those_allowed(world: World) -> None:
    world.run("open Apply is down p1 impact: Candidates cannot apply services: apply")
    world.deliver()
    world.clock.advance(minutes=25)
    world.run("close Candidates can apply again")
    world.deliver()

    reply = world.run("report 2026-11")

    assert reply.ok, reply.text
    lines = reply.text.splitlines()
    assert lines[0] == "Incidents in November 2026"
    assert lines[1].startswith("We had 1 incident in November 2026: 1 at P1.")
    assert "Median minutes to resolve: 25 (3 months before: -)" in lines
    assert "Updates sent on time: 1 of 1 (100%) (3 months before: none due)" in lines
    assert not world.run("report November").ok
    rights = Rights(frozenset({TEAM_MEMBER}))
    command = c.parse("report 2026-11")
    assert to_act(Person("someone@example.org"), command, None, rights).refusal
    assert to_act(Person("lena@example.org", team_member=True), command, None, rights).allowed


JARGON = (
    "update Some candidates cannot sign in. The cause is a DNS failover. We are testing a hotfix."
)


def test_holds_for_wording_are_counted_with_how_each_ended(world: World) -> None:
    world.run("open Apply is down p2 impact: Candidates cannot apply services: apply")
    assert world.run(JARGON).held
    assert world.run(JARGON.replace("hotfix", "patch")).held  # the first is replaced
    assert world.run("send anyway").ok
    with world.app.unit_of_work() as uow:
        incident = uow.incidents.get("INC-2026-0001")
        assert incident is not None
        ends = [hold.ended for hold in incident.record.holds]
    assert ends == [HoldEnd.REPLACED, HoldEnd.AS_WRITTEN]
    [row] = [
        row_of(f, Links(), world.app.tz)
        for f in all_figures(world.app.unit_of_work, world.app.policy(), T0)
    ]
    assert row["HoldsForWording"] == 2
    assert row["HoldOutcomes"] == "2 held: 1 replaced by another message, 1 sent as written"
