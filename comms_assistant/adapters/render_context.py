"""What a stakeholder message's templates are given: the incident and the entry being told,
worded for readers (people's names for addresses, the organisation's names for services and
priorities, times in GOV.UK style in the organisation's zone)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from comms_assistant.adapters.render_text import TITLE_MAX, and_list, bounded, clock
from comms_assistant.domain.history import history_of, priority_story
from comms_assistant.domain.incident import (
    EntryKind,
    Incident,
    Priority,
    Role,
    TimelineEntry,
)
from comms_assistant.domain.messages import MessageKind
from comms_assistant.domain.timeline import holding_note

# Stakeholders hear who leads it and who speaks for it; the other roles are the responders'
# business (the scribe, the tech and support leads).
STAKEHOLDER_ROLES = (Role.INCIDENT_LEAD, Role.COMMS_LEAD)
_PRIORITY_CHANGE = re.compile(r"from (P[1-4]) to (P[1-4])(?::\s*(.*))?$", re.DOTALL)


class TemplateValues:
    def __init__(
        self,
        tz: ZoneInfo,
        *,
        service_names: Mapping[str, str],
        priority_names: Mapping[Priority, str],
        people: Mapping[str, str],
        security_marking: str,
    ) -> None:
        self._tz = tz
        self._service_names = dict(service_names)
        # What the organisation calls its priorities (dxw: Critical, Major...), shown in words.
        self._priority_names = dict(priority_names)
        # Email -> name from the contacts directory: messages name people, not addresses.
        self._people = {email.lower(): name for email, name in people.items()}
        self._security_marking = security_marking

    def for_message(
        self,
        kind: MessageKind,
        incident: Incident,
        entry: TimelineEntry,
        update_number: int | None,
        next_update_by: datetime | None,
        report_url: str | None = None,
    ) -> dict[str, Any]:
        """The values the templates of a `kind` message telling `entry` see."""
        services = [self._service_names.get(key, key) for key in incident.services]
        leads = self._leads(incident)
        times = self._times(incident, entry, next_update_by)
        return {
            "kind": kind.value,
            **self._about(incident),
            "services": services,
            "services_text": and_list(services),
            **self._people_values(incident, leads),
            "update_text": bounded(entry.text),
            "holding_note": bounded(holding_note(entry)),  # what a lead added: `holding <text>`
            "updates": self._updates(incident, entry),
            "report_url": report_url or "",
            "update_number": update_number,
            **self._priority_change(kind, incident, entry),
            **self._ending(kind, incident, entry),
            **times,
            "facts": self._facts(kind, incident, services, leads, times),
            "incident": incident,
            "entry": entry,
        }

    def _about(self, incident: Incident) -> dict[str, Any]:
        return {
            "reference": incident.reference,
            "title": bounded(incident.title, TITLE_MAX),
            # The title it was opened with: the subject keeps it (mail/subject.txt says why).
            "subject_title": bounded(incident.declared_title or incident.title, TITLE_MAX),
            "priority": self._priority(incident.priority),
            "priority_number": incident.priority.value,
            "status": incident.status.value,
            "security": incident.security,
            # In the subject from the first email on, so the subject (the conversation) holds.
            "marking": self._security_marking if incident.security else "",
            "restricted": incident.restricted,
            "impact": bounded(incident.impact),
            # What readers should do, as the comms lead said it (mail/advice.txt).
            "advice": bounded(incident.advice),
        }

    def _leads(self, incident: Incident) -> dict[str, str]:
        return {
            role.label: self._name(incident.leads[role])
            for role in STAKEHOLDER_ROLES
            if incident.leads.get(role)
        }

    def _people_values(self, incident: Incident, leads: dict[str, str]) -> dict[str, Any]:
        # Whom readers may ask (mail/footer.txt): the comms lead, else the incident lead.
        contact = incident.leads.get(Role.COMMS_LEAD) or incident.leads.get(Role.INCIDENT_LEAD)
        return {
            "leads": leads,
            "declared_by": self._name(incident.declared_by),
            "contact_name": self._name(contact) if contact else "",
            "contact_email": contact or "",
            "contact_is_comms": bool(incident.leads.get(Role.COMMS_LEAD)),
        }

    def _updates(self, incident: Incident, entry: TimelineEntry) -> list[dict[str, str]]:
        """What earlier messages said, for people told late (CATCH_UP): the updates before now."""
        return [
            {"at": self._when(e.at, entry.at), "text": bounded(e.text)}
            for e in incident.timeline
            if e.kind is EntryKind.UPDATE and e.seq <= entry.seq
        ]

    def _priority_change(
        self, kind: MessageKind, incident: Incident, entry: TimelineEntry
    ) -> dict[str, Any]:
        before, reason = _earlier_priority(kind, entry)
        return {
            "previous_priority": self._priority(before) if before else None,
            "raised": before is not None and incident.priority < before,
            "lowered": before is not None and incident.priority > before,
            "reason": bounded(reason),
        }

    def _ending(
        self, kind: MessageKind, incident: Incident, entry: TimelineEntry
    ) -> dict[str, str]:
        if kind is not MessageKind.RESOLVED:
            return {"resolution": "", "priority_story": ""}
        return {
            "resolution": bounded(incident.resolution or entry.text.removeprefix("Resolved: ")),
            # Told when it is over, and only when the priority moved (mail/resolved.txt).
            "priority_story": self._story(incident),
        }

    def _times(
        self, incident: Incident, entry: TimelineEntry, next_update_by: datetime | None
    ) -> dict[str, str | None]:
        resolved = incident.resolved_at
        return {
            "started_at": self._when(incident.declared_at, entry.at),
            "resolved_at": self._when(resolved, entry.at) if resolved else None,
            "next_update_at": self._when(next_update_by, entry.at) if next_update_by else None,
            "sent_at": self._when(entry.at, entry.at),
        }

    def _facts(
        self,
        kind: MessageKind,
        incident: Incident,
        services: list[str],
        leads: dict[str, str],
        times: dict[str, str | None],
    ) -> list[tuple[str, str]]:
        facts = [
            ("Priority", incident.priority.label),
            ("Status", incident.status.value.capitalize()),
            ("Services", ", ".join(services) or _no_services(incident)),
        ]
        facts += list(leads.items()) or [("Leads", "Not given yet")]
        facts.append(("Started", self._when(incident.declared_at, None)))
        if kind is MessageKind.RESOLVED:
            facts.append(("Resolved", times["resolved_at"] or "Yes"))
        facts.append(("Next update", _next_update(kind, incident, times["next_update_at"])))
        return facts

    def _story(self, incident: Incident) -> str:
        history = history_of(incident)
        if len(history) < 2 or incident.restricted:
            return ""
        return priority_story(history, self._tz, label=self._priority, time=clock)

    def _name(self, email: str) -> str:
        return self._people.get(email.lower(), email)

    def _priority(self, priority: Priority) -> str:
        return self._priority_names.get(priority, priority.label)

    def _when(self, moment: datetime, reference: datetime | None) -> str:
        """GOV.UK style: "2:30pm" today, "9am tomorrow", else "9am on Tuesday 24 November"."""
        local = moment.astimezone(self._tz)
        day = local.date()
        if reference is not None:
            today = reference.astimezone(self._tz).date()
            if day == today:
                return clock(local)
            if day == today + timedelta(days=1):
                return f"{clock(local)} tomorrow"
        return f"{clock(local)} on {local:%A} {local.day} {local:%B}"


def _earlier_priority(kind: MessageKind, entry: TimelineEntry) -> tuple[Priority | None, str]:
    """The priority it had before, and why it changed, when this message says it changed."""
    match = _PRIORITY_CHANGE.search(entry.text) if kind is MessageKind.PRIORITY else None
    if match is None:
        return None, ""
    return Priority.parse(match.group(1)), (match.group(3) or "").strip()


def _next_update(kind: MessageKind, incident: Incident, next_at: str | None) -> str:
    if kind is MessageKind.RESOLVED:
        return "None: this is the last update"
    if incident.restricted:  # the central team hears of a security incident only twice
        return "When it is over"
    return f"By {next_at}" if next_at else "When anything changes"


def _no_services(incident: Incident) -> str:
    return "Restricted" if incident.restricted else "Not given yet"
