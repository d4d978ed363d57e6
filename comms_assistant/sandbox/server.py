"""The sandbox tenant's HTTP server: an aiohttp app on 127.0.0.1, run in a background thread.

Request flow, outermost first:
    log_requests → odata_errors → authenticate → api_gate → inject_faults → *extra middlewares*
    → dispatch
`authenticate` checks Graph's tokens, `api_gate` the Statuspage key and GitHub token and their
rate limits; `odata_errors` answers in Graph's shape, or Statuspage's or GitHub's on their paths
(api_errors.py).
Faults (control.inject_faults) come from `COMMS_ASSISTANT_SANDBOX_FAULTS` at start, from
`SandboxTenant(faults=...)`, `SandboxTenant.faults.add(...)` or `POST /_sandbox/faults` while it
runs; they act after the token check, so a request with no token still gets 401 first. They
never act on `/_sandbox/` (control.py), through which the product seeds its templates: a rule is
for the product's requests, not for setting the tenant up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, NamedTuple

from aiohttp import web
from aiohttp.typedefs import Middleware

from comms_assistant.sandbox import (
    api_gate,
    auth,
    bot_connector,
    calendars,
    chats,
    control,
    files,
    github,
    grants,
    mail,
    page,
    permissions,
    person_edits,
    planner,
    seed,
    statuspage,
    teams,
    users,
)
from comms_assistant.sandbox.api_errors import ApiError, reshaped
from comms_assistant.sandbox.drive_store import Drive
from comms_assistant.sandbox.faults import ENV_VAR, FaultRule, FaultSet, parse_rules
from comms_assistant.sandbox.github_store import Repos
from comms_assistant.sandbox.odata import GraphError, error_response
from comms_assistant.sandbox.routing import CONTEXT, DROPPED, FAULT, Context, Router, decoded_path
from comms_assistant.sandbox.state import TenantState
from comms_assistant.sandbox.statuspage_store import StatusPages

log = logging.getLogger(__name__)

HandlerFn = Callable[[web.Request], Awaitable[web.StreamResponse]]


class LoggedRequest(NamedTuple):
    method: str
    path: str  # decoded, without the query string
    status: int  # 0: the connection was dropped on purpose (a fault), nothing was answered
    time: float = 0.0  # the tenant's clock when the request arrived (epoch seconds)
    fault: str | None = None  # the id of the fault rule that acted on it


def build_router() -> Router:
    router = Router()
    modules = (
        auth, permissions, files, mail, teams, chats, bot_connector, users, calendars, planner,
        grants, person_edits, statuspage, github, api_gate, control, page,
    )  # fmt: skip
    for module in modules:
        module.register(router)
    return router


def faults_from_env() -> list[FaultRule]:
    """Rules in `COMMS_ASSISTANT_SANDBOX_FAULTS` (JSON); a bad value stops the start, loudly."""
    raw = os.environ.get(ENV_VAR, "").strip()
    return parse_rules(raw, time.time()) if raw else []


def build_app(
    state: TenantState,
    log_to: list[LoggedRequest] | None = None,
    middlewares: Sequence[Middleware] = (),
    *,
    faults: FaultSet | None = None,
    clock: Callable[[], float] = time.time,
) -> web.Application:
    router = build_router()
    requests = log_to if log_to is not None else []
    # The status page and the status repository, made once (an existing one is kept).
    StatusPages(state).seed(clock())
    Repos(state).seed(clock())

    @web.middleware
    async def log_requests(request: web.Request, handler: HandlerFn) -> web.StreamResponse:
        status, arrived = 500, clock()
        try:
            response = await handler(request)
            status = response.status
            return response
        except web.HTTPException as exc:
            status = exc.status
            raise
        finally:
            status = 0 if request.get(DROPPED) else status
            entry = LoggedRequest(
                request.method, decoded_path(request), status, arrived, request.get(FAULT)
            )
            requests.append(entry)

    @web.middleware
    async def odata_errors(request: web.Request, handler: HandlerFn) -> web.StreamResponse:
        request_id = request.headers.get("client-request-id") or str(uuid.uuid4())
        try:
            return await handler(request)
        except ApiError as exc:  # Statuspage's or GitHub's own error, already in shape
            return exc.response()
        except GraphError as exc:
            return reshaped(decoded_path(request), exc) or error_response(exc, request_id)
        except web.HTTPException:
            raise  # redirects and aiohttp's own answers pass through
        except ConnectionResetError:
            # The client went away mid-request (the soak SIGKILLs workers): no one to answer,
            # and not the tenant's fault, so no traceback.
            log.info("sandbox tenant: client left during %s %s", request.method, request.path)
            return web.Response(status=499)
        except Exception:
            log.exception("sandbox tenant: unexpected error on %s %s", request.method, request.path)
            error = GraphError(500, "generalException", "An unexpected error occurred.")
            return reshaped(decoded_path(request), error) or error_response(error, request_id)

    @web.middleware
    async def authenticate(request: web.Request, handler: HandlerFn) -> web.StreamResponse:
        auth.require_token(request)
        return await handler(request)

    async def dispatch(request: web.Request) -> web.StreamResponse:
        handler, match = router.find(request.method, decoded_path(request))
        return await handler(request, match)

    app = web.Application(
        middlewares=[
            log_requests,
            odata_errors,
            authenticate,
            api_gate.gate,
            control.inject_faults,
            *middlewares,
        ],
        client_max_size=300 * 1024 * 1024,  # simple upload allows 250 MB
    )
    app[CONTEXT] = Context(
        state=state, drive=Drive(state), clock=clock, faults=faults or FaultSet(), log=requests
    )
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
        *,
        faults: Any = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """`faults`: rules as JSON text or data (see faults.py); None reads the environment.

        `clock`: the tenant's time in epoch seconds, for locks, fault expiry and rate limits.
        """
        self.root = Path(root)
        self.host = host
        self.port = port
        self.middlewares = tuple(middlewares)
        self.clock = clock
        self.faults = FaultSet()
        self.faults.add(faults_from_env() if faults is None else parse_rules(faults, clock()))
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
    def statuspage_url(self) -> str:
        """Statuspage's API root (https://api.statuspage.io/v1 in the real world)."""
        return f"{self.base_url}/statuspage/v1"

    @property
    def github_url(self) -> str:
        """GitHub's API root (https://api.github.com in the real world)."""
        return f"{self.base_url}/github"

    @property
    def token_url(self) -> str:
        return f"{self.base_url}/{seed.TENANT_ID}/oauth2/v2.0/token"

    def start(self) -> str:
        if self._thread is not None:
            return self.base_url
        ready = threading.Event()
        failure: list[BaseException] = []
        # The thread keeps its own reference: `stop` forgets the loop once it has waited, and
        # a stop that outlasts the wait must still find it to close.
        loop = self._loop = asyncio.new_event_loop()

        def run() -> None:
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self._start_server())
            except BaseException as exc:  # reported to the caller of start()
                failure.append(exc)
                # Closed here, not left to the garbage collector: at interpreter exit its
                # __del__ could meet a self-pipe already gone and print a traceback after the
                # one-line error (seen once in CI, under load).
                loop.close()
                ready.set()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._stop_server())
            loop.close()

        self._thread = threading.Thread(target=run, name="sandbox-tenant", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            self._thread.join()
            self._thread = self._loop = None
            raise failure[0]
        return self.base_url

    async def _start_server(self) -> None:
        self._state = TenantState(self.root)
        app = build_app(
            self._state, self.requests, self.middlewares, faults=self.faults, clock=self.clock
        )
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
    fault_set = FaultSet()
    fault_set.add(faults_from_env())  # before anything starts: a bad rule stops us here
    state = TenantState(Path(root))

    async def main() -> None:
        runner = web.AppRunner(build_app(state, faults=fault_set), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        print(f"Sandbox tenant on http://{host}:{bound} (Graph: http://{host}:{bound}/v1.0)")
        print(f"Statuspage: http://{host}:{bound}/statuspage/v1 (page {seed.STATUSPAGE_PAGE_ID})")
        print(f"GitHub: http://{host}:{bound}/github (repository {seed.STATUS_REPO})")
        print(f"State in {Path(root).resolve()}. Ctrl-C stops.")
        print(f"See what was sent: http://{host}:{bound}/", flush=True)
        if fault_set.rules():
            print(f"Faults in force: {len(fault_set.rules())} rule(s) from {ENV_VAR}", flush=True)
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
