"""The replies a person gets once their change is stored."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from comms_assistant.domain import commands as c
from comms_assistant.domain.incident import Incident, Role, TimelineEntry
from comms_assistant.domain.policy import DEFAULT_POLICY, Policy
from comms_assistant.domain.related import Related
from comms_assistant.domain.times import zone_name
from comms_assistant.service.deliveries import MessagePlan, major_name


def neighbours_text(related: tuple[Related, ...]) -> str:
    """The services next to the incident's, and whose contacts might need telling (DfE step 6)."""
    if not related:
        return ""
    lines = ["", "", "Services next to this one, whose teams may need to know:"]
    for each in related:
        role = "may be the cause" if each.direction == "upstream" else "may be affected"
        people = ", ".join(c.name for c in each.contacts) or "no contacts listed"
        lines.append(f"- {each.service.name} ({each.direction}, {role}): {people}")
    lines.append("To tell them too: 'notify <service>' (it sends what has happened so far).")
    return "\n".join(lines)


def confirmation(
    command: c.Command,
    incident: Incident,
    entry: TimelineEntry,
    plan: MessagePlan | None,
    *,
    tz: ZoneInfo,
    folder: str,
    policy: Policy = DEFAULT_POLICY,
    major: bool = False,
) -> str:
    """What the person is told once their change is stored. `major`: the incident is a Major
    Incident (major_report.major_incident), so closing and reviewing it file that report too."""
    lines = _change_lines(command, incident, entry, folder=folder, policy=policy, major=major)
    if plan is not None:
        lines += _telling_lines(command, plan, entry, tz)
    if incident.record.report_locked_at is not None:
        since = incident.record.report_locked_at.astimezone(tz)
        lines.append(
            f"The report has been open in Word since {since:%H:%M} {zone_name(since)}, so "
            "changes to it are waiting; they go in once it is closed."
        )
    return "\n".join(lines)


def _change_lines(
    command: c.Command,
    incident: Incident,
    entry: TimelineEntry,
    *,
    folder: str,
    policy: Policy,
    major: bool,
) -> list[str]:
    ref, record = incident.reference, incident.record
    match command:
        case c.Open():
            lines = [f"{ref} is open at {policy.label(incident.priority)}: {incident.title}."]
            if command.priority_defaulted:
                lines.append("No priority was given, so it is P3: change it with 'priority p1'.")
            return [*lines, _lead_line(incident), f"Running report: {folder}/{record.report_name}"]
        case c.Close():
            lines = [f"{ref} is resolved. Send 'review' to file the incident review."]
            if major:
                lines.append(
                    "Major Incident report for the central team: "
                    f"{folder}/{major_name(record.report_name)}"
                )
            return lines
        case c.Review():
            lines = [f"{ref} is closed. Review: {folder}/{record.review_name}"]
            if major:
                lines.append(
                    "Its recommendations go into the Major Incident report as the lessons "
                    "learnt, and follow when people change them in the review (or send "
                    "'lessons' to copy them now)."
                )
            return lines
        case c.ChangeFacts():
            lines = [
                f"{ref}: {_sentence(entry.text)}",
                "The report shows it now, and every message from now on says it.",
            ]
            if command.services is not None:
                lines.append(
                    "Teams of services added now hear from the next message; to tell them "
                    "at once: 'notify <service>'."
                )
            return lines
        case _:
            return [f"{ref}: {_sentence(entry.text)}"]


def _telling_lines(
    command: c.Command, plan: MessagePlan, entry: TimelineEntry, tz: ZoneInfo
) -> list[str]:
    lines = [_telling(plan)]
    notify = isinstance(command, c.Notify)
    if plan.caught_up and not notify:
        lines.append(
            f"{plan.caught_up} of them hear about it for the first time: they get what has "
            "happened so far."
        )
    if plan.major_notified:
        lines.append("Sending the central team the Major Incident notification (once).")
    if notify and plan.newly_told:
        lines.append(f"Newly told: {', '.join(plan.newly_told)}.")
    if plan.public:
        lines.append(plan.public)
    if plan.next_update_by is not None:
        lines.append(f"Next update due by {due_time(plan.next_update_by, entry.at, tz)}.")
    return lines


def _telling(plan: MessagePlan) -> str:
    people = "person" if plan.emailed == 1 else "people"
    told = f"{plan.emailed} {people} by email" if plan.emailed else "nobody by email"
    if plan.teams:
        told += f", {plan.teams} in Teams"
    where = " and the incidents channel" if plan.carded else ""
    return f"Telling {told}{where}."


def due_time(due: datetime, now: datetime, tz: ZoneInfo) -> str:
    """ "13:00 GMT", and the day when it is not today: said at 14:32 on a Sunday, a time that
    means Monday has to say so."""
    due, today = due.astimezone(tz), now.astimezone(tz).date()
    when = f"{due:%H:%M} {zone_name(due)}"
    if due.date() == today:
        return when
    if due.date() == today + timedelta(days=1):
        return f"{when} tomorrow"
    return f"{when} on {due:%A} {due.day} {due:%B}"


def _lead_line(incident: Incident) -> str:
    lead = incident.leads.get(Role.INCIDENT_LEAD)
    if not lead:
        return "Nobody leads it yet: 'lead me' takes the role."
    if lead.casefold() == incident.declared_by.casefold():
        return "You are its incident lead: 'lead name@example.org' hands the role on."
    return f"Its incident lead is {lead}."


def _sentence(text: str) -> str:
    return text if text.endswith((".", "!", "?")) else f"{text}."
