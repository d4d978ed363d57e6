"""What a change must deliver, written to the outbox in the change's own transaction."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from comms_assistant.adapters import outbox
from comms_assistant.adapters.render import Renderer
from comms_assistant.adapters.store import IncidentRow, OutboxRow
from comms_assistant.domain.audiences import Contact, audience_for, email_recipients
from comms_assistant.domain.incident import Incident, TimelineEntry
from comms_assistant.domain.messages import MessageKind
from comms_assistant.domain.policy import next_update_due

# Exchange refuses more than 500 recipients in one message; keep a margin for the To line.
MAX_RECIPIENTS = 450

REPORT_SYNC = "report.sync"
REVIEW_FILE = "review.file"
MAJOR_FILE = "major.file"
MAJOR_LESSONS = "major.lessons"
MAIL = "mail"
TEAMS_CARD = "teams.card"
# A message to the comms lead about the assistant itself: not stakeholder comms, so it is never
# listed under "Communications sent" and never causes a report refresh.
NOTICE = "notice"
STAKEHOLDER_COMMS = (MAIL, TEAMS_CARD)


def major_name(report_name: str) -> str:
    """`<date> <reference> <title> - major incident report.docx`, beside the running report."""
    return f"{report_name.removesuffix('.docx')} - major incident report.docx"


@dataclass(frozen=True)
class MessagePlan:
    rows: list[OutboxRow]
    emailed: int
    carded: bool
    next_update_by: datetime | None


@dataclass
class DeliveryPlanner:
    renderer: Renderer
    contacts: tuple[Contact, ...]
    mailbox: str
    tz: ZoneInfo
    reports_folder: str

    def report(
        self, session: Session, row: IncidentRow, entry: TimelineEntry, now: datetime
    ) -> OutboxRow:
        # One sync per change: the document converges on the incident's state whatever order
        # earlier syncs ran in, so a key per timeline entry is enough to stay idempotent.
        return outbox.enqueue(
            session,
            key=f"{row.reference}:report:{entry.seq}",
            incident_id=row.id,
            lane=f"{row.reference}:documents",
            kind=REPORT_SYNC,
            payload={"path": f"{self.reports_folder}/{row.report_name}"},
            now=now,
        )

    def review(self, session: Session, row: IncidentRow, now: datetime) -> OutboxRow:
        return outbox.enqueue(
            session,
            key=f"{row.reference}:review",
            incident_id=row.id,
            lane=f"{row.reference}:documents",
            kind=REVIEW_FILE,
            payload={"path": f"{self.reports_folder}/{row.review_name}"},
            now=now,
        )

    def major(self, session: Session, row: IncidentRow, now: datetime) -> OutboxRow:
        return outbox.enqueue(
            session,
            key=f"{row.reference}:major",
            incident_id=row.id,
            lane=f"{row.reference}:documents",
            kind=MAJOR_FILE,
            payload={"path": f"{self.reports_folder}/{major_name(row.report_name)}"},
            now=now,
        )

    def lessons(self, session: Session, row: IncidentRow, now: datetime) -> OutboxRow:
        # Same lane as the review, after it: the lessons are read from the filed review.
        return outbox.enqueue(
            session,
            key=f"{row.reference}:major:lessons",
            incident_id=row.id,
            lane=f"{row.reference}:documents",
            kind=MAJOR_LESSONS,
            payload={"path": f"{self.reports_folder}/{major_name(row.report_name)}"},
            now=now,
        )

    def message(
        self,
        session: Session,
        row: IncidentRow,
        incident: Incident,
        kind: MessageKind,
        entry: TimelineEntry,
        now: datetime,
    ) -> MessagePlan:
        audience = [c for c in email_recipients(audience_for(incident, self.contacts))]
        addresses = _unique([c.email.lower() for c in audience])
        if kind is MessageKind.RESOLVED:
            # Everyone who heard about the incident hears that it is over.
            addresses = _unique([*addresses, *row.notified])
        names = {c.email.lower(): c.name for c in audience}
        next_by = None if kind is MessageKind.RESOLVED else next_update_due(incident.priority, now)
        if kind is not MessageKind.OPENED:
            row.updates_sent += 1
        mail = self.renderer.mail(
            kind, incident, entry, update_number=row.updates_sent, next_update_by=next_by
        )
        rows: list[OutboxRow] = []
        for part, chunk in enumerate(_chunks(addresses, MAX_RECIPIENTS)):
            key = f"{row.reference}:{entry.seq}:mail:{part}"
            payload = {
                "delivery_id": key,
                "subject": mail.subject,
                "html": mail.html,
                "text": mail.text,
                "to": [{"email": self.mailbox, "name": ""}],
                # Bcc: stakeholders of other teams should not see each other's addresses.
                "bcc": [{"email": a, "name": names.get(a, "")} for a in chunk],
            }
            rows.append(self._enqueue(session, row, MAIL, key, payload, now))
        row.notified = _unique([*row.notified, *addresses])
        carded = not incident.security  # security incidents stay out of the shared channel
        if carded:
            card = self.renderer.card(
                kind, incident, entry, next_update_by=next_by, report_url=row.report_url
            )
            key = f"{row.reference}:{entry.seq}:teams"
            payload = {"delivery_id": key, "summary": mail.subject, "card": card}
            rows.append(self._enqueue(session, row, TEAMS_CARD, key, payload, now))
        return MessagePlan(rows, len(addresses), carded, next_by)

    def _enqueue(
        self, session: Session, row: IncidentRow, kind: str, key: str, payload: dict, now: datetime
    ) -> OutboxRow:
        lane = f"{row.reference}:{'mail' if kind == MAIL else 'teams'}"
        return outbox.enqueue(
            session, key=key, incident_id=row.id, lane=lane, kind=kind, payload=payload, now=now
        )


def comms_refresh(
    session: Session, row: IncidentRow, *, cause: OutboxRow | None, path: str, now: datetime
) -> OutboxRow | None:
    """A report refresh because a stakeholder message went out, unless one is already waiting.

    A waiting sync reads the comms when it runs, so it will show this message too; one that is
    running (leased) may have read them already, so then a new one is queued. Only mail and
    cards cause this, and a report sync never sends either, so it cannot loop.
    """
    waiting = session.scalar(
        select(OutboxRow.id).where(
            OutboxRow.incident_id == row.id,
            OutboxRow.kind == REPORT_SYNC,
            OutboxRow.status == outbox.PENDING,
            OutboxRow.lease_owner.is_(None),
        )
    )
    if waiting is not None:
        return None
    key = f"{row.reference}:report:sent:{cause.key if cause else now.isoformat()}"
    return outbox.enqueue(
        session,
        key=key,
        incident_id=row.id,
        lane=f"{row.reference}:documents",
        kind=REPORT_SYNC,
        payload={"path": path, "cause": cause.id if cause else None},
        now=now,
    )


def lock_notice(
    session: Session, row: IncidentRow, *, to: str, document: str, since: str, now: datetime
) -> OutboxRow:
    """One email to the comms lead when a document the assistant must update is open in Word."""
    key = f"{row.reference}:locked:{now.isoformat()}"
    subject = f"{row.reference}: the incident report is open in Word, so updates are waiting"
    paragraphs = [
        f"The assistant could not save its changes to {document}: since {since} someone has it "
        "open in Word (or checked out), and SharePoint will not let anyone else save it.",
        "Nothing is lost. The changes are kept and go in by themselves once the file is closed; "
        "the assistant keeps trying, waiting a little longer each time.",
        "If it stays open, ask whoever has it open to save and close it.",
        "You get this message once each time the report is locked.",
    ]
    payload = {
        "delivery_id": key,
        "subject": subject,
        "html": "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs),
        "text": "\n\n".join(paragraphs),
        "to": [{"email": to, "name": ""}],
        "bcc": [],
    }
    # Its own lane: it must not wait behind the report it is about, nor behind stakeholder mail.
    return outbox.enqueue(
        session,
        key=key,
        incident_id=row.id,
        lane=f"{row.reference}:notices",
        kind=NOTICE,
        payload=payload,
        now=now,
    )


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _chunks(items: list[str], size: int) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]
