"""Several bot instances on one turn journal, on SQLite (bot-turns.db) and PostgreSQL (the store's
database): a dead instance's turns are taken over by one live instance, only after it stopped
heartbeating, each turn once; one conversation's turns run in order across instances."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from comms_assistant.adapters.sql import bot_instances, turn_journal
from comms_assistant.adapters.sql.database import open_engine
from comms_assistant.entrypoints.bot.instance import Instance
from comms_assistant.entrypoints.bot.jobs import Job
from comms_assistant.entrypoints.bot.queue import TurnQueue

T0 = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)
STALE = 30.0


@pytest.fixture
def journal(store_url: str, tmp_path: Path) -> Iterator[Engine]:
    """The journal as the bot opens it: bot-turns.db beside state.db, or the store's database."""
    store = open_engine(store_url)
    engine = turn_journal.open_journal(tmp_path, store)
    yield engine
    engine.dispose()
    store.dispose()


def accept(engine: Engine, owner: str, conversation: str, n: int) -> int:
    activity = {"id": f"{conversation}-{n}"}
    [turn] = turn_journal.accept_many(
        engine, [(conversation, activity["id"], activity, {}, T0)], owner=owner
    )
    assert turn is not None
    return turn


def owners(engine: Engine) -> dict[int, str | None]:
    with engine.connect() as connection:
        return dict(connection.execute(text("SELECT id, owner FROM bot_turns")).all())  # type: ignore[arg-type]


def test_only_the_turns_of_an_instance_that_stopped_heartbeating_are_taken_over(
    journal: Engine,
) -> None:
    for name in ("a", "b", "c"):
        bot_instances.register(journal, name, now=T0)
    a_turns = [accept(journal, "a", "19:one", n) for n in range(3)]
    c_turns = [accept(journal, "c", "19:two", n) for n in range(2)]
    turn_journal.finish(journal, a_turns[0], now=T0)  # done: nobody's business any more

    # A is killed (no more beats); C goes on beating.
    later = T0 + timedelta(seconds=STALE - 1)
    bot_instances.beat(journal, "c", now=later)
    assert bot_instances.take_over(journal, "b", now=later, stale_after=STALE) == []

    after = T0 + timedelta(seconds=STALE + 1)
    bot_instances.beat(journal, "b", now=after)
    bot_instances.beat(journal, "c", now=after)
    assert bot_instances.take_over(journal, "b", now=after, stale_after=STALE) == a_turns[1:]
    found = owners(journal)
    assert [found[t] for t in a_turns] == ["a", "b", "b"]
    assert [found[t] for t in c_turns] == ["c", "c"]
    # A, still running after all (a long pause), may no longer begin what it lost.
    assert not turn_journal.start(journal, a_turns[1], owner="a")
    assert turn_journal.start(journal, a_turns[1], owner="b")
    # Nothing is taken twice, and a live instance's own turns are never taken back.
    assert bot_instances.take_over(journal, "c", now=after, stale_after=STALE) == []


def test_a_clean_stop_hands_its_turns_over_at_once_and_turns_with_no_owner_are_anyones(
    journal: Engine,
) -> None:
    bot_instances.register(journal, "a", now=T0)
    bot_instances.register(journal, "b", now=T0)
    mine = accept(journal, "a", "19:one", 0)
    nobodys = turn_journal.accept(journal, "19:two", "x", {}, {}, now=T0)  # an older version's
    bot_instances.leave(journal, "a")
    assert bot_instances.take_over(journal, "b", now=T0, stale_after=STALE) == [mine, nobodys]


