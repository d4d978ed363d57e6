"""The sandbox's own control API under `/_sandbox/` (no token needed, never faulted).

    GET    /_sandbox/faults          the rules in force, with how often each fired
    POST   /_sandbox/faults          add rules (see faults.py for the JSON); 201 with the rules
    DELETE /_sandbox/faults          remove every rule
    GET    /_sandbox/lock            files open in Word now
    POST   /_sandbox/lock            {"path" | "item", "seconds" | "until"}: open a file in Word
    DELETE /_sandbox/lock            {"path" | "item"} (body or query): close it again
    POST   /_sandbox/edit            {"path" | "item", "append": "text"}: a person edits a file
    PUT    /_sandbox/file?path=...   the body becomes that file, put there by the site's owner
                                     (the product seeds its templates so, out of faults' reach);
                                     `&replace=false` keeps a file already there. 201 when made
    GET    /_sandbox/log             every request received; `?since=N` skips the first N
    DELETE /_sandbox/log             forget them

`path` is relative to the document library ("Incident reports/x.docx"); `item` is a driveItem id.
Times are the tenant's clock (epoch seconds, or ISO 8601 for `until`).

Elsewhere under `/_sandbox/`: `/_sandbox/users` (bot_connector.py, people in the directory),
`/_sandbox/app` (grants.py, the app's permissions and calendar scope), and
`/_sandbox/planner/tasks/{id}`, `/_sandbox/calendar/{mailbox}/events/{id}` (person_edits.py, a
person changing a task in Planner or an event in Outlook).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import re
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from comms_assistant.sandbox import person
from comms_assistant.sandbox.drive_items import Item
from comms_assistant.sandbox.faults import FaultError, parse_rules, parse_until
from comms_assistant.sandbox.files import addressed_item
from comms_assistant.sandbox.odata import GraphError, ci_get, json_ok, read_json
from comms_assistant.sandbox.routing import (
    DROPPED,
    FAULT,
    Context,
    Router,
    base_url,
    context,
    decoded_path,
)

PREFIX = "/_sandbox/"
DEFAULT_LOCK_SECONDS = 600.0


def register(router: Router) -> None:
    router.add("GET POST DELETE", r"/_sandbox/faults", faults)
    router.add("GET POST DELETE", r"/_sandbox/lock", lock)
    router.add("POST", r"/_sandbox/edit", edit)
    router.add("PUT", r"/_sandbox/file", put_file)
    router.add("GET DELETE", r"/_sandbox/log", request_log)


def _stamp(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat().replace("+00:00", "Z")


async def faults(request: web.Request, match: re.Match[str]) -> web.StreamResponse:
    ctx = context(request)
    if request.method == "DELETE":
        ctx.faults.clear()
        return web.Response(status=204)
    if request.method == "POST":
        try:
            added = parse_rules(await request.read(), ctx.clock())
        except FaultError as exc:
            raise GraphError(400, "invalidRequest", str(exc)) from exc
        ctx.faults.add(added)
        return json_ok({"value": [rule.to_json(ctx.clock()) for rule in added]}, status=201)
    return json_ok({"value": [rule.to_json(ctx.clock()) for rule in ctx.faults.rules()]})


async def _target(request: web.Request, ctx: Context) -> tuple[dict[str, Any], Item]:
    body: dict[str, Any] = dict(request.query)
    if request.can_read_body:
        body.update(await read_json(request))
    item_id, path = ci_get(body, "item"), ci_get(body, "path")
    if not item_id and not path:
        raise GraphError(
            400, "invalidRequest", "Say which file: 'path' (in the library) or 'item'."
        )
    item = ctx.drive.get(str(item_id)) if item_id else ctx.drive.resolve(ctx.drive.root(), path)
    return body, item


async def lock(request: web.Request, match: re.Match[str]) -> web.StreamResponse:
    ctx = context(request)
    now = ctx.clock()
    if request.method == "GET":
        held = [
            {"item": item, "until": _stamp(until)} for item, until in ctx.locks.held(now).items()
        ]
        return json_ok({"value": held})
    body, item = await _target(request, ctx)
    if request.method == "DELETE":
        ctx.locks.unlock(item.id)
        return web.Response(status=204)
    try:
        until = parse_until({"until": ci_get(body, "until")}, now)
        if until is None:
            until = now + float(ci_get(body, "seconds", DEFAULT_LOCK_SECONDS))
    except (FaultError, TypeError, ValueError) as exc:
        raise GraphError(400, "invalidRequest", f"Bad 'seconds' or 'until': {exc}") from exc
    ctx.locks.lock(item.id, until)
    return json_ok({"item": item.id, "name": item.name, "until": _stamp(until)})


async def edit(request: web.Request, match: re.Match[str]) -> web.StreamResponse:
    ctx = context(request)
    body, item = await _target(request, ctx)
    text = ci_get(body, "append")
    if not isinstance(text, str) or not text:
        raise GraphError(400, "invalidRequest", "'append' must be the text the person types.")
    updated = person.edit(ctx.drive, item, text)
    return json_ok(ctx.drive.to_json(updated, base_url(request)))


async def put_file(request: web.Request, match: re.Match[str]) -> web.StreamResponse:
    ctx = context(request)
    folders, _, name = request.query.get("path", "").strip("/").rpartition("/")
    if not name:
        raise GraphError(400, "invalidRequest", "Say which file: 'path' (in the library).")
    parent = ctx.drive.root()
    for folder in [part for part in folders.split("/") if part]:
        parent = ctx.drive.ensure_folder(parent, folder)
    existing = ctx.drive.child(parent, name)
    if existing is not None and request.query.get("replace", "true").lower() == "false":
        return json_ok(ctx.drive.to_json(existing, base_url(request)))
    item, created = ctx.drive.write(parent, name, await request.read())
    return json_ok(ctx.drive.to_json(item, base_url(request)), status=201 if created else 200)


async def request_log(request: web.Request, match: re.Match[str]) -> web.StreamResponse:
    ctx = context(request)
    if request.method == "DELETE":
        ctx.log.clear()
        return web.Response(status=204)
    try:
        since = max(0, int(request.query.get("since", "0")))
    except ValueError as exc:
        raise GraphError(400, "invalidRequest", "'since' must be a whole number.") from exc
    entries = [
        {
            "method": entry.method,
            "path": entry.path,
            "status": entry.status,
            "time": _stamp(entry.time),
            "fault": entry.fault,
        }
        for entry in list(ctx.log)[since:]
    ]
    return json_ok({"value": entries, "count": len(ctx.log)})


@web.middleware
async def inject_faults(request: web.Request, handler: Any) -> web.StreamResponse:
    """Apply the first live fault rule matching this request (see faults.py for what each does)."""
    path = decoded_path(request)
    ctx = context(request)
    rule = None if path.startswith(PREFIX) else ctx.faults.pick(request.method, path, ctx.clock())
    if rule is None:
        return await handler(request)
    request[FAULT] = rule.id
    if rule.delay:
        await asyncio.sleep(rule.delay)
    if rule.edit:
        item = addressed_item(ctx.drive, path)
        if item is not None and not item.is_folder:
            person.edit(ctx.drive, item, rule.edit)
    if rule.after:
        # The work is done (the mail is sent); its answer, whatever it was, is lost.
        with contextlib.suppress(GraphError, web.HTTPException):
            await handler(request)
    if rule.drop:
        request[DROPPED] = True
        if request.transport is not None:
            request.transport.abort()
        return web.Response(status=499)  # never reaches the client: the connection is gone
    if rule.status is not None:
        headers = {}
        if rule.retry_after is not None:
            # Whole seconds: kiota's retry handler reads Retry-After with int().
            headers["Retry-After"] = str(math.ceil(rule.retry_after))
        message = rule.message or f"Fault injected by the sandbox tenant (rule {rule.id})."
        raise GraphError(rule.status, rule.error_code, message, headers)
    return await handler(request)
