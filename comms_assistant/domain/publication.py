"""The public status page, as the domain sees it: whether a message reaches it, what the page
says of the incident's state, and how the priority shows on the affected components.

Public only on purpose: an incident reaches the page when `open … public: yes` or `publish`
says so, or when a catalogue service marked public is affected and the process profile says so;
`unpublish` takes it off. A security incident reaches it only by `publish <public words>`, and
then only the words given with `public:` go (its resolution goes in the template's own words,
which name nothing). Where it stands is read from what was queued for the page (the outbox):
the last thing queued says whether the incident is on it now. Pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from types import MappingProxyType

from comms_assistant.domain.incident_kinds import Priority, Status
from comms_assistant.domain.messages import MessageKind


class ComponentStatus(StrEnum):
    """A component's status on the page (Atlassian Statuspage's words)."""

    OPERATIONAL = "operational"
    DEGRADED = "degraded_performance"
    PARTIAL = "partial_outage"
    MAJOR = "major_outage"
    MAINTENANCE = "under_maintenance"


class Event(StrEnum):
    """What one delivery does to the page. The values are stored in outbox payloads."""

    PUBLISH = "publish"
    UPDATE = "update"
    RESOLVE = "resolve"
    UNPUBLISH = "unpublish"


class PageState(Enum):
    NEVER = "never"  # nothing was ever queued for the page
    PUBLISHED = "published"
    UNPUBLISHED = "unpublished"  # taken off with `unpublish`: nothing publishes it by itself


# The incident's status as the page says it (Statuspage's four realtime statuses).
PAGE_STATUS: Mapping[Status, str] = MappingProxyType(
    {
        Status.INVESTIGATING: "investigating",
        Status.IDENTIFIED: "identified",
        Status.MONITORING: "monitoring",
        Status.RESOLVED: "resolved",
        Status.CLOSED: "resolved",
    }
)

# The default table: a status row wins over the priority row. A fix being watched shows as
# slower than usual; a resolved incident's components are operational again (Statuspage does
# not reset them itself). The `status_page_component_statuses` setting overrides rows.
DEFAULT_COMPONENT_STATUSES: Mapping[str, ComponentStatus] = MappingProxyType(
    {
        "p1": ComponentStatus.MAJOR,
        "p2": ComponentStatus.PARTIAL,
        "p3": ComponentStatus.DEGRADED,
        "p4": ComponentStatus.DEGRADED,
        "monitoring": ComponentStatus.DEGRADED,
        "resolved": ComponentStatus.OPERATIONAL,
    }
)
TABLE_ROWS = ("p1", "p2", "p3", "p4", "investigating", "identified", "monitoring", "resolved")


@dataclass(frozen=True)
class ComponentTable:
    """Priority and status to the affected components' status on the page."""

    statuses: Mapping[str, ComponentStatus] = field(
        default_factory=lambda: DEFAULT_COMPONENT_STATUSES
    )

    @classmethod
    def with_overrides(cls, overrides: Mapping[str, str]) -> ComponentTable:
        """The default table with `overrides`' rows; ValueError naming a wrong row or status."""
        table = dict(DEFAULT_COMPONENT_STATUSES)
        known = ", ".join(s.value for s in ComponentStatus)
        for row, value in overrides.items():
            key = row.strip().lower()
            if key not in TABLE_ROWS:
                raise ValueError(f'"{row}" is not a row: use one of {", ".join(TABLE_ROWS)}')
            try:
                table[key] = ComponentStatus(value.strip().lower())
            except ValueError:
                raise ValueError(f'"{value}" (for {row}) is not one of {known}') from None
        return cls(MappingProxyType(table))

    def status_for(self, priority: Priority, status: Status) -> ComponentStatus:
        row = PAGE_STATUS[status]
        if row in self.statuses:
            return self.statuses[row]
        return self.statuses[priority.label.lower()]


# The stakeholder messages that may reach the page. A catch-up (`notify`) and the central team's
# Major Incident notification are for their readers only.
PUBLIC_MESSAGES = frozenset(
    {
        MessageKind.OPENED,
        MessageKind.UPDATE,
        MessageKind.HOLDING,
        MessageKind.PRIORITY,
        MessageKind.RESOLVED,
    }
)


@dataclass(frozen=True)
class PublicAsk:
    """What a command said about the page: publish now (`open … public: yes`), the words to
    show (`public: <text>`), or leave this message off it (`public: no`)."""

    publish: bool = False
    text: str | None = None
    skip: bool = False


@dataclass(frozen=True)
class Decision:
    """What a message does to the page: `event`, or None and why not (for the reply; "" when
    there is nothing worth saying, e.g. the incident was never published)."""

    event: Event | None
    why_not: str = ""


SECURITY_WORDS = (
    "it is a security incident, so only words given with 'public:' go on the status page"
)


def state_of(events: Iterable[str]) -> PageState:
    """Where the incident stands on the page, from the events queued for it, oldest first."""
    last = None
    for event in events:
        last = Event(event)
    if last is None:
        return PageState.NEVER
    return PageState.UNPUBLISHED if last is Event.UNPUBLISH else PageState.PUBLISHED


def decide(
    kind: MessageKind, state: PageState, ask: PublicAsk, *, security: bool, auto: bool
) -> Decision:
    """What a stakeholder message of `kind` does to the page. `auto`: the profile publishes an
    incident that affects a public service, and this one does."""
    if kind not in PUBLIC_MESSAGES:
        return Decision(None)
    if state is PageState.PUBLISHED:
        if ask.skip:
            return Decision(None, "left off the status page, as asked")
        if kind is MessageKind.RESOLVED:
            return Decision(Event.RESOLVE)
        if security and ask.text is None:
            return Decision(None, SECURITY_WORDS)
        return Decision(Event.UPDATE)
    wanted = ask.publish or (state is PageState.NEVER and auto and not security)
    if not wanted or ask.skip or kind is MessageKind.RESOLVED:
        return Decision(None)
    if security and ask.text is None:
        return Decision(None, SECURITY_WORDS)
    return Decision(Event.PUBLISH)


def happening(kind: MessageKind, text: str, impact: str, title: str) -> str:
    """ "What is happening" for the public words of a message of `kind`: the update's own words,
    else the incident's impact, else its title. `text`: the timeline entry's."""
    if kind is MessageKind.UPDATE and text.strip():
        return text
    return impact or title
