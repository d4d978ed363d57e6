"""Errors in the shapes of the two non-Microsoft APIs the sandbox also serves.

- Statuspage (`/statuspage/v1/...`): its OpenAPI description's `ErrorEntity`, `{"message": ...}`.
- GitHub (`/github/...`): `{"message", "documentation_url", "status"}`, plus `errors` on a 422.

Handlers raise `ApiError` with the body already in shape. A `GraphError` raised on one of these
paths (a fault rule's 429 or 503, an unexpected 500) is reshaped by `reshaped`, keeping its status
and headers (Retry-After), so a client of those APIs never sees Graph's OData body.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

from comms_assistant.sandbox.odata import GraphError

STATUSPAGE_PREFIX = "/statuspage/v1/"
GITHUB_PREFIX = "/github/"
GITHUB_DOCS = "https://docs.github.com/rest"
NOT_FOUND = "The requested resource could not be found."


class ApiError(Exception):
    """An answer other than 2xx, body and headers as the emulated API sends them."""

    def __init__(
        self, status: int, body: dict[str, Any], headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(f"{status}: {body.get('message')}")
        self.status = status
        self.body = body
        self.headers = dict(headers or {})

    def response(self) -> web.Response:
        return web.json_response(self.body, status=self.status, headers=self.headers)


def statuspage_error(
    status: int, message: str, headers: Mapping[str, str] | None = None
) -> ApiError:
    return ApiError(status, {"message": message}, headers)


def github_error(
    status: int,
    message: str,
    documentation_url: str = GITHUB_DOCS,
    *,
    errors: list[dict[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> ApiError:
    body: dict[str, Any] = {"message": message, "documentation_url": documentation_url}
    if errors:
        body["errors"] = errors
    body["status"] = str(status)
    return ApiError(status, body, headers)


def service_of(path: str) -> str | None:
    """Which emulated API a decoded path belongs to: "statuspage", "github" or None (Graph)."""
    lowered = path.lower()
    if lowered.startswith(STATUSPAGE_PREFIX):
        return "statuspage"
    if lowered.startswith(GITHUB_PREFIX):
        return "github"
    return None


def reshaped(path: str, error: GraphError) -> web.Response | None:
    """`error` in the shape of the API `path` belongs to; None for Graph's own paths."""
    service = service_of(path)
    if service == "statuspage":
        return statuspage_error(error.status, error.message, error.headers).response()
    if service == "github":
        return github_error(error.status, error.message, headers=error.headers).response()
    return None
