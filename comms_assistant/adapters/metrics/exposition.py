"""/metrics and /healthz as bytes and a verdict: this process's counters, and the shared
outbox's and workers' state read from the database at each scrape."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.engine import Engine

from comms_assistant.adapters.sql import watch
from comms_assistant.service.health import Health, judge

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class OutboxCollector(Collector):
    """Gauges that describe what every worker shares: the same from any process."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime]) -> None:
        self._engine, self._clock = engine, clock

    def collect(self) -> Iterator[GaugeMetricFamily]:
        now = self._clock()
        facts = watch.outbox_facts(self._engine, now)
        yield GaugeMetricFamily(
            "comms_assistant_outbox_pending_deliveries",
            "Deliveries waiting in the outbox (due now or later).",
            value=facts.pending,
        )
        yield GaugeMetricFamily(
            "comms_assistant_outbox_parked_deliveries",
            "Deliveries given up on (parked) and not yet sent again with `deliver --failed`.",
            value=facts.parked,
        )
        yield GaugeMetricFamily(
            "comms_assistant_outbox_oldest_due_seconds",
            "Seconds the longest-waiting delivery that may go now has waited (0: none waits).",
            value=facts.oldest_due_age(now),
        )
        tick = watch.last_tick(self._engine)
        if tick is not None:
            yield GaugeMetricFamily(
                "comms_assistant_worker_last_tick_age_seconds",
                "Seconds since any worker's last cadence tick.",
                value=(now - tick.at).total_seconds(),
            )


class Watch:
    """What /metrics and /healthz answer for one process (serve, or a worker)."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime], interval: float) -> None:
        self._engine, self._clock, self._interval = engine, clock, interval
        self._started = clock()
        self._shared = CollectorRegistry(auto_describe=False)
        self._shared.register(OutboxCollector(engine, clock))

    def metrics(self) -> bytes:
        return generate_latest(REGISTRY) + generate_latest(self._shared)

    def health(self) -> Health:
        now = self._clock()
        return judge(
            watch.last_tick(self._engine),
            watch.outbox_facts(self._engine, now),
            now=now,
            started=self._started,
            interval=self._interval,
        )
