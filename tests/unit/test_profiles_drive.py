"""Each seed playbook's profile drives a short incident the way its playbook says."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

from world import World
from world_build import build_world

from comms_assistant.adapters.sql.store import find_incident, transaction
from comms_assistant.domain.incident import EntryKind
from comms_assistant.service.lead_notices import LEAD_CARD

OPEN = "open Apply is down {p} impact: Candidates cannot submit applications services: apply"
TUESDAY = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)  # London is on GMT in November


def drive(world: World, minutes: int) -> None:
    worker = dataclasses.replace(world.app.cadence(), tick=timedelta(minutes=1))
    for _ in range(minutes):
        world.clock.advance(minutes=1)
        worker.run_tick()
        world.deliver()


def minutes_of(world: World, kind: EntryKind) -> list[int]:
    with transaction(world.app.engine) as session:
        row = find_incident(session, "INC-2026-0001")
        return [int((t.at - TUESDAY).total_seconds() // 60) for t in row.timeline if t.kind == kind]


def nudge_minutes(world: World) -> list[int]:
    rows = [r for r in world.outbox() if r.kind == LEAD_CARD and ":nudge:" in r.key]
    return [int((r.created_at - TUESDAY).total_seconds() // 60) for r in rows]


def started(tmp_path: Path, profile: str, priority: str, start: datetime = TUESDAY) -> World:
    world = build_world(tmp_path / profile, start, profile=profile)
    reply = world.run(OPEN.format(p=priority))
    assert reply.ok, reply.text
    world.run("comms me")
    return world


def test_dxw_prompts_for_a_summary_every_30_minutes_and_updates_clients_hourly(
    tmp_path: Path,
) -> None:
    world = started(tmp_path, "dxw", "priority: critical")
    drive(world, 125)
    assert nudge_minutes(world) == [30, 90]  # half an hour after each message to clients
    assert minutes_of(world, EntryKind.HOLDING) == [60, 120]  # hourly client updates


def test_dfe_updates_p1_stakeholders_hourly(tmp_path: Path) -> None:
    world = started(tmp_path, "dfe", "p1")
    drive(world, 130)
    assert minutes_of(world, EntryKind.HOLDING) == [60, 120]
    assert nudge_minutes(world) == [50, 110]


def test_govuk_paas_hands_over_at_five_and_after_six_hours(tmp_path: Path) -> None:
    world = started(tmp_path, "govuk-paas", "p1", start=TUESDAY.replace(hour=9))
    drive(world, 8 * 60 + 5)  # 09:00 to 17:05
    prompts = [r.key for r in world.outbox() if r.kind == LEAD_CARD and "nudge" not in r.key]
    assert any(":long:1" in k for k in prompts), "after six hours (15:00)"
    assert any(":end-of-day:2026-11-24" in k for k in prompts), "at 5pm"
    assert len(minutes_of(world, EntryKind.PROMPT)) == 2
    assert len(minutes_of(world, EntryKind.HOLDING)) == 16  # every 30 minutes for a P1


def test_moj_has_the_incident_lead_declare_resolution(tmp_path: Path) -> None:
    world = started(tmp_path, "moj", "p2")  # the comms lead opened it, so leads it too
    assert world.run("tech me", who="tech.lead@example.org").ok
    refused = world.run("close People can apply again.", who="tech.lead@example.org")
    assert not refused.ok and "only the incident lead may" in refused.text
    # The role handed on, its new holder declares it resolved, and the opener no longer may.
    world.run("I am the incident lead", who="lead@example.org")
    assert not world.run("close People can apply again.").ok
    reply = world.run(
        "I am declaring this incident resolved because people can apply again.",
        who="lead@example.org",
    )
    assert reply.ok, reply.text


def test_wellcome_has_its_delivery_manager_declare_resolution(tmp_path: Path) -> None:
    world = started(tmp_path, "wellcome", "p2")
    refused = world.run("close People can apply again.")
    assert not refused.ok and "only the delivery manager may" in refused.text
    assert not world.run("role duty manager me", who="dm@example.org").ok
    assert world.run("role delivery manager me", who="dm@example.org").ok
    assert "Delivery manager: dm@example.org" in world.run("status", who=None).text
    assert world.run("close People can apply again.", who="dm@example.org").ok


def test_wellcome_keeps_security_incidents_private(tmp_path: Path) -> None:
    world = build_world(tmp_path / "wellcome", TUESDAY, profile="wellcome")
    reply = world.run(
        "open Staff data may have leaked p1 impact: Nobody can see staff records yet "
        "services: apply security: yes"
    )
    assert reply.ok, reply.text
    world.deliver()
    assert not [c for c in world.teams.posted if not c.destination.startswith("chat:")]
