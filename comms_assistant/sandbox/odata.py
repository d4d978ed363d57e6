"""Graph's error shape and the small helpers every handler shares.

Everything that goes wrong inside a handler is raised as GraphError and turned into Graph's OData
error body by one middleware, so the msgraph-sdk sees an ODataError with the right status code.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from aiohttp import web


class GraphError(Exception):
    """An error Graph would answer with `{"error": {"code", "message", "innerError"}}`."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})


def now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """Graph's timestamp form: UTC, 'Z', at most 7 fractional digits (we give 3)."""
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


def file_stamp(moment: datetime) -> str:
    """A time for file names: no colons (SharePoint and Windows refuse them), sorts in order."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%S.%fZ")


def error_response(error: GraphError, request_id: str | None = None) -> web.Response:
    body: dict[str, Any] = {
        "error": {
            "code": error.code,
            "message": error.message,
            "innerError": {
                "date": now().strftime("%Y-%m-%dT%H:%M:%S"),
                "request-id": request_id or str(uuid.uuid4()),
                "client-request-id": request_id or str(uuid.uuid4()),
            },
        }
    }
    headers = {"request-id": body["error"]["innerError"]["request-id"], **error.headers}
    return web.json_response(body, status=error.status, headers=headers)


def json_ok(body: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> web.Response:
    # Graph answers with odata.metadata=minimal; kiota only looks at "application/json".
    return web.Response(
        status=status,
        text=json.dumps(body),
        content_type="application/json",
        headers=dict(headers or {}),
    )


async def read_json(request: web.Request) -> dict[str, Any]:
    raw = await request.read()
    if not raw:
        raise GraphError(400, "BadRequest", "Empty Payload. JSON content expected.")
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise GraphError(400, "BadRequest", f"Unable to read JSON request payload: {exc}") from exc
    if not isinstance(body, dict):
        raise GraphError(400, "BadRequest", "The request payload must be a JSON object.")
    return body


def ci_get(obj: Mapping[str, Any] | None, key: str, default: Any = None) -> Any:
    """Look a JSON property up case-insensitively: Graph accepts `Message` and `message` alike."""
    if not obj:
        return default
    if key in obj:
        return obj[key]
    lowered = key.lower()
    for name, value in obj.items():
        if name.lower() == lowered:
            return value
    return default
