"""Bot turns run after the HTTP acknowledgement: in order per conversation, bounded overall.

Teams needs only the HTTP answer quickly; the bot's reply is a separate POST to the Bot
Connector. So `/api/messages` authenticates, queues the turn here and answers 202 at once. The
turns run on a loop of their own (`LoopThread`): on the serving loop, fifty turns' worth of
callbacks ran between accepting one request and answering it (p99 ~0.7 s with 50 senders).
Two commands in one thread must still happen in the order they were sent ("open" then "comms
me"), so each conversation has one lane worked by one task; lanes run side by side, at most
`concurrency` turns at a time (each turn takes SQLite's single writer, so more only queue
there). `capacity` bounds what may wait: past it the endpoint answers 503 rather than letting
memory grow without limit.

With several bot instances a conversation's turns may be spread over them (bot_instances.py):
`ready` says whether a lane's first turn may run (no earlier turn of its conversation is
unfinished, wherever it is); until it may, the lane waits `recheck` seconds at a time, holding
no slot. `order` keeps each lane sorted (by journal id), so a turn taken over from a dead
instance goes ahead of the later ones already waiting here.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

log = logging.getLogger(__name__)

Job = TypeVar("Job")
T = TypeVar("T")


class QueueFull(Exception):
    """Too many turns are waiting: the caller should answer 503 (Teams may send it again)."""


class TurnQueue(Generic[Job]):
    def __init__(
        self,
        run: Callable[[Job], Awaitable[None]],
        crashed: Callable[[Job, BaseException], Awaitable[None]],
        *,
        concurrency: int = 8,
        capacity: int = 1000,
        ready: Callable[[Job], Awaitable[bool]] | None = None,
        order: Callable[[Job], int] | None = None,
        recheck: float = 0.25,
    ) -> None:
        self._run = run
        self._ready = ready
        self._order = order
        self._recheck = recheck
        self._crashed = crashed
        self._slots = asyncio.Semaphore(concurrency)
        self.capacity = capacity
        self._lanes: dict[str, deque[Job]] = {}
        self._workers: set[asyncio.Task[None]] = set()
        self._running: set[str] = set()  # lanes whose first job is being run
        self._waiting = 0
        self._count_lock = threading.Lock()  # reserved on the serving loop, done on the turns'

    @property
    def waiting(self) -> int:
        """Turns queued or running."""
        return self._waiting

    def reserve(self) -> None:
        """Count a turn in before handing it to `submit` (from any thread)."""
        with self._count_lock:
            if self._waiting >= self.capacity:
                raise QueueFull(f"{self._waiting} turns are waiting")
            self._waiting += 1

    def release(self) -> None:
        """Give back a reserved place that will not be submitted (a resent activity)."""
        self._done(1)

    def submit(self, lane: str, job: Job) -> None:
        """Queue a reserved turn; call on the loop the turns run on."""
        queue = self._lanes.get(lane)
        if queue is not None:
            self._insert(lane, queue, job)  # its worker is still going and will reach it
            return
        self._lanes[lane] = deque([job])
        worker = asyncio.get_running_loop().create_task(self._work(lane))
        self._workers.add(worker)  # the loop keeps only weak references to tasks
        worker.add_done_callback(self._workers.discard)

    def _insert(self, lane: str, queue: deque[Job], job: Job) -> None:
        """Append, or with `order`, put it after the last job that comes before it; never
        before a running one (it was ready: nothing earlier was unfinished when it began)."""
        if self._order is None:
            queue.append(job)
            return
        key = self._order(job)
        at = len(queue)
        first = 1 if lane in self._running else 0
        while at > first and self._order(queue[at - 1]) > key:
            at -= 1
        queue.insert(at, job)

    async def _work(self, lane: str) -> None:
        queue = self._lanes[lane]
        try:
            while queue:
                job = queue[0]
                if self._ready is not None and not await self._ready(job):
                    await asyncio.sleep(self._recheck)  # an earlier turn runs elsewhere
                    continue
                async with self._slots:
                    if queue[0] is not job:
                        continue  # an earlier one came while this waited for a slot
                    self._running.add(lane)
                    try:
                        await self._run(job)
                    except Exception as error:
                        log.exception("a bot turn failed in conversation %s", lane)
                        await self._tell(job, error)
                    finally:
                        self._running.discard(lane)
                queue.popleft()  # still `job`: nothing goes ahead of a running one
                self._done(1)
        finally:
            # No await between the last `while queue` and here: a job submitted meanwhile would
            # have been seen by the loop, so the lane can go.
            if self._lanes.get(lane) is queue:
                del self._lanes[lane]
            self._done(len(queue))  # cancelled at shutdown: forget what was still waiting

    async def _tell(self, job: Job, error: BaseException) -> None:
        try:
            await self._crashed(job, error)
        except Exception as second:
            log.warning("could not tell the user a turn failed: %s", type(second).__name__)

    def _done(self, count: int) -> None:
        with self._count_lock:
            self._waiting = max(0, self._waiting - count)

    async def close(self) -> None:
        workers = list(self._workers)
        for worker in workers:
            worker.cancel()
        await asyncio.gather(*workers, return_exceptions=True)


class LoopThread:
    """An event loop on a thread of its own."""

    def __init__(self, name: str) -> None:
        self.loop = asyncio.new_event_loop()
        # Work handed over once the loop has stopped would never run, its coroutine never
        # awaited and its caller never answered: `run` refuses it, under this lock.
        self._handing_over = threading.Lock()
        self._taking_work = True
        self._thread = threading.Thread(target=self._main, name=name, daemon=True)
        self._thread.start()

    def _main(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()
        with self._handing_over:
            self._taking_work = False
        # Work handed over just before is started, so that it is cancelled with the rest.
        self.loop.run_until_complete(asyncio.sleep(0))
        # Whatever is left (a reply half sent) is cancelled and allowed to close its
        # connections: left pending, it would hold the other end's server open.
        left = asyncio.all_tasks(self.loop)
        for task in left:
            task.cancel()
        self.loop.run_until_complete(asyncio.gather(*left, return_exceptions=True))
        self.loop.run_until_complete(self.loop.shutdown_asyncgens())
        self.loop.close()

    def call(self, function: Callable[..., Any], *args: Any) -> None:
        self.loop.call_soon_threadsafe(function, *args)

    async def run(self, work: Callable[[], Awaitable[T]]) -> T:
        """Await `work()` run on this loop; cancelling the caller cancels it there too.

        Raises RuntimeError once the loop has stopped (a delivery made while the bot shuts
        down: it is retried, as any delivery that could not be made)."""
        with self._handing_over:
            if not self._taking_work:
                raise RuntimeError(f"the {self._thread.name} loop has stopped")
            future = asyncio.run_coroutine_threadsafe(_call(work), self.loop)
        return await asyncio.wrap_future(future)

    def stop(self) -> None:
        if self.loop.is_closed():
            return
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(30)


async def _call(work: Callable[[], Awaitable[T]]) -> T:
    return await work()
