"""What the worker owes an open incident at a given moment: nudges, holding updates, prompts.

Pure. Everything is derived from the incident's timeline and the policy, plus the little the
worker records of what it already did (so a restarted worker catches up once, not many times).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from comms_assistant.domain.incident import EntryKind, Incident
from comms_assistant.domain.policy import Policy

# Entries that told stakeholders something: each restarts the clock.
MESSAGE_KINDS = frozenset(
    {EntryKind.DECLARED, EntryKind.UPDATE, EntryKind.HOLDING, EntryKind.PRIORITY}
)


class ActionKind(StrEnum):
    NUDGE = "nudge"
    HOLDING = "holding"
    HANDOVER = "handover"
    OUT_OF_HOURS = "out-of-hours"


@dataclass(frozen=True)
class Action:
    kind: ActionKind
    key: str  # once done, an action with the same key is never done again
    due: datetime
    late: bool = False


@dataclass(frozen=True)
class Done:
    """What the worker has already done for an incident: the keys of its actions."""

    keys: frozenset[str] = frozenset()


def last_message_at(incident: Incident) -> datetime:
    times = [e.at for e in incident.timeline if e.kind in MESSAGE_KINDS]
    return max(times, default=incident.declared_at)


def next_update_due(incident: Incident, policy: Policy) -> datetime | None:
    if not incident.is_open:
        return None
    return policy.next_update_due(incident.priority, last_message_at(incident))


def actions_due(
    incident: Incident, policy: Policy, done: Done, now: datetime, *, tick: timedelta
) -> list[Action]:
    """Everything owed now and not yet done, oldest first.

    `tick` is how often the worker runs: an action found more than one tick after it fell due
    was missed (the worker was down) and is marked late.
    """
    if not incident.is_open:
        return []
    last = last_message_at(incident)
    rule = policy.rule(incident.priority)
    actions: list[Action] = []
    due = policy.next_update_due(incident.priority, last)
    nudge = policy.nudge_due(incident.priority, last)
    if due is not None:
        if nudge is not None and now >= nudge:
            key = f"nudge:{due.isoformat()}"
            if not incident.leads and rule.nudge_before is not None:
                # Nobody has taken a lead role: keep nudging, every nudge interval, until
                # someone does (the playbooks' first step is always to fill the roles).
                key += f":{int((now - nudge) / rule.nudge_before)}"
            actions.append(Action(ActionKind.NUDGE, key, nudge))
        if rule.holding_update and now >= due:
            key = f"holding:{due.isoformat()}"
            actions.append(Action(ActionKind.HOLDING, key, due, late=now - due > tick))
    actions += _handover(incident, policy, now)
    return sorted((a for a in actions if a.key not in done.keys), key=lambda a: a.due)


def _handover(incident: Incident, policy: Policy, now: datetime) -> list[Action]:
    """GOV.UK PaaS and dxw: hand over at the end of the day, after long stretches, and think
    about stopping when an out-of-hours incident has run for a while."""
    rules, actions = policy.handover, []
    start = incident.declared_at
    if rules.after is not None and now - start >= rules.after:
        stretch = int((now - start) / rules.after)
        actions.append(
            Action(ActionKind.HANDOVER, f"long:{stretch}", start + stretch * rules.after)
        )
    if rules.end_of_day is not None:
        local = now.astimezone(policy.hours.tz)
        end_of_day = datetime.combine(local.date(), rules.end_of_day, tzinfo=policy.hours.tz)
        if policy.hours.is_working_day(local.date()) and start < end_of_day <= now:
            actions.append(
                Action(ActionKind.HANDOVER, f"end-of-day:{local.date().isoformat()}", end_of_day)
            )
    if rules.out_of_hours_check is not None and not policy.hours.is_working(start):
        # Counted from the start of the out-of-hours stretch the incident began in.
        opening = policy.hours.opening(start)
        if now < opening and now - start >= rules.out_of_hours_check:
            actions.append(
                Action(
                    ActionKind.OUT_OF_HOURS,
                    f"out-of-hours:{start.isoformat()}",
                    start + rules.out_of_hours_check,
                )
            )
    return actions
