"""Graph's sites, drives and driveItems endpoints over the Drive store.

Item addressing follows Graph: `root`, `items/{id}`, `items/root`, and path forms
`root:/a/b.docx:`, `items/{id}:/b.docx:`, each optionally followed by `/content`, `/children`,
`/copy`. The closing colon may be left off when nothing follows the path.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from aiohttp import web

from comms_assistant.sandbox import lists, seed, versions
from comms_assistant.sandbox.drive_items import Item, etag_matches
from comms_assistant.sandbox.drive_store import Drive
from comms_assistant.sandbox.odata import GraphError, ci_get, json_ok, read_json
from comms_assistant.sandbox.routing import Router, base_url, context

ACTIONS = {"", "content", "children", "copy"}
CONFLICT = "@microsoft.graph.conflictBehavior"


def register(router: Router) -> None:
    any_method = "GET PUT POST PATCH DELETE"
    router.add(any_method, r"/v1\.0/sites/(?P<site>[^/:]+:/.+?)(?::(?P<rest>/.*)?)?", site_route)
    router.add(any_method, r"/v1\.0/sites/(?P<site>[^/:]+)(?P<rest>/.*)?", site_route)
    router.add(any_method, r"/v1\.0/drives/(?P<drive>[^/]+)(?P<rest>/.*)?", drive_route)
    router.add("GET", r"/_download/(?P<item>[^/]+)", download)
    router.add("GET", r"/_monitor/(?P<monitor>[^/]+)", monitor)


# -- sites and drives ---------------------------------------------------------------------------


def _site_matches(request: web.Request, site: str) -> bool:
    state = context(request).state
    if site.lower() in {state.site_id.lower(), "root"}:
        return True
    hostname, _, path = site.partition(":")
    return hostname.lower() == seed.SITE_HOSTNAME and path.strip("/:").lower() == seed.SITE_PATH


def _site_json(request: web.Request) -> dict[str, Any]:
    state = context(request).state
    return {
        "id": state.site_id,
        "name": seed.SITE_NAME,
        "displayName": seed.SITE_NAME.title(),
        "webUrl": state.site_web_url,
        "siteCollection": {"hostname": seed.SITE_HOSTNAME},
    }


def _drive_json(request: web.Request) -> dict[str, Any]:
    state = context(request).state
    return {
        "id": state.drive_id,
        "name": seed.LIBRARY,
        "driveType": "documentLibrary",
        "webUrl": state.library_web_url,
    }


async def site_route(request: web.Request, match: re.Match[str]) -> web.StreamResponse:
    if not _site_matches(request, match["site"]):
        raise GraphError(404, "itemNotFound", "Requested site could not be found")
    rest = match["rest"] or ""
    if rest in {"", "/"}:
        return json_ok(_site_json(request))
    if rest == "/drives":
        return json_ok({"value": [_drive_json(request)]})
    if re.match(r"/lists(?:/|$)", rest, re.IGNORECASE):
        return await lists.route(request, rest)
    drive = re.fullmatch(r"/drive(?:s/(?P<id>[^/]+))?(?P<rest>/.*)?", rest, re.IGNORECASE)
    if drive is None:
        raise GraphError(400, "BadRequest", f"Resource not found for the segment '{rest}'.")
    return await _drive(request, drive["id"] or context(request).state.drive_id, drive["rest"])


async def drive_route(request: web.Request, match: re.Match[str]) -> web.StreamResponse:
    return await _drive(request, match["drive"], match["rest"])


async def _drive(request: web.Request, drive_id: str, rest: str | None) -> web.StreamResponse:
    drive = context(request).drive
    if drive_id != drive.id:
        raise GraphError(404, "itemNotFound", "The resource could not be found.")
    if not rest or rest == "/":
        if request.method != "GET":
            raise GraphError(405, "BadRequest", "Unsupported request method for a drive.")
        return json_ok(_drive_json(request))
    base, path, action = parse_item_ref(rest.lstrip("/"))
    return await _item_action(request, drive, base, path, action)


_ITEM_IN_PATH = re.compile(r"/drives?(?:/[^/]+)?/(?P<rest>(?:items/|root).*)$", re.IGNORECASE)


def addressed_item(drive: Drive, path: str) -> Item | None:
    """The existing driveItem a decoded Graph path points at, if any (for faults and locks)."""
    found = _ITEM_IN_PATH.search(path)
    if found is None:
        return None
    try:
        base, item_path, _ = parse_item_ref(found["rest"])
        return drive.resolve(drive.get(base), item_path or "")
    except GraphError:
        return None


def parse_item_ref(rest: str) -> tuple[str, str | None, str]:
    """`root:/a/b.docx:/content` → ("root", "a/b.docx", "content")."""
    if rest.lower().startswith("items/"):
        rest = rest[len("items/") :]
    elif not re.match(r"root(?:$|[:/])", rest, re.IGNORECASE):
        raise GraphError(400, "BadRequest", f"Resource not found for the segment '{rest}'.")
    base_match = re.match(r"[^:/]+", rest)
    if base_match is None:
        raise GraphError(400, "BadRequest", "An item id or 'root' is required.")
    base, tail = base_match.group(0), rest[base_match.end() :]
    path: str | None = None
    if tail.startswith(":"):
        tail = tail[1:]
        closing = tail.rfind(":")
        path, tail = (tail[:closing], tail[closing + 1 :]) if closing >= 0 else (tail, "")
        path = path.strip("/")
    action = tail.strip("/").lower()
    if action not in ACTIONS and not re.fullmatch(r"versions(?:/[^/]+(?:/[a-z]+)?)?", action):
        raise GraphError(400, "BadRequest", f"Resource not found for the segment '{action}'.")
    return base, path, action


# -- driveItems ---------------------------------------------------------------------------------


async def _item_action(
    request: web.Request, drive: Drive, base: str, path: str | None, action: str
) -> web.StreamResponse:
    method = request.method
    if method == "PUT" and action == "content":
        return await put_content(request, drive, base, path)
    if method == "POST" and action == "children":
        return await create_folder(request, drive, drive.resolve(drive.get(base), path or ""))
    item = drive.resolve(drive.get(base), path or "")
    if action.startswith("versions"):
        return await versions.handle(
            request, drive, item, action, lambda: _check_lock(request, item)
        )
    if method == "GET" and action == "":
        return json_ok(drive.to_json(item, base_url(request)))
    if method == "GET" and action == "children":
        if not item.is_folder:
            return json_ok({"value": []})
        children = [drive.to_json(child, base_url(request)) for child in drive.children(item)]
        return json_ok({"value": children})
    if method == "GET" and action == "content":
        drive.read(item)  # a folder has no content: fail here, not at the download URL
        # Graph answers with a redirect to a short-lived pre-authenticated URL.
        raise web.HTTPFound(f"{base_url(request)}/_download/{item.id}")
    if method == "POST" and action == "copy":
        return await copy(request, drive, item)
    if method == "PATCH" and action == "":
        return await patch_item(request, drive, item)
    if method == "DELETE" and action == "":
        _check_lock(request, item)
        _check_if_match(request, item)
        drive.delete(item)
        return web.Response(status=204)
    raise GraphError(405, "BadRequest", f"The HTTP method '{method}' is not supported here.")


def _check_lock(request: web.Request, item: Item | None) -> None:
    if item is not None:
        ctx = context(request)
        ctx.locks.check(item.id, ctx.clock())


def _check_if_match(request: web.Request, item: Item | None) -> None:
    header = request.headers.get("If-Match")
    if header is None:
        return
    if item is None or not etag_matches(header, item):
        raise GraphError(412, "preconditionFailed", "ETag does not match current item's value")


async def put_content(
    request: web.Request, drive: Drive, base: str, path: str | None
) -> web.StreamResponse:
    data = await request.read()
    if path is None:
        item = drive.get(base)
        if item.is_folder:
            raise GraphError(400, "invalidRequest", "Cannot upload content to a folder.")
        _check_lock(request, item)
        _check_if_match(request, item)
        parent, name = drive.get(item.parent_id or base), item.name
    else:
        folders, _, name = path.rpartition("/")
        parent = drive.get(base)
        for folder in [part for part in folders.split("/") if part]:
            # Graph makes missing folders on the way when uploading by path.
            parent = drive.ensure_folder(parent, folder)
        existing = drive.child(parent, name)
        _check_lock(request, existing)
        _check_if_match(request, existing if existing else None)
        behavior = request.query.get(CONFLICT, "replace").lower()
        if existing is not None and behavior == "fail":
            raise GraphError(409, "nameAlreadyExists", "The specified item name already exists.")
        if existing is not None and behavior == "rename":
            name = drive.free_name(parent, name)
    item, created = drive.write(parent, name, data)
    return json_ok(drive.to_json(item, base_url(request)), status=201 if created else 200)


async def create_folder(request: web.Request, drive: Drive, parent: Item) -> web.StreamResponse:
    body = await read_json(request)
    name = str(ci_get(body, "name") or "")
    behavior = str(ci_get(body, CONFLICT) or "fail").lower()
    existing = drive.child(parent, name) if name else None
    if existing is not None:
        if behavior == "fail":
            raise GraphError(409, "nameAlreadyExists", "The specified item name already exists.")
        if behavior == "rename":
            name = drive.free_name(parent, name)
    item = drive.ensure_folder(parent, name)
    return json_ok(drive.to_json(item, base_url(request)), status=201)


async def patch_item(request: web.Request, drive: Drive, item: Item) -> web.StreamResponse:
    _check_lock(request, item)
    _check_if_match(request, item)
    body = await read_json(request)
    reference = ci_get(body, "parentReference") or {}
    parent_id = ci_get(reference, "id")
    parent = drive.get(parent_id) if parent_id else None
    updated = drive.rename_or_move(item, ci_get(body, "name"), parent)
    return json_ok(drive.to_json(updated, base_url(request)))


async def copy(request: web.Request, drive: Drive, source: Item) -> web.StreamResponse:
    if source.is_folder:
        raise GraphError(400, "notSupported", "The sandbox tenant copies files only.")
    body = await read_json(request) if await request.read() else {}
    reference = ci_get(body, "parentReference") or {}
    target_drive = ci_get(reference, "driveId") or drive.id
    if target_drive != drive.id:
        raise GraphError(404, "itemNotFound", "The destination drive could not be found.")
    parent_id = ci_get(reference, "id")
    parent = drive.get(parent_id) if parent_id else drive.get(source.parent_id or "root")
    if not parent.is_folder:
        raise GraphError(400, "invalidRequest", "The destination is not a folder.")
    name = str(ci_get(body, "name") or source.name)
    drive.check_new_name(parent, name)
    behavior = request.query.get(CONFLICT, "fail").lower()
    monitor_id = secrets.token_hex(16)
    existing = drive.child(parent, name)
    status, resource_id = "completed", None
    error: tuple[str, str] | tuple[None, None] = (None, None)
    if existing is not None and behavior == "fail":
        # SharePoint accepts the copy and reports the clash through the monitor.
        status, error = "failed", ("nameAlreadyExists", "The specified item name already exists.")
    else:
        if existing is not None and behavior == "rename":
            name = drive.free_name(parent, name)
        elif existing is not None:
            _check_lock(request, existing)  # replacing a file that is open in Word
        created, _ = drive.write(parent, name, drive.read(source))
        resource_id = created.id
    drive.db.execute(
        "INSERT INTO monitors (id, status, resource_id, error_code, error_message)"
        " VALUES (?, ?, ?, ?, ?)",
        (monitor_id, status, resource_id, *error),
    )
    location = f"{base_url(request)}/_monitor/{monitor_id}"
    return web.Response(status=202, headers={"Location": location})


# -- unauthenticated helpers: the pre-authenticated download URL and the copy monitor ----------


async def download(request: web.Request, match: re.Match[str]) -> web.StreamResponse:
    drive = context(request).drive
    data = drive.read(drive.get(match["item"]))
    return web.Response(body=data, content_type="application/octet-stream")


async def monitor(request: web.Request, match: re.Match[str]) -> web.StreamResponse:
    db = context(request).drive.db
    row = db.execute("SELECT * FROM monitors WHERE id = ?", (match["monitor"],)).fetchone()
    if row is None:
        raise GraphError(404, "itemNotFound", "The operation does not exist.")
    db.execute("UPDATE monitors SET polls = polls + 1 WHERE id = ?", (row["id"],))
    # The first poll always says "in progress", so callers that do not poll are caught.
    if row["polls"] == 0:
        body = {"operation": "ItemCopy", "status": "inProgress", "percentageComplete": 50.0}
        return json_ok(body, status=202)
    body = {"operation": "ItemCopy", "status": row["status"], "percentageComplete": 100.0}
    if row["status"] == "completed":
        body["resourceId"] = row["resource_id"]
    else:
        body["statusDescription"] = row["error_message"]
        body["error"] = {"code": row["error_code"], "message": row["error_message"]}
    return json_ok(body)
