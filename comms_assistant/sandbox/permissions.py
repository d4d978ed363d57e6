"""Sites.Selected grants: `/v1.0/sites/{site-id}/permissions`, as SharePoint does them.

An administrator gives an app with the Sites.Selected application permission access to one
site by `POST /sites/{id}/permissions` with `roles` (read, write, fullcontrol, owner) and the app
in `grantedToIdentities` (v1.0) or `grantedToIdentitiesV2`. `scripts/grant_site_access.py` does
this against a real tenant and is tested here.

The sandbox records grants (in its db, so a standalone server and its clients agree) but does
not enforce them: every app may use the site, as if the grant had already been made. Real Graph
needs Sites.FullControl.All to manage grants; the sandbox accepts any valid token.
"""

from __future__ import annotations

import json
import re
import secrets
from typing import Any

from aiohttp import web

from comms_assistant.sandbox.odata import GraphError, json_ok, read_json
from comms_assistant.sandbox.routing import Router, context

ROLES = {"read", "write", "fullcontrol", "owner"}
_SCHEMA = """
CREATE TABLE IF NOT EXISTS site_permissions (
    id TEXT PRIMARY KEY, site_id TEXT NOT NULL, body TEXT NOT NULL
)
"""


def register(router: Router) -> None:
    # Registered before files.py's catch-all site route, which would answer 400 for these.
    pattern = r"/v1\.0/sites/(?P<site>[^/:]+)/permissions(?:/(?P<id>[^/]+))?/?"
    router.add("GET POST PATCH DELETE", pattern, permissions)


def _rows(request: web.Request, site_id: str) -> list[dict[str, Any]]:
    db = context(request).state.db
    db.execute(_SCHEMA)
    rows = db.execute(
        "SELECT body FROM site_permissions WHERE site_id = ? ORDER BY rowid", (site_id,)
    ).fetchall()
    return [json.loads(row["body"]) for row in rows]


def _identities(body: dict[str, Any]) -> list[dict[str, Any]]:
    found = body.get("grantedToIdentitiesV2") or body.get("grantedToIdentities") or []
    if not isinstance(found, list) or not found:
        raise GraphError(400, "invalidRequest", "grantedToIdentities must name the application.")
    for identity in found:
        application = identity.get("application") if isinstance(identity, dict) else None
        if not isinstance(application, dict) or not application.get("id"):
            raise GraphError(400, "invalidRequest", "Each identity needs application.id.")
    return found


def _roles(body: dict[str, Any]) -> list[str]:
    roles = body.get("roles")
    if not isinstance(roles, list) or not roles or not set(roles) <= ROLES:
        raise GraphError(400, "invalidRequest", f"roles must be some of {sorted(ROLES)}.")
    return [str(role) for role in roles]


async def permissions(request: web.Request, match: re.Match[str]) -> web.StreamResponse:
    state = context(request).state
    site = match["site"]
    if site.lower() not in {state.site_id.lower(), "root"}:
        raise GraphError(404, "itemNotFound", "Requested site could not be found")
    site_id = state.site_id
    existing = _rows(request, site_id)
    permission_id = match["id"]
    if permission_id is None:
        if request.method == "GET":
            return json_ok({"value": existing})
        if request.method != "POST":
            raise GraphError(
                405, "BadRequest", f"The HTTP method '{request.method}' is not supported."
            )
        body = await read_json(request)
        identities = _identities(body)
        created = {
            "id": "aTowaS5" + secrets.token_urlsafe(24),
            "roles": _roles(body),
            "grantedToIdentities": identities,
            "grantedToIdentitiesV2": identities,
        }
        state.db.execute(
            "INSERT INTO site_permissions (id, site_id, body) VALUES (?, ?, ?)",
            (created["id"], site_id, json.dumps(created)),
        )
        return json_ok(created, status=201)
    current = next((p for p in existing if p["id"] == permission_id), None)
    if current is None:
        raise GraphError(404, "itemNotFound", "The permission was not found.")
    if request.method == "GET":
        return json_ok(current)
    if request.method == "DELETE":
        state.db.execute("DELETE FROM site_permissions WHERE id = ?", (permission_id,))
        return web.Response(status=204)
    if request.method == "PATCH":
        current["roles"] = _roles(await read_json(request))
        state.db.execute(
            "UPDATE site_permissions SET body = ? WHERE id = ?",
            (json.dumps(current), permission_id),
        )
        return json_ok(current)
    raise GraphError(405, "BadRequest", f"The HTTP method '{request.method}' is not supported.")
