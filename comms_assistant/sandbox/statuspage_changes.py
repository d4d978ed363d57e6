"""What creating or updating a Statuspage incident does, as the API reference describes it.

- `incident[body]` on a create is "the initial message, created as the first incident update";
  a create always makes that first update. A PATCH (or PUT) that carries `status`, `body` or
  `components` adds an incident update (newest first in `incident_updates`); one that changes
  only the name or metadata adds none.
- `incident[components]` is a "map of status changes to apply to affected components"
  (`{component id: status}`): each named component takes that status, the update records it in
  `affected_components` (`code`, `name`, `old_status`, `new_status`), and the component joins the
  incident's `components`. `incident[component_ids]` names affected components without changing
  their status; so does `components` given as a list of ids, the form of the reference's own
  "Sending Data" example. Components change only when told: resolving an incident leaves them
  as they are (Atlassian's community answer: statuses are not reset when an incident resolves).
- `impact` is worked out from the affected components' statuses (major outage: critical, partial
  outage: major, degraded performance: minor, maintenance: maintenance), the worst reached
  during the incident; `impact_override` replaces it. Undocumented detail, the sandbox's choice.
- Limits from the reference: a name at most 255 characters, a body at most 25,000. An unknown
  component id is refused with 422 (the sandbox's choice: a mapping mistake should show).
- Only realtime incidents: `scheduled`, `in_progress`, `verifying`, `completed` get 422.
"""

from __future__ import annotations

from typing import Any

from comms_assistant.sandbox.api_errors import statuspage_error
from comms_assistant.sandbox.statuspage_store import (
    COMPONENT_STATUSES,
    INCIDENT_STATUSES,
    new_id,
    stamp,
)

IMPACTS = ("none", "maintenance", "minor", "major", "critical")
IMPACT_OF = {
    "operational": "none",
    "under_maintenance": "maintenance",
    "degraded_performance": "minor",
    "partial_outage": "major",
    "major_outage": "critical",
}
MAX_NAME, MAX_BODY = 255, 25_000


def _refuse(message: str) -> None:
    raise statuspage_error(422, message)


def _check_text(fields: dict[str, Any], creating: bool) -> None:
    name = fields.get("name")
    if creating and (not isinstance(name, str) or not name.strip()):
        _refuse("Name can't be blank")
    if name is not None and (not isinstance(name, str) or len(name) > MAX_NAME):
        _refuse(f"Name must be text of at most {MAX_NAME} characters")
    body = fields.get("body")
    if body is not None and (not isinstance(body, str) or len(body) > MAX_BODY):
        _refuse(f"Body must be text of at most {MAX_BODY} characters")


def _check_choices(fields: dict[str, Any]) -> None:
    status = fields.get("status")
    if status is not None and status not in INCIDENT_STATUSES:
        _refuse(f"Status must be one of {', '.join(INCIDENT_STATUSES)} (realtime incidents)")
    override = fields.get("impact_override")
    if override is not None and override not in IMPACTS:
        _refuse(f"Impact override must be one of {', '.join(IMPACTS)}")


def check(fields: dict[str, Any], known: set[str], *, creating: bool) -> None:
    """Raise 422 unless `fields` (the `incident` object) is a valid create or update."""
    _check_text(fields, creating)
    _check_choices(fields)
    changes = fields.get("components") or {}
    if not isinstance(changes, dict):
        _refuse("Components must be a map of component id to status")
    ids = fields.get("component_ids") or []
    if not isinstance(ids, list):
        _refuse("Component ids must be a list")
    for cid in [*changes, *ids]:
        if cid not in known:
            _refuse(f"Component {cid} is not a component of this page")
    for cid, status in changes.items():
        if status not in (*COMPONENT_STATUSES, ""):
            _refuse(f"Component {cid}: status must be one of {', '.join(COMPONENT_STATUSES)}")


