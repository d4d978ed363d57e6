"""SharePoint lists on the incidents site: the incident register (issue 24).

    GET    /sites/{site}/lists                           the site's lists
    POST   /sites/{site}/lists                           {displayName, columns, list}: 201;
                                                         409 nameAlreadyExists
    GET    /sites/{site}/lists/{list id or name}
    GET    /sites/{site}/lists/{list}/columns
    GET    /sites/{site}/lists/{list}/items              ?expand=fields, ?$filter=fields/X eq 'v'
    POST   /sites/{site}/lists/{list}/items              {fields: {...}}: 201 with the item
    GET    /sites/{site}/lists/{list}/items/{id}         ?expand=fields
    PATCH  /sites/{site}/lists/{list}/items/{id}/fields  If-Match optional: 412 when stale;
                                                         200 with the fields
    DELETE /sites/{site}/lists/{list}/items/{id}

As Graph documents them ("Create list", "Create listItem", "Update listItem", "List items"):
- A list is addressed by its id or its name. Its columns are those it was made with, plus
  `Title`; a field that is no column is 400 ("Field 'X' is not recognized").
- Every item has an `eTag` (`"{guid},{version}"`), new on every change; a change naming an
  older one in `If-Match` is 412. Without If-Match the last writer wins, as in Graph.
- Filtering items on a column that is not indexed needs the header
  `Prefer: HonorNonIndexedQueriesWarningMayFailRandomly`; without it, 400.
- Creating an item has no idempotency key: a create whose answer was lost (a fault with
  `after`) is there, and a blind retry makes a second item.

Kept as JSON files a person can open:

    sharepoint/<site>/lists/<list name>/list.json       the list and its columns
    sharepoint/<site>/lists/<list name>/items/<id>.json the item as Graph shows it, fields in it
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

from aiohttp import web

from comms_assistant.sandbox import seed
from comms_assistant.sandbox.odata import GraphError, ci_get, iso, json_ok, now, read_json
from comms_assistant.sandbox.routing import context
from comms_assistant.sandbox.state import atomic_write

NON_INDEXED = "honornonindexedquerieswarningmayfailrandomly"
_FILTER = re.compile(r"fields/(?P<field>\w+)\s+eq\s+'(?P<value>(?:[^']|'')*)'", re.IGNORECASE)
_SAFE_NAME = re.compile(r"[^\w .()-]")


def lists_root(root: Path) -> Path:
    return root / "sharepoint" / seed.SITE_NAME / "lists"


class Lists:
    def __init__(self, root: Path, tmp_dir: Path) -> None:
        self.root = lists_root(root)
        self.tmp_dir = tmp_dir

    def _write(self, path: Path, obj: dict[str, Any]) -> None:
        atomic_write(path, json.dumps(obj, indent=2).encode(), self.tmp_dir)

    def all(self) -> list[dict[str, Any]]:
        return [json.loads(p.read_text()) for p in sorted(self.root.glob("*/list.json"))]

    def find(self, key: str) -> tuple[Path, dict[str, Any]]:
        for found in self.all():
            if key.lower() in (found["id"].lower(), found["displayName"].lower()):
                return self.root / _folder(found["displayName"]), found
        raise GraphError(404, "itemNotFound", f"List '{key}' does not exist at site.")

    def create(self, body: dict[str, Any], site_url: str) -> dict[str, Any]:
        name = str(ci_get(body, "displayName") or "").strip()
        if not name:
            raise GraphError(400, "invalidRequest", "A list needs a 'displayName'.")
        if any(found["displayName"].lower() == name.lower() for found in self.all()):
            raise GraphError(409, "nameAlreadyExists", f"A list named '{name}' already exists.")
        columns = [_column(c) for c in ci_get(body, "columns") or []]
        moment = iso(now())
        made = {
            "id": str(uuid.uuid4()),
            "name": name.replace(" ", ""),
            "displayName": name,
            "createdDateTime": moment,
            "lastModifiedDateTime": moment,
            "webUrl": f"{site_url}/Lists/{name.replace(' ', '')}",
            "list": {"template": "genericList", "hidden": False},
            "columns": [{"name": "Title", "displayName": "Title", "text": {}}, *columns],
            "nextItem": 1,
        }
        self._write(self.root / _folder(name) / "list.json", made)
        return _shown(made)

    def items(self, folder: Path) -> list[dict[str, Any]]:
        paths = sorted((folder / "items").glob("*.json"), key=lambda p: int(p.stem))
        return [json.loads(p.read_text()) for p in paths]

    def item(self, folder: Path, item_id: str) -> dict[str, Any]:
        path = folder / "items" / f"{item_id}.json"
        if not item_id.isdigit() or not path.is_file():
            raise GraphError(404, "itemNotFound", "The specified list item was not found.")
        return dict(json.loads(path.read_text()))

    def add_item(self, folder: Path, the_list: dict[str, Any], fields: dict[str, Any]) -> Any:
        _known(the_list, fields)
        number = int(the_list["nextItem"])
        the_list["nextItem"] = number + 1
        self._write(folder / "list.json", the_list)
        moment = iso(now())
        item = {
            "id": str(number),
            "createdDateTime": moment,
            "lastModifiedDateTime": moment,
            "webUrl": f"{the_list['webUrl']}/DispForm.aspx?ID={number}",
            "guid": str(uuid.uuid4()),
            "version": 1,
            "fields": {"id": str(number), **fields},
        }
        return self._save(folder, item)

    def change(self, folder: Path, the_list: dict[str, Any], item_id: str, fields: Any,
               if_match: str | None) -> dict[str, Any]:  # fmt: skip
        item = self.item(folder, item_id)
        if if_match and if_match.strip() not in (item["eTag"], "*"):
            raise GraphError(
                412,
                "preconditionFailed",
                "The item has changed since the eTag in If-Match was read: read it again.",
            )
        _known(the_list, fields)
        item["fields"].update(fields)
        item["version"] += 1
        item["lastModifiedDateTime"] = iso(now())
        return self._save(folder, item)

    def _save(self, folder: Path, item: dict[str, Any]) -> dict[str, Any]:
        item["eTag"] = f'"{item["guid"]},{item["version"]}"'
        item["@odata.etag"] = item["eTag"]
        item["fields"]["@odata.etag"] = item["eTag"]
        self._write(folder / "items" / f"{item['id']}.json", item)
        return item


def _folder(name: str) -> str:
    return _SAFE_NAME.sub("_", name)


def _column(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict) or not str(ci_get(body, "name") or "").strip():
        raise GraphError(400, "invalidRequest", "Each column needs a 'name'.")
    kinds = ("text", "number", "dateTime", "boolean", "personOrGroup", "hyperlinkOrPicture")
    if not any(ci_get(body, kind) is not None for kind in kinds):
        raise GraphError(400, "invalidRequest", f"Column '{body['name']}' has no type.")
    return dict(body)


def _known(the_list: dict[str, Any], fields: Any) -> None:
    if not isinstance(fields, dict):
        raise GraphError(400, "invalidRequest", "'fields' must be an object.")
    names = {c["name"].lower() for c in the_list["columns"]}
    for name in fields:
        if not name.startswith("@") and name.lower() not in names:
            raise GraphError(400, "invalidRequest", f"Field '{name}' is not recognized")


def _shown(the_list: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in the_list.items() if k not in ("columns", "nextItem")}


def _item_shown(item: dict[str, Any], request: web.Request) -> dict[str, Any]:
    shown = {k: v for k, v in item.items() if k not in ("guid", "version", "fields")}
    if "fields" in request.query.get("expand", request.query.get("$expand", "")):
        shown["fields"] = item["fields"]
    return shown


async def route(request: web.Request, rest: str) -> web.StreamResponse:
    """`rest`: the path after /sites/{site}, starting with /lists."""
    state = context(request).state
    store = Lists(state.root, state.tmp_dir)
    parts = [p for p in rest.split("/") if p][1:]
    method = request.method
    if not parts:
        if method == "POST":
            return json_ok(store.create(await read_json(request), state.site_web_url), 201)
        return json_ok({"value": [_shown(found) for found in store.all()]})
    folder, the_list = store.find(parts[0])
    tail = [p.lower() for p in parts[1:]]
    if not tail:
        return json_ok(_shown(the_list))
    if tail == ["columns"]:
        return json_ok({"value": the_list["columns"]})
    if tail[0] != "items":
        raise GraphError(400, "BadRequest", f"Resource not found for the segment '{parts[1]}'.")
    if len(tail) == 1:
        if method == "POST":
            fields = ci_get(await read_json(request), "fields") or {}
            item = store.add_item(folder, the_list, fields)
            return json_ok(_item_shown(item, request) | {"fields": item["fields"]}, 201)
        return json_ok({"value": _filtered(request, the_list, store.items(folder))})
    item_id = parts[2]
    if len(tail) == 2 and method == "DELETE":
        store.item(folder, item_id)
        (folder / "items" / f"{item_id}.json").unlink()
        return web.Response(status=204)
    if len(tail) == 2:
        return json_ok(_item_shown(store.item(folder, item_id), request))
    if tail[2:] == ["fields"] and method == "PATCH":
        body = await read_json(request)
        changed = store.change(folder, the_list, item_id, body, request.headers.get("If-Match"))
        return json_ok(changed["fields"])
    if tail[2:] == ["fields"]:
        return json_ok(store.item(folder, item_id)["fields"])
    raise GraphError(400, "BadRequest", f"Resource not found for the segment '{parts[-1]}'.")


def _filtered(
    request: web.Request, the_list: dict[str, Any], items: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    wanted = request.query.get("$filter") or request.query.get("filter")
    if wanted:
        match = _FILTER.fullmatch(wanted.strip())
        if match is None:
            raise GraphError(400, "invalidRequest", f"Invalid filter clause: {wanted}")
        field, value = match["field"], match["value"].replace("''", "'")
        columns: list[dict[str, Any]] = the_list["columns"]
        column = next((c for c in columns if c["name"].lower() == field.lower()), {})
        prefer = request.headers.get("Prefer", "").replace(" ", "").lower()
        if not column.get("indexed") and NON_INDEXED not in prefer:
            raise GraphError(
                400,
                "invalidRequest",
                f"Field '{field}' cannot be referenced in filter or orderby as it is not "
                "indexed. Provide the 'Prefer: HonorNonIndexedQueriesWarningMayFailRandomly' "
                "header to allow this, but be warned that such queries may fail on large lists.",
            )
        items = [i for i in items if str(i["fields"].get(field, "")) == value]
    return [_item_shown(item, request) for item in items]
