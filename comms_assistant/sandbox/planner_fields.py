"""What a client may set on a plannerTask and its details, checked as Planner checks it.

From "plannerTask resource type", "Update plannerTask", "plannerAssignments resource type",
"plannerExternalReferences resource type", "Update plannerTaskDetails" and the 400 causes in
"Use the Planner REST API" (open-type values need their `@odata.type`; a start after the due
date is inconsistent):
- `assignments`: `{"<user id>": {"@odata.type": "#microsoft.graph.plannerAssignment",
  "orderHint": " !"}}`, null to unassign. The id must be a user in the directory (users.py):
  Microsoft does not document the error for one that is not, so the sandbox's is 400.
- `percentComplete` 100 completes the task: `completedDateTime` and `completedBy` are set, and
  cleared again below 100.
- `references` (details): keys are the URL with `.` `:` `%` `@` `#` percent-encoded; each value
  a `microsoft.graph.plannerExternalReference`, null to remove. `checklist` likewise, keyed by
  an id the client makes up, each a `microsoft.graph.plannerChecklistItem`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import unquote

from comms_assistant.sandbox.odata import GraphError, ci_get, iso, now

Identity = dict[str, Any]
_PREVIEW_TYPES = {"automatic", "noPreview", "checklist", "description", "reference"}


def bad(message: str) -> GraphError:
    return GraphError(400, "BadRequest", message)


def _moment(value: Any, field: str) -> str | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise bad(f"'{field}' is not a date and time: {value!r}.") from None
    if moment.tzinfo is None:
        raise bad(f"'{field}' needs a time zone (Planner's times are UTC): {value!r}.")
    return iso(moment)


def _whole(value: Any, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise bad(f"'{field}' must be a whole number from {low} to {high}.")
    return value


def _typed(value: Any, odata_type: str, where: str) -> dict[str, Any]:
    given = str(ci_get(value, "@odata.type") or "") if isinstance(value, dict) else ""
    if given.lstrip("#").lower() != f"microsoft.graph.{odata_type}".lower():
        raise bad(f'{where}: each value needs "@odata.type": "#microsoft.graph.{odata_type}".')
    return value


def _assignments(
    task: dict[str, Any], given: Any, known: Callable[[str], bool], who: Identity
) -> None:
    if not isinstance(given, dict):
        raise bad("'assignments' must be an object keyed by user id.")
    current = dict(task.get("assignments") or {})
    for user_id, value in given.items():
        if value is None:
            current.pop(user_id, None)
            continue
        _typed(value, "plannerAssignment", "assignments")
        if not known(user_id):
            raise bad(f"The assignee '{user_id}' is not a user in this tenant.")
        hint = ci_get(value, "orderHint")
        if not isinstance(hint, str):
            raise bad("Each assignment needs an 'orderHint'.")
        current[user_id] = {
            "@odata.type": "#microsoft.graph.plannerAssignment",
            "assignedDateTime": iso(now()),
            "orderHint": order_hint(hint),
            "assignedBy": who,
        }
    task["assignments"] = current


def order_hint(given: str) -> str:
    """Planner turns a hint to compute (" !" is "first") into a value of its own."""
    return f"85{now().timestamp() * 1000:.0f}" if " " in given or "!" in given else given


def _complete(task: dict[str, Any], percent: int, who: Identity) -> None:
    done_before = task.get("percentComplete") == 100
    task["percentComplete"] = percent
    if percent == 100 and not done_before:
        task.update(completedDateTime=iso(now()), completedBy=who)
    elif percent < 100:
        task.update(completedDateTime=None, completedBy=None)


def _schedule(task: dict[str, Any], changes: dict[str, Any]) -> None:
    """The due and start dates (null clears one); a start after the due date is refused."""
    present = {k.lower(): k for k in changes}
    for field in ("dueDateTime", "startDateTime"):
        if field.lower() in present:
            task[field] = _moment(changes[present[field.lower()]], field)
    start, due = task.get("startDateTime"), task.get("dueDateTime")
    if start and due and start > due:
        raise bad("The task's start date is later than its due date.")


def _labels(task: dict[str, Any], changes: dict[str, Any]) -> None:
    """The title, order hints, conversation thread and categories."""
    if "title" in {k.lower() for k in changes}:
        task["title"] = str(ci_get(changes, "title") or "")
    for field in ("orderHint", "assigneePriority", "conversationThreadId"):
        if isinstance(ci_get(changes, field), str):
            task[field] = ci_get(changes, field)
    categories = ci_get(changes, "appliedCategories")
    if isinstance(categories, dict):
        task["appliedCategories"] = {**task["appliedCategories"], **categories}


def apply_task(
    task: dict[str, Any],
    changes: dict[str, Any],
    buckets: set[str],
    known: Callable[[str], bool],
    who: Identity,
) -> None:
    """Apply a create's or a PATCH's properties to `task` (in place)."""
    _labels(task, changes)
    bucket = ci_get(changes, "bucketId")
    if bucket is not None:
        if bucket not in buckets:
            raise bad("The bucket is not in the task's plan.")
        task["bucketId"] = bucket
    _schedule(task, changes)
    if ci_get(changes, "priority") is not None:
        task["priority"] = _whole(ci_get(changes, "priority"), "priority", 0, 10)
    if ci_get(changes, "percentComplete") is not None:
        _complete(task, _whole(ci_get(changes, "percentComplete"), "percentComplete", 0, 100), who)
    if ci_get(changes, "assignments") is not None:
        _assignments(task, ci_get(changes, "assignments"), known, who)


def _references(details: dict[str, Any], given: Any, who: Identity) -> None:
    if not isinstance(given, dict):
        raise bad("'references' must be an object keyed by encoded URL.")
    current = dict(details.get("references") or {})
    for key, value in given.items():
        url = unquote(key)
        if any(c in key for c in ".:@#") or not url.lower().startswith(("http://", "https://")):
            raise bad(f"Reference '{key}' must be an http(s) URL with . : % @ # encoded.")
        if value is None:
            current.pop(key, None)
            continue
        _typed(value, "plannerExternalReference", "references")
        current[key] = {
            "alias": ci_get(value, "alias"),
            "type": ci_get(value, "type") or "Other",
            "previewPriority": ci_get(value, "previewPriority") or order_hint(" !"),
            "lastModifiedBy": who,
            "lastModifiedDateTime": iso(now()),
        }
    details["references"] = current


def _checklist(details: dict[str, Any], given: Any, who: Identity) -> None:
    if not isinstance(given, dict):
        raise bad("'checklist' must be an object keyed by item id.")
    current = dict(details.get("checklist") or {})
    for key, value in given.items():
        if value is None:
            current.pop(key, None)
            continue
        _typed(value, "plannerChecklistItem", "checklist")
        earlier = current.get(key) or {}
        current[key] = {
            "@odata.type": "#microsoft.graph.plannerChecklistItem",
            "title": ci_get(value, "title") or earlier.get("title") or "",
            "isChecked": bool(ci_get(value, "isChecked", earlier.get("isChecked", False))),
            "orderHint": order_hint(str(ci_get(value, "orderHint") or " !")),
            "lastModifiedBy": who,
            "lastModifiedDateTime": iso(now()),
        }
    details["checklist"] = current


def apply_details(details: dict[str, Any], changes: dict[str, Any], who: Identity) -> None:
    if "description" in {k.lower() for k in changes}:
        details["description"] = str(ci_get(changes, "description") or "")
    preview = ci_get(changes, "previewType")
    if preview is not None:
        if preview not in _PREVIEW_TYPES:
            raise bad(f"'previewType' must be one of {sorted(_PREVIEW_TYPES)}.")
        details["previewType"] = preview
    if ci_get(changes, "references") is not None:
        _references(details, ci_get(changes, "references"), who)
    if ci_get(changes, "checklist") is not None:
        _checklist(details, ci_get(changes, "checklist"), who)


def summarise(task: dict[str, Any], details: dict[str, Any]) -> None:
    """The task's read-only figures that follow its details."""
    task["hasDescription"] = bool(details.get("description"))
    task["referenceCount"] = len(details.get("references") or {})
    items = (details.get("checklist") or {}).values()
    task["checklistItemCount"] = len(items)
    task["activeChecklistItemCount"] = sum(1 for item in items if not item["isChecked"])
