"""What the tenant's administrator has granted the app, and the checks that follow from it.

    GET    /_sandbox/app     {"roles": [...], "calendarMailboxes": null or [...]}
    PATCH  /_sandbox/app     change either (a JSON object with one or both keys)
    DELETE /_sandbox/app     back to the defaults

- `roles`: the application permissions an app-only token carries. As in Microsoft Entra ID, a
  token keeps the roles it was issued with: a change applies to tokens issued afterwards.
- `calendarMailboxes`: Exchange RBAC for Applications (application access policies before
  it), the mailboxes whose calendars an app-only token may reach; null is every mailbox.

Kept in `<root>/app_grants.json`, so a standalone tenant and its clients agree. A delegated
token's scopes are fixed (auth.DELEGATED_SCOPES); the signed-in user reaches only their own
calendar.
"""

from __future__ import annotations

import json
import re
from typing import Any

from aiohttp import web

from comms_assistant.sandbox.odata import GraphError, ci_get, json_ok, read_json
from comms_assistant.sandbox.routing import CLAIMS, Router, context
from comms_assistant.sandbox.state import TenantState, atomic_write

GRANTS_FILE = "app_grants.json"
# Everything the product uses, granted, so that with nothing configured everything works.
# Teamwork.Migrate.All is what an app can hold for Teams: it is for imports only.
DEFAULT_ROLES = (
    "Sites.Selected",
    "Mail.Send",
    "Mail.ReadBasic.All",
    "Teamwork.Migrate.All",
    "Calendars.ReadWrite",
    "Tasks.ReadWrite.All",
    "User.ReadBasic.All",
)
CALENDAR_ROLES = ("Calendars.ReadWrite",)
CALENDAR_SCOPES = ("Calendars.ReadWrite",)
PLANNER_ROLES = ("Tasks.ReadWrite.All",)
PLANNER_SCOPES = ("Tasks.ReadWrite", "Group.ReadWrite.All")
# The message Exchange gives when an application access policy keeps an app out of a mailbox.
_POLICY_DENIED = (
    "Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy "
    "settings."
)


def register(router: Router) -> None:
    router.add("GET PATCH DELETE", r"/_sandbox/app", app_grants)


def load(state: TenantState) -> dict[str, Any]:
    path = state.root / GRANTS_FILE
    saved = json.loads(path.read_text()) if path.is_file() else {}
    return {"roles": list(DEFAULT_ROLES), "calendarMailboxes": None, **saved}


def roles_for_new_tokens(state: TenantState) -> list[str]:
    return list(load(state)["roles"])


def _strings(value: Any, key: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise GraphError(400, "invalidRequest", f"'{key}' must be a list of strings.")
    return list(value)


async def app_grants(request: web.Request, match: re.Match[str]) -> web.StreamResponse:
    state = context(request).state
    path = state.root / GRANTS_FILE
    if request.method == "DELETE":
        path.unlink(missing_ok=True)
        return web.Response(status=204)
    if request.method == "PATCH":
        body = await read_json(request)
        saved = json.loads(path.read_text()) if path.is_file() else {}
        if ci_get(body, "roles") is not None:
            saved["roles"] = _strings(ci_get(body, "roles"), "roles")
        if "calendarmailboxes" in {k.lower() for k in body}:
            scope = ci_get(body, "calendarMailboxes")
            saved["calendarMailboxes"] = (
                None if scope is None else _strings(scope, "calendarMailboxes")
            )
        atomic_write(path, json.dumps(saved, indent=2).encode(), state.tmp_dir)
    return json_ok(load(state))


def is_app_only(request: web.Request) -> bool:
    return (request.get(CLAIMS) or {}).get("idtyp") != "user"


def require(
    request: web.Request, roles: tuple[str, ...], scopes: tuple[str, ...], denied: GraphError
) -> None:
    """Raise `denied` unless the token holds one of `roles` (app-only) or `scopes` (delegated)."""
    claims = request.get(CLAIMS) or {}
    if is_app_only(request):
        held, wanted = set(claims.get("roles") or []), roles
    else:
        held, wanted = set(str(claims.get("scp") or "").split()), scopes
    if not held & set(wanted):
        raise denied


def _calendar_denied() -> GraphError:
    message = "Access is denied. Check credentials and try again."
    return GraphError(403, "ErrorAccessDenied", message)


def require_calendar_role(request: web.Request) -> None:
    require(request, CALENDAR_ROLES, CALENDAR_SCOPES, _calendar_denied())


def require_calendar_mailbox(request: web.Request, mailbox: str) -> None:
    """The mailbox in the app's RBAC scope; for a delegated token, the user's own."""
    if not is_app_only(request):
        if str((request.get(CLAIMS) or {}).get("upn") or "").lower() != mailbox.lower():
            raise _calendar_denied()
        return
    scope = load(context(request).state)["calendarMailboxes"]
    if scope is not None and mailbox.lower() not in {m.lower() for m in scope}:
        raise GraphError(403, "ErrorAccessDenied", _POLICY_DENIED)


def require_planner_access(request: web.Request) -> None:
    require(
        request,
        PLANNER_ROLES,
        PLANNER_SCOPES,
        # Planner's answers often carry an empty code: decide on the status, not the code.
        GraphError(
            403,
            "Forbidden",
            "You do not have the required permissions to access this item, or the item may "
            "not exist.",
        ),
    )
