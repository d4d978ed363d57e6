"""Atlassian Statuspage's REST API (https://api.statuspage.io/v1/), at `<sandbox>/statuspage/v1`.

    GET                 /pages/{page_id}                           the page's profile
    GET POST            /pages/{page_id}/incidents                 newest first; create (201)
    GET                 /pages/{page_id}/incidents/unresolved      not yet resolved, newest first
    GET PATCH PUT DELETE /pages/{page_id}/incidents/{incident_id}  PATCH/PUT update (200)
    GET                 /pages/{page_id}/components                in the page's order
    GET PATCH PUT       /pages/{page_id}/components/{component_id}

Every path may end in `.json`, as the reference's older examples do. Bodies wrap their object
(`{"incident": {...}}`, `{"component": {...}}`), as JSON or form-encoded (`incident[name]=...`,
`incident[components][<id>]=major_outage`, `incident[component_ids][]=<id>`), "but make sure the
Content-Type header matches". What an update does: statuspage_changes.py. Files:
statuspage_store.py. The key (`Authorization: OAuth <key>`) and the rate limit: api_gate.py.
Errors are `{"message": ...}` (the reference's ErrorEntity); an unknown page, incident or
component is 404.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from aiohttp import web

from comms_assistant.sandbox import statuspage_changes
from comms_assistant.sandbox.api_errors import NOT_FOUND, statuspage_error
from comms_assistant.sandbox.routing import Router, context
from comms_assistant.sandbox.statuspage_store import COMPONENT_STATUSES, StatusPages, stamp, to_json

PAGE = r"/statuspage/v1/pages/(?P<page>[^/.]+)"
END = r"(?:\.json)?"
ALL_METHODS = "GET HEAD POST PUT PATCH DELETE OPTIONS"


def register(router: Router) -> None:
    router.add("GET", PAGE + END, get_page)
    router.add("GET POST", PAGE + "/incidents" + END, incidents)
    router.add("GET", PAGE + "/incidents/unresolved" + END, unresolved)
    router.add("GET PATCH PUT DELETE", PAGE + r"/incidents/(?P<incident>[^/.]+)" + END, incident)
    router.add("GET", PAGE + "/components" + END, components)
    router.add("GET PATCH PUT", PAGE + r"/components/(?P<component>[^/.]+)" + END, component)
    router.add(ALL_METHODS, r"/statuspage/.*", not_found)


def _json(body: Any, status: int = 200) -> web.Response:
    return web.json_response(body, status=status)


def form_fields(pairs: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """Rails-style form fields as nested data: `a[b]=1`, `a[c][d]=2`, `a[e][]=3`."""
    data: dict[str, Any] = {}
    for name, value in pairs:
        head, _, rest = name.partition("[")
        keys = [head, *re.findall(r"([^\[\]]*)\]", rest)]
        is_list = keys[-1] == "" and len(keys) > 1
        path = keys[:-2] if is_list else keys[:-1]
        node = data
        for key in path:
            node = node.setdefault(key, {})
        if is_list:
            node.setdefault(keys[-2], []).append(value)
        else:
            node[keys[-1]] = value
    return data


async def wrapped(request: web.Request, key: str) -> dict[str, Any]:
    """The `key` object of the request's body, JSON or form-encoded; 400 if it is not there."""
    if request.content_type == "application/x-www-form-urlencoded":
        data: Any = form_fields((await request.post()).items())
    else:
        try:
            data = json.loads(await request.read() or b"{}")
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise statuspage_error(400, f"The body is not JSON: {exc}") from exc
    inner = data.get(key) if isinstance(data, dict) else None
    if not isinstance(inner, dict):
        raise statuspage_error(400, f"param is missing or the value is empty: {key}")
    return inner


def _folder(request: web.Request, match: re.Match[str]) -> tuple[StatusPages, Path]:
    store = StatusPages(context(request).state)
    folder = store.folder(match["page"])
    if folder is None:
        raise statuspage_error(404, NOT_FOUND)
    return store, folder


