"""Delivers what the outbox holds: documents, mail and cards, each exactly once.

Deliveries in different lanes run concurrently; within a lane they keep their order. A failure
that may pass (throttling, a locked file, an unreachable service) is retried later with back-off;
an uncertain mail send is checked against Sent Items before it is sent again.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import TemplateError

from comms_assistant.service import (
    deliveries,
    fencing,
    living_card,
    major_report,
    pacing,
    parked,
    register_sync,
)
from comms_assistant.service.action_tasks import ActionTasks
from comms_assistant.service.couriers import MessageCouriers
from comms_assistant.service.delivery_kinds import RegisterItems, spec_of
from comms_assistant.service.documents import Folders, ReportWriter
from comms_assistant.service.meeting_desk import MeetingDesk
from comms_assistant.service.observer import DONE, PARKED, RETRY, DeliveryObserver, Unobserved
from comms_assistant.service.outbox_port import CLAIM_LIMIT, LEASE, Delivery, Outbox
from comms_assistant.service.ports import (
    DEFAULT_SECURITY_MARKING,
    DeliveryError,
    DocumentStore,
    Locked,
    Mailer,
    ReportFiledRender,
    TeamsPoster,
)
from comms_assistant.service.retries import retrying
from comms_assistant.service.status_page_port import StatusPage
from comms_assistant.service.unit_of_work import Conflict, UnitOfWorkFactory
from comms_assistant.service.word_port import DEFAULT_AUTHOR, WordDocuments
from comms_assistant.service.work_planner import WorkPlanner
from comms_assistant.service.work_ports import Calendar, TaskBoard

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# A file open in Word (423) stays locked for as long as the person keeps it open: a wait, not a
# fault, so it gets its own budget (with back-off capped at MAX_BACKOFF, about a day).
MAX_LOCKED_ATTEMPTS = 300
MAX_BACKOFF = timedelta(minutes=5)


@dataclass
class Dispatcher(MessageCouriers):
    # Settling a delivery together with what it changes in its incident: one unit of work.
    uow: UnitOfWorkFactory
    # Claims, retries and the lanes' timing, each in its own transaction (adapters/sql/outbox.py).
    outbox: Outbox
    documents: DocumentStore
    mailer: Mailer
    teams: TeamsPoster
    folders: Folders
    tz: ZoneInfo
    clock: Callable[[], datetime]
    # The Word documents' builders (adapters/word/documents_port.py), on their bytes.
    word: WordDocuments
    # The message that the Major Incident report is filed (made when its link is known).
    report_filed: ReportFiledRender
    lease: timedelta = LEASE
    # Spreads the retries of a 503 storm's failures apart; tests pass a fixed one.
    jitter: Callable[[], float] = field(default=lambda: random.uniform(0.8, 1.2))
    # Exchange's 30 messages a minute and Graph's 4 at once per mailbox: wait, do not trip them.
    # Counted in the outbox's store, across every worker (service/send_slots.py).
    mail_pace: pacing.MailPace = field(default_factory=pacing.MailPace)
    # The security_marking setting: notices to a security incident's lead carry it too.
    security_marking: str = DEFAULT_SECURITY_MARKING
    # Email -> name from the contacts directory, for the documents.
    people: Mapping[str, str] = field(default_factory=dict)
    # Service key -> name from services.csv, for the documents' drafts.
    service_names: Mapping[str, str] = field(default_factory=dict)
    author: str = DEFAULT_AUTHOR  # the documents' author: the mailbox_name setting
    # Draws an incident's living card in its channels when a refresh goes (living_card.py).
    living: living_card.LivingCards | None = None
    # The work around an incident (issue 21): the organiser's calendar, the actions' plan, and
    # what draws their events and refreshes (None: those deliveries are parked, saying why).
    calendar: Calendar | None = None
    board: TaskBoard | None = None
    work: WorkPlanner | None = None
    actions_bucket: str | None = None
    # The public status page (adapters/status_pages/), when one is set up.
    status_page: StatusPage | None = None
    # Counts each outcome for /metrics and names the delivery in log lines (service/observer.py).
    observer: DeliveryObserver = field(default_factory=Unobserved)
    register: RegisterItems = register_sync.OFF  # the incident register (register_sync.py)

    def __post_init__(self) -> None:
        self.owner = self.outbox.new_owner()
        self.meetings = MeetingDesk(self.uow, self.calendar, self.work, self.clock)
        self.tasks = ActionTasks(
            self.uow, self.board, self.work, self.tz, self.clock, bucket=self.actions_bucket
        )
        self.reports = ReportWriter(
            self.uow,
            self.documents,
            self.folders,
            self.tz,
            self.word,
            clock=self.clock,
            security_marking=self.security_marking,
            people=self.people,
            service_names=self.service_names,
            author=self.author,
            action_states=self.tasks.read_states,
        )

    async def run_once(self, *, limit: int = CLAIM_LIMIT) -> int:
        """Deliver what is due now, `limit` at most; returns how many were attempted."""
        due = self.outbox.claim_due(
            owner=self.owner, now=self.clock(), lease=self.lease, limit=limit
        )
        await asyncio.gather(*(self._attempt(d) for d in due))
        return len(due)

    async def drain(self, ids: set[int], *, timeout: float) -> set[int]:
        """Deliver until the given deliveries, and those they caused (the report refreshes of
        their messages, the message that a report is filed), are settled or the time is up.
        Returns all of those, for whoever reports on them."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        ids = set(ids)
        while loop.time() < deadline:
            if await self.run_once():
                continue
            ids |= self.outbox.caused_by(ids)
            if not self.outbox.any_pending(ids):
                return ids
            wake = self.outbox.next_wake()
            wait = (wake - self.clock()).total_seconds() if wake else 1.0
            await asyncio.sleep(min(max(wait, 0.05), 1.0, max(deadline - loop.time(), 0)))
        return ids | self.outbox.caused_by(ids)

    def _renew(self, delivery: Delivery) -> bool:
        if delivery.owner is None:
            return True
        return self.outbox.renew(delivery.id, delivery.owner, self.clock() + self.lease)

    async def _attempt(self, delivery: Delivery) -> None:
        try:
            with self.observer.attempting(delivery):
                await self._attempt_once(delivery)
        except Conflict:
            # Settling lost its races (retries.py): the delivery stays leased to us, and goes
            # again, as uncertain, when the lease runs out. Never a traceback in the worker.
            log.warning(
                "delivery %s: could not be settled; tried again after its lease", delivery.key
            )

    async def _attempt_once(self, delivery: Delivery) -> None:
        try:
            renewals = self.lease.total_seconds() / 3
            async with fencing.leased(lambda: self._renew(delivery), renewals):
                result = await self._deliver(delivery)
        except fencing.LeaseLost:
            log.warning(
                "delivery %s: its lease passed to another sender before it went; not sent here",
                delivery.key,
            )
            return
        except pacing.Deferred as wait:
            self.outbox.defer(delivery.id, wait.until, delivery.owner)
            return
        except DeliveryError as error:
            self._settle_error(delivery, error)
            return
        except Exception as error:  # a bug or a broken template: stop retrying, keep the reason
            log.exception("delivery %s failed", delivery.key)
            self._park(delivery, f"{type(error).__name__}: {error}", self.clock())
            return
        try:
            self._settle_done(delivery, result)
        except TemplateError as error:
            # An organisation's templates/mail/report_filed.txt (or the layout) is broken: the
            # report is filed, but the message saying so cannot be made. Stop, keep the reason.
            log.exception("delivery %s: the message saying it is filed failed", delivery.key)
            why = "the report is filed, but the message telling the central team could not be made"
            self._park(delivery, f"{why}: {type(error).__name__}: {error}", self.clock())

    def _settle_done(self, delivery: Delivery, result: dict[str, Any]) -> None:
        what = f"delivery {delivery.key}"
        if retrying(lambda: self._settle_done_once(delivery, result), what=what):
            self.observer.settled(delivery, DONE)

    def _settle_done_once(self, delivery: Delivery, result: dict[str, Any]) -> bool:
        with self.uow() as uow:
            now, owner = self.clock(), delivery.owner
            if not uow.deliveries.settle_done(delivery.id, now=now, result=result, owner=owner):
                return False  # another worker took the lease over: its outcome stands
            spec = spec_of(delivery.kind)
            if spec is None or not (spec.announce or spec.stakeholder or spec.listed):
                return True
            incident = uow.incidents.by_id(delivery.incident_id)
            if spec.announce:
                # With marking it done: the link is sent exactly when, and once, it is filed.
                major_report.announce_major_report(
                    uow,
                    incident,
                    filed=result,
                    announce=delivery.payload.get("announce") or {},
                    cause=delivery.id,
                    now=self.clock(),
                    render=self.report_filed,
                )
            if spec.stakeholder or spec.listed:
                # In the same transaction: a message shown as sent is never missing from the
                # report's "Communications sent" for good.
                folder = self.folders.for_incident(incident.security)
                deliveries.comms_refresh(
                    uow,
                    incident,
                    cause=uow.deliveries.get(delivery.id),
                    path=f"{folder}/{incident.record.report_name}",
                    now=self.clock(),
                )
            return True

    def _settle_error(self, delivery: Delivery, error: DeliveryError) -> None:
        now = self.clock()
        limit = MAX_LOCKED_ATTEMPTS if isinstance(error, Locked) else MAX_ATTEMPTS
        if not error.retryable or delivery.attempts + 1 >= limit:
            self._park(delivery, str(error), now)
            return
        backoff = timedelta(
            seconds=min(2**delivery.attempts, MAX_BACKOFF.total_seconds()) * self.jitter()
        )
        if error.retry_after is not None:
            backoff = timedelta(seconds=error.retry_after)
        retry_at, owner = now + backoff, delivery.owner
        if self.outbox.settle_retry(delivery.id, error=str(error), retry_at=retry_at, owner=owner):
            log.info("delivery %s will be retried in %s: %s", delivery.key, backoff, error)
            self.observer.settled(delivery, RETRY)

    def _park(self, delivery: Delivery, error: str, now: datetime) -> None:
        """Give up on a delivery, keep why, and tell the lead: nothing is dropped silently."""
        log.warning("delivery %s failed: %s", delivery.key, error)
        if retrying(lambda: self._park_once(delivery, error, now), what=f"delivery {delivery.key}"):
            self.observer.settled(delivery, PARKED)

    def _park_once(self, delivery: Delivery, error: str, now: datetime) -> bool:
        with self.uow() as uow:
            if not uow.deliveries.mark_failed(
                delivery.id, error=error, now=now, owner=delivery.owner
            ):
                return False  # another worker took the lease over: its outcome stands
            spec = spec_of(delivery.kind)
            if spec is None or not spec.to_lead:  # a notice about a notice would go the same way
                parked.tell_lead(uow, delivery, error, marking=self.security_marking, now=now)
            return True

    async def _deliver(self, delivery: Delivery) -> dict[str, Any]:
        spec = spec_of(delivery.kind)
        if spec is None:
            raise DeliveryError(f"unknown delivery kind {delivery.kind!r}", retryable=False)
        return await spec.deliver(self, delivery)
