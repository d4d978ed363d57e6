"""An incident's figures: when it was declared, first told, resolved and closed; how long each
took; how many messages went; and how many of the updates the cadence asked for went on time.

Pure. The register, the board report and `comms-assistant report incidents` all read an
incident's figures from here, so they agree. What the incident's timeline cannot say (when its
stakeholder messages actually went) the caller reads from the outbox and passes as `sent`.

Update punctuality: every message to stakeholders tells them when they will next hear, as the
profile's cadence says (`Policy.next_update_due`, at the priority in force then, with its
working-hours rule; a priority with no cadence promises nothing). That update went on time when
the next message (an update, a holding update, a priority change, or the resolution) was given
by then, with `GRACE` for the worker's tick; later, or not at all by `now`, it was late. One
not yet due is not counted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from comms_assistant.domain.actions import ActionState
from comms_assistant.domain.cadence import MESSAGE_KINDS
from comms_assistant.domain.history import history_of
from comms_assistant.domain.incident import (
    EntryKind,
    Incident,
    Priority,
    PriorityChange,
    Role,
    Status,
)
from comms_assistant.domain.policy import Policy

# The worker looks at the cadence once a minute: a holding update it sends on the minute after
# the update fell due is on time.
GRACE = timedelta(minutes=2)
# Entries that end a wait for the next update: what restarts the clock, and the resolution.
_ANSWERS = MESSAGE_KINDS | {EntryKind.RESOLVED}


@dataclass(frozen=True)
class Sent:
    """A message to stakeholders that went: the timeline entry it told (its `seq`) and when
    its first delivery was done."""

    seq: int
    at: datetime


@dataclass(frozen=True)
class Punctuality:
    due: int = 0  # updates the cadence asked for
    on_time: int = 0

    @property
    def late(self) -> int:
        return self.due - self.on_time

    @property
    def share(self) -> float | None:
        """The share sent on time (0 to 1); None when none was due."""
        return self.on_time / self.due if self.due else None

    def __add__(self, other: Punctuality) -> Punctuality:
        return Punctuality(self.due + other.due, self.on_time + other.on_time)


@dataclass(frozen=True)
class Figures:
    reference: str
    title: str
    services: tuple[str, ...]
    security: bool
    status: Status
    priority: Priority
    declared_priority: Priority
    highest_priority: Priority
    leads: tuple[tuple[str, str], ...]  # (role, address) in the roles' order
    started: datetime | None
    declared: datetime
    first_message: datetime | None
    resolved: datetime | None
    closed: datetime | None
    messages: int
    punctuality: Punctuality
    actions_open: int
    actions_done: int
    # How each message held back for its wording ended (domain/record.py's HoldEnd values).
    holds: tuple[str, ...] = ()

    @property
    def holds_told(self) -> str:
        """ "2 held: 1 sent as written, 1 sent in the suggested words" ("" when none)."""
        if not self.holds:
            return ""
        counted = {ended: self.holds.count(ended) for ended in dict.fromkeys(self.holds)}
        return f"{len(self.holds)} held: " + ", ".join(f"{n} {e}" for e, n in counted.items())

    @property
    def minutes_to_declare(self) -> int | None:
        return minutes(self.started, self.declared)

    @property
    def minutes_to_first_message(self) -> int | None:
        return minutes(self.declared, self.first_message)

    @property
    def minutes_to_resolve(self) -> int | None:
        return minutes(self.declared, self.resolved)


def minutes(start: datetime | None, end: datetime | None) -> int | None:
    """Whole minutes from `start` to `end`, counted in UTC (aware times in one zone subtract
    as wall clocks do, which is an hour out across a change of the clocks)."""
    if start is None or end is None:
        return None
    return round((end.astimezone(UTC) - start.astimezone(UTC)).total_seconds() / 60)


def figures_of(incident: Incident, policy: Policy, sent: Iterable[Sent], now: datetime) -> Figures:
    told = sorted(s.at.astimezone(UTC) for s in sent)
    actions = incident.actions
    done = sum(1 for a in actions if a.state is ActionState.DONE)
    history = history_of(incident)
    closed = [e.at for e in incident.timeline if e.kind is EntryKind.REVIEW]
    return Figures(
        reference=incident.reference,
        title=incident.title,
        services=incident.services,
        security=incident.security,
        status=incident.status,
        priority=incident.priority,
        declared_priority=history[0].priority if history else incident.priority,
        highest_priority=min([incident.priority, *(c.priority for c in history)]),
        leads=_leads(incident),
        started=incident.started_at,
        declared=incident.declared_at,
        first_message=told[0] if told else None,
        resolved=incident.resolved_at,
        closed=closed[-1] if closed else None,
        messages=len(told),
        punctuality=punctuality(incident, policy, now),
        actions_open=len(actions) - done,
        actions_done=done,
        holds=tuple(hold.ended.value for hold in incident.record.holds),
    )


def _leads(incident: Incident) -> tuple[tuple[str, str], ...]:
    standard = [(role.value, incident.leads[role]) for role in Role if role in incident.leads]
    return (*standard, *incident.extra_leads.items())


def punctuality(incident: Incident, policy: Policy, now: datetime) -> Punctuality:
    """How many updates the cadence asked for, and how many went on time (see the module)."""
    answers = sorted((e for e in incident.timeline if e.kind in _ANSWERS), key=lambda e: e.seq)
    history = history_of(incident)
    due_count = on_time = 0
    for index, entry in enumerate(answers):
        if entry.kind is EntryKind.RESOLVED:
            break
        due = policy.next_update_due(_priority_at(history, entry.at), entry.at)
        if due is None:
            continue
        following = answers[index + 1] if index + 1 < len(answers) else None
        answered = following.at if following is not None else None
        if answered is None and now <= due + GRACE:
            continue  # not due yet
        due_count += 1
        if answered is not None and answered <= due + GRACE:
            on_time += 1
    return Punctuality(due_count, on_time)


def _priority_at(history: Sequence[PriorityChange], at: datetime) -> Priority:
    """The priority in force just after `at` (a change at `at` itself counts)."""
    current = history[0].priority
    for change in history:
        if change.at <= at:
            current = change.priority
    return current


@dataclass(frozen=True)
class Summary:
    """Figures of several incidents together (a month, a priority, a service)."""

    incidents: int
    by_priority: dict[Priority, int]
    median_to_first_message: int | None
    median_to_resolve: int | None
    median_to_declare: int | None
    punctuality: Punctuality
    messages: int
    actions_open: int
    actions_done: int
    holds: int = 0


def summarise(figures: Sequence[Figures]) -> Summary:
    return Summary(
        incidents=len(figures),
        by_priority={p: sum(1 for f in figures if f.highest_priority is p) for p in Priority},
        median_to_first_message=_median(f.minutes_to_first_message for f in figures),
        median_to_resolve=_median(f.minutes_to_resolve for f in figures),
        median_to_declare=_median(f.minutes_to_declare for f in figures),
        punctuality=sum((f.punctuality for f in figures), Punctuality()),
        messages=sum(f.messages for f in figures),
        actions_open=sum(f.actions_open for f in figures),
        actions_done=sum(f.actions_done for f in figures),
        holds=sum(len(f.holds) for f in figures),
    )


def _median(values: Iterable[int | None]) -> int | None:
    known = sorted(v for v in values if v is not None)
    if not known:
        return None
    middle = len(known) // 2
    if len(known) % 2:
        return known[middle]
    return round((known[middle - 1] + known[middle]) / 2)


def month_of(moment: datetime, tz: ZoneInfo) -> str:
    """The month an incident counts in: its declaration's, in the organisation's zone."""
    local = moment.astimezone(tz)
    return f"{local.year:04d}-{local.month:02d}"


def by_month(figures: Iterable[Figures], tz: ZoneInfo) -> dict[str, list[Figures]]:
    grouped: dict[str, list[Figures]] = {}
    for f in sorted(figures, key=lambda f: f.declared):
        grouped.setdefault(month_of(f.declared, tz), []).append(f)
    return grouped


def by_priority(figures: Iterable[Figures]) -> dict[Priority, list[Figures]]:
    """By the highest priority each reached (an incident raised to P1 counts as a P1)."""
    grouped: dict[Priority, list[Figures]] = {}
    for f in sorted(figures, key=lambda f: (f.highest_priority, f.declared)):
        grouped.setdefault(f.highest_priority, []).append(f)
    return grouped


def by_service(figures: Iterable[Figures]) -> dict[str, list[Figures]]:
    """By each service affected: an incident affecting two counts under both."""
    grouped: dict[str, list[Figures]] = {}
    for f in sorted(figures, key=lambda f: f.declared):
        for service in f.services or ("(none named)",):
            grouped.setdefault(service, []).append(f)
    return dict(sorted(grouped.items()))
