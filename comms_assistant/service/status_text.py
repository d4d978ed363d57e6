"""The answer to `status`: the incident at a glance, in the organisation's time zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from comms_assistant.domain.cadence import next_update_due
from comms_assistant.domain.incident import Incident, Role
from comms_assistant.domain.incident_facts import ADVICE_NOTHING
from comms_assistant.domain.policy import Policy
from comms_assistant.domain.times import zone_name


def shown(at: datetime, tz: ZoneInfo) -> str:
    local = at.astimezone(tz)
    return f"{local:%d %b %Y %H:%M} {zone_name(local)}"


def describe(incident: Incident, tz: ZoneInfo, policy: Policy) -> str:
    lines = [
        f"{incident.reference} {incident.title}",
        f"Priority {policy.label(incident.priority)}, {incident.status.value}"
        + (" (security incident: kept private)" if incident.security else ""),
        f"Impact: {incident.impact or 'not given yet'}",
        f"Services: {', '.join(incident.services) or 'not given yet'}",
        f"Declared {shown(incident.declared_at, tz)} by {incident.declared_by}",
    ]
    for role in Role:
        lines.append(f"{role.label}: {incident.leads.get(role, 'nobody yet')}")
    for extra in policy.extra_roles:
        who = incident.extra_leads.get(extra, "nobody yet")
        lines.append(f"{extra[0].upper()}{extra[1:]}: {who}")
    # The same arithmetic as the worker's: every message sent restarts the clock.
    advice = {"": "nobody has said yet", ADVICE_NOTHING: "nothing"}.get(
        incident.advice, incident.advice
    )
    lines.append(f"What readers should do: {advice}")
    due = next_update_due(incident, policy)
    if due is not None:
        lines.append(f"Next stakeholder update due by {shown(due, tz)}")
    if incident.resolved_at:
        lines.append(f"Resolved {shown(incident.resolved_at, tz)}: {incident.resolution}")
    record = incident.record
    lines.append(f"Report: {record.report_url or record.report_name}")
    last = incident.timeline[-1]
    lines.append(f"Latest: {last.at.astimezone(tz).strftime('%H:%M')} {last.text}")
    return "\n".join(lines)
