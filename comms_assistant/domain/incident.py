"""The incident: what happened, who leads it, and its timeline.

Pure: no I/O, and every change takes the time as an argument.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from comms_assistant.domain.actions import Action
from comms_assistant.domain.incident_facts import (
    advice_text,
    fact_changes,
    one_line,
    require_aware,
    require_text,
    service_keys,
    started_time,
)
from comms_assistant.domain.incident_kinds import (
    DomainError,
    EntryKind,
    Priority,
    Role,
    Status,
)
from comms_assistant.domain.record import Record
from comms_assistant.domain.references import format_reference as format_reference
from comms_assistant.domain.timeline import HOLDING_NOTE, TimelineEntry

# The kinds (incident_kinds) and TimelineEntry (timeline) are read from here, as before.


RESTRICTED_TITLE = "Restricted security incident"


@dataclass(frozen=True)
class PriorityChange:
    """The incident was declared at, or moved to, `priority` at `at`."""

    at: datetime
    priority: Priority


@dataclass
class Incident:
    reference: str
    title: str
    priority: Priority
    impact: str
    services: tuple[str, ...]
    declared_by: str
    declared_at: datetime
    security: bool = False
    status: Status = Status.INVESTIGATING
    leads: dict[Role, str] = field(default_factory=dict)
    # Roles an organisation's process adds (Wellcome: a delivery manager), by name.
    extra_leads: dict[str, str] = field(default_factory=dict)
    resolved_at: datetime | None = None
    resolution: str = ""
    timeline: list[TimelineEntry] = field(default_factory=list)
    # True only on a `restricted_view`: what the central team may know of a security incident.
    restricted: bool = False
    # What readers should do now, as the comms lead last said it ("" when nobody has).
    advice: str = ""
    # The title it was opened with, which email subjects keep ("" on incidents from before).
    declared_title: str = ""
    # Declared at, then every change, oldest first: the history messages and reviews tell.
    priority_history: list[PriorityChange] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)  # follow-up: domain/actions.py
    started_at: datetime | None = None  # when it began, where `open … started:` said
    # What the product has done about it (who was told, cadence marks, its documents): kept
    # with it, but not part of what it is, so two incidents alike in facts compare equal.
    record: Record = field(default_factory=Record, compare=False, repr=False)

    @classmethod
    def declare(
        cls,
        *,
        reference: str,
        title: str,
        priority: Priority,
        impact: str,
        services: tuple[str, ...],
        who: str,
        now: datetime,
        security: bool = False,
        advice: str = "",
        lead: str | None = None,
        started: datetime | None = None,
    ) -> Incident:
        """Whoever declares an incident leads it, unless they name someone else as its incident
        lead (`lead`), or nobody (`lead=""`: someone takes the role later with 'lead me')."""
        title = one_line(title)
        if not title:
            raise DomainError("An incident needs a title: say what is wrong in a few words.")
        require_aware(now)
        incident = cls(
            reference=reference,
            title=title,
            priority=priority,
            impact=one_line(impact),
            services=service_keys(services),
            declared_by=who,
            declared_at=now,
            security=security,
            advice=advice_text(advice),
            priority_history=[PriorityChange(now, priority)],
            declared_title=title,
            started_at=started_time(started, now),
        )
        lead = who if lead is None else lead.strip()
        if lead:
            incident.leads[Role.INCIDENT_LEAD] = lead
        text = f"{who} declared the incident at {priority.label}: {title}"
        if incident.impact:
            text += f". Impact: {incident.impact}"
        if lead.casefold() != who.casefold():
            text += f". Incident lead: {lead or 'nobody yet'}"
        incident._record(now, who, EntryKind.DECLARED, text)
        return incident

    @property
    def declared_priority(self) -> Priority:
        return self.priority_history[0].priority if self.priority_history else self.priority

    @property
    def highest_priority(self) -> Priority:
        """The most urgent it has been (P1 is the highest)."""
        return min([self.priority, *(change.priority for change in self.priority_history)])

    @property
    def is_open(self) -> bool:
        return self.status.is_open

    def restricted_view(self) -> Incident:
        """What people outside a security incident's audience (the central Major Incident team)
        may be told: that it exists, how urgent it is, when it started and who leads it. Never
        what it is about, what it affects, how it was fixed or its timeline."""
        return replace(
            self,
            title=RESTRICTED_TITLE,
            declared_title=RESTRICTED_TITLE,
            impact="",
            advice="",
            services=(),
            resolution="",
            timeline=[],
            restricted=True,
        )

    def post_update(
        self,
        text: str,
        *,
        who: str,
        now: datetime,
        impact: str | None = None,
        advice: str | None = None,
    ) -> TimelineEntry:
        """An update; `impact` and `advice`, when given, become the incident's current ones
        (each its own timeline entry, before the update's)."""
        self._require_open("post an update")
        text = require_text(text, "An update needs some words: what can people do or not do now?")
        if impact is not None and one_line(impact) != self.impact:
            self.change_facts(who=who, now=now, impact=impact)
        if advice is not None and advice_text(advice) != self.advice:
            self.change_facts(who=who, now=now, advice=advice)
        return self._record(now, who, EntryKind.UPDATE, text)

    def change_facts(
        self,
        *,
        who: str,
        now: datetime,
        title: str | None = None,
        impact: str | None = None,
        services: tuple[str, ...] | None = None,
        advice: str | None = None,
    ) -> list[TimelineEntry]:
        """Give the title, the impact, the services or the readers' advice a new current value:
        every later message and document shows it, and none the one it replaced."""
        self._require_open("change what it says")
        given = {"title": title, "impact": impact, "services": services, "advice": advice}
        changes = fact_changes(self, given)
        if not changes:
            raise DomainError(f"{self.reference} already says that: nothing was changed.")
        for change in changes:
            setattr(self, change.fact.name, change.value)
        return [self._record(now, who, EntryKind.FACTS, change.text) for change in changes]

    def change_priority(
        self, priority: Priority, *, who: str, now: datetime, reason: str = ""
    ) -> TimelineEntry:
        self._require_open("change its priority")
        if priority == self.priority:
            raise DomainError(f"{self.reference} is already {priority.label}.")
        before, self.priority = self.priority, priority
        if not self.priority_history:  # kept before the history was: its start is all we know
            self.priority_history.append(PriorityChange(self.declared_at, before))
        self.priority_history.append(PriorityChange(now, priority))
        text = f"{who} changed the priority from {before.label} to {priority.label}"
        if reason.strip():
            text += f": {one_line(reason)}"
        return self._record(now, who, EntryKind.PRIORITY, text)

    def assign(self, role: Role, person: str, *, who: str, now: datetime) -> TimelineEntry:
        self._require_open("change its leads")
        person = person.strip()
        if not person:
            raise DomainError(f"Say who the {role.value} is: '{role.value} me' or an address.")
        if self.leads.get(role) == person:
            raise DomainError(f"{person} is already the {role.value} of {self.reference}.")
        self.leads[role] = person
        actor = "" if who == person else f" (set by {who})"
        return self._record(now, who, EntryKind.ROLE, f"{person} is the {role.value}{actor}")

    def assign_extra(self, role: str, person: str, *, who: str, now: datetime) -> TimelineEntry:
        """A role the organisation's process adds; the caller checks the name is one of them."""
        self._require_open("change its leads")
        person = person.strip()
        if self.extra_leads.get(role) == person:
            raise DomainError(f"{person} is already the {role} of {self.reference}.")
        self.extra_leads[role] = person
        actor = "" if who == person else f" (set by {who})"
        return self._record(now, who, EntryKind.ROLE, f"{person} is the {role}{actor}")

    def roles_of(self, person: str) -> set[str]:
        """Every role (standard or the organisation's own) that `person` holds."""
        held = {role.value for role, holder in self.leads.items() if holder == person}
        return held | {role for role, holder in self.extra_leads.items() if holder == person}

    def set_status(self, status: Status, *, who: str, now: datetime) -> TimelineEntry:
        self._require_open("change its status")
        if not status.is_open:
            raise DomainError("To end an incident use 'close' with what fixed it.")
        if status == self.status:
            raise DomainError(f"{self.reference} is already {status.value}.")
        self.status = status
        return self._record(now, who, EntryKind.STATUS, f"Status changed to {status.value}")

    def record_holding_update(
        self, *, who: str, now: datetime, late_since: datetime | None = None, note: str = ""
    ) -> TimelineEntry:
        """Stakeholders were told there is no change: an update was due and none came, or a lead
        sent `holding`. `note`: what the lead added, kept in the entry (see `holding_note`)."""
        self._require_open("send a holding update")
        text = "Holding update sent: no change since the last update"
        if late_since is not None:
            minutes = max(1, round((now - late_since).total_seconds() / 60))
            text += f" (late: it was due {minutes} minutes earlier)"
        note = one_line(note)
        if note:
            text += f"{HOLDING_NOTE}{note}"
        return self._record(now, who, EntryKind.HOLDING, text)

    def record_prompt(self, text: str, *, who: str, now: datetime) -> TimelineEntry:
        self._require_open("prompt its leads")
        return self._record(now, who, EntryKind.PROMPT, require_text(text, "A prompt needs words."))

    def log(self, text: str, *, who: str, now: datetime) -> TimelineEntry:
        if self.status is Status.CLOSED:
            raise DomainError(f"{self.reference} is closed: its record can no longer change.")
        text = require_text(text, "A log entry needs some words: what happened?")
        return self._record(now, who, EntryKind.LOG, text)

    def resolve(self, resolution: str, *, who: str, now: datetime) -> TimelineEntry:
        self._require_open("close it")
        resolution = require_text(
            resolution, "Say what fixed it: 'close <what was done to restore the service>'."
        )
        self.status = Status.RESOLVED
        self.resolved_at = now
        self.resolution = resolution
        return self._record(now, who, EntryKind.RESOLVED, f"Resolved: {resolution}")

    def file_review(self, *, who: str, now: datetime) -> TimelineEntry:
        if self.status is Status.CLOSED:
            raise DomainError(f"The review of {self.reference} has already been filed.")
        if self.status is not Status.RESOLVED:
            raise DomainError(
                f"{self.reference} is still {self.status.value}: close it before the review."
            )
        self.status = Status.CLOSED
        return self._record(now, who, EntryKind.REVIEW, f"{who} filed the incident review")

    def _require_open(self, action: str) -> None:
        if not self.is_open:
            raise DomainError(
                f"{self.reference} is {self.status.value}: you can no longer {action}."
            )

    def _record(self, now: datetime, who: str, kind: EntryKind, text: str) -> TimelineEntry:
        require_aware(now)
        entry = TimelineEntry(len(self.timeline) + 1, now, who, kind, text)
        self.timeline.append(entry)
        return entry
