"""Lessons learnt follow the review: when people change a filed review, the Major Incident
report's copy of its recommendations is made again.

Reviews are written over days, after the first copy is made, so the worker looks at each
recently reviewed Major Incident's review now and then (one metadata read, no download) and
queues a fresh copy when its eTag has moved since the last one. The copy itself
(`ReportWriter.add_lessons`) replaces only the assistant's own block, so what people wrote in
the Major Incident report is never touched.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from comms_assistant.adapters import outbox, store
from comms_assistant.adapters.store import IncidentRow, OutboxRow
from comms_assistant.domain.incident import Status
from comms_assistant.service.delivery_kinds import DeliveryKind
from comms_assistant.service.ports import DeliveryError

log = logging.getLogger(__name__)

# A review changes over days; a look every quarter of an hour is soon enough, and costs one
# small Graph read per recently reviewed Major Incident.
LOOK_EVERY = timedelta(minutes=15)


class Reviews(Protocol):
    async def review_etag(self, incident_id: int) -> str | None: ...


class QueuesLessons(Protocol):
    def lessons(
        self, session: Session, row: IncidentRow, now: datetime, *, again: str | None = None
    ) -> OutboxRow: ...


@dataclass
class LessonsWatch:
    engine: Engine
    reviews: Reviews
    planner: QueuesLessons
    clock: Callable[[], datetime]
    follow: timedelta  # how long after the first copy the review is followed; 0: not at all
    _looked_at: datetime | None = field(default=None, init=False)

    async def run(self) -> list[str]:
        """Queue a fresh copy for each review changed since its last copy; a line for each."""
        now = self.clock()
        if not self.follow or (self._looked_at and now - self._looked_at < LOOK_EVERY):
            return []
        self._looked_at = now
        with store.transaction(self.engine) as session:
            followed = {
                row.id: last_copied(session, row)
                for row in followed_reviews(session, now, self.follow)
            }
        done = []
        for incident_id, copied_from in followed.items():
            try:
                etag = await self.reviews.review_etag(incident_id)
            except DeliveryError as error:
                log.warning("Could not look at incident %s's review: %s", incident_id, error)
                continue  # looked at again next time
            if etag is None or etag == copied_from:
                continue
            with store.transaction(self.engine) as session:
                row = session.get_one(IncidentRow, incident_id)
                if _waiting(session, row) or last_copied(session, row) == etag:
                    continue
                digest = hashlib.sha1(etag.encode()).hexdigest()[:12]
                self.planner.lessons(session, row, now, again=f"review:{digest}")
                done.append(f"{row.reference}: the review changed; copying its lessons again")
        return done


def followed_reviews(session: Session, now: datetime, follow: timedelta) -> list[IncidentRow]:
    """Closed incidents whose lessons were first copied within `follow`, with no copy queued."""
    first_copy = select(OutboxRow.incident_id).where(
        OutboxRow.kind == DeliveryKind.MAJOR_LESSONS,
        OutboxRow.key.like("%:major:lessons"),
        OutboxRow.status == outbox.DONE,
        OutboxRow.done_at >= now - follow,
    )
    rows = session.scalars(
        select(IncidentRow)
        .where(IncidentRow.status == Status.CLOSED.value, IncidentRow.id.in_(first_copy))
        .order_by(IncidentRow.id)
    )
    return [row for row in rows if not _waiting(session, row)]


def last_copied(session: Session, row: IncidentRow) -> str | None:
    """The review's eTag when its lessons were last copied."""
    result = session.scalar(
        select(OutboxRow.result)
        .where(
            OutboxRow.incident_id == row.id,
            OutboxRow.kind == DeliveryKind.MAJOR_LESSONS,
            OutboxRow.status == outbox.DONE,
        )
        .order_by(OutboxRow.done_at.desc(), OutboxRow.id.desc())
        .limit(1)
    )
    return str(result.get("review_etag") or "") or None if result else None


def _waiting(session: Session, row: IncidentRow) -> bool:
    return (
        session.scalar(
            select(OutboxRow.id).where(
                OutboxRow.incident_id == row.id,
                OutboxRow.kind == DeliveryKind.MAJOR_LESSONS,
                OutboxRow.status == outbox.PENDING,
            )
        )
        is not None
    )
