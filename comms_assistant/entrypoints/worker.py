"""`comms-assistant worker`: the cadence ticks and the outbox dispatcher, on a schedule.

`--once` does one pass and exits, for cron, a systemd timer or an Azure Functions timer.
"""

from __future__ import annotations

import asyncio
import gc
import logging

import schedule
import typer

from comms_assistant.bootstrap import App, bootstrap
from comms_assistant.service.cadence import CadenceService
from comms_assistant.service.dispatcher import Dispatcher

log = logging.getLogger(__name__)


def run_worker(*, once: bool) -> int:
    app = bootstrap()
    asyncio.run(_run(app, once=once))
    return 0


async def _run(app: App, *, once: bool) -> None:
    cadence = app.cadence()
    async with app.dispatcher() as dispatcher:
        freeze_heap()
        if once:
            await one_pass(cadence, dispatcher)
            return
        interval = app.settings.worker_interval
        typer.echo(f"Worker running: a cadence tick every {interval:g} s. Ctrl-C stops.")
        scheduler = schedule.Scheduler()
        ticks: list[bool] = []
        scheduler.every(interval).seconds.do(lambda: ticks.append(True))
        await one_pass(cadence, dispatcher)
        # A real tenant's first answers load msgraph's models (~1,200 modules) during the first
        # pass, after the freeze above: they are as permanent as what was frozen then.
        freeze_heap()
        while True:
            scheduler.run_pending()
            if ticks:
                ticks.clear()
                await one_pass(cadence, dispatcher)
            elif not await dispatcher.run_once():
                # Deliveries due between ticks (retries) go on time, not at the next tick.
                await asyncio.sleep(min(1.0, max(scheduler.idle_seconds or 1.0, 0.05)))


def freeze_heap() -> None:
    """Take what is alive now (the imported packages, msgraph's models, the app and its
    clients: about a million objects that live as long as the worker) out of the cycle
    collector's scans.

    Each python-docx document the deliveries parse is a reference cycle holding ~3 MB of lxml
    trees that only a full collection frees; with this heap in the way a full collection costs
    ~50 ms, and so runs rarely, and the documents pile up (measured: 20 refreshes left 32 MB).
    Frozen, one costs ~5 ms. Objects are still freed by reference counting; only a frozen
    object that later becomes part of unreachable cycle garbage is never reclaimed: hence
    freezing only once set up (and after the first pass), never in the middle of work.
    """
    gc.collect()  # garbage frozen now would never be freed
    gc.freeze()
    # The collector's record of how many objects its oldest generation held still counts the
    # frozen ones, and holds the next automatic full collection back until a quarter as many
    # new ones survive: a collection of the now empty generation resets it.
    gc.collect()


async def one_pass(cadence: CadenceService, dispatcher: Dispatcher) -> list[str]:
    """One cadence tick, then every delivery due now."""
    done = await asyncio.to_thread(cadence.run_tick)
    for line in done:
        typer.echo(line)
    while await dispatcher.run_once():
        pass
    return done
