"""Finding the incident a command is for, and the list of open ones (`list`).

Every answer that cannot go ahead says how to do better where the command came from: a shell
names an incident with `--incident`, a chat with the reference before the command (or by
sending it in the incident's own thread).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from comms_assistant.domain import commands as c
from comms_assistant.domain.cadence import next_update_due
from comms_assistant.domain.command_words import shown, split_reference
from comms_assistant.domain.incident import Incident, Role, Status
from comms_assistant.domain.policy import Policy
from comms_assistant.service.replies import due_time
from comms_assistant.service.unit_of_work import Incidents

# Commands about what follows an incident, which mean the latest one when none is open.
AFTER_IT = (
    c.AddAction,
    c.CompleteAction,
    c.ListActions,
    c.Invite,
    c.MoveReviewMeeting,
    c.CancelReviewMeeting,
)


class Refused(Exception):
    """The command cannot be carried out; nothing was changed."""


def choose_incident(
    incidents: Incidents,
    command: c.Command,
    ref: str | None,
    *,
    text: str = "",
    shell: bool = False,
) -> Incident:
    """The incident a command acts on: the one named, else the only one it can mean. Raises
    Refused saying why there is none (the bot's gate asks the same question). `text`: the
    command as typed, for the example in the answer; `shell`: it came from comms-assistant run."""
    if isinstance(command, c.ShowStatus) and command.reference:
        ref = command.reference  # `status INC-2026-0001`: that one, whatever the thread is for
    if ref:
        return _named(incidents, ref, shell)
    if isinstance(command, c.Lessons):
        return _reviewed(incidents)
    candidates = incidents.open()
    if isinstance(command, c.Review):
        # Reviews follow resolution; an open incident gets the domain's "close it first".
        candidates = incidents.with_status(Status.RESOLVED) or candidates
    if len(candidates) > 1:
        refs = ", ".join(r.reference for r in candidates)
        raise Refused(
            f"More than one incident could be meant ({refs}): "
            + say_which(candidates[-1].reference, command, text, shell=shell)
        )
    return candidates[0] if candidates else _none_open(incidents, command)


def _named(incidents: Incidents, ref: str, shell: bool) -> Incident:
    found = incidents.get(ref)
    if found is None:
        raise Refused(f'There is no incident "{shown(ref)}". {_list_hint(shell)}')
    return found


def _reviewed(incidents: Incidents) -> Incident:
    """Lessons follow a review, so the incident is closed: the latest one reviewed."""
    reviewed = incidents.latest_reviewed()
    if reviewed is None:
        raise Refused("No incident has a review yet: 'lessons' copies from one.")
    return reviewed


def _none_open(incidents: Incidents, command: c.Command) -> Incident:
    """No incident is open (or resolved, for a review): the latest for a look, else why not."""
    latest = incidents.latest()
    if isinstance(command, (c.ShowStatus, c.Log, *AFTER_IT)) and latest is not None:
        return latest
    if isinstance(command, c.Review):
        raise Refused("No resolved incident is waiting for a review: close it first.")
    raise Refused("No incident is open. Start one with 'open <title> p1|p2|p3|p4'.")


def say_which(reference: str, command: c.Command, text: str, *, shell: bool) -> str:
    """How to name the incident meant, where the command came from."""
    if isinstance(command, c.ShowStatus):
        asked = f"comms-assistant status {reference}" if shell else f"'status {reference}'"
        return f"name one, e.g. {asked}. {_list_hint(shell)}"
    typed = shown(split_reference(text)[1], 30) if text.strip() else "update ..."
    if shell:
        return (
            f'add --incident, e.g. comms-assistant run "{typed}" --incident {reference}. '
            "'comms-assistant list' shows them."
        )
    return (
        f"start the command with its reference, e.g. '{reference} {typed}', or send it in that "
        "incident's own thread. 'list' shows them."
    )


def list_text(
    found: list[Incident], *, now: datetime, tz: ZoneInfo, policy: Policy, shell: bool = False
) -> str:
    """`list`: each open incident in a line, most urgent first, then the oldest. A security
    incident shows only what anyone may know of it (incident.restricted_view)."""
    if not found:
        return "No incident is open. Start one with 'open <title> p1|p2|p3|p4'."
    incidents = sorted(found, key=lambda i: (i.priority, i.declared_at))
    count = len(incidents)
    lines = [f"{count} open incident{'' if count == 1 else 's'}, most urgent first:"]
    for incident in incidents:
        shown_as = incident.restricted_view() if incident.security else incident
        lead = incident.leads.get(Role.INCIDENT_LEAD, "nobody yet")
        line = (
            f"{incident.reference} {policy.label(incident.priority)} {incident.status.value}: "
            f"{shown_as.title}. Lead: {lead}. Open for {age(now - incident.declared_at)}."
        )
        due = next_update_due(incident, policy)
        if due is not None and due < now:
            line += f" Update overdue: it was due by {due_time(due, now, tz)}."
        elif due is not None:
            line += f" Next update due by {due_time(due, now, tz)}."
        lines.append(line)
    example = incidents[0].reference
    more = f"comms-assistant status {example}" if shell else f"status {example}"
    lines.append(f"'{more}' shows one in full.")
    return "\n".join(lines)


def age(elapsed: timedelta) -> str:
    """ "25 min", "2 h 5 min", "3 days": how long an incident has been open."""
    minutes = max(0, int(elapsed.total_seconds() // 60))
    if minutes < 1:
        return "under a minute"
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h" + (f" {minutes} min" if minutes else "")
    return f"{hours // 24} days"


def _list_hint(shell: bool) -> str:
    if shell:
        return "'comms-assistant list' shows the open ones."
    return "Send 'list' to see the open ones."
