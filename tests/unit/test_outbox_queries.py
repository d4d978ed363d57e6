"""The outbox's queries: what a claim takes, when the queue next wakes, what a delivery caused.

They read only the columns that decide (not every pending payload); these pin down that the
answers are the ones reading whole rows gave, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from world import World
from world_build import build_world

from comms_assistant.adapters.sql import outbox
from comms_assistant.adapters.sql.store import IncidentRow, OutboxRow, transaction

OPEN = "open Apply is down p2 impact: Candidates cannot submit applications services: apply"


@pytest.fixture
def world(tmp_path: Path, store_url: str) -> World:
    """The usual world, once on each engine."""
    return build_world(
        tmp_path / "home", datetime(2026, 11, 23, 10, 0, tzinfo=UTC), database_url=store_url
    )


@pytest.fixture
def incident_id(world: World) -> int:
    """An incident with an empty outbox, for rows these tests queue themselves."""
    assert world.run(OPEN).ok
    with transaction(world.app.engine) as session:
        session.query(OutboxRow).delete()
        return session.query(IncidentRow).one().id


def queue(
    world: World,
    incident_id: int,
    rows: list[tuple[str, dict[str, Any], timedelta, datetime | None]],
) -> list[int]:
    """(lane, payload, due in, leased until) for each row, queued in this order; their ids."""
    now = world.clock()
    with transaction(world.app.engine) as session:
        made = []
        first = session.query(OutboxRow).count()
        for n, (lane, payload, due_in, leased_until) in enumerate(rows, start=first):
            row = outbox.enqueue(
                session,
                key=f"test:{n}",
                incident_id=incident_id,
                lane=lane,
                kind="mail",
                payload=payload,
                now=now,
            )
            row.next_attempt_at = now + due_in
            if leased_until is not None:
                row.lease_owner, row.lease_until = "another worker", leased_until
            made.append(row)
        session.flush()
        return [row.id for row in made]


def test_a_claim_takes_the_due_unleased_head_of_each_lane_with_its_payload(
    world: World, incident_id: int
) -> None:
    now = world.clock()
    later, soon = timedelta(minutes=5), now + timedelta(minutes=1)
    head, behind, waiting, behind_waiting, leased, other = queue(
        world,
        incident_id,
        [
            ("a", {"subject": "first", "bcc": [{"email": "x@example.org"}]}, timedelta(0), None),
            ("a", {"subject": "second"}, timedelta(0), None),  # waits for the head of its lane
            ("b", {"subject": "not yet"}, later, None),
            ("b", {"subject": "due, but behind"}, timedelta(0), None),
            ("c", {"subject": "leased"}, timedelta(0), soon),
            ("d", {"subject": "other"}, timedelta(0), None),
        ],
    )

    claimed = outbox.claim_due(world.app.engine, owner="me", now=now)

    assert [d.id for d in claimed] == [head, other]
    assert claimed[0].payload == {"subject": "first", "bcc": [{"email": "x@example.org"}]}
    assert [(d.attempts, d.claims) for d in claimed] == [(0, 1), (0, 1)]
    # When each was queued: a retried card looks back through Teams that far (teams.py).
    assert [d.queued_at for d in claimed] == [now, now]
    leases = {r.id: (r.lease_owner, r.lease_until) for r in outbox.rows(world.app.engine)}
    assert leases[head] == leases[other] == ("me", now + outbox.LEASE)
    assert leases[behind] == leases[waiting] == leases[behind_waiting] == (None, None)
    assert leases[leased] == ("another worker", soon)
    # Leased now: nothing more may go until they are settled or their leases run out.
    assert outbox.claim_due(world.app.engine, owner="me", now=now) == []


def test_a_claim_stops_at_its_limit_in_queue_order(world: World, incident_id: int) -> None:
    ids = queue(world, incident_id, [(f"lane {n}", {"n": n}, timedelta(0), None) for n in range(5)])
    first = outbox.claim_due(world.app.engine, owner="me", now=world.clock(), limit=2)
    rest = outbox.claim_due(world.app.engine, owner="me", now=world.clock(), limit=2)
    assert [d.id for d in first] == ids[:2] and [d.id for d in rest] == ids[2:4]
    assert [d.payload for d in first + rest] == [{"n": n} for n in range(4)]


def test_the_next_wake_is_the_earliest_lane_head_or_its_lease(
    world: World, incident_id: int
) -> None:
    now = world.clock()
    queue(
        world,
        incident_id,
        [
            ("a", {}, timedelta(minutes=10), None),
            ("a", {}, timedelta(minutes=1), None),  # behind the head: does not count
            ("b", {}, timedelta(0), now + timedelta(minutes=3)),  # due, but leased till then
        ],
    )
    assert outbox.next_wake(world.app.engine) == now + timedelta(minutes=3)


def test_the_next_wake_of_an_empty_queue_is_none(world: World, incident_id: int) -> None:
    assert outbox.next_wake(world.app.engine) is None


def test_caused_by_finds_the_deliveries_naming_a_cause(world: World, incident_id: int) -> None:
    sent, other = queue(
        world, incident_id, [("a", {}, timedelta(0), None), ("b", {}, timedelta(0), None)]
    )
    refresh, _no_cause, _null, _elsewhere = queue(
        world,
        incident_id,
        [
            ("c", {"path": "r.docx", "cause": sent}, timedelta(0), None),
            ("c", {"path": "r.docx"}, timedelta(0), None),
            ("c", {"path": "r.docx", "cause": None}, timedelta(0), None),
            ("c", {"path": "r.docx", "cause": other}, timedelta(0), None),
        ],
    )
    assert outbox.caused_by(world.app.engine, {sent}) == {refresh}
    # What is already known is left out, as a waiter adds what was caused to what it waits on.
    assert outbox.caused_by(world.app.engine, {sent, refresh}) == set()
    assert outbox.caused_by(world.app.engine, set()) == set()


def test_caused_by_agrees_with_the_refreshes_real_deliveries_queue(world: World) -> None:
    world.run(OPEN)
    world.deliver()  # the mail and cards sent queue report refreshes naming them
    rows = outbox.rows(world.app.engine)
    messages = {r.id for r in rows if r.kind in ("mail", "teams.card")}
    expected = {r.id for r in rows if r.payload.get("cause") in messages}
    assert expected, "sending a message refreshes the report"
    assert outbox.caused_by(world.app.engine, messages) == expected
