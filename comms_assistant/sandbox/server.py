"""The sandbox tenant's HTTP server: an aiohttp app on 127.0.0.1, run in a background thread.

Request flow, outermost first:
    log_requests → odata_errors → authenticate → *extra middlewares* → dispatch
Fault injection (429 + Retry-After, 503, 423, 412 on simulated human edits, "accept then fail")
belongs in one middleware passed as `SandboxTenant(..., middlewares=[...])`: it runs after the
token check, sees the decoded path via `routing.decoded_path`, may raise `GraphError` before the
handler or replace the handler's response after it, and its errors still get Graph's body.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
import uuid
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import NamedTuple

from aiohttp import web

from comms_assistant.sandbox import auth, files, mail, seed, teams
from comms_assistant.sandbox.drive_store import Drive
from comms_assistant.sandbox.odata import GraphError, error_response
from comms_assistant.sandbox.routing import CONTEXT, Context, Router, decoded_path
from comms_assistant.sandbox.state import TenantState

log = logging.getLogger(__name__)

HandlerFn = Callable[[web.Request], Awaitable[web.StreamResponse]]
Middleware = Callable[[web.Request, HandlerFn], Awaitable[web.StreamResponse]]


class LoggedRequest(NamedTuple):
    method: str
    path: str  # decoded, without the query string
    status: int


def build_router() -> Router:
    router = Router()
    for module in (auth, files, mail, teams):
        module.register(router)
    return router


def build_app(
    state: TenantState,
    log_to: list[LoggedRequest] | None = None,
    middlewares: Sequence[Middleware] = (),
) -> web.Application:
    router = build_router()
    requests = log_to if log_to is not None else []

    @web.middleware
    async def log_requests(request: web.Request, handler: HandlerFn) -> web.StreamResponse:
        status = 500
        try:
            response = await handler(request)
            status = response.status
            return response
        except web.HTTPException as exc:
            status = exc.status
            raise
        finally:
            requests.append(LoggedRequest(request.method, decoded_path(request), status))

    @web.middleware
    async def odata_errors(request: web.Request, handler: HandlerFn) -> web.StreamResponse:
        request_id = request.headers.get("client-request-id") or str(uuid.uuid4())
        try:
            return await handler(request)
        except GraphError as exc:
            return error_response(exc, request_id)
        except web.HTTPException:
            raise  # redirects and aiohttp's own answers pass through
        except Exception:
            log.exception("sandbox tenant: unexpected error on %s %s", request.method, request.path)
            error = GraphError(500, "generalException", "An unexpected error occurred.")
            return error_response(error, request_id)

    @web.middleware
    async def authenticate(request: web.Request, handler: HandlerFn) -> web.StreamResponse:
        auth.require_token(request)
        return await handler(request)

    async def dispatch(request: web.Request) -> web.StreamResponse:
        handler, match = router.find(request.method, decoded_path(request))
        return await handler(request, match)

    app = web.Application(
        middlewares=[log_requests, odata_errors, authenticate, *middlewares],
        client_max_size=300 * 1024 * 1024,  # simple upload allows 250 MB
    )
    app[CONTEXT] = Context(state=state, drive=Drive(state))
    app.router.add_route("*", "/{tail:.*}", dispatch)
    return app


class SandboxTenant:
    """The local Microsoft 365 tenant, served from a background thread with its own loop."""

    def __init__(
        self,
        root: Path,
        host: str = "127.0.0.1",
        port: int = 0,
        middlewares: Sequence[Middleware] = (),
    ) -> None:
        self.root = Path(root)
        self.host = host
        self.port = port
        self.middlewares = tuple(middlewares)
        self.requests: list[LoggedRequest] = []
        self.base_url = ""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._state: TenantState | None = None

    @property
    def graph_url(self) -> str:
        return f"{self.base_url}/v1.0"

    @property
    def token_url(self) -> str:
        return f"{self.base_url}/{seed.TENANT_ID}/oauth2/v2.0/token"

    def start(self) -> str:
        if self._thread is not None:
            return self.base_url
        ready = threading.Event()
        failure: list[BaseException] = []
        self._loop = asyncio.new_event_loop()

        def run() -> None:
            assert self._loop is not None
            asyncio.set_event_loop(self._loop)
            try:
                self._loop.run_until_complete(self._start_server())
            except BaseException as exc:  # reported to the caller of start()
                failure.append(exc)
                ready.set()
                return
            ready.set()
            self._loop.run_forever()
            self._loop.run_until_complete(self._stop_server())
            self._loop.close()

        self._thread = threading.Thread(target=run, name="sandbox-tenant", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            self._thread.join()
            self._thread = None
            raise failure[0]
        return self.base_url

    async def _start_server(self) -> None:
        self._state = TenantState(self.root)
        app = build_app(self._state, self.requests, self.middlewares)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server = site._server
        assert server is not None and server.sockets  # type: ignore[attr-defined]
        port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        self.port = port
        self.base_url = f"http://{self.host}:{port}"

    async def _stop_server(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._state is not None:
            self._state.close()

    def stop(self) -> None:
        if self._thread is None or self._loop is None:
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=30)
        self._thread = None
        self._loop = None

    def __enter__(self) -> SandboxTenant:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def serve_forever(root: Path, host: str = "127.0.0.1", port: int = 0) -> None:
    """Run the tenant in the foreground until Ctrl-C (the `comms-assistant sandbox` command)."""
    state = TenantState(Path(root))

    async def main() -> None:
        runner = web.AppRunner(build_app(state), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        print(f"Sandbox tenant on http://{host}:{bound} (Graph: http://{host}:{bound}/v1.0)")
        print(f"State in {Path(root).resolve()}. Ctrl-C stops.", flush=True)
        stopped = asyncio.Event()
        # A service manager stops us with SIGTERM: shut down as cleanly as after Ctrl-C.
        with contextlib.suppress(NotImplementedError):  # no signal handlers on Windows loops
            asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stopped.set)
        try:
            await stopped.wait()
        finally:
            await runner.cleanup()

    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
    finally:
        state.close()
