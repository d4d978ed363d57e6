"""The bot's turn queue: in order per conversation, side by side across them, bounded."""

from __future__ import annotations

import asyncio

import pytest

from comms_assistant.entrypoints.bot.queue import LoopThread, QueueFull, TurnQueue


def test_one_conversation_in_order_others_side_by_side_at_most_n_at_once() -> None:
    done: list[tuple[str, int]] = []
    running = 0
    most = 0

    async def run(job: tuple[str, int]) -> None:
        nonlocal running, most
        running += 1
        most = max(most, running)
        # Later jobs are quicker: only the lanes keep them in order.
        await asyncio.sleep(0.002 * (5 - job[1]))
        running -= 1
        done.append(job)

    async def crashed(job: tuple[str, int], error: BaseException) -> None:
        raise AssertionError("nothing crashes here")

    async def main() -> None:
        queue: TurnQueue[tuple[str, int]] = TurnQueue(run, crashed, concurrency=3)
        for n in range(5):
            for lane in "abcdef":
                queue.reserve()
                queue.submit(lane, (lane, n))
        while queue.waiting:
            await asyncio.sleep(0.005)

    asyncio.run(main())
    assert len(done) == 30
    for lane in "abcdef":
        assert [n for name, n in done if name == lane] == [0, 1, 2, 3, 4]
    assert most == 3


def test_a_crash_is_reported_and_the_lane_carries_on() -> None:
    told: list[tuple[int, str]] = []
    done: list[int] = []

    async def run(job: int) -> None:
        if job == 1:
            raise RuntimeError("database path /secret/x.db is locked")
        done.append(job)

    async def crashed(job: int, error: BaseException) -> None:
        told.append((job, type(error).__name__))

    async def main() -> None:
        queue: TurnQueue[int] = TurnQueue(run, crashed)
        for job in range(3):
            queue.reserve()
            queue.submit("a", job)
        while queue.waiting:
            await asyncio.sleep(0.001)

    asyncio.run(main())
    assert told == [(1, "RuntimeError")] and done == [0, 2]


def test_past_capacity_more_turns_are_refused_until_some_are_done() -> None:
    async def main() -> None:
        release = asyncio.Event()

        async def run(job: int) -> None:
            await release.wait()

        async def crashed(job: int, error: BaseException) -> None: ...

        queue: TurnQueue[int] = TurnQueue(run, crashed, capacity=2)
        for job in range(2):
            queue.reserve()
            queue.submit(str(job), job)
        with pytest.raises(QueueFull):
            queue.reserve()
        release.set()
        while queue.waiting:
            await asyncio.sleep(0.001)
        queue.reserve()  # room again
        await queue.close()

    asyncio.run(main())


def test_loop_thread_runs_work_on_its_own_loop() -> None:
    thread = LoopThread("test-loop")

    async def where() -> asyncio.AbstractEventLoop:
        return asyncio.get_running_loop()

    async def main() -> None:
        assert await thread.run(where) is thread.loop
        assert thread.loop is not asyncio.get_running_loop()

    try:
        asyncio.run(main())
    finally:
        thread.stop()
    assert thread.loop.is_closed()
