"""The dispatcher's observer (service/observer.py): counts each outcome for /metrics and names
the delivery and its incident in every log line written while it is attempted."""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager

from sqlalchemy.engine import Engine

from comms_assistant.adapters.metrics.counters import DELIVERIES
from comms_assistant.adapters.sql import watch
from comms_assistant.service import log_context
from comms_assistant.service.outbox_port import Delivery

log = logging.getLogger(__name__)


class PrometheusObserver:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        # An incident's reference never changes: looked up once per incident.
        self._references: dict[int, str] = {}

    def attempting(self, delivery: Delivery) -> AbstractContextManager[object]:
        reference = self._reference(delivery.incident_id)
        return log_context.about(incident=reference, delivery=delivery.id)

    def settled(self, delivery: Delivery, outcome: str) -> None:
        DELIVERIES.labels(kind=delivery.kind, outcome=outcome).inc()

    def _reference(self, incident_id: int) -> str | None:
        if incident_id not in self._references:
            try:
                found = watch.incident_reference(self._engine, incident_id)
            except Exception:  # the lines go without it; the delivery goes on, settling says why
                log.debug("could not look up incident %s's reference", incident_id, exc_info=True)
                return None
            if found is None:
                return None
            self._references[incident_id] = found
        return self._references[incident_id]
