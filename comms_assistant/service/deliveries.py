"""What a change must deliver, written to the outbox in the change's own transaction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from comms_assistant.domain.audiences import (
    DEFAULT_RULES,
    Contact,
    Directory,
    RoutingRules,
)
from comms_assistant.domain.file_names import filing_folder
from comms_assistant.domain.incident import Incident, TimelineEntry
from comms_assistant.domain.messages import MessageKind
from comms_assistant.domain.policy import DEFAULT_POLICY, Policy
from comms_assistant.domain.publication import PublicAsk
from comms_assistant.service import living_card, publication, register_sync
from comms_assistant.service.delivery_kinds import DeliveryKind
from comms_assistant.service.major_report import (
    major_incident,
    major_name,
    whom_to_ask,
)
from comms_assistant.service.messaging import (
    MAX_RECIPIENTS,
    MessagePlan,
    plan_message,
)
from comms_assistant.service.ports import MessageRenderer
from comms_assistant.service.unit_of_work import Queued, UnitOfWork

__all__ = [
    "MAIL",
    "MAX_RECIPIENTS",
    "TEAMS_CARD",
    "DeliveryPlanner",
    "MessagePlan",
    "major_incident",
    "major_name",
]

# Older names, still imported by tests; DeliveryKind is where kinds are defined.
MAIL, TEAMS_CARD = DeliveryKind.MAIL, DeliveryKind.TEAMS_CARD


@dataclass
class DeliveryPlanner:
    renderer: MessageRenderer
    contacts: tuple[Contact, ...]
    mailbox: str
    tz: ZoneInfo
    reports_folder: str
    security_reports_folder: str
    routing: RoutingRules = DEFAULT_RULES
    # The service catalogue and contacts, for `notify` and the neighbours listed on `open`.
    directory: Directory | None = None
    # The process profile: its cadence sets the "next update by" each message promises.
    policy: Policy = DEFAULT_POLICY
    # The public status page, when one is set up (service/publication.py).
    page: publication.PublicPage | None = None

    def report(
        self, uow: UnitOfWork, incident: Incident, entry: TimelineEntry, now: datetime
    ) -> Queued:
        # One sync per change: the document converges on the incident's state whatever order
        # earlier syncs ran in, so a key per timeline entry is enough to stay idempotent.
        name = incident.record.report_name
        sync = self._document(
            uow, incident, f"report:{entry.seq}", DeliveryKind.REPORT_SYNC, name, now
        )
        # The incident's card in its channels shows the change too (one living card each),
        # and its item in the register.
        living_card.queue_refreshes(uow, incident, entry, now, cause=sync)
        register_sync.queue_sync(uow, incident, now, why=str(entry.seq))
        return sync

    def review(self, uow: UnitOfWork, incident: Incident, now: datetime) -> Queued:
        name = incident.record.review_name or ""
        return self._document(uow, incident, "review", DeliveryKind.REVIEW_FILE, name, now)

    def refresh(
        self, uow: UnitOfWork, incident: Incident, key: str, now: datetime, **extra: Any
    ) -> Queued:
        """A report refresh not caused by a timeline entry (a follow-up action changed):
        keyed `<ref>:report:<key>`, once."""
        name, kind = incident.record.report_name, DeliveryKind.REPORT_SYNC
        return self._once(uow, incident, f"report:{key}", kind, name, now, extra)

    def review_actions(
        self, uow: UnitOfWork, incident: Incident, key: str, now: datetime, **extra: Any
    ) -> Queued:
        """The filed review's follow-up actions' table brought up to date, once per `key`."""
        name = incident.record.review_name or ""
        kind = DeliveryKind.REVIEW_ACTIONS
        return self._once(uow, incident, f"review:actions:{key}", kind, name, now, extra)

    def _once(
        self,
        uow: UnitOfWork,
        incident: Incident,
        key: str,
        kind: DeliveryKind,
        name: str,
        now: datetime,
        extra: dict[str, Any],
    ) -> Queued:
        existing = uow.deliveries.by_key(f"{incident.reference}:{key}")
        if existing is not None:
            return existing
        return self._document(uow, incident, key, kind, name, now, **extra)

    def major(self, uow: UnitOfWork, incident: Incident, now: datetime) -> Queued:
        """File the Major Incident report (once: the one already queued, if it is). Its payload
        keeps what the message to the central team needs besides the report's link, which is
        known only once the report is filed (`announce_major_report`)."""
        name = major_name(incident.record.report_name)
        announce = {
            # The renderer's, so this message is marked as every other one about the incident.
            "marking": self.renderer.security_marking if incident.security else "",
            "ask": whom_to_ask(incident, self.contacts),
            "mailbox": self.mailbox,
        }
        kind = DeliveryKind.MAJOR_FILE
        return self._once(uow, incident, "major", kind, name, now, {"announce": announce})

    def lessons(
        self, uow: UnitOfWork, incident: Incident, now: datetime, *, again: str | None = None
    ) -> Queued:
        """Copy the review's recommendations into the Major Incident report; `again`: what
        makes a later copy (a changed review, someone's `lessons`) a delivery of its own."""
        # Same lane as the review, after it: the lessons are read from the filed review.
        name = major_name(incident.record.report_name)
        key = "major:lessons" + (f":{again}" if again else "")
        return self._document(uow, incident, key, DeliveryKind.MAJOR_LESSONS, name, now)

    def _document(
        self,
        uow: UnitOfWork,
        incident: Incident,
        key: str,
        kind: DeliveryKind,
        name: str,
        now: datetime,
        **extra: Any,
    ) -> Queued:
        # One lane for an incident's documents: they are written strictly one after another.
        return uow.deliveries.add(
            incident,
            key=f"{incident.reference}:{key}",
            lane=f"{incident.reference}:documents",
            kind=kind,
            payload={"path": f"{self.folder_for(incident.security)}/{name}", **extra},
            now=now,
        )

    def folder_for(self, security: bool) -> str:
        """Where an incident's documents are filed (a security incident's: restricted)."""
        return filing_folder(security, self.reports_folder, self.security_reports_folder)

    def message(
        self,
        uow: UnitOfWork,
        incident: Incident,
        kind: MessageKind,
        entry: TimelineEntry,
        now: datetime,
        *,
        extra: Iterable[Contact] = (),
        public: PublicAsk | None = None,
    ) -> MessagePlan:
        """Mail and Teams messages for `kind` to the incident's audience (see messaging.py),
        and its post to the public status page where it goes there (`public`: what the command
        said about the page)."""
        plan = plan_message(self, uow, incident, kind, entry, now, extra=extra)
        if self.page is None:
            if public is not None and (public.publish or public.text):
                plan.public = publication.NO_PAGE
            return plan
        directory = self.directory or Directory(contacts=self.contacts)
        note = publication.follow_message(
            self.page,
            uow,
            incident,
            kind,
            entry,
            now,
            ask=public or PublicAsk(),
            directory=directory,
        )
        if note is not None:
            plan.public = note.said
            plan.rows += [note.queued] if note.queued else []
        return plan


def comms_refresh(
    uow: UnitOfWork, incident: Incident, *, cause: Queued | None, path: str, now: datetime
) -> Queued | None:
    """A report refresh because a stakeholder message went out, unless one is already waiting.

    A waiting sync reads the comms when it runs, so it will show this message too; one that is
    running (leased) may have read them already, so then a new one is queued. Only mail and
    cards cause this, and a report sync never sends either, so it cannot loop. The register's
    item is written again too: its first message's time and count of messages changed.
    """
    register_sync.queue_sync(uow, incident, now, why=f"sent:{cause.key if cause else now}")
    if uow.deliveries.waiting(incident, DeliveryKind.REPORT_SYNC):
        return None
    key = f"{incident.reference}:report:sent:{cause.key if cause else now.isoformat()}"
    return uow.deliveries.add(
        incident,
        key=key,
        lane=f"{incident.reference}:documents",
        kind=DeliveryKind.REPORT_SYNC,
        payload={"path": path, "cause": cause.id if cause else None},
        now=now,
    )
