"""Several processes on one store at once (issue 20), on SQLite and on PostgreSQL alike.

Real threads, each with its own connection, started together at a barrier: on PostgreSQL they
race as several bot instances and workers do; on SQLite BEGIN IMMEDIATE makes them take turns.
Before the store's counter, row locks, head-only claims and retries, PostgreSQL gave: 2 of 5
concurrent opens a duplicate incident number, 1 of 8 concurrent logs a duplicate timeline
number, 2 of 3 simultaneous cadence ticks a duplicate outbox key, and #70 claimed while #69,
the head of its lane, was locked.
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from world import World
from world_build import build_world

from comms_assistant.adapters.sql import outbox
from comms_assistant.adapters.sql.store import IncidentRow, OutboxRow, find_incident, transaction
from comms_assistant.adapters.sql.unit_of_work import unit_of_work
from comms_assistant.entrypoints import worker
from comms_assistant.service.cadence import CadenceService

START = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
OPEN = "open Apply is down {n} p1 impact: Candidates cannot submit applications services: apply"


@pytest.fixture
def world(tmp_path: Path, store_url: str) -> World:
    return build_world(tmp_path / "home", START, database_url=store_url)


def together(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run work(0..count-1) in `count` threads released at the same instant; their results,
    or the exception each raised."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(n: int) -> None:
        barrier.wait()
        try:
            results[n] = work(n)
        except Exception as error:  # kept, so the test shows it instead of a thread's stderr
            results[n] = error

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def cadence(world: World) -> CadenceService:
    # What each worker process builds for itself.
    return dataclasses.replace(world.app.cadence(), tick=timedelta(minutes=1))


def test_five_concurrent_opens_get_five_numbers(world: World) -> None:
    replies = together(5, lambda n: world.run(OPEN.format(n=n)))
    assert all(getattr(r, "ok", False) for r in replies), replies
    with transaction(world.app.engine) as session:
        numbers = sorted(session.scalars(text("SELECT number FROM incidents")))
    assert numbers == [1, 2, 3, 4, 5]
    assert sorted(r.reference for r in replies) == [f"INC-2026-000{n}" for n in range(1, 6)]


def test_eight_concurrent_logs_on_one_incident_each_get_a_timeline_number(world: World) -> None:
    assert world.run(OPEN.format(n=0)).ok
    replies = together(8, lambda n: world.run(f"log Step {n}", incident="INC-2026-0001"))
    assert all(getattr(r, "ok", False) for r in replies), replies
    with transaction(world.app.engine) as session:
        row = find_incident(session, "INC-2026-0001")
        assert row is not None
        seqs = [t.seq for t in row.timeline]
        logged = sorted(t.text for t in row.timeline if t.text.startswith("Step "))
    assert seqs == list(range(1, len(seqs) + 1))
    assert logged == [f"Step {n}" for n in range(8)]


def test_three_workers_ticking_at_once_do_each_thing_once(world: World) -> None:
    assert world.run(OPEN.format(n=0)).ok
    world.clock.now = START + timedelta(hours=2)  # a nudge and a holding update owed
    workers = [cadence(world) for _ in range(3)]
    lines = together(3, lambda n: workers[n].run_tick())
    assert not [r for r in lines if isinstance(r, BaseException)], lines
    done = [line for found in lines for line in found]
    assert sum("nudged" in line for line in done) == 1, done
    assert sum("Holding update" in line for line in done) == 1, done
    keys = [r.key for r in world.outbox()]
    assert len(keys) == len(set(keys))
    with transaction(world.app.engine) as session:
        row = find_incident(session, "INC-2026-0001")
        assert row is not None
        assert sum(t.kind == "holding" for t in row.timeline) == 1


def queue(world: World, lanes: list[str]) -> list[int]:
    """One due mail per entry, in this order, on the incident the world opened; their ids."""
    now = world.clock()
    with transaction(world.app.engine) as session:
        session.query(OutboxRow).delete()
        incident_id = session.query(IncidentRow).one().id
        made = [
            outbox.enqueue(
                session,
                key=f"test:{n}",
                incident_id=incident_id,
                lane=lane,
                kind="mail",
                payload={"n": n},
                now=now,
            )
            for n, lane in enumerate(lanes)
        ]
        session.flush()
        return [row.id for row in made]


def test_the_row_behind_a_locked_lane_head_is_not_claimed(world: World) -> None:
    assert world.run(OPEN.format(n=0)).ok
    head, behind, other = queue(world, ["a", "a", "b"])
    engine = world.app.engine
    if engine.dialect.name == "sqlite":
        # One writer at a time: no row can be held locked while another claims.
        claimed = outbox.claim_due(engine, owner="me", now=world.clock())
        assert [d.id for d in claimed] == [head, other]
        return
    with engine.connect() as holder:
        # Another worker in the middle of settling the head.
        holder.execute(text("SELECT id FROM outbox WHERE id = :id FOR UPDATE"), {"id": head})
        claimed = outbox.claim_due(engine, owner="me", now=world.clock())
        holder.rollback()
    assert [d.id for d in claimed] == [other], "only a lane's head may go, locked or not"
    again = outbox.claim_due(engine, owner="me", now=world.clock())
    assert [d.id for d in again] == [head]


def test_workers_share_the_heads_a_limit_at_a_time(world: World) -> None:
    assert world.run(OPEN.format(n=0)).ok
    ids = queue(world, [f"lane {n}" for n in range(6)])
    claims = together(
        3, lambda n: outbox.claim_due(world.app.engine, owner=f"w{n}", now=world.clock(), limit=2)
    )
    taken = [d.id for found in claims for d in found]
    assert sorted(taken) == ids, claims
    assert all(d.owner == f"w{n}" for n, found in enumerate(claims) for d in found)


def test_a_worker_whose_lease_was_taken_over_does_not_settle(world: World) -> None:
    assert world.run(OPEN.format(n=0)).ok
    (mail,) = queue(world, ["a"])
    engine, sql = world.app.engine, outbox.SqlOutbox(world.app.engine)
    (stale,) = outbox.claim_due(engine, owner="slow", now=world.clock())
    later = world.clock() + outbox.LEASE + timedelta(seconds=1)
    (taken,) = outbox.claim_due(engine, owner="fast", now=later)
    assert stale.id == taken.id == mail and taken.owner == "fast"

    with unit_of_work(engine) as work:
        assert not work.deliveries.settle_done(mail, now=later, result={}, owner="slow")
        assert not work.deliveries.mark_failed(mail, error="gave up", now=later, owner="slow")
    assert not sql.settle_retry(mail, error="503", retry_at=later, owner="slow")
    assert not sql.defer(mail, later, owner="slow")
    (row,) = outbox.rows(engine, {mail})
    assert (row.status, row.lease_owner, row.attempts) == (outbox.PENDING, "fast", 0)

    with unit_of_work(engine) as work:
        assert work.deliveries.settle_done(mail, now=later, result={"ok": 1}, owner="fast")
    (row,) = outbox.rows(engine, {mail})
    assert (row.status, row.result, row.lease_owner) == (outbox.DONE, {"ok": 1}, None)


def test_a_tick_that_fails_for_one_incident_goes_on_with_the_others(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert world.run(OPEN.format(n=1)).ok
    assert world.run(OPEN.format(n=2)).ok
    world.clock.now = START + timedelta(minutes=21)  # both leads are due a nudge
    worker_cadence = cadence(world)
    real = CadenceService._incident

    def broken(self: CadenceService, uow: Any, incident: Any) -> list[str]:
        if incident.reference == "INC-2026-0001":
            raise RuntimeError("a bug in one incident's tick")
        return real(self, uow, incident)

    monkeypatch.setattr(CadenceService, "_incident", broken)
    done = worker_cadence.run_tick()
    assert [line.split(":")[0] for line in done] == ["INC-2026-0002"]


def test_the_worker_goes_on_when_a_whole_tick_fails(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert world.run(OPEN.format(n=1)).ok
    worker_cadence = cadence(world)

    def broken(self: CadenceService) -> list[str]:
        raise RuntimeError("the database went away for a moment")

    monkeypatch.setattr(CadenceService, "run_tick", broken)
    assert asyncio.run(worker.one_pass(worker_cadence, world.dispatcher)) == []
    assert world.mailer.sent, "the deliveries went all the same"


class Stalling:
    """A worker's mailer that stalls once, before its first send, while `during` runs: as a
    worker starved of CPU, or waiting its turn, for longer than its lease."""

    def __init__(self, inner: Any, during: Callable[[], Any]) -> None:
        self.inner, self.during = inner, during

    async def send(self, mail: Any) -> None:
        during, self.during = self.during, None
        if during is not None:
            await during()
        await self.inner.send(mail)

    async def was_sent(self, delivery_id: str) -> bool:
        return bool(await self.inner.was_sent(delivery_id))


def one_more_mail(world: World) -> int:
    """A copy of a mail the incident sent, as a new delivery in a lane of its own; its id."""
    sent = next(r for r in world.outbox() if r.kind == "mail" and r.status == outbox.DONE)
    payload = dict(sent.payload, delivery_id="fenced-mail")
    with transaction(world.app.engine) as session:
        row = outbox.enqueue(
            session, key="test:fenced", incident_id=sent.incident_id, lane="fenced",
            kind="mail", payload=payload, now=world.clock(),
        )  # fmt: skip
        session.flush()
        return row.id


@pytest.mark.parametrize("stall", [outbox.LEASE + timedelta(seconds=1), timedelta(seconds=30)])
def test_a_sender_stalled_past_its_lease_does_not_send_what_another_took_over(
    world: World, stall: timedelta, caplog: pytest.LogCaptureFixture
) -> None:
    assert world.run(OPEN.format(n=0)).ok
    world.deliver()
    mail = one_more_mail(world)
    other = dataclasses.replace(world.dispatcher)  # another worker: its own lease owner
    assert other.owner != world.dispatcher.owner

    async def stalled() -> None:
        world.clock.advance(seconds=stall.total_seconds())
        await other.run_once()  # takes over what the stalled one holds, if its lease ran out

    slow = dataclasses.replace(world.dispatcher, mailer=Stalling(world.mailer, stalled))
    with caplog.at_level("WARNING"):
        assert asyncio.run(slow.run_once()) == 1
    went = [m for m in world.mailer.sent if m.delivery_id == "fenced-mail"]
    assert len(went) == 1, "sent once, whoever sent it"
    (row,) = outbox.rows(world.app.engine, {mail})
    assert row.status == outbox.DONE
    passed = "its lease passed to another sender before it went" in caplog.text
    # Past its lease the stalled worker finds it gone and sends nothing; within it, the other
    # worker could not take it, and the stalled one renews its lease and sends.
    assert passed == (stall > outbox.LEASE)
