"""Use cases: one command from a person becomes one transaction and one reply.

The change, its timeline entry and the deliveries it implies are stored together before the
reply is written, so whatever happens next, nothing the person said is lost.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from comms_assistant.adapters import store
from comms_assistant.adapters.store import IncidentRow
from comms_assistant.domain import commands as c
from comms_assistant.domain.file_names import report_name, review_name
from comms_assistant.domain.incident import (
    DomainError,
    Incident,
    Priority,
    Status,
    TimelineEntry,
    format_reference,
)
from comms_assistant.domain.messages import MessageKind
from comms_assistant.service.deliveries import DeliveryPlanner, MessagePlan, major_name
from comms_assistant.service.status_text import describe


@dataclass(frozen=True)
class Reply:
    text: str
    ok: bool = True
    reference: str | None = None
    deliveries: tuple[int, ...] = field(default_factory=tuple)


class Refused(Exception):
    """The command cannot be carried out; nothing was changed."""


@dataclass
class CommandService:
    engine: Engine
    planner: DeliveryPlanner
    tz: ZoneInfo
    reports_folder: str
    clock: Callable[[], datetime]

    def execute(self, text: str, *, who: str | None, incident: str | None = None) -> Reply:
        try:
            command = c.parse(text)
        except c.ParseError as error:
            return Reply(str(error), ok=False)
        if isinstance(command, c.Help):
            return Reply(c.HELP_TEXT)
        if who is None and not isinstance(command, c.READ_ONLY):
            return Reply("Say who you are: only a named person can change an incident.", ok=False)
        try:
            with store.transaction(self.engine) as session:
                return self._run(session, command, who or "", incident)
        except (DomainError, Refused) as error:
            # The transaction rolled back: nothing was half-done.
            return Reply(str(error), ok=False)

    def _run(self, session: Session, command: c.Command, who: str, ref: str | None) -> Reply:
        now = self.clock()
        if isinstance(command, c.Open):
            return self._open(session, command, who, now)
        row = self._choose(session, command, ref)
        incident = store.to_domain(row)
        if isinstance(command, c.ShowStatus):
            return Reply(describe(row, incident, self.tz), reference=row.reference)
        entry, kind = self._apply(command, incident, who, now)
        store.write_incident(row, incident)
        session.flush()
        queued = [self.planner.report(session, row, entry, now)]
        plan: MessagePlan | None = None
        if kind is not None:
            plan = self.planner.message(session, row, incident, kind, entry, now)
            queued += plan.rows
        # DfE playbook: a P1 is reported to the central team as a Major Incident when it is
        # closed, and the lessons learnt are added once the review is written. The priority at
        # closing is what counts: a P1 later found to be smaller is not a Major Incident.
        major = incident.priority is Priority.P1
        if isinstance(command, c.Close) and major:
            queued.append(self.planner.major(session, row, now))
        if isinstance(command, c.Review):
            row.review_name = review_name(
                incident.declared_at.astimezone(self.tz).date(), row.reference, row.title
            )
            queued.append(self.planner.review(session, row, now))
            if major:
                queued.append(self.planner.lessons(session, row, now))
        session.flush()
        text = self._confirm(command, row, incident, entry, plan)
        return Reply(text, reference=row.reference, deliveries=tuple(q.id for q in queued))

    def _open(self, session: Session, command: c.Open, who: str, now: datetime) -> Reply:
        year = now.astimezone(self.tz).year
        number = store.next_number(session, year)
        incident = Incident.declare(
            reference=format_reference(year, number),
            title=command.title,
            priority=command.priority,
            impact=command.impact,
            services=command.services,
            who=who,
            now=now,
            security=command.security,
        )
        row = IncidentRow(year=year, number=number, notified=[], updates_sent=0)
        store.write_incident(row, incident)
        row.report_name = report_name(now.astimezone(self.tz).date(), row.reference, row.title)
        session.add(row)
        session.flush()
        entry = incident.timeline[-1]
        queued = [self.planner.report(session, row, entry, now)]
        plan = self.planner.message(session, row, incident, MessageKind.OPENED, entry, now)
        queued += plan.rows
        session.flush()
        text = self._confirm(command, row, incident, entry, plan)
        return Reply(text, reference=row.reference, deliveries=tuple(q.id for q in queued))

    def _apply(
        self, command: c.Command, incident: Incident, who: str, now: datetime
    ) -> tuple[TimelineEntry, MessageKind | None]:
        match command:
            case c.Update(text=text):
                return incident.post_update(text, who=who, now=now), MessageKind.UPDATE
            case c.SetPriority(priority=priority, reason=reason):
                entry = incident.change_priority(priority, who=who, now=now, reason=reason)
                return entry, MessageKind.PRIORITY
            case c.Assign(role=role, person=person):
                return incident.assign(role, person or who, who=who, now=now), None
            case c.Log(text=text):
                return incident.log(text, who=who, now=now), None
            case c.SetStatus(status=status):
                return incident.set_status(status, who=who, now=now), None
            case c.Close(resolution=resolution):
                return incident.resolve(resolution, who=who, now=now), MessageKind.RESOLVED
            case c.Review():
                return incident.file_review(who=who, now=now), None
        raise Refused(f"Cannot carry out {type(command).__name__} here.")

    def _choose(self, session: Session, command: c.Command, ref: str | None) -> IncidentRow:
        if ref:
            row = store.find_incident(session, ref)
            if row is None:
                raise Refused(f'There is no incident "{ref}". Send "status" to see the open ones.')
            return row
        candidates = store.open_incidents(session)
        if isinstance(command, c.Review):
            # Reviews follow resolution; an open incident gets the domain's "close it first".
            candidates = store.incidents_with_status(session, Status.RESOLVED) or candidates
        if len(candidates) == 1:
            return candidates[0]
        if len(candidates) > 1:
            refs = ", ".join(r.reference for r in candidates)
            raise Refused(f"More than one incident could be meant ({refs}): say which one.")
        latest = store.latest_incident(session)
        if isinstance(command, (c.ShowStatus, c.Log)) and latest is not None:
            return latest
        if isinstance(command, c.Review):
            raise Refused("No resolved incident is waiting for a review: close it first.")
        raise Refused("No incident is open. Start one with 'open <title> p1|p2|p3|p4'.")

    def _confirm(
        self,
        command: c.Command,
        row: IncidentRow,
        incident: Incident,
        entry: TimelineEntry,
        plan: MessagePlan | None,
    ) -> str:
        ref = row.reference
        lines: list[str]
        match command:
            case c.Open():
                lines = [f"{ref} is open at {incident.priority.label}: {incident.title}."]
                if command.priority_defaulted:
                    lines.append(
                        "No priority was given, so it is P3: change it with 'priority p1'."
                    )
                lines.append(f"Running report: {self.reports_folder}/{row.report_name}")
            case c.Close():
                lines = [f"{ref} is resolved. Send 'review' to file the incident review."]
                if incident.priority is Priority.P1:
                    lines.append(
                        "Major Incident report for the central team: "
                        f"{self.reports_folder}/{major_name(row.report_name)}"
                    )
            case c.Review():
                lines = [f"{ref} is closed. Review: {self.reports_folder}/{row.review_name}"]
                if incident.priority is Priority.P1:
                    lines.append(
                        "Its recommendations go into the Major Incident report as the lessons "
                        "learnt."
                    )
            case _:
                lines = [f"{ref}: {entry.text}."]
        if plan is not None:
            people = "person" if plan.emailed == 1 else "people"
            told = f"{plan.emailed} {people} by email" if plan.emailed else "nobody by email"
            where = " and the incidents channel" if plan.carded else ""
            lines.append(f"Telling {told}{where}.")
            if plan.next_update_by is not None:
                due = plan.next_update_by.astimezone(self.tz)
                lines.append(f"Next update due by {due:%H:%M} {zone_name(due)}.")
        if row.report_locked_at is not None:
            since = row.report_locked_at.astimezone(self.tz)
            lines.append(
                f"The report has been open in Word since {since:%H:%M} {zone_name(since)}, so "
                "changes to it are waiting; they go in once it is closed."
            )
        return "\n".join(lines)


def zone_name(local: datetime) -> str:
    # As in the Word documents (adapters.word_fields, not imported here: it loads python-docx).
    name = local.tzname() or ""
    return f"UTC{name}" if name.startswith(("+", "-")) else name
