"""`comms-assistant worker`: the cadence ticks and the outbox dispatcher, on a schedule.

`--once` does one pass and exits, for cron, a systemd timer or an Azure Functions timer.
`--metrics-port` (or the metrics_port setting) serves /metrics and /healthz meanwhile (watch.py).
"""

from __future__ import annotations

import asyncio
import logging

import schedule
import typer

from comms_assistant import heap
from comms_assistant.adapters.metrics.ticks import TickRecorder
from comms_assistant.bootstrap import App, bootstrap
from comms_assistant.entrypoints import bad_edits, logs
from comms_assistant.entrypoints.watch import start as start_watch
from comms_assistant.service.cadence import CadenceService
from comms_assistant.service.dispatcher import Dispatcher
from comms_assistant.service.lessons_watch import LessonsWatch

log = logging.getLogger(__name__)

# The first words on stdout once the worker is set up and its first pass begins: a supervisor
# (or a test) that waits for them knows it is at work, not still starting.
READY = "Worker running:"


def run_worker(*, once: bool, metrics_port: int | None = None) -> int:
    app = bootstrap()
    logs.configure(app.settings)
    port = app.settings.metrics_port if metrics_port is None else metrics_port
    asyncio.run(_run(app, once=once, metrics_port=port))
    return 0


async def _run(app: App, *, once: bool, metrics_port: int = 0) -> None:
    # A file with a mistake and no good copy of it refuses here, before anything starts.
    version = bad_edits.look_again(app)
    runner = None
    if metrics_port and not once:
        host = app.settings.metrics_host
        runner = await start_watch(app, host, metrics_port)
        typer.echo(f"Metrics on http://{host}:{metrics_port}/metrics, health on /healthz.")
    try:
        await _work(app, version, once=once)
    finally:
        if runner is not None:
            await runner.cleanup()


async def _work(app: App, version: int, *, once: bool) -> None:
    async with app.dispatcher() as dispatcher:  # which freezes the start-up heap (heap.py)
        pass_ = Pass(app, dispatcher, version)
        if once:
            await pass_.run()
            return
        interval = app.settings.worker_interval
        typer.echo(f"{READY} a cadence tick every {interval:g} s. Ctrl-C stops.")
        scheduler = schedule.Scheduler()
        ticks: list[bool] = []
        # schedule takes a float of seconds, though its hints say int.
        every = scheduler.every(interval)  # type: ignore[arg-type]
        every.seconds.do(lambda: ticks.append(True))
        await pass_.run()
        # A real tenant's first answers load msgraph's models (~1,200 modules) during the first
        # pass, after the first freeze: they are as permanent as what was frozen then.
        heap.freeze()
        while True:
            scheduler.run_pending()
            if ticks:
                ticks.clear()
                await pass_.run()
            elif not await pass_.dispatcher.run_once():
                # Deliveries due between ticks (retries) go on time, not at the next tick.
                await asyncio.sleep(min(1.0, max(scheduler.idle_seconds or 1.0, 0.05)))


class Pass:
    """Each tick with the contacts directory, profile and glossary as they are then: what was
    built from them is built again when they change (entrypoints/bad_edits.py). Each tick is
    recorded for /metrics and /healthz."""

    def __init__(self, app: App, dispatcher: Dispatcher, version: int) -> None:
        self.app, self.dispatcher, self.version = app, dispatcher, version
        self.watch = app.lessons_watch(dispatcher.reports)
        self.cadence = app.cadence()
        self.ticks = TickRecorder(app.engine, app.clock, app.settings.worker_interval)

    async def run(self) -> list[str]:
        try:
            version = bad_edits.look_again(self.app)
            if version != self.version:
                self.dispatcher = bad_edits.rebuilt(self.app, self.dispatcher)
                self.watch = self.app.lessons_watch(self.dispatcher.reports)
                self.cadence = self.app.cadence()
                self.version = version
        except Exception:  # the store away for a moment: this tick goes with what it had
            log.exception("the edited files could not be looked at; the next tick tries again")
        return await one_pass(self.cadence, self.dispatcher, self.watch, self.ticks)


async def one_pass(
    cadence: CadenceService,
    dispatcher: Dispatcher,
    watch: LessonsWatch | None = None,
    ticks: TickRecorder | None = None,
) -> list[str]:
    """One cadence tick (and a look at changed reviews), then every delivery due now. A tick
    that fails (the database gone for a moment) is logged: the deliveries still go, and the
    next tick tries again; a worker that stopped here would leave every lane waiting.
    `ticks`: where each tick is counted and recorded, for /metrics and /healthz."""
    try:
        done = await asyncio.to_thread(cadence.run_tick)
        ok = True
    except Exception:
        log.exception("the cadence tick failed; the next one tries again")
        done, ok = [], False
    if ticks is not None:
        await asyncio.to_thread(ticks.record, ok=ok)
    if watch is not None:
        done += await watch.run()
    for line in done:
        typer.echo(line)
    while await dispatcher.run_once():
        if ticks is not None:
            await asyncio.to_thread(ticks.beat)
    return done
