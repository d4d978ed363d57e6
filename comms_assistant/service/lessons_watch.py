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

from comms_assistant.domain.incident import Incident, Status
from comms_assistant.service.delivery_kinds import DeliveryKind
from comms_assistant.service.ports import DeliveryError
from comms_assistant.service.unit_of_work import (
    DONE,
    PENDING,
    Queued,
    UnitOfWork,
    UnitOfWorkFactory,
)

log = logging.getLogger(__name__)

# A review changes over days; a look every quarter of an hour is soon enough, and costs one
# small Graph read per recently reviewed Major Incident.
LOOK_EVERY = timedelta(minutes=15)


class Reviews(Protocol):
    async def review_etag(self, incident_id: int) -> str | None: ...


class QueuesLessons(Protocol):
    def lessons(
        self, uow: UnitOfWork, incident: Incident, now: datetime, *, again: str | None = None
    ) -> Queued: ...


@dataclass
class LessonsWatch:
    uow: UnitOfWorkFactory
    reviews: Reviews
    planner: QueuesLessons
    clock: Callable[[], datetime]
    follow: timedelta  # how long after the first copy the review is followed; 0: not at all
    _looked_at: datetime | None = field(default=None, init=False)

    async def run(self) -> list[str]:
        """Queue a fresh copy for each review changed since its last copy; a line for each."""
        now = self.clock()
        if not self._time_to_look(now):
            return []
        self._looked_at = now
        with self.uow() as uow:
            followed = {
                incident_id: last_copied(uow, incident)
                for incident_id, incident in followed_reviews(uow, now, self.follow)
            }
        done = []
        for incident_id, copied_from in followed.items():
            try:
                etag = await self.reviews.review_etag(incident_id)
            except DeliveryError as error:
                log.warning("Could not look at incident %s's review: %s", incident_id, error)
                continue  # looked at again next time
            if etag is not None and etag != copied_from:
                done.extend(self._copy_again(incident_id, etag, now))
        return done

    def _time_to_look(self, now: datetime) -> bool:
        if not self.follow:
            return False
        return self._looked_at is None or now - self._looked_at >= LOOK_EVERY

    def _copy_again(self, incident_id: int, etag: str, now: datetime) -> list[str]:
        """Queue the lessons again for the review's new `etag`, unless already queued or copied."""
        with self.uow() as uow:
            incident = uow.incidents.by_id(incident_id)
            if _waiting(uow, incident) or last_copied(uow, incident) == etag:
                return []
            digest = hashlib.sha1(etag.encode()).hexdigest()[:12]
            self.planner.lessons(uow, incident, now, again=f"review:{digest}")
            return [f"{incident.reference}: the review changed; copying its lessons again"]


def followed_reviews(
    uow: UnitOfWork, now: datetime, follow: timedelta
) -> list[tuple[int, Incident]]:
    """Closed incidents whose lessons were first copied within `follow`, with no copy queued;
    with the id their deliveries (and the review's look-up) know them by."""
    first_copies = [
        copy
        for copy in uow.deliveries.done_since(DeliveryKind.MAJOR_LESSONS, now - follow)
        if copy.key.endswith(":major:lessons")
    ]
    found = []
    for incident_id in sorted({c.incident_id for c in first_copies if c.incident_id is not None}):
        incident = uow.incidents.by_id(incident_id)
        if incident.status is Status.CLOSED and not _waiting(uow, incident):
            found.append((incident_id, incident))
    return found


def last_copied(uow: UnitOfWork, incident: Incident) -> str | None:
    """The review's eTag when its lessons were last copied."""
    copies = uow.deliveries.of_incident(incident, [DeliveryKind.MAJOR_LESSONS], DONE)
    if not copies:
        return None
    latest = max(copies, key=lambda q: (q.done_at or q.created_at, q.id))
    result = latest.result
    return str(result.get("review_etag") or "") or None if result else None


def _waiting(uow: UnitOfWork, incident: Incident) -> bool:
    return bool(uow.deliveries.of_incident(incident, [DeliveryKind.MAJOR_LESSONS], PENDING))