def test_instances_racing_to_take_over_one_dead_instance_take_each_turn_once(
    journal: Engine,
) -> None:
    bot_instances.register(journal, "dead", now=T0)
    turns = [
        turn_journal.accept_many(
            journal, [(f"19:c{n % 7}", f"a{n}", {}, {}, T0) for n in range(k, k + 20)], owner="dead"
        )
        for k in range(0, 200, 20)
    ]
    expected = sorted(t for batch in turns for t in batch if t is not None)
    after = T0 + timedelta(seconds=STALE + 1)
    racers = [f"live{n}" for n in range(4)]
    for name in racers:
        bot_instances.register(journal, name, now=after)
    taken: dict[str, list[int]] = {}
    start = threading.Barrier(len(racers))

    def race(name: str) -> None:
        start.wait()
        taken[name] = bot_instances.take_over(journal, name, now=after, stale_after=STALE)

    threads = [threading.Thread(target=race, args=(name,)) for name in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    everything = sorted(t for ids in taken.values() for t in ids)
    assert everything == expected  # each once: none lost, none twice
    found = owners(journal)
    assert all(found[t] == name for name, ids in taken.items() for t in ids)


def test_one_conversations_turns_run_in_order_when_they_arrive_at_two_instances(
    journal: Engine,
) -> None:
    """Commands of one thread reach instance A and B alternately (a load balancer); each runs
    what it accepted, and still they run one at a time, in the order they were accepted."""
    ran: list[int] = []
    running: list[int] = []
    overlaps: list[tuple[int, ...]] = []

    async def main() -> None:
        instances = [Instance(journal, lambda: T0) for _ in range(2)]
        queues: list[TurnQueue[Job]] = []
        for instance in instances:
            await asyncio.to_thread(bot_instances.register, journal, instance.id, now=T0)

            async def run(job: Job, instance: Instance = instance) -> None:
                running.append(job.turn_id or 0)
                if len(running) > 1:
                    overlaps.append(tuple(running))
                # Later turns are quicker: only the journal keeps them in order.
                await asyncio.sleep(0.01 * (12 - len(ran)) / 4)
                ran.append(job.turn_id or 0)
                running.remove(job.turn_id or 0)
                await instance.finish(job.turn_id or 0)

            async def crashed(job: Job, error: BaseException) -> None:
                raise AssertionError(error)

            queues.append(
                TurnQueue(
                    run,
                    crashed,
                    ready=instance.ready,
                    order=lambda job: job.turn_id or 0,
                    recheck=0.01,
                )
            )
        accepted = []
        for n in range(12):
            at = n % 2 if n < 6 else (n // 3) % 2  # alternately, then in pairs
            turn = await asyncio.to_thread(accept, journal, instances[at].id, "19:thread", n)
            accepted.append(turn)
            queues[at].reserve()
            queues[at].submit("19:thread", Job(None, _Activity("19:thread"), turn))
        for _ in range(1000):
            if not any(q.waiting for q in queues):
                break
            await asyncio.sleep(0.01)
        assert ran == accepted

    asyncio.run(main())
    assert overlaps == []


def test_a_turn_taken_over_goes_ahead_of_later_ones_already_waiting() -> None:
    ran: list[int] = []

    async def main() -> None:
        unfinished = {1}

        async def ready(job: int) -> bool:
            return not any(t < job for t in unfinished)

        async def run(job: int) -> None:
            ran.append(job)
            unfinished.discard(job)

        async def crashed(job: int, error: BaseException) -> None:
            raise AssertionError(error)

        queue: TurnQueue[int] = TurnQueue(run, crashed, ready=ready, order=int, recheck=0.01)
        for job in (2, 3):
            unfinished.add(job)
            queue.reserve()
            queue.submit("lane", job)
        await asyncio.sleep(0.05)
        assert ran == []  # 2 waits for 1, which another instance holds
        queue.reserve()
        queue.submit("lane", 1)  # taken over from it
        while queue.waiting:
            await asyncio.sleep(0.01)

    asyncio.run(main())
    assert ran == [1, 2, 3]


def test_an_older_bot_turns_file_gets_the_owner_column(tmp_path: Path) -> None:
    import sqlite3

    old = sqlite3.connect(tmp_path / turn_journal.FILE_NAME)
    old.execute(
        "CREATE TABLE bot_turns (id INTEGER PRIMARY KEY, conversation_id VARCHAR(512) NOT NULL, "
        "activity_id VARCHAR(512) NOT NULL, activity JSON NOT NULL, identity JSON NOT NULL, "
        "state VARCHAR(16) NOT NULL, accepted_at DATETIME NOT NULL, done_at DATETIME, "
        "UNIQUE (conversation_id, activity_id))"
    )
    old.execute(
        "INSERT INTO bot_turns VALUES (1, 'c', 'a', '{}', '{}', 'accepted', "
        "'2026-12-01 10:00:00', NULL)"
    )
    old.commit()
    old.close()
    engine = turn_journal.open_journal(tmp_path)
    found = inspect(engine)
    assert "owner" in {c["name"] for c in found.get_columns("bot_turns")}
    assert "bot_instances" in found.get_table_names()
    # The turn from before owners is anyone's: the first instance to start takes it.
    bot_instances.register(engine, "new", now=T0)
    assert bot_instances.take_over(engine, "new", now=T0, stale_after=STALE) == [1]
    turn_journal.open_journal(tmp_path).dispose()  # opening it again changes nothing
    engine.dispose()


class _Activity:
    def __init__(self, conversation: str) -> None:
        self.conversation = type("C", (), {"id": conversation})()


def test_an_instance_of_this_machine_whose_process_ended_is_taken_over_at_once(
    journal: Engine,
) -> None:
    """A `serve` killed and started again on one machine: its accepted commands go on at once,
    not half a minute later; a live process of this machine keeps its turns."""
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], check=True,
                           capture_output=True, text=True)  # fmt: skip
    host = socket.gethostname()[:80]
    dead, alive = f"{host}:{int(ended.stdout)}:0001", f"{host}:{os.getppid()}:0002"
    for name in (dead, alive):
        bot_instances.register(journal, name, now=T0)
    lost, kept = accept(journal, dead, "19:one", 0), accept(journal, alive, "19:two", 0)

    restarted = Instance(journal, lambda: T0 + timedelta(seconds=1), stale_after=STALE)
    taken = asyncio.run(restarted.take_over())
    assert [t.id for t in taken] == [lost]
    assert owners(journal)[kept] == alive
    assert dead not in bot_instances.instance_ids(journal)
