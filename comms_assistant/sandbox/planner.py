"""Planner: an incident review's follow-up actions as tasks in a group's plan.

    GET    /groups/{group id}/planner/plans        the group's plans
    GET    /planner/plans/{plan id}                a plan
    GET    /planner/plans/{plan id}/buckets        its buckets
    GET    /planner/plans/{plan id}/tasks          its tasks
    POST   /planner/buckets                        {name, planId, orderHint?}: 201
    GET    /planner/buckets/{bucket id}
    POST   /planner/tasks                          {planId, bucketId?, title, assignments?,
                                                    dueDateTime?, ...}: 201 with the task
    GET    /planner/tasks/{task id}
    PATCH  /planner/tasks/{task id}                If-Match required; 204, or 200 with the task
                                                   when `Prefer: return=representation`
    DELETE /planner/tasks/{task id}                If-Match required; 204
    GET    /planner/tasks/{task id}/details        description, references, checklist
    PATCH  /planner/tasks/{task id}/details        as the task's PATCH

As Graph documents them ("Use the Planner REST API", "Create plannerTask", "Update plannerTask",
"Delete plannerTask", "Update plannerTaskDetails", "List buckets", "List tasks"):
- Application permission Tasks.ReadWrite.All (delegated Tasks.ReadWrite): 403 otherwise.
- Every object carries `@odata.etag`, new on every change. PATCH and DELETE need `If-Match`
  with it: missing, or not the current one, is 412 (the page's "412 Precondition Failed"
  section). Planner may accept an older eTag when the changes do not conflict; the sandbox
  never does, so a client must always be ready to read again and retry.
- Changing a task's details updates its `hasDescription` and `referenceCount` but not its
  eTag (the sandbox's choice: Microsoft says eTags of related objects cannot be compared).
- Creating a task has no idempotency key: a create whose answer was lost (a fault with
  `after`) is there, and a blind retry makes a second task. Look before re-creating.
"""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from aiohttp import web

from comms_assistant.sandbox import grants, planner_fields, seed, users
from comms_assistant.sandbox.odata import GraphError, ci_get, iso, json_ok, now, read_json
from comms_assistant.sandbox.planner_store import Planner, must_match, new_id, stamp
from comms_assistant.sandbox.routing import CLAIMS, Router, context

_PLAN = r"/v1\.0/planner/plans/(?P<plan>[^/]+)"
_TASK = r"/v1\.0/planner/tasks/(?P<task>[^/]+)"


def register(router: Router) -> None:
    router.add("GET", r"/v1\.0/groups/(?P<group>[^/]+)/planner/plans", group_plans)
    router.add("GET", _PLAN, get_plan)
    router.add("GET", _PLAN + r"/(?P<kind>buckets|tasks)", plan_children)
    router.add("POST", r"/v1\.0/planner/buckets", create_bucket)
    router.add("GET", r"/v1\.0/planner/buckets/(?P<bucket>[^/]+)", get_bucket)
    router.add("POST", r"/v1\.0/planner/tasks", create_task)
    router.add("GET PATCH DELETE", _TASK, one_task)
    router.add("GET PATCH", _TASK + r"/details", task_details)


def planner(request: web.Request) -> Planner:
    grants.require_planner_access(request)
    return Planner(context(request).state)


def who(request: web.Request) -> planner_fields.Identity:
    """The identitySet Planner records for whoever made this request."""
    claims = request.get(CLAIMS) or {}
    if claims.get("idtyp") == "user":
        return {"user": {"id": claims.get("oid"), "displayName": claims.get("name")}}
    return {"application": {"id": claims.get("appid"), "displayName": None}}


def is_user(request: web.Request, user_id: str) -> bool:
    return any(p.id.lower() == user_id.lower() for p in users.everyone(request))


def _updated(request: web.Request, obj: dict[str, Any]) -> web.Response:
    """204 as Planner answers a PATCH, or the object if the client prefers it."""
    prefer = request.headers.get("Prefer", "").replace(" ", "").lower()
    if "return=representation" in prefer:
        return json_ok(obj)
    return web.Response(status=204)


async def group_plans(request: web.Request, match: re.Match[str]) -> web.StreamResponse:
    store = planner(request)
    group = match["group"]
    if group.lower() != seed.GROUP_ID.lower():
        raise GraphError(
            404,
            "Request_ResourceNotFound",
            f"Resource '{group}' does not exist or one of its queried reference-property "
            "objects are not present.",
        )
    return json_ok({"value": store.plans()})


async def get_plan(request: web.Request, match: re.Match[str]) -> web.StreamResponse:
    return json_ok(planner(request).plan(match["plan"]))


