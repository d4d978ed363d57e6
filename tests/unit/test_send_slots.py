"""Limits shared by every process on one database (issue 20): the mailbox's 30 a minute and 4 at
once, and a Teams channel's 4 a second, counted in the store across workers, sends in flight
included, on SQLite and on PostgreSQL.

Before, each worker counted the sends it had in flight and the ones done in the outbox: three
workers saw each other's finished sends but not their in-flight ones, so together they had up to
12 requests in flight and, near the end of a minute, each took the slots the others were about
to fill (the issue measured 4 Exchange 429s for 40 mails). The three-worker test below counts
exactly those two things.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
import send_slot_workers as workers
from send_slot_workers import KEY, T0
from sqlalchemy import select
from sqlalchemy.engine import Engine

from comms_assistant.adapters.graph.pace import SharedPace
from comms_assistant.adapters.sql.database import open_engine
from comms_assistant.adapters.sql.engine import transaction
from comms_assistant.adapters.sql.models import SendSlotRow
from comms_assistant.adapters.sql.send_slots import SqlSendSlots
from comms_assistant.service.pacing import MailPace
from comms_assistant.service.send_slots import (
    BUSY_RETRY,
    MARGIN,
    SLOT_LEASE,
    ReservedSlot,
    SlotBusy,
)

MAIL = MailPace().limit
MINUTE = timedelta(minutes=1)


@pytest.fixture
def engine(store_url: str) -> Iterator[Engine]:
    made = open_engine(store_url)
    yield made
    made.dispose()


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def reserved(slots: SqlSendSlots, now: datetime, key: str = KEY) -> ReservedSlot:
    slot = slots.reserve_send(key, now, MAIL, owner="test")
    assert isinstance(slot, ReservedSlot), slot
    return slot


def test_the_31st_mail_in_a_minute_is_told_when_the_first_leaves_the_window(
    engine: Engine,
) -> None:
    slots = SqlSendSlots(engine)
    for n in range(30):
        slots.release_send(reserved(slots, at(n)), at(n + 0.5))
    busy = slots.reserve_send(KEY, at(40), MAIL)
    assert busy == SlotBusy(at(0.5) + MINUTE + MARGIN), "a minute after the first ended"
    assert isinstance(slots.reserve_send(KEY, at(60.4), MAIL), SlotBusy)
    assert reserved(slots, busy.until).at == busy.until, "and then it may go"
    assert isinstance(reserved(slots, at(40), key="mail:other@example.org"), ReservedSlot)


def test_a_fifth_at_once_waits_for_one_of_the_four_to_finish(engine: Engine) -> None:
    slots = SqlSendSlots(engine)
    four = [reserved(slots, at(0)) for _ in range(4)]
    assert slots.reserve_send(KEY, at(0.2), MAIL) == SlotBusy(at(0.2) + BUSY_RETRY)
    slots.release_send(four[0], at(0.3))
    reserved(slots, at(0.4))


def test_a_killed_workers_slots_stop_counting_after_their_lease(
    store_url: str, engine: Engine
) -> None:
    context = multiprocessing.get_context("spawn")
    ready = context.Queue()
    doomed = context.Process(target=workers.hold_slots_and_hang, args=(store_url, 4, ready))
    doomed.start()
    try:
        for _ in range(4):
            assert ready.get(timeout=120) == "holding"
    finally:
        os.kill(doomed.pid or 0, signal.SIGKILL)
        doomed.join(30)
    slots = SqlSendSlots(engine)
    with transaction(engine) as session:
        left = session.scalars(select(SendSlotRow).where(SendSlotRow.owner == "doomed")).all()
    assert len(left) == 4 and all(row.finished_at is None for row in left)
    assert isinstance(slots.reserve_send(KEY, at(90), MAIL), SlotBusy), "in flight, for all we know"
    reserved(slots, T0 + SLOT_LEASE + timedelta(seconds=1))


def test_three_workers_keep_to_30_a_minute_and_4_at_once_together(
    store_url: str, engine: Engine
) -> None:
    """40 mails queued at once, shared among three worker processes, each with its own engine."""
    context = multiprocessing.get_context("spawn")
    shared = {
        "ready": context.Queue(),
        "results": context.Queue(),
        "go": context.Event(),
        "start": context.Value("d", 0.0),
        "in_flight": context.Value("i", 0),
        "peak": context.Value("i", 0),
        "lock": context.Lock(),
    }
    shares = {"w1": 14, "w2": 13, "w3": 13}
    processes = [
        context.Process(target=workers.send_mails, args=(store_url, mails, name, shared))
        for name, mails in shares.items()
    ]
    for process in processes:
        process.start()
    try:
        for _ in processes:
            shared["ready"].get(timeout=120)
        shared["start"].value = time.time()  # type: ignore[attr-defined]
        shared["go"].set()
        results = dict(shared["results"].get(timeout=120) for _ in processes)
    finally:
        for process in processes:
            process.join(30)
            if process.is_alive():
                process.kill()
    with transaction(engine) as session:
        starts = sorted(session.scalars(select(SendSlotRow.started_at)))
    assert len(starts) == 40
    windows = [starts[n + 30] - starts[n] for n in range(len(starts) - 30)]
    assert min(windows) >= MINUTE, "never 31 started within 60 seconds"
    assert sum(1 for s in starts if s < starts[0] + MINUTE) == 30, "the minute's 30 are used"
    assert shared["peak"].value <= 4, "never more than 4 in flight, whichever worker"  # type: ignore[attr-defined]
    deferrals = [d for found in results.values() for d in found]
    assert any(until >= starts[0] + MINUTE for _, until in deferrals)
    assert all(until > asked for asked, until in deferrals), "each names a time after it was asked"


def test_teams_posts_to_one_channel_book_4_a_second_across_processes(engine: Engine) -> None:
    # Two posters, as two workers would have, on one store and one (frozen) clock.
    first = SharedPace(SqlSendSlots(engine), clock=lambda: at(100))
    second = SharedPace(SqlSendSlots(engine), clock=lambda: at(100))
    waits = [pace.delay("channel-a") for pace in (first, second) for _ in range(5)]
    assert sorted(waits) == [0.0] * 4 + [1.01] * 4 + [2.02] * 2
    assert first.delay("chat-b") == 0.0, "another conversation has its own 4 a second"
    later = SharedPace(SqlSendSlots(engine), clock=lambda: at(104))
    assert later.delay("channel-a") == 0.0, "once the queue has passed, no wait"
