"""`/metrics` (Prometheus) and `/healthz`: on serve's port, and on the worker's own
(`--metrics-port` or the metrics_port setting). docs/monitoring.md says what each means.

/healthz answers 200 with a small JSON body when a worker ticked recently and the outbox is
moving, else 503 with the reasons in plain words (service/health.py). Neither needs a token:
they show counts and ages, never an incident's words or anyone's address.
"""

from __future__ import annotations

import asyncio
import errno

from aiohttp import web

from comms_assistant.adapters.metrics.exposition import CONTENT_TYPE, Watch
from comms_assistant.bootstrap import App

WATCH = web.AppKey("watch", Watch)


class PortTaken(Exception):
    """The metrics port is in use; the message says which setting changes it."""


def watch_of(app: App) -> Watch:
    return Watch(app.engine, app.clock, app.settings.worker_interval)


def add_routes(root: web.Application, watch: Watch, *, metrics: bool = True) -> None:
    """/healthz, and /metrics unless it is served on a port of its own (`metrics` False)."""
    root[WATCH] = watch
    if metrics:
        root.router.add_get("/metrics", _metrics)
    root.router.add_get("/healthz", _health)


async def _metrics(request: web.Request) -> web.Response:
    # Read from the database: off the serving loop.
    body = await asyncio.to_thread(request.app[WATCH].metrics)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})


async def _health(request: web.Request) -> web.Response:
    health = await asyncio.to_thread(request.app[WATCH].health)
    return web.json_response(health.body, status=200 if health.ok else 503)


async def start(app: App, host: str, port: int, *, setting: str = "metrics_port") -> web.AppRunner:
    """/metrics and /healthz on `host`:`port` until the runner is cleaned up (the worker's own,
    or serve's with bot_metrics_port: `setting` names what chose the port)."""
    root = web.Application()
    add_routes(root, watch_of(app))
    runner = web.AppRunner(root, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError as error:
        await runner.cleanup()
        if error.errno != errno.EADDRINUSE:
            raise
        raise PortTaken(
            f"Port {port} on {host} is taken: choose another with --metrics-port or the "
            f"{setting} setting."
        ) from None
    return runner
