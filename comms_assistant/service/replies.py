"""The replies a person gets once their change is stored."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from comms_assistant.adapters.store import IncidentRow
from comms_assistant.domain import commands as c
from comms_assistant.domain.incident import Incident, Priority, TimelineEntry
from comms_assistant.domain.times import zone_name
from comms_assistant.service.deliveries import MessagePlan, major_name


def confirmation(
    command: c.Command,
    row: IncidentRow,
    incident: Incident,
    entry: TimelineEntry,
    plan: MessagePlan | None,
    *,
    tz: ZoneInfo,
    folder: str,
) -> str:
    """What the person is told once their change is stored."""
    ref = row.reference
    lines: list[str]
    match command:
        case c.Open():
            lines = [f"{ref} is open at {incident.priority.label}: {incident.title}."]
            if command.priority_defaulted:
                lines.append("No priority was given, so it is P3: change it with 'priority p1'.")
            lines.append(f"Running report: {folder}/{row.report_name}")
        case c.Close():
            lines = [f"{ref} is resolved. Send 'review' to file the incident review."]
            if incident.priority is Priority.P1:
                lines.append(
                    "Major Incident report for the central team: "
                    f"{folder}/{major_name(row.report_name)}"
                )
        case c.Review():
            lines = [f"{ref} is closed. Review: {folder}/{row.review_name}"]
            if incident.priority is Priority.P1:
                lines.append(
                    "Its recommendations go into the Major Incident report as the lessons learnt."
                )
        case _:
            lines = [f"{ref}: {entry.text}."]
    if plan is not None:
        people = "person" if plan.emailed == 1 else "people"
        told = f"{plan.emailed} {people} by email" if plan.emailed else "nobody by email"
        where = " and the incidents channel" if plan.carded else ""
        lines.append(f"Telling {told}{where}.")
        if plan.next_update_by is not None:
            due = plan.next_update_by.astimezone(tz)
            lines.append(f"Next update due by {due:%H:%M} {zone_name(due)}.")
    if row.report_locked_at is not None:
        since = row.report_locked_at.astimezone(tz)
        lines.append(
            f"The report has been open in Word since {since:%H:%M} {zone_name(since)}, so "
            "changes to it are waiting; they go in once it is closed."
        )
    return "\n".join(lines)
