"""Deliveries on a thread of their own, with their own event loop.

The dispatcher's work is partly CPU-bound and synchronous (python-docx opening and saving a
report takes ~0.1 s per refresh, the outbox's SQLite calls block too): on the serving loop it
held every HTTP answer behind it (p99 0.85 s with 50 `status`, 9.5 s with `log`). Here it can
only compete for the GIL, which Python hands over every few milliseconds.

The Graph clients are made inside this thread's loop (their connection pools belong to it), so
work that needs them (deliveries, creating a channel) is sent here with `run`.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any, TypeVar

from comms_assistant.bootstrap import App

if TYPE_CHECKING:
    from comms_assistant.adapters.teams_transports import BotSend

log = logging.getLogger(__name__)

T = TypeVar("T")


class DeliveryThread:
    def __init__(self, app: App, *, bot_send: BotSend | None = None) -> None:
        """`bot_send`: the bot's proactive sender, for Teams cards the settings send by bot."""
        self._app = app
        self._bot_send = bot_send
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stop: asyncio.Event | None = None
        self.dispatcher: Any = None
        self.graph: Any = None  # GraphAdapters, for calls the dispatcher does not make
        self.sandbox_url: str | None = None  # the sandbox tenant this thread started, if any

    def start(self) -> None:
        """Start the thread; returns once the dispatcher is ready (or raises why it is not)."""
        started: Future[None] = Future()

        def main() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                loop.run_until_complete(self._serve(started))
            finally:
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.close()

        self._thread = threading.Thread(target=main, name="bot-deliveries", daemon=True)
        self._thread.start()
        started.result()

    async def _worker(self, app: App, dispatcher: Any) -> None:
        from comms_assistant.entrypoints.worker import Pass

        assert self._stop is not None
        # build() looked at the edited files already: with a mistake and no good copy it refused.
        pass_ = Pass(app, dispatcher, app.files.version)
        while not self._stop.is_set():
            try:
                await pass_.run()
                # Rebuilt when the contacts directory or the profile changed: commands' drains
                # use it from now on (one still going on the old one finishes there).
                self.dispatcher = pass_.dispatcher
            except Exception:  # one bad pass must not stop the next
                log.exception("a cadence pass failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), timeout=app.settings.worker_interval)

    async def _serve(self, started: Future[None]) -> None:
        from comms_assistant.adapters.graph import build_graph_adapters

        self._stop = asyncio.Event()
        try:
            async with self._app.graph_endpoint() as (graph_url, token_url):
                app = self._app
                if app.settings.uses_sandbox and not app.settings.sandbox_url:
                    # One sandbox tenant for the dispatcher and our own Graph client.
                    base = graph_url.removesuffix("/v1.0")
                    self.sandbox_url = base
                    settings = app.settings.model_copy(update={"sandbox_url": base})
                    app = dataclasses.replace(app, settings=settings)
                if app.settings.bot_channel_per_incident:
                    self.graph = build_graph_adapters(app.settings, graph_url, token_url)
                try:
                    async with app.dispatcher(bot_send=self._bot_send) as dispatcher:
                        self.dispatcher = dispatcher
                        started.set_result(None)
                        # The cadence worker runs beside the bot: nudges, holding updates and
                        # whatever the outbox holds that no command is waiting on.
                        worker = asyncio.create_task(self._worker(app, dispatcher))
                        await self._stop.wait()
                        worker.cancel()
                        await _cancel_the_rest()
                finally:
                    if self.graph is not None:
                        await self.graph.aclose()
        except BaseException as error:
            if not started.done():
                started.set_exception(error)
                return
            raise

    async def run(self, work: Callable[[], Awaitable[T]]) -> T:
        """Run `work()` on the delivery loop; cancelling the caller cancels it there too."""
        if self._loop is None:
            raise RuntimeError("the delivery thread is not running")
        call = _call(work)
        try:
            future = asyncio.run_coroutine_threadsafe(call, self._loop)
        except RuntimeError:  # the loop is closed (stopped): nothing will ever await `call`
            call.close()
            raise RuntimeError("the delivery thread is not running") from None
        return await asyncio.wrap_future(future)

    async def deliver(self, ids: set[int]) -> None:
        timeout = self._app.settings.bot_delivery_timeout
        await self.run(lambda: self.dispatcher.drain(ids, timeout=timeout))

    def stop(self) -> None:
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(stop.set)
        if self._thread is not None:
            self._thread.join(30)
            if self._thread.is_alive():
                log.error("the delivery thread did not stop within 30 s")
        self._thread = None


async def _cancel_the_rest() -> None:
    """Drains still running at shutdown stop here: a delivery cut short stays leased in the
    outbox, not lost, and `comms-assistant deliver` finishes it."""
    others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    for task in others:
        task.cancel()
    await asyncio.gather(*others, return_exceptions=True)


async def _call(work: Callable[[], Awaitable[T]]) -> T:
    return await work()
