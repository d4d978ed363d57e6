"""Delivers what the outbox holds: documents, mail and cards, each exactly once.

Deliveries in different lanes run concurrently; within a lane they keep their order. A failure
that may pass (throttling, a locked file, an unreachable service) is retried later with back-off;
an uncertain mail send is checked against Sent Items before it is sent again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from comms_assistant.adapters import outbox, store
from comms_assistant.adapters.outbox import Delivery
from comms_assistant.adapters.word import build_review, refresh_report
from comms_assistant.service import deliveries as kinds
from comms_assistant.service.ports import (
    DeliveryError,
    DocumentStore,
    Mailer,
    OutgoingMail,
    PreconditionFailed,
    Recipient,
    TeamsCard,
    TeamsPoster,
)

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
MAX_BACKOFF = timedelta(minutes=5)
# A document edited by someone between our read and our write is re-read this many times.
REAPPLY_LIMIT = 5


@dataclass(frozen=True)
class Folders:
    templates: str
    reports: str
    report_template: str
    review_template: str


@dataclass
class Dispatcher:
    engine: Engine
    documents: DocumentStore
    mailer: Mailer
    teams: TeamsPoster
    folders: Folders
    tz: ZoneInfo
    clock: Callable[[], datetime]

    def __post_init__(self) -> None:
        self.owner = outbox.new_owner()

    async def run_once(self) -> int:
        """Deliver everything due now; returns how many deliveries were attempted."""
        due = outbox.claim_due(self.engine, owner=self.owner, now=self.clock())
        await asyncio.gather(*(self._attempt(d) for d in due))
        return len(due)

    async def drain(self, ids: set[int], *, timeout: float) -> None:
        """Deliver until the given deliveries are settled or the time is up."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            if await self.run_once():
                continue
            if all(r.status != outbox.PENDING for r in outbox.rows(self.engine, ids)):
                return
            wake = outbox.next_wake(self.engine)
            wait = (wake - self.clock()).total_seconds() if wake else 1.0
            await asyncio.sleep(min(max(wait, 0.05), 1.0, max(deadline - loop.time(), 0)))

    async def _attempt(self, delivery: Delivery) -> None:
        try:
            result = await self._deliver(delivery)
        except DeliveryError as error:
            self._settle_error(delivery, error)
            return
        except Exception as error:  # a bug or a broken template: stop retrying, keep the reason
            log.exception("delivery %s failed", delivery.key)
            outbox.settle_failed(
                self.engine, delivery.id, error=f"{type(error).__name__}: {error}", now=self.clock()
            )
            return
        with store.transaction(self.engine) as session:
            outbox.settle_done(session, delivery.id, now=self.clock(), result=result)

    def _settle_error(self, delivery: Delivery, error: DeliveryError) -> None:
        now = self.clock()
        if not error.retryable or delivery.attempts + 1 >= MAX_ATTEMPTS:
            outbox.settle_failed(self.engine, delivery.id, error=str(error), now=now)
            log.warning("delivery %s failed: %s", delivery.key, error)
            return
        backoff = timedelta(seconds=min(2**delivery.attempts, MAX_BACKOFF.total_seconds()))
        if error.retry_after is not None:
            backoff = timedelta(seconds=error.retry_after)
        outbox.settle_retry(self.engine, delivery.id, error=str(error), retry_at=now + backoff)
        log.info("delivery %s will be retried in %s: %s", delivery.key, backoff, error)

    async def _deliver(self, delivery: Delivery) -> dict[str, Any]:
        match delivery.kind:
            case kinds.REPORT_SYNC:
                return await self._sync_report(delivery.incident_id)
            case kinds.REVIEW_FILE:
                return await self._file_review(delivery.incident_id)
            case kinds.MAIL:
                return await self._send_mail(delivery)
            case kinds.TEAMS_CARD:
                return await self._post_card(delivery)
        raise DeliveryError(f"unknown delivery kind {delivery.kind!r}", retryable=False)

    async def _sync_report(self, incident_id: int) -> dict[str, Any]:
        with store.transaction(self.engine) as session:
            row = session.get_one(store.IncidentRow, incident_id)
            incident, item_id, name = store.to_domain(row), row.report_item_id, row.report_name
        if item_id is None:
            item = await self.documents.get_by_path(f"{self.folders.reports}/{name}")
            if item is None:
                template = f"{self.folders.templates}/{self.folders.report_template}"
                if await self.documents.get_by_path(template) is None:
                    raise DeliveryError(
                        f"The report template {template} is missing from SharePoint: "
                        "run 'comms-assistant templates publish'.",
                        retryable=False,
                    )
                item = await self.documents.copy(template, self.folders.reports, name)
            item_id = item.id
            with store.transaction(self.engine) as session:
                row = session.get_one(store.IncidentRow, incident_id)
                row.report_item_id, row.report_url = item.id, item.web_url or None
        for _ in range(REAPPLY_LIMIT):
            content, etag = await self.documents.download(item_id)
            try:
                saved = await self.documents.replace(
                    item_id, refresh_report(content, incident, self.tz), if_match=etag
                )
            except PreconditionFailed:
                continue  # someone saved in between: read their version and apply ours again
            return {"item_id": saved.id, "etag": saved.etag}
        raise DeliveryError("the report kept changing under us; will try again later")

    async def _file_review(self, incident_id: int) -> dict[str, Any]:
        with store.transaction(self.engine) as session:
            row = session.get_one(store.IncidentRow, incident_id)
            incident, name = store.to_domain(row), row.review_name or ""
        existing = await self.documents.get_by_path(f"{self.folders.reports}/{name}")
        if existing is not None:
            # Filed by an earlier attempt, and people may already be writing in it.
            return {"item_id": existing.id, "already_filed": True}
        template_path = f"{self.folders.templates}/{self.folders.review_template}"
        template = await self.documents.get_by_path(template_path)
        if template is None:
            raise DeliveryError(
                f"The review template {template_path} is missing from SharePoint: "
                "run 'comms-assistant templates publish'.",
                retryable=False,
            )
        content, _ = await self.documents.download(template.id)
        item = await self.documents.upload(
            self.folders.reports, name, build_review(content, incident, self.tz)
        )
        with store.transaction(self.engine) as session:
            session.get_one(store.IncidentRow, incident_id).review_url = item.web_url or None
        return {"item_id": item.id}

    async def _send_mail(self, delivery: Delivery) -> dict[str, Any]:
        payload = delivery.payload
        # An earlier attempt may have been accepted before it failed: look before sending again.
        if delivery.attempts and await self.mailer.was_sent(payload["delivery_id"]):
            return {"recipients": len(payload["bcc"]), "found_in_sent_items": True}
        await self.mailer.send(
            OutgoingMail(
                delivery_id=payload["delivery_id"],
                subject=payload["subject"],
                html=payload["html"],
                text=payload["text"],
                to=tuple(Recipient(r["email"], r["name"]) for r in payload["to"]),
                bcc=tuple(Recipient(r["email"], r["name"]) for r in payload["bcc"]),
            )
        )
        return {"recipients": len(payload["bcc"])}

    async def _post_card(self, delivery: Delivery) -> dict[str, Any]:
        payload = delivery.payload
        message_id = await self.teams.post_card(
            TeamsCard(payload["delivery_id"], payload["summary"], payload["card"])
        )
        return {"message_id": message_id}
