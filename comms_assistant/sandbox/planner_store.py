"""Planner's plans, buckets, tasks and task details, as JSON files a person can open.

    planner/<plan id>/plan.json
    planner/<plan id>/buckets/<bucket id>.json
    planner/<plan id>/tasks/<task id>.json
    planner/<plan id>/details/<task id>.json      the task's plannerTaskDetails

Each file is the object as Graph shows it, `@odata.etag` included: `W/"..."`, new on every
change ("Planner resource versioning" in "Use the Planner REST API"). The seeded group's plan
(seed.PLAN_ID, "Incident actions", with one bucket) is made the first time anything looks.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
from pathlib import Path
from typing import Any

from comms_assistant.sandbox import seed
from comms_assistant.sandbox.odata import GraphError, iso, now
from comms_assistant.sandbox.state import TenantState, atomic_write

_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
KINDS = ("buckets", "tasks", "details")


def new_id() -> str:
    """Planner ids are 28 characters, case-sensitive."""
    return secrets.token_urlsafe(21)


def stamp(obj: dict[str, Any], kind: str) -> dict[str, Any]:
    """Give the object a new eTag (Planner's look: W/"<base64 of '1-Kind  ...'>")."""
    raw = f"'1-{kind}  {secrets.token_hex(10)}'".encode()
    obj["@odata.etag"] = f'W/"{base64.b64encode(raw).decode()}"'
    return obj


def not_found(what: str) -> GraphError:
    # Planner's answers often carry an empty code: decide on the status, not the code.
    return GraphError(404, "NotFound", f"The requested {what} was not found.")


class Planner:
    def __init__(self, state: TenantState) -> None:
        self.root = state.root / "planner"
        self.tmp_dir = state.tmp_dir
        if not (self.root / seed.PLAN_ID / "plan.json").is_file():
            self._seed()

    def _seed(self) -> None:
        moment = iso(now())
        group = seed.GROUP_ID
        plan = {
            "id": seed.PLAN_ID,
            "title": seed.PLAN_TITLE,
            "owner": group,
            "createdDateTime": moment,
            "createdBy": {"user": {"id": seed.SERVICE_ACCOUNT_ID}},
            "container": {
                "containerId": group,
                "type": "group",
                "url": f"https://graph.microsoft.com/v1.0/groups/{group}",
            },
        }
        self._write(self.root / seed.PLAN_ID / "plan.json", stamp(plan, "Plan"))
        bucket = {
            "id": seed.BUCKET_ID,
            "name": seed.BUCKET_NAME,
            "planId": seed.PLAN_ID,
            "orderHint": "8585269235419181333",
        }
        self.save("buckets", seed.PLAN_ID, stamp(bucket, "Bucket"))

    def _write(self, path: Path, obj: dict[str, Any]) -> None:
        atomic_write(path, json.dumps(obj, indent=2).encode(), self.tmp_dir)

    def _read(self, path: Path) -> dict[str, Any]:
        return dict(json.loads(path.read_text()))

    def plans(self) -> list[dict[str, Any]]:
        return [self._read(p) for p in sorted(self.root.glob("*/plan.json"))]

    def plan(self, plan_id: str) -> dict[str, Any]:
        path = self.root / plan_id / "plan.json"
        if not _ID.fullmatch(plan_id) or not path.is_file():
            raise not_found("plan")
        return self._read(path)

    def listed(self, kind: str, plan_id: str) -> list[dict[str, Any]]:
        self.plan(plan_id)
        return [self._read(p) for p in sorted((self.root / plan_id / kind).glob("*.json"))]

    def get(self, kind: str, obj_id: str) -> tuple[str, dict[str, Any]]:
        """The object `obj_id` of this kind, wherever its plan is, and that plan's id."""
        if _ID.fullmatch(obj_id):
            for path in self.root.glob(f"*/{kind}/{obj_id}.json"):
                return path.parent.parent.name, self._read(path)
        raise not_found({"buckets": "bucket", "tasks": "task", "details": "task"}[kind])

    def save(self, kind: str, plan_id: str, obj: dict[str, Any]) -> None:
        self._write(self.root / plan_id / kind / f"{obj['id']}.json", obj)

    def delete_task(self, plan_id: str, task_id: str) -> None:
        for kind in ("details", "tasks"):
            (self.root / plan_id / kind / f"{task_id}.json").unlink(missing_ok=True)


def must_match(if_match: str | None, obj: dict[str, Any]) -> None:
    """Planner's rule: PATCH and DELETE name the eTag they change; else 412."""
    if not if_match or not if_match.strip():
        raise GraphError(
            412,
            "PreconditionFailed",
            "The If-Match header must be specified for this kind of request.",
        )
    if if_match.strip() != obj["@odata.etag"]:
        raise GraphError(
            412,
            "PreconditionFailed",
            "The eTag in the If-Match header is not the object's current one: it has changed "
            "since it was read. Read it again.",
        )
