"""What /healthz and the outbox gauges read from the store (adapters/sql/watch.py), on SQLite and
on PostgreSQL: the workers' ticks, and the outbox's waiting, parked and oldest due delivery."""

# ruff: noqa: F811  (pytest fixtures are parameters named like the imported fixture)

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.engine import Engine
from test_outbox_queries import incident_id, queue, world  # noqa: F401  (fixtures)
from world import World

from comms_assistant.adapters.metrics.ticks import TickRecorder
from comms_assistant.adapters.sql import outbox, watch
from comms_assistant.adapters.sql.models import WorkerTickRow
from comms_assistant.adapters.sql.store import transaction
from comms_assistant.service import health


def test_each_worker_keeps_one_row_and_the_newest_tick_counts(world: World) -> None:
    engine, now = world.app.engine, world.clock()
    assert watch.last_tick(engine) is None
    watch.record_tick(engine, "a:1", at=now, ok=True, interval=30)
    watch.record_tick(engine, "b:2", at=now + timedelta(seconds=5), ok=True, interval=60)
    watch.record_tick(engine, "a:1", at=now + timedelta(seconds=9), ok=False, interval=30)
    last = watch.last_tick(engine)
    assert last is not None
    assert (last.worker, last.at, last.ok, last.interval) == (
        "a:1",
        now + timedelta(seconds=9),
        False,
        30,
    )
    # A week on, the workers that stopped are forgotten.
    watch.record_tick(engine, "c:3", at=now + timedelta(days=7, seconds=6), ok=True, interval=30)
    with transaction(engine) as session:
        assert sorted(session.scalars(select(WorkerTickRow.worker))) == ["a:1", "c:3"]


def test_the_oldest_due_is_the_longest_waiting_lane_head_that_may_go(
    world: World,
    incident_id: int,
) -> None:
    now = world.clock()
    ids = queue(
        world,
        incident_id,
        [
            ("a", {}, timedelta(minutes=-3), None),  # due 3 minutes ago
            ("a", {}, timedelta(minutes=-20), None),  # behind it: waits for it, not counted
            ("b", {}, timedelta(minutes=-30), now + timedelta(minutes=1)),  # being made now
            ("c", {}, timedelta(minutes=5), None),  # not due yet
            ("d", {}, timedelta(minutes=-1), None),
        ],
    )
    facts = watch.outbox_facts(world.app.engine, now)
    assert (facts.pending, facts.parked) == (5, 0)
    assert facts.oldest_due == now - timedelta(minutes=3)
    assert facts.oldest_due_age(now) == 180

    with transaction(world.app.engine) as session:
        outbox.mark_failed(session, ids[0], error="refused", now=now)
    facts = watch.outbox_facts(world.app.engine, now)
    # The parked head no longer holds its lane: the one behind it waits for the dispatcher.
    assert (facts.pending, facts.parked) == (4, 1)
    assert facts.oldest_due_age(now) == 20 * 60
    assert (
        watch.incident_reference(world.app.engine, incident_id)
        == world.run("status").text.split()[0]
    )


def test_a_worker_draining_a_backlog_beats_between_its_ticks(world: World) -> None:
    """A pass sending 700 emails at 30 a minute lasts many intervals: its beats keep it alive
    for /healthz, written at most once an interval."""
    engine, start = world.app.engine, world.clock()
    moment = [start]
    recorder = TickRecorder(engine, lambda: moment[0], 30)
    recorder.record(ok=True)
    moment[0] = start + timedelta(seconds=10)
    recorder.beat()  # within the interval: nothing written
    assert _last_at(engine) == start
    moment[0] = start + timedelta(minutes=4)
    recorder.beat()
    assert _last_at(engine) == start + timedelta(minutes=4)
    judged = health.judge(
        watch.last_tick(engine),
        health.OutboxFacts(0, 0, None),
        now=moment[0] + timedelta(seconds=5),
        started=start,
        interval=30,
    )
    assert judged.ok, judged.reasons


def _last_at(engine: Engine) -> object:
    last = watch.last_tick(engine)
    return last.at if last else None