def normalised(fields: dict[str, Any]) -> dict[str, Any]:
    """`components` as a list of ids (the reference's "Sending Data" example) names affected
    components, as `component_ids` does; as a map it sets their statuses (the schema)."""
    listed = fields.get("components")
    if not isinstance(listed, list):
        return fields
    ids = fields.get("component_ids") or []
    rest = {k: v for k, v in fields.items() if k != "components"}
    return {**rest, "component_ids": [*ids, *listed] if isinstance(ids, list) else ids}


def _worst(impacts: list[str]) -> str:
    return max(impacts, key=IMPACTS.index)


def _apply_components(
    incident: dict[str, Any], fields: dict[str, Any], components: list[dict[str, Any]], now: str
) -> list[dict[str, Any]] | None:
    """Set the named components' statuses; what changed, for the update's affected_components."""
    by_id = {c["id"]: c for c in components}
    changes = {cid: s for cid, s in (fields.get("components") or {}).items() if s}
    for cid in [*(fields.get("component_ids") or []), *changes]:
        if cid not in incident["component_ids"]:
            incident["component_ids"].append(cid)
    affected = []
    for cid, status in changes.items():
        component = by_id[cid]
        affected.append(
            {
                "code": cid,
                "name": component["name"],
                "old_status": component["status"],
                "new_status": status,
            }
        )
        component["status"], component["updated_at"] = status, now
    reached = [IMPACT_OF[by_id[cid]["status"]] for cid in incident["component_ids"]]
    incident["impact"] = _worst([incident.get("impact") or "none", *reached])
    return affected or None


def _set_status(incident: dict[str, Any], status: str, now: str) -> None:
    incident["status"] = status
    if status == "monitoring" and not incident.get("monitoring_at"):
        incident["monitoring_at"] = now
    incident["resolved_at"] = now if status == "resolved" else None


def _update(incident: dict[str, Any], fields: dict[str, Any], affected: Any, now: str) -> None:
    notify = fields.get("deliver_notifications", True)
    incident["incident_updates"].insert(
        0,
        {
            "id": new_id(),
            "incident_id": incident["id"],
            "status": incident["status"],
            "body": str(fields.get("body") or ""),
            "created_at": now,
            "updated_at": now,
            "display_at": now,
            "affected_components": affected,
            "deliver_notifications": notify not in (False, "false", "f", "0"),
            "custom_tweet": None,
            "tweet_id": None,
        },
    )


def create(
    page_id: str, fields: dict[str, Any], components: list[dict[str, Any]], epoch: float
) -> dict[str, Any]:
    """A new incident with its first update; `components` are changed in place."""
    now, incident_id = stamp(epoch), new_id()
    incident: dict[str, Any] = {
        "id": incident_id,
        "page_id": page_id,
        "name": fields["name"],
        "status": "investigating",
        "impact": "none",
        "impact_override": None,
        "created_at": now,
        "updated_at": now,
        "started_at": now,
        "monitoring_at": None,
        "resolved_at": None,
        "shortlink": f"https://stspg.io/{incident_id[:9]}",
        "scheduled_for": None,
        "scheduled_until": None,
        "postmortem_body": None,
        "metadata": fields.get("metadata") or {},
        "component_ids": [],
        "incident_updates": [],
    }
    return _change(incident, fields, components, now, creating=True)


def update(
    incident: dict[str, Any], fields: dict[str, Any], components: list[dict[str, Any]], epoch: float
) -> dict[str, Any]:
    return _change(incident, fields, components, stamp(epoch), creating=False)


def _change(
    incident: dict[str, Any],
    fields: dict[str, Any],
    components: list[dict[str, Any]],
    now: str,
    *,
    creating: bool,
) -> dict[str, Any]:
    for key in ("name", "metadata", "impact_override"):
        if key in fields:
            incident[key] = fields[key]
    if fields.get("status"):
        _set_status(incident, fields["status"], now)
    affected = _apply_components(incident, fields, components, now)
    if incident.get("impact_override"):
        incident["impact"] = incident["impact_override"]
    if creating or any(key in fields for key in ("status", "body", "components")):
        _update(incident, fields, affected, now)
    incident["updated_at"] = now
    return incident
