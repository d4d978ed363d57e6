"""Turns taken over from bot instances that stopped (instance.py), made jobs and queued here in
the order they came; what cannot run again is settled instead."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Protocol

from comms_assistant.adapters.sql import turn_journal
from comms_assistant.entrypoints.bot import invoke
from comms_assistant.entrypoints.bot.jobs import Job, restored
from comms_assistant.entrypoints.bot.queue import QueueFull

if TYPE_CHECKING:
    from comms_assistant.entrypoints.bot.auth import ServiceUrls
    from comms_assistant.entrypoints.bot.instance import Instance
    from comms_assistant.entrypoints.bot.queue import LoopThread, TurnQueue

log = logging.getLogger("comms_assistant.bot")


class TakeoverHost(Protocol):
    """What this needs of the bot's host (sdk.AgentHost), named here so that this module does
    not import the host that imports it."""

    @property
    def queue(self) -> TurnQueue[Job]: ...

    @property
    def turn_loop(self) -> LoopThread: ...

    @property
    def service_urls(self) -> ServiceUrls: ...

    @property
    def instance(self) -> Instance: ...

    async def crashed(self, job: Job, error: BaseException) -> None: ...


async def run_taken(host: TakeoverHost, taken: list[turn_journal.Unfinished]) -> None:
    """Queue turns taken over, in the order they came. One begun and cut short may or may not
    have changed the incident: it is not run again (never twice); its sender is asked to check
    instead. A press never begun is dropped: its presser saw it fail and may press again."""
    queued = 0
    for at, turn in enumerate(taken):
        job = restored(turn)
        if job is None or not host.service_urls.allows(job.activity.service_url):
            await host.instance.finish(turn.id)
            continue
        if turn.state == turn_journal.STARTED:
            await _interrupted(host, job, turn.id)
            continue
        if invoke.is_press(job.activity):
            log.warning("a button press from a stopped instance was never run: dropped")
            await host.instance.finish(turn.id)
            continue
        try:
            host.queue.reserve()
        except QueueFull:
            log.error("more stored turns than the queue holds: the rest wait for room")
            await host.instance.give_back([t.id for t in taken[at:]])
            break
        host.turn_loop.call(host.queue.submit, turn.conversation_id, job)
        queued += 1
    if queued:
        log.warning("running %d turn(s) acknowledged and not run by a stopped instance", queued)


async def _interrupted(host: TakeoverHost, job: Job, turn_id: int) -> None:
    log.warning("turn %s was cut short by a stop: asking its sender to check", turn_id)
    try:
        await host.turn_loop.run(lambda: host.crashed(job, RuntimeError("interrupted")))
    except Exception as error:
        log.warning("could not tell the sender: %s", type(error).__name__)
    await host.instance.finish(turn_id)
