"""Use cases: one command from a person becomes one transaction and one reply.

The change, its timeline entry and the deliveries it implies are stored together before the
reply is written, so whatever happens next, nothing the person said is lost.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from comms_assistant.adapters import outbox, store
from comms_assistant.adapters.store import IncidentRow, OutboxRow
from comms_assistant.domain import commands as c
from comms_assistant.domain.audiences import Channels, Contact, Directory, audience_for
from comms_assistant.domain.file_names import filing_folder, report_name, review_name
from comms_assistant.domain.incident import (
    DomainError,
    Incident,
    Priority,
    TimelineEntry,
    format_reference,
)
from comms_assistant.domain.messages import MessageKind
from comms_assistant.domain.related import related_services, resolve_target
from comms_assistant.service.cadence import send_holding
from comms_assistant.service.deliveries import DeliveryPlanner, MessagePlan, major_incident
from comms_assistant.service.delivery_kinds import DeliveryKind
from comms_assistant.service.finding import Refused, choose_incident, list_text
from comms_assistant.service.messaging import central_team_outside
from comms_assistant.service.replies import confirmation, neighbours_text
from comms_assistant.service.status_text import describe
from comms_assistant.service.wording import Verdict, WordingCheck, final_words, held_text


@dataclass(frozen=True)
class Reply:
    text: str
    ok: bool = True
    reference: str | None = None
    deliveries: tuple[int, ...] = field(default_factory=tuple)
    held: bool = False  # held back for its wording: "send anyway" or "send suggested"


@dataclass
class CommandService:
    engine: Engine
    planner: DeliveryPlanner
    tz: ZoneInfo
    reports_folder: str
    security_reports_folder: str
    clock: Callable[[], datetime]
    wording: WordingCheck | None = None  # None: no plain-English check

    def execute(
        self, text: str, *, who: str | None, incident: str | None = None, shell: bool = False
    ) -> Reply:
        """`incident`: the one meant (`--incident`, the thread's); a reference before the
        command names it too. `shell`: from comms-assistant run, so answers say --as and
        --incident where a chat would say something else."""
        try:
            command = c.parse(text, priority_names=self.planner.policy.priority_names())
        except c.ParseError as error:
            return Reply(str(error), ok=False)
        if isinstance(command, c.Help):
            return Reply(c.HELP_TEXT)
        named = c.named_incident(text)
        if named and incident and named != incident.upper():
            return Reply(
                f"The command names {named} but {incident} was given too: give one.", ok=False
            )
        incident = named or incident
        if who is None and not isinstance(command, c.READ_ONLY):
            how = " Add --as with your email address: --as you@example.org." if shell else ""
            return Reply(
                f"Say who you are: only a named person can change an incident.{how}", ok=False
            )
        try:
            with store.transaction(self.engine) as session:
                if isinstance(command, c.SendDraft):
                    return self._send_draft(session, command, who or "")
                return self._run(session, command, who or "", incident, text=text, shell=shell)
        except (DomainError, Refused) as error:
            # The transaction rolled back: nothing was half-done.
            return Reply(str(error), ok=False)

    def _run(
        self,
        session: Session,
        command: c.Command,
        who: str,
        ref: str | None,
        *,
        text: str,
        checked: bool = False,
        shell: bool = False,
    ) -> Reply:
        now = self.clock()
        verdict = None if checked or self.wording is None else self.wording.review(command)
        if isinstance(command, c.Open):
            if verdict and verdict.holds and command.priority is not Priority.P1:
                return self._hold(session, verdict, who, None, text, now)
            return self._annotated(self._open(session, command, who, now), verdict)
        if isinstance(command, c.ListIncidents):
            rows = store.open_incidents(session)
            policy = self.planner.policy
            return Reply(list_text(rows, now=now, tz=self.tz, policy=policy, shell=shell))
        row = choose_incident(session, command, ref, text=text, shell=shell)
        incident = store.to_domain(row)
        if isinstance(command, c.ShowStatus):
            return Reply(
                describe(row, incident, self.tz, self.planner.policy), reference=row.reference
            )
        if isinstance(command, c.Lessons):
            return self._lessons(session, row, incident, now)
        if verdict and verdict.holds and incident.priority is not Priority.P1 and incident.is_open:
            return self._hold(session, verdict, who, row.reference, text, now)
        extra: tuple[Contact, ...] = ()
        if isinstance(command, c.Notify):
            extra = self._notify_targets(command, incident, row)
        plan: MessagePlan | None = None
        if isinstance(command, c.Holding):
            # The worker's own holding update, sent now on a lead's word: one path for both.
            sent = send_holding(
                session, self.planner, row, incident, who=who, now=now, note=command.text
            )
            entry, plan, queued = sent.entry, sent.plan, [sent.report, *sent.plan.rows]
        else:
            entry, kind = self._apply(command, incident, who, now)
            store.write_incident(row, incident)
            session.flush()
            queued = [self.planner.report(session, row, entry, now)]
            if kind is not None:
                plan = self.planner.message(session, row, incident, kind, entry, now, extra=extra)
                queued += plan.rows
        # DfE playbook: a P1 is reported to the central team as a Major Incident when it is
        # closed, and the lessons learnt are added once the review is written. Whatever the
        # priority at closing: the central team, told when it became P1, was promised the report.
        major = isinstance(command, (c.Close, c.Review)) and major_incident(session, row, incident)
        if isinstance(command, c.Close) and major:
            queued.append(self.planner.major(session, row, incident, now))
        if isinstance(command, c.Review):
            row.review_name = review_name(
                incident.declared_at.astimezone(self.tz).date(), row.reference, row.title
            )
            queued.append(self.planner.review(session, row, now))
            if major:
                # Closed by a version that filed it only for a P1 at closing: file it first.
                filed = self.planner.major(session, row, incident, now)
                if filed.status == outbox.PENDING:
                    queued.append(filed)
                queued.append(self.planner.lessons(session, row, now))
        session.flush()
        reply = self._confirm(command, row, incident, entry, plan, major=major)
        if isinstance(command, c.Review) and self.wording is not None:
            reply += self._introduction_advice(incident)
        deliveries = tuple(q.id for q in queued)
        return self._annotated(
            Reply(reply, reference=row.reference, deliveries=deliveries), verdict
        )

    def _hold(
        self,
        session: Session,
        verdict: Verdict,
        who: str,
        ref: str | None,
        text: str,
        now: datetime,
    ) -> Reply:
        # Stored before we answer: the person can send it later, from anywhere.
        session.merge(
            store.DraftRow(
                author=who, incident=ref, command=text, suggested=verdict.suggested, created_at=now
            )
        )
        return Reply(held_text(verdict), reference=ref, held=True)

    def _send_draft(self, session: Session, command: c.SendDraft, who: str) -> Reply:
        draft = session.get(store.DraftRow, who)
        if draft is None:
            raise Refused("You have no message waiting to be sent.")
        text = draft.suggested if command.suggested else draft.command
        if text is None:
            raise Refused(
                "There are no suggested words for that message: 'send anyway' sends it as written."
            )
        if command.suggested and not command.confirmed:
            # Nothing goes in words the person has not seen: the draft waits for the yes.
            return Reply(self._final_words(text), reference=draft.incident, held=True)
        incident = draft.incident
        session.delete(draft)
        held = c.parse(text, priority_names=self.planner.policy.priority_names())
        return self._run(session, held, who, incident, text=text, checked=True)

    def _final_words(self, text: str) -> str:
        """The suggested words as they would go, and what a second check still finds in them."""
        names = self.planner.policy.priority_names()
        verdict = self.wording.review(c.parse(text, priority_names=names)) if self.wording else None
        return final_words(text, verdict)

    @staticmethod
    def _annotated(reply: Reply, verdict: Verdict | None) -> Reply:
        if verdict is None:
            return reply
        if verdict.holds:
            note = "\n\nSent now, as this is a P1. For the next message: " + verdict.advice
        else:
            note = "\n\nSent. Advice for the next message: " + verdict.advice
        return replace(reply, text=reply.text + note)

    def _introduction_advice(self, incident: Incident) -> str:
        from comms_assistant.adapters.word.review import draft_what_happened

        assert self.wording is not None
        directory = self.planner.directory
        names = directory.service_names() if directory is not None else {}
        advice = self.wording.review_introduction(draft_what_happened(incident, self.tz, names))
        return f"\nThe review's introduction needs a look. {advice}" if advice else ""

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
            advice=command.advice,
            lead=command.lead,
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
        if self.planner.directory is not None and not incident.security:
            text += neighbours_text(related_services(self.planner.directory, incident.services))
        return Reply(text, reference=row.reference, deliveries=tuple(q.id for q in queued))

    def _lessons(
        self, session: Session, row: IncidentRow, incident: Incident, now: datetime
    ) -> Reply:
        if not major_incident(session, row, incident):
            raise Refused(
                f"{row.reference} has no Major Incident report, so there are no lessons learnt "
                "to copy: only an incident that reached P1, or whose Major Incident "
                "notification was sent, has one."
            )
        if not row.review_name:
            raise Refused(
                f"{row.reference} has no review yet. Send 'review' to file it: its "
                "recommendations go into the Major Incident report then."
            )
        asked = session.scalar(
            select(func.count()).where(
                OutboxRow.incident_id == row.id, OutboxRow.kind == DeliveryKind.MAJOR_LESSONS
            )
        )
        queued = self.planner.lessons(session, row, now, again=f"asked:{asked}")
        session.flush()
        text = (
            f"Copying the recommendations in {row.review_name.removesuffix('.docx')} into the "
            f"Major Incident report of {row.reference} as its lessons learnt. What people wrote "
            "in that report themselves stays as it is."
        )
        return Reply(text, reference=row.reference, deliveries=(queued.id,))

    def _notify_targets(
        self, command: c.Notify, incident: Incident, row: IncidentRow
    ) -> tuple[Contact, ...]:
        if not incident.is_open:
            raise Refused(f"{row.reference} is over: there is nothing new to tell anyone.")
        directory = self.planner.directory or Directory(contacts=self.planner.contacts)
        found = resolve_target(directory, command.target)
        if not found:
            raise Refused(
                f'"{command.target}" is not a service, a contact or an email address. '
                "Use a service's key or name from services.csv, or an address."
            )
        # Named in `notify`, someone known by name only is told by email.
        found = tuple(
            replace(c, channels=Channels.EMAIL) if c.channels is Channels.NONE else c for c in found
        )
        told = set(row.notified)
        if all({c.email.lower(), f"teams:{c.teams_destination}"} & told for c in found):
            raise Refused(f"Everyone in {command.target} has already been told.")
        planner = self.planner
        chosen = audience_for(incident, planner.contacts, planner.routing)
        outside = central_team_outside(planner, incident, chosen)
        if all(c.email.lower() in outside for c in found):
            raise Refused(
                f"{row.reference} is a security incident: the central Major Incident team hears "
                "only that it exists and when it is over. Its details stay with the security "
                "contacts and the people leading it."
            )
        return found

    def _apply(
        self, command: c.Command, incident: Incident, who: str, now: datetime
    ) -> tuple[TimelineEntry, MessageKind | None]:
        match command:
            case c.Update(text=text, impact=impact, advice=advice):
                entry = incident.post_update(text, who=who, now=now, impact=impact, advice=advice)
                return entry, MessageKind.UPDATE
            case c.ChangeFacts(title=title, impact=impact, services=services, advice=advice):
                changed = incident.change_facts(
                    who=who, now=now, title=title, impact=impact, services=services, advice=advice
                )
                return changed[-1], None
            case c.SetPriority(priority=priority, reason=reason):
                entry = incident.change_priority(priority, who=who, now=now, reason=reason)
                return entry, MessageKind.PRIORITY
            case c.Assign(role=role, person=person):
                return incident.assign(role, person or who, who=who, now=now), None
            case c.AssignExtra(role=role, person=person):
                known = self.planner.policy.extra_roles
                if role not in known:
                    names = ", ".join(known) or "none"
                    raise Refused(
                        f'"{role}" is not a role in the {self.planner.policy.name} process '
                        f"(its own roles: {names}). The usual ones: lead, comms, tech, support, "
                        "scribe."
                    )
                return incident.assign_extra(role, person or who, who=who, now=now), None
            case c.Log(text=text):
                return incident.log(text, who=who, now=now), None
            case c.SetStatus(status=status):
                return incident.set_status(status, who=who, now=now), None
            case c.Close(resolution=resolution):
                self._may_resolve(incident, who)
                return incident.resolve(resolution, who=who, now=now), MessageKind.RESOLVED
            case c.Review():
                return incident.file_review(who=who, now=now), None
            case c.Notify(target=target):
                entry = incident.log(f"Told {target} about the incident", who=who, now=now)
                return entry, MessageKind.CATCH_UP
        raise Refused(f"Cannot carry out {type(command).__name__} here.")

    def _confirm(
        self,
        command: c.Command,
        row: IncidentRow,
        incident: Incident,
        entry: TimelineEntry,
        plan: MessagePlan | None,
        *,
        major: bool = False,
    ) -> str:
        return confirmation(
            command,
            row,
            incident,
            entry,
            plan,
            major=major,
            tz=self.tz,
            folder=filing_folder(row.security, self.reports_folder, self.security_reports_folder),
            policy=self.planner.policy,
        )

    def _may_resolve(self, incident: Incident, who: str) -> None:
        # Wellcome: a delivery manager declares resolution; MoJ: the incident lead.
        policy = self.planner.policy
        if not policy.may_resolve(incident.roles_of(who)):
            roles = " or ".join(policy.resolvers)
            raise Refused(
                f"Under the {policy.name} process only the {roles} may declare the incident "
                f"resolved. Ask them to send 'close', or take the role first."
            )
