"""This `serve` process as one bot instance among several on one database: its heartbeat, the
turns it takes over from instances that stopped, and whether a turn may run yet.

Behind a load balancer any instance may receive any activity. Each runs the turns it accepted
(and those it took over); one conversation's turns still run one at a time in the order they
were accepted, because before running a turn an instance asks the journal whether an earlier
turn of that conversation is unfinished, wherever it is, and waits until none is (`ready`; the
queue asks). The 202 is not delayed: the wait is the turn's, after it. An instance that stops
heartbeating has its unfinished turns taken over by the next live instance to look (every
heartbeat, and at start), so a conversation waiting on a dead instance's turn goes on after at
most STALE_AFTER plus a heartbeat. The SQL, and why each turn is taken once:
adapters/sql/bot_instances.py.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from comms_assistant.adapters.sql import bot_instances, turn_journal
from comms_assistant.entrypoints.bot.jobs import Job

log = logging.getLogger("comms_assistant.bot")

# How often an instance says it is alive and looks for dead instances' turns: a dead peer's
# conversations wait up to STALE_AFTER plus this, and each beat is one small write.
HEARTBEAT = 5.0
# Not heard of for this long, an instance is dead and its turns are taken over. Six beats: a
# beat delayed by a busy machine or a slow database must not hand over the turns of an instance
# still running them (its own claim then refuses them, so none runs twice, but a person would
# be asked to check a command that was in fact done). Clocks of the machines must agree to well
# within it (NTP does).
STALE_AFTER = 30.0
# How often a turn waiting for an earlier one of its conversation (on another instance) looks
# again: the delay a conversation spread over two instances adds to each command, at most.
RECHECK = 0.25


def new_id() -> str:
    """Host, process and a random part: a restarted process (or a reused pid) is another
    instance, and its predecessor's turns are taken over as any dead instance's are."""
    return f"{_host()}:{os.getpid()}:{secrets.token_hex(4)}"


def _host() -> str:
    return socket.gethostname()[:80]


def gone_here(ids: list[str], me: str) -> list[str]:
    """The instances of this machine whose process has ended: dead at once, without waiting
    STALE_AFTER. On one machine (the SQLite default) a `serve` killed and started again would
    otherwise leave the commands it had accepted waiting half a minute. A reused pid only
    makes the shortcut miss (the wait applies), never a live instance look dead."""
    host = _host()
    return [i for i in ids if i != me and _on(host, i) and not _running(_pid(i))]


def _on(host: str, instance: str) -> bool:
    return instance.rsplit(":", 2)[0] == host and _pid(instance) > 0


def _pid(instance: str) -> int:
    parts = instance.rsplit(":", 2)
    return int(parts[1]) if len(parts) == 3 and parts[1].isdigit() else 0


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: is there such a process (ours or another user's)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


TakenOver = Callable[[list[turn_journal.Unfinished]], Awaitable[None]]


class Instance:
    def __init__(
        self,
        journal: Engine,
        clock: Callable[[], datetime],
        *,
        heartbeat: float | None = None,
        stale_after: float | None = None,
    ) -> None:
        self.id = new_id()
        self.journal = journal
        self.clock = clock
        self.heartbeat = HEARTBEAT if heartbeat is None else heartbeat
        self.stale_after = STALE_AFTER if stale_after is None else stale_after
        self.unsettled: set[int] = set()  # turns done here whose `done` could not be stored
        self._beating: asyncio.Task[None] | None = None

    async def join(self, taken_over: TakenOver) -> None:
        """Register, forget what is old, take over what dead instances left, then beat."""
        now = self.clock()
        await asyncio.to_thread(bot_instances.register, self.journal, self.id, now=now)
        day_ago = now - timedelta(days=1)
        await asyncio.to_thread(turn_journal.prune, self.journal, before=day_ago)
        await asyncio.to_thread(bot_instances.forget, self.journal, before=day_ago)
        await taken_over(await self.take_over())
        self._beating = asyncio.get_running_loop().create_task(self._beat(taken_over))

    async def take_over(self) -> list[turn_journal.Unfinished]:
        await asyncio.to_thread(self._forget_gone_here)
        ids = await asyncio.to_thread(
            bot_instances.take_over,
            self.journal,
            self.id,
            now=self.clock(),
            stale_after=self.stale_after,
        )
        if not ids:
            return []
        log.warning("took over %d turn(s) of bot instances that stopped", len(ids))
        return await asyncio.to_thread(turn_journal.unfinished, self.journal, ids)

    def _forget_gone_here(self) -> None:
        for gone in gone_here(bot_instances.instance_ids(self.journal), self.id):
            log.warning("bot instance %s is no longer running: its turns are taken over", gone)
            bot_instances.leave(self.journal, gone)

    async def _beat(self, taken_over: TakenOver) -> None:
        while True:
            await asyncio.sleep(self.heartbeat)
            try:
                await self.beat_once(taken_over)
            except Exception as error:  # the database away: the next beat tries again
                log.warning("bot instance heartbeat failed: %s", type(error).__name__)

    async def beat_once(self, taken_over: TakenOver) -> None:
        alive = await asyncio.to_thread(bot_instances.beat, self.journal, self.id, now=self.clock())
        if not alive:
            log.error("this bot instance was taken for dead: its turns went to another")
        for turn_id in list(self.unsettled):
            await self.finish(turn_id)
        await taken_over(await self.take_over())

    async def give_back(self, ids: list[int]) -> None:
        """Turns taken over that found no room in the queue: anyone's again, so the next beat
        (here or elsewhere) takes them."""
        await asyncio.to_thread(bot_instances.give_back, self.journal, self.id, ids)

    async def ready(self, job: Job) -> bool:
        """Whether no earlier turn of the job's conversation is unfinished (anywhere)."""
        if job.turn_id is None:
            return True
        try:
            return not await asyncio.to_thread(
                bot_instances.earlier_unfinished, self.journal, job.lane, job.turn_id
            )
        except Exception as error:  # looked at again after RECHECK
            log.warning("could not read the turn journal: %s", type(error).__name__)
            return False

    async def finish(self, turn_id: int) -> None:
        """Record the turn done; kept and retried at the next beat when that fails, as the
        conversation's next turns wait for it."""
        try:
            await asyncio.to_thread(turn_journal.finish, self.journal, turn_id, now=self.clock())
        except Exception:
            log.exception("could not record turn %s as done", turn_id)
            self.unsettled.add(turn_id)
        else:
            self.unsettled.discard(turn_id)

    async def stop_beating(self) -> None:
        """First of a stop: nothing more is taken over while the turns here are stopped."""
        if self._beating is not None:
            self._beating.cancel()
            await asyncio.gather(self._beating, return_exceptions=True)

    async def leave(self) -> None:
        """Last of a stop, once no turn runs here: what is left unfinished is taken over at
        once by another instance (or the next start) rather than after STALE_AFTER."""
        await self.stop_beating()
        try:
            await asyncio.to_thread(bot_instances.leave, self.journal, self.id)
        except Exception as error:  # taken over after STALE_AFTER instead
            log.warning("could not unregister this bot instance: %s", type(error).__name__)
