"""Each cadence tick, counted and recorded in the database where /healthz of any process (the
bot's, another worker's) sees it."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.engine import Engine

from comms_assistant.adapters.metrics.counters import TICKS
from comms_assistant.adapters.sql import watch

log = logging.getLogger(__name__)


class TickRecorder:
    def __init__(self, engine: Engine, clock: Callable[[], datetime], interval: float) -> None:
        self._engine, self._clock, self._interval = engine, clock, interval
        self.worker = f"{socket.gethostname()}:{os.getpid()}"
        self._last: datetime | None = None
        self._ok = True

    def record(self, *, ok: bool) -> None:
        TICKS.labels(outcome="ok" if ok else "failed").inc()
        self._ok = ok
        self._write(self._clock())

    def beat(self) -> None:
        """Alive between ticks: a pass draining a backlog (700 emails at Exchange's 30 a minute)
        can outlast many intervals, and its worker is working, not stopped. Written at most
        once an interval."""
        now = self._clock()
        if self._last is None or (now - self._last).total_seconds() >= self._interval:
            self._write(now)

    def _write(self, at: datetime) -> None:
        self._last = at
        try:
            watch.record_tick(
                self._engine, self.worker, at=at, ok=self._ok, interval=self._interval
            )
        except Exception:  # the database gone for a moment: /healthz says so soon enough
            log.warning("could not record the worker's tick in the database", exc_info=True)
