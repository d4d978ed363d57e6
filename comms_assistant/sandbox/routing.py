"""A tiny router that matches the *decoded* Graph path.

The msgraph-sdk percent-encodes whole ids and path expressions into one URL segment
(`items/root%3A%2FIncident%20reports%2Fx.docx%3A`, `users/incidents%40example.org`), while other
clients send them literally. Decoding first and routing second treats both the same, which
aiohttp's own router (it matches per segment) would not.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import unquote

from aiohttp import web

from comms_assistant.sandbox.drive_store import Drive
from comms_assistant.sandbox.odata import GraphError
from comms_assistant.sandbox.state import TenantState

Handler = Callable[[web.Request, re.Match[str]], Awaitable[web.StreamResponse]]


@dataclass
class Context:
    state: TenantState
    drive: Drive


CONTEXT = web.AppKey("sandbox_context", Context)


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