def _paged(request: web.Request, items: list[Any], size_name: str) -> list[Any]:
    """One page of `items` (`page` from 1; at most 100 a page, as the reference says)."""
    try:
        number = max(1, int(request.query.get("page", "1")))
        size = min(100, max(1, int(request.query.get(size_name, "100"))))
    except ValueError as exc:
        raise statuspage_error(400, f"'page' and '{size_name}' must be whole numbers") from exc
    return items[(number - 1) * size : number * size]


async def get_page(request: web.Request, match: re.Match[str]) -> web.StreamResponse:
    store, folder = _folder(request, match)
    return _json(store.page(folder))


async def _fields(request: web.Request, key: str) -> dict[str, Any]:
    """A write's `key` object, read before the handler reads any state: the loop may run other
    requests while the body arrives, and what was read before would be stale."""
    return await wrapped(request, key) if request.method in {"POST", "PATCH", "PUT"} else {}


async def incidents(request: web.Request, match: re.Match[str]) -> web.StreamResponse:
    fields = statuspage_changes.normalised(await _fields(request, "incident"))
    store, folder = _folder(request, match)
    known = store.components(folder)
    if request.method == "GET":
        found = [to_json(i, known) for i in store.incidents(folder)]
        wanted = request.query.get("q", "").lower()
        if wanted:
            found = [i for i in found if wanted in json.dumps(i).lower()]
        return _json(_paged(request, found, "limit"))
    statuspage_changes.check(fields, {c["id"] for c in known}, creating=True)
    made = statuspage_changes.create(folder.name, fields, known, context(request).clock())
    store.save_components(folder, known)
    store.save_incident(folder, made)
    return _json(to_json(made, known), status=201)


async def unresolved(request: web.Request, match: re.Match[str]) -> web.StreamResponse:
    store, folder = _folder(request, match)
    known = store.components(folder)
    found = [to_json(i, known) for i in store.incidents(folder) if i["status"] != "resolved"]
    return _json(_paged(request, found, "per_page"))


async def incident(request: web.Request, match: re.Match[str]) -> web.StreamResponse:
    fields = statuspage_changes.normalised(await _fields(request, "incident"))
    store, folder = _folder(request, match)
    found = store.incident(folder, match["incident"])
    if found is None:
        raise statuspage_error(404, NOT_FOUND)
    known = store.components(folder)
    if request.method == "DELETE":
        store.delete_incident(folder, found["id"])
    elif request.method in {"PATCH", "PUT"}:
        statuspage_changes.check(fields, {c["id"] for c in known}, creating=False)
        found = statuspage_changes.update(found, fields, known, context(request).clock())
        store.save_components(folder, known)
        store.save_incident(folder, found)
    return _json(to_json(found, known))


async def components(request: web.Request, match: re.Match[str]) -> web.StreamResponse:
    store, folder = _folder(request, match)
    return _json(_paged(request, store.components(folder), "per_page"))


async def component(request: web.Request, match: re.Match[str]) -> web.StreamResponse:
    fields = await _fields(request, "component")
    store, folder = _folder(request, match)
    known = store.components(folder)
    found = next((c for c in known if c["id"] == match["component"]), None)
    if found is None:
        raise statuspage_error(404, NOT_FOUND)
    if request.method in {"PATCH", "PUT"}:
        if fields.get("status") not in (None, *COMPONENT_STATUSES):
            raise statuspage_error(422, f"Status must be one of {', '.join(COMPONENT_STATUSES)}")
        for key in ("name", "description", "status", "showcase", "only_show_if_degraded"):
            if key in fields:
                found[key] = fields[key]
        found["updated_at"] = stamp(context(request).clock())
        store.save_components(folder, known)
    return _json(found)


async def not_found(request: web.Request, match: re.Match[str]) -> web.StreamResponse:
    raise statuspage_error(404, NOT_FOUND)
