"""Whether the service is well, in words a person on call can act on (/healthz).

Well: a worker ticked recently (within 3 of its intervals) and the outbox is moving (nothing that
may go now has waited longer than STUCK_AFTER). The facts are read from the store by
adapters/sql/watch.py; this decides, with the time given.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

# A delivery that may go now, waiting longer than this: the dispatcher is not getting through.
STUCK_AFTER = timedelta(minutes=15)
# Ticks a worker may miss before it is called stopped, and the least silence that is (a worker
# ticking every few seconds is not stopped by one slow database write).
MISSED_TICKS = 3
LEAST_SILENCE = 60.0


@dataclass(frozen=True)
class Tick:
    worker: str
    at: datetime
    ok: bool
    interval: float  # seconds: the worker's worker_interval


@dataclass(frozen=True)
class OutboxFacts:
    pending: int
    parked: int
    # When the longest-waiting delivery that may go now became due (None: nothing is due).
    oldest_due: datetime | None

    def oldest_due_age(self, now: datetime) -> float:
        return (now - self.oldest_due).total_seconds() if self.oldest_due else 0.0


@dataclass(frozen=True)
class Health:
    ok: bool
    reasons: tuple[str, ...]
    body: dict[str, object]


def judge(
    tick: Tick | None, outbox: OutboxFacts, *, now: datetime, started: datetime, interval: float
) -> Health:
    """`started`: when this process began (a worker just started has not missed a tick yet);
    `interval`: this process's worker_interval, used until some worker has ticked."""
    reasons = []
    since = tick.at if tick else started
    allowed = max(MISSED_TICKS * (tick.interval if tick else interval), LEAST_SILENCE)
    silent = (now - since).total_seconds()
    if silent > allowed:
        if tick is None:
            reasons.append(
                f"No worker has ticked in the {_span(silent)} since this started: start "
                "`comms-assistant worker` (or `serve`, which runs one)."
            )
        else:
            reasons.append(
                f"The worker's last tick was {_span(silent)} ago (it ticks every "
                f"{_span(tick.interval)}): it has stopped or cannot reach the database."
            )
    waited = outbox.oldest_due_age(now)
    if waited > STUCK_AFTER.total_seconds():
        reasons.append(
            f"A delivery that is due has waited {_span(waited)}: the outbox is not moving. "
            "`comms-assistant deliver` tries what waits and says why each has not gone."
        )
    body: dict[str, object] = {
        "status": "unhealthy" if reasons else "ok",
        "last_tick_seconds_ago": round(silent, 1) if tick else None,
        "oldest_due_delivery_seconds": round(waited, 1),
        "pending_deliveries": outbox.pending,
        "parked_deliveries": outbox.parked,
    }
    if reasons:
        body["reasons"] = reasons
    return Health(not reasons, tuple(reasons), body)


def _span(seconds: float) -> str:
    if seconds < 120:
        said = f"{round(seconds, 1):g}" if seconds < 10 else f"{seconds:.0f}"
        return "1 second" if said == "1" else f"{said} seconds"
    if seconds < 7200:
        return f"{seconds / 60:.0f} minutes"
    return f"{seconds / 3600:.1f} hours"