async def plan_children(request: web.Request, match: re.Match[str]) -> web.StreamResponse:
    return json_ok({"value": planner(request).listed(match["kind"], match["plan"])})


async def get_bucket(request: web.Request, match: re.Match[str]) -> web.StreamResponse:
    return json_ok(planner(request).get("buckets", match["bucket"])[1])


async def create_bucket(request: web.Request, match: re.Match[str]) -> web.StreamResponse:
    store = planner(request)
    body = await read_json(request)
    plan_id, name = str(ci_get(body, "planId") or ""), str(ci_get(body, "name") or "").strip()
    if not name:
        raise planner_fields.bad("A bucket needs a 'name'.")
    store.plan(plan_id)
    hint = planner_fields.order_hint(str(ci_get(body, "orderHint") or " !"))
    bucket = stamp({"id": new_id(), "name": name, "planId": plan_id, "orderHint": hint}, "Bucket")
    store.save("buckets", plan_id, bucket)
    return json_ok(bucket, status=201)


def _buckets(store: Planner, plan_id: str) -> set[str]:
    return {b["id"] for b in store.listed("buckets", plan_id)}


async def create_task(request: web.Request, match: re.Match[str]) -> web.StreamResponse:
    store = planner(request)
    body = await read_json(request)
    plan_id = str(ci_get(body, "planId") or "")
    if not plan_id:
        raise planner_fields.bad("A task needs a 'planId'.")
    store.plan(plan_id)
    task_id = new_id()
    task: dict[str, Any] = {
        "id": task_id,
        "planId": plan_id,
        "bucketId": None,
        "title": "",
        "orderHint": planner_fields.order_hint(" !"),
        "assigneePriority": "",
        "percentComplete": 0,
        "priority": 5,
        "startDateTime": None,
        "createdDateTime": iso(now()),
        "dueDateTime": None,
        "hasDescription": False,
        "previewType": "automatic",
        "completedDateTime": None,
        "completedBy": None,
        "referenceCount": 0,
        "checklistItemCount": 0,
        "activeChecklistItemCount": 0,
        "conversationThreadId": None,
        "createdBy": who(request),
        "appliedCategories": {},
        "assignments": {},
    }
    changes = {k: v for k, v in body.items() if k.lower() not in {"planid", "id"}}
    known = partial(is_user, request)
    planner_fields.apply_task(task, changes, _buckets(store, plan_id), known, who(request))
    details: dict[str, Any] = {"id": task_id, "description": "", "previewType": "automatic"}
    details.update(references={}, checklist={})
    store.save("details", plan_id, stamp(details, "TaskDetails"))
    store.save("tasks", plan_id, stamp(task, "Task"))
    return json_ok(task, status=201)


def change_task(
    request: web.Request, task_id: str, changes: dict[str, Any], by: planner_fields.Identity
) -> dict[str, Any]:
    """Change a task (a client's PATCH once its If-Match is checked, or a person's edit)."""
    store = Planner(context(request).state)
    plan_id, task = store.get("tasks", task_id)
    if ci_get(changes, "planId") not in (None, plan_id):
        raise planner_fields.bad("A task cannot move to another plan.")
    known = partial(is_user, request)
    planner_fields.apply_task(task, changes, _buckets(store, plan_id), known, by)
    store.save("tasks", plan_id, stamp(task, "Task"))
    return task


async def one_task(request: web.Request, match: re.Match[str]) -> web.StreamResponse:
    store = planner(request)
    plan_id, task = store.get("tasks", match["task"])
    if request.method == "GET":
        return json_ok(task)
    must_match(request.headers.get("If-Match"), task)
    if request.method == "DELETE":
        store.delete_task(plan_id, task["id"])
        return web.Response(status=204)
    changes = await read_json(request)
    return _updated(request, change_task(request, task["id"], changes, who(request)))


def change_details(
    request: web.Request, task_id: str, changes: dict[str, Any], by: planner_fields.Identity
) -> dict[str, Any]:
    store = Planner(context(request).state)
    plan_id, details = store.get("details", task_id)
    _, task = store.get("tasks", task_id)
    planner_fields.apply_details(details, changes, by)
    planner_fields.summarise(task, details)
    store.save("details", plan_id, stamp(details, "TaskDetails"))
    store.save("tasks", plan_id, task)  # its figures, under the eTag it had
    return details


async def task_details(request: web.Request, match: re.Match[str]) -> web.StreamResponse:
    store = planner(request)
    _, details = store.get("details", match["task"])
    if request.method == "GET":
        return json_ok(details)
    must_match(request.headers.get("If-Match"), details)
    changes = await read_json(request)
    return _updated(request, change_details(request, match["task"], changes, who(request)))
