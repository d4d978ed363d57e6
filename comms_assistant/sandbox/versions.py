"""driveItem versions: every save keeps the content it replaced, as SharePoint's versioning does.

`GET .../versions` lists the current version first ("3.0", "2.0", "1.0"), `GET
.../versions/{id}[/content]` reads one, and `POST .../versions/{id}/restoreVersion` saves that
content again as a new version (an undo, not a rewind). Old content lives under
`<root>/.versions/<item id>/<number>`, outside the library folder a person browses.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from aiohttp import web

from comms_assistant.sandbox.drive_items import Item
from comms_assistant.sandbox.drive_store import Drive
from comms_assistant.sandbox.odata import GraphError, json_ok
from comms_assistant.sandbox.version_store import folder

_BY = {"user": {"displayName": "Comms Assistant (sandbox)"}}


def _version_json(number: int, modified: str, size: int) -> dict[str, Any]:
    return {
        "id": f"{number}.0",
        "lastModifiedDateTime": modified,
        "size": size,
        "lastModifiedBy": _BY,
    }


def listing(drive: Drive, item: Item) -> list[dict[str, Any]]:
    rows = drive.db.execute(
        "SELECT number, modified, size FROM versions WHERE item_id = ? AND number < ?"
        " ORDER BY number DESC",
        (item.id, item.content_version),
    ).fetchall()
    current = _version_json(item.content_version, item.modified, item.size)
    return [current, *(_version_json(r["number"], r["modified"], r["size"]) for r in rows)]


def _content(drive: Drive, item: Item, number: int) -> bytes:
    if number == item.content_version:
        return drive.read(item)
    path = folder(drive.state, item.id) / str(number)
    if not path.is_file():
        raise GraphError(404, "itemNotFound", f"Version {number}.0 of the item was not found.")
    return path.read_bytes()


async def handle(
    request: web.Request, drive: Drive, item: Item, action: str, check_lock: Callable[[], None]
) -> web.StreamResponse:
    if item.is_folder:
        raise GraphError(400, "invalidRequest", "Folders have no versions.")
    found = re.fullmatch(r"versions(?:/(?P<id>[^/]+)(?:/(?P<op>[a-z]+))?)?", action)
    assert found is not None  # files.parse_item_ref only lets matching actions through
    method, version, op = request.method, found["id"], found["op"] or ""
    if version is None:
        if method != "GET":
            raise GraphError(405, "BadRequest", f"The HTTP method '{method}' is not supported.")
        return json_ok({"value": listing(drive, item)})
    number = _number(version)
    if method == "GET" and op == "":
        return _one(drive, item, number, version)
    if method == "GET" and op == "content":
        return web.Response(
            body=_content(drive, item, number), content_type="application/octet-stream"
        )
    if method == "POST" and op == "restoreversion":
        check_lock()
        content = _content(drive, item, number)
        drive.write(drive.get(item.parent_id or "root"), item.name, content)
        return web.Response(status=204)
    raise GraphError(400, "BadRequest", f"Resource not found for the segment '{op or version}'.")


def _number(version: str) -> int:
    number_match = re.fullmatch(r"(\d+)(?:\.0)?", version)
    if number_match is None:
        raise GraphError(400, "invalidRequest", f"'{version}' is not a version id.")
    return int(number_match.group(1))


def _one(drive: Drive, item: Item, number: int, version: str) -> web.StreamResponse:
    for entry in listing(drive, item):
        if entry["id"] == f"{number}.0":
            return json_ok(entry)
    raise GraphError(404, "itemNotFound", f"Version {version} of the item was not found.")
