"""The priority policy: how often stakeholders hear, when the comms lead is nudged, what the
priorities are called and who may end an incident.

The defaults follow the seed playbooks (DfE: hourly for high-risk incidents; GOV.UK PaaS and dxw:
every 20-30 minutes for the most urgent; GOV.UK PaaS: hand over at 5pm or after 6 hours).
Organisations load their own from a profile (see `adapters.profiles`). Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from types import MappingProxyType
from zoneinfo import ZoneInfo

from comms_assistant.domain.incident import DomainError, Priority
from comms_assistant.domain.working_hours import WorkingHours


@dataclass(frozen=True)
class PriorityRule:
    update_every: timedelta | None  # None: only on change and at resolution
    nudge_before: timedelta | None = None
    holding_update: bool = False  # send a holding update by itself when none came
    out_of_hours: bool = True  # False: the clock stops outside working hours
    name: str = ""  # what the organisation calls it, e.g. "Critical"

    def __post_init__(self) -> None:
        if self.update_every is not None and self.update_every <= timedelta(0):
            raise ValueError("update_every must be a positive time")
        nudge, every = self.nudge_before, self.update_every
        if nudge is not None and every is not None and not timedelta(0) < nudge < every:
            raise ValueError("nudge_before must be shorter than update_every")


@dataclass(frozen=True)
class Handover:
    """When leads are prompted to bring the report up to date and hand over (GOV.UK PaaS)."""

    end_of_day: time | None = time(17, 0)
    after: timedelta | None = timedelta(hours=6)
    out_of_hours_check: timedelta | None = timedelta(hours=2)


DEFAULT_RULES: Mapping[Priority, PriorityRule] = MappingProxyType(
    {
        Priority.P1: PriorityRule(timedelta(minutes=30), timedelta(minutes=10), True, True),
        Priority.P2: PriorityRule(timedelta(hours=1), timedelta(minutes=10), True, True),
        Priority.P3: PriorityRule(timedelta(hours=4), timedelta(minutes=30), False, False),
        Priority.P4: PriorityRule(None),
    }
)


@dataclass(frozen=True)
class Policy:
    name: str = "default"
    rules: Mapping[Priority, PriorityRule] = field(default_factory=lambda: DEFAULT_RULES)
    hours: WorkingHours = field(default_factory=lambda: WorkingHours(ZoneInfo("Europe/London")))
    handover: Handover = field(default_factory=Handover)
    extra_roles: tuple[str, ...] = ()
    # Roles (a Role value or an extra role) whose holder may declare the incident resolved;
    # empty: anyone allowed to change the incident may.
    resolvers: tuple[str, ...] = ()
    # The public status page: an ordinary incident affecting a catalogue service marked public
    # is published without being asked (`[status_page] publish_public_services`).
    publish_public_services: bool = False

    def __post_init__(self) -> None:
        missing = [p.label for p in Priority if p not in self.rules]
        if missing:
            raise ValueError(f"the policy has no rule for {', '.join(missing)}")
        names = [r.name.casefold() for r in self.rules.values() if r.name]
        if len(names) != len(set(names)):
            raise ValueError("two priorities have the same name")

    def may_resolve(self, roles_held: set[str]) -> bool:
        return not self.resolvers or not roles_held.isdisjoint(self.resolvers)

    def priority_names(self) -> dict[str, Priority]:
        """The organisation's names for its priorities, for the command language."""
        return {rule.name: p for p, rule in self.rules.items() if rule.name}

    def rule(self, priority: Priority) -> PriorityRule:
        return self.rules[priority]

    def label(self, priority: Priority) -> str:
        """How a priority is shown: "Critical (P1)" where the organisation names it, else "P1"."""
        name = self.rules[priority].name
        return f"{name} ({priority.label})" if name else priority.label

    def parse_priority(self, word: str) -> Priority:
        """P1-P4, or the organisation's names for them ("critical")."""
        for priority, rule in self.rules.items():
            if rule.name and rule.name.casefold() == word.strip().casefold():
                return priority
        try:
            return Priority.parse(word)
        except DomainError:
            names = [r.name for r in self.rules.values() if r.name]
            also = f" or {', '.join(names)}" if names else ""
            raise DomainError(f'"{word}" is not a priority: use P1, P2, P3 or P4{also}.') from None

    def next_update_due(self, priority: Priority, last_sent_at: datetime) -> datetime | None:
        """When stakeholders must next hear, counting from the last message they were sent."""
        rule = self.rules[priority]
        if rule.update_every is None:
            return None
        if rule.out_of_hours:
            return last_sent_at + rule.update_every
        return self.hours.add(last_sent_at, rule.update_every)

    def nudge_due(self, priority: Priority, last_sent_at: datetime) -> datetime | None:
        """When the comms lead is reminded that an update is coming due."""
        rule = self.rules[priority]
        if rule.update_every is None or rule.nudge_before is None:
            return None
        lead_time = rule.update_every - rule.nudge_before
        if rule.out_of_hours:
            return last_sent_at + lead_time
        return self.hours.add(last_sent_at, lead_time)


DEFAULT_POLICY = Policy()


def next_update_due(
    priority: Priority, last_sent_at: datetime, policy: Policy = DEFAULT_POLICY
) -> datetime | None:
    return policy.next_update_due(priority, last_sent_at)
