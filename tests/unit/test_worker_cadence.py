"""A P1 of three hours through the cadence worker, with a controllable clock.

Updates, silences, an escalation, an out-of-hours stretch and a worker that is down for most
of an hour: every message is checked against the policy: nothing early, nothing late by more
than one tick (unless marked late), nothing twice.
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from datetime import UTC, datetime, timedelta

from world import World

from comms_assistant.adapters.sql import outbox
from comms_assistant.adapters.sql.store import find_incident, transaction
from comms_assistant.domain.incident import EntryKind
from comms_assistant.service.cadence import CadenceService
from comms_assistant.service.lead_notices import LEAD_CARD

TICK = timedelta(minutes=1)
NO_CHANGE = "There is no change since our last update."
OPEN = "open Apply is down p2 impact: Candidates cannot submit applications services: apply"


def at(hour: int, minute: int) -> datetime:
    return datetime(2026, 11, 23, hour, minute, tzinfo=UTC)  # London is on GMT in November


def cadence(world: World) -> CadenceService:
    # A new service is what a restarted worker process builds: it keeps nothing in memory.
    return dataclasses.replace(world.app.cadence(), tick=TICK)


def holding_times(world: World) -> list[tuple[datetime, str]]:
    with transaction(world.app.engine) as session:
        row = find_incident(session, "INC-2026-0001")
        return [(t.at, t.text) for t in row.timeline if t.kind == EntryKind.HOLDING.value]


def run_until(world: World, end: datetime, events: dict[datetime, str], skip=()) -> None:
    worker = cadence(world)
    while world.clock() < end:
        world.clock.advance(minutes=1)
        now = world.clock()
        if now in events:
            reply = world.run(events[now])
            assert reply.ok and not reply.held, reply.text
        if any(start <= now < stop for start, stop in skip):
            continue
        worker.run_tick()
        world.deliver()


def test_a_three_hour_p1_keeps_every_promise(world: World) -> None:
    world.clock.now = at(16, 0)
    assert world.run(OPEN).ok
    world.run("comms me")
    events = {
        at(16, 25): "update Candidates can sign in but still cannot submit applications.",
        at(17, 40): "priority p1 More candidates are affected than we thought",
    }
    # The worker is down from 18:11 to 18:54, then restarts.
    run_until(world, at(19, 0), events, skip=[(at(18, 11), at(18, 55))])

    holdings = holding_times(world)
    assert [t for t, _ in holdings] == [at(17, 25), at(18, 10), at(18, 55)]
    assert "late" not in holdings[0][1] and "late" not in holdings[1][1]
    assert "late: it was due 15 minutes earlier" in holdings[2][1]

    nudged = [r.created_at for r in world.outbox() if r.kind == LEAD_CARD and ":nudge:" in r.key]
    # Ten minutes before each due time; the one missed while the worker was down, on restart.
    assert nudged == [at(17, 15), at(18, 0), at(18, 55)]
    handovers = [r.created_at for r in world.outbox() if ":end-of-day:2026-11-23" in r.key]
    assert handovers == [at(17, 0)], "hand-over prompt at 5pm, once"

    holding_mails = [m for m in world.mailer.sent if NO_CHANGE in m.html]
    assert len(holding_mails) == 3
    ids = [m.delivery_id for m in world.mailer.sent]
    assert len(ids) == len(set(ids)), "nothing sent twice"
    assert all(r.status == outbox.DONE for r in world.outbox())


def test_a_restarted_worker_catches_up_once(world: World) -> None:
    world.clock.now = at(16, 0)
    world.run(OPEN.replace(" p2 ", " p1 "))
    world.clock.now = at(18, 0)  # the worker was down for two hours: four updates missed
    cadence(world).run_tick()
    cadence(world).run_tick()  # a second process starting at the same moment adds nothing
    world.deliver()
    holdings = holding_times(world)
    assert len(holdings) == 1 and "late" in holdings[0][1]
    assert sum(NO_CHANGE in m.html for m in world.mailer.sent) == 1


def test_the_nudge_goes_to_the_incident_lead_when_no_comms_lead_is_set(world: World) -> None:
    world.clock.now = at(10, 0)
    world.run(OPEN.replace(" p2 ", " p1 "))
    world.run("lead me", who="lead@example.org")
    world.clock.now = at(10, 21)
    cadence(world).run_tick()
    world.deliver()
    (card,) = [p for p in world.teams.posted if "update is due" in p.summary]
    text = str(card.card)
    assert "For <at>lead@example.org</at>" in text and "No comms lead is set" in text
    # Never heard from in Teams: mentioned by sign-in name, which Teams accepts as the id.
    mention = {"type": "mention", "text": "<at>lead@example.org</at>"}
    mentioned = {"id": "lead@example.org", "name": "lead@example.org"}
    assert card.card["msteams"]["entities"] == [mention | {"mentioned": mentioned}]
    assert "To send one now: update" in text


def test_two_workers_on_one_store_never_deliver_the_same_thing_twice(world: World) -> None:
    for n in range(6):
        world.run(f"open Service {n} is down p2 impact: People cannot use it services: apply")
    second = dataclasses.replace(world.dispatcher)  # another worker: its own lease owner
    assert second.owner != world.dispatcher.owner

    def work(dispatcher) -> None:  # type: ignore[no-untyped-def]
        while asyncio.run(dispatcher.run_once()):
            pass

    threads = [threading.Thread(target=work, args=(d,)) for d in (world.dispatcher, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    sent = [m.delivery_id for m in world.mailer.sent]
    posted = [c.delivery_id for c in world.teams.posted]
    assert len(sent) == len(set(sent)) == 6
    assert len(posted) == len(set(posted)) == 6
    assert all(r.status == outbox.DONE for r in world.outbox())


def test_the_profile_sets_the_time_each_message_promises(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from world import Clock

    from comms_assistant.bootstrap import bootstrap
    from comms_assistant.config import Settings

    app = bootstrap(Settings(home=tmp_path, profile="dfe"), clock=Clock(at(10, 0)))
    reply = app.commands().execute(OPEN.replace(" p2 ", " p1 "), who="comms.lead@example.org")
    assert "Next update due by 11:00 GMT" in reply.text  # DfE: hourly P1 updates
    status = app.commands().execute("status", who=None)
    assert "Next stakeholder update due by 23 Nov 2026 11:00 GMT" in status.text


def test_profile_names_and_resolvers_reach_the_commands(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from world import Clock

    from comms_assistant.bootstrap import bootstrap
    from comms_assistant.config import Settings

    dxw = bootstrap(Settings(home=tmp_path / "dxw", profile="dxw"), clock=Clock(at(11, 0)))
    reply = dxw.commands().execute(
        "open Example.com errors priority: critical impact: Nobody can reach the site",
        who="a@example.org",
    )
    assert reply.ok and "is open at Critical (P1)" in reply.text, reply.text
    assert dxw.commands().execute("priority major Fewer people now", who="a@example.org").ok
    assert "Priority Major (P2)" in dxw.commands().execute("status", who=None).text
    mails = [r.payload for r in outbox.rows(dxw.engine) if r.kind == "mail"]
    assert any("priority 1 (Critical)" in m["html"] for m in mails), "named in the messages too"

    moj = bootstrap(Settings(home=tmp_path / "moj", profile="moj"), clock=Clock(at(11, 0)))
    commands = moj.commands()
    commands.execute(OPEN, who="comms.lead@example.org")  # so the comms lead leads it
    commands.execute("comms me", who="comms.lead@example.org")
    commands.execute("I am the incident lead", who="lead@example.org")
    refused = commands.execute("close People can apply again.", who="comms.lead@example.org")
    assert not refused.ok and "only the incident lead may declare" in refused.text
    assert commands.execute(
        "I am declaring this incident resolved because people can apply again.",
        who="lead@example.org",
    ).ok
