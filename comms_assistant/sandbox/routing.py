"""A tiny router that matches the *decoded* Graph path.

The msgraph-sdk percent-encodes whole ids and path expressions into one URL segment
(`items/root%3A%2FIncident%20reports%2Fx.docx%3A`, `users/incidents%40example.org`), while other
clients send them literally. Decoding first and routing second treats both the same, which
aiohttp's own router (it matches per segment) would not.
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from aiohttp import web

from comms_assistant.sandbox.api_limits import ApiLimits
from comms_assistant.sandbox.drive_store import Drive
from comms_assistant.sandbox.faults import FaultSet
from comms_assistant.sandbox.locks import Locks
from comms_assistant.sandbox.odata import GraphError
from comms_assistant.sandbox.state import TenantState

Handler = Callable[[web.Request, re.Match[str]], Awaitable[web.StreamResponse]]


@dataclass
class Context:
    state: TenantState
    drive: Drive
    # The tenant's sense of time (epoch seconds) for locks, fault expiry and Exchange's rate
    # limit: tests may pass a fake one to simulate ten minutes without waiting ten minutes.
    clock: Callable[[], float] = time.time
    faults: FaultSet = field(default_factory=FaultSet)
    locks: Locks = field(default_factory=Locks)
    # Accepted sendMail times per mailbox (lower-case), for the 30-a-minute limit.
    mail_sent: dict[str, list[float]] = field(default_factory=dict)
    # Every request received, oldest first (server.LoggedRequest), for GET /_sandbox/log.
    log: list[Any] = field(default_factory=list)
    # Statuspage's and GitHub's rate limits: what each key and token has used (api_limits.py).
    limits: ApiLimits = field(default_factory=ApiLimits)


CONTEXT = web.AppKey("sandbox_context", Context)


def _request_key(name: str, kind: type) -> Any:
    # aiohttp 3.14 warns about plain string keys; older versions have no RequestKey.
    maker = getattr(web, "RequestKey", None)
    return maker(name, kind) if maker is not None else name


# What the middlewares tell each other about one request.
CLAIMS = _request_key("sandbox_token_claims", dict)  # the bearer token's claims
FAULT = _request_key("sandbox_fault", str)  # the id of the fault rule that acted
DROPPED = _request_key("sandbox_dropped", bool)  # the connection was dropped on purpose
CALLER = _request_key("sandbox_api_caller", str)  # GitHub: the token's login ("" without one)


def context(request: web.Request) -> Context:
    return request.app[CONTEXT]


def base_url(request: web.Request) -> str:
    """The sandbox's own origin as the client reached it, for absolute Location URLs."""
    return str(request.url.origin())


def decoded_path(request: web.Request) -> str:
    return unquote(request.raw_path.split("?", 1)[0])


@dataclass
class Router:
    routes: list[tuple[frozenset[str], re.Pattern[str], Handler]] = field(default_factory=list)

    def add(self, methods: str, pattern: str, handler: Handler) -> None:
        compiled = re.compile(pattern, re.IGNORECASE | re.DOTALL)
        self.routes.append((frozenset(methods.upper().split()), compiled, handler))

    def find(self, method: str, path: str) -> tuple[Handler, re.Match[str]]:
        path_matched = False
        for methods, pattern, handler in self.routes:
            match = pattern.fullmatch(path)
            if match is None:
                continue
            path_matched = True
            if method.upper() in methods:
                return handler, match
        if path_matched:
            raise GraphError(405, "BadRequest", f"The HTTP method '{method}' is not supported.")
        segment = path.rstrip("/").rsplit("/", 1)[-1]
        raise GraphError(400, "BadRequest", f"Resource not found for the segment '{segment}'.")
