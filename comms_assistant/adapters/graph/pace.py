"""Teams' pace: 4 messages a second per channel or chat; a fifth waits its turn here.

`Pace` counts the posts of this process alone (no store: a check run, a test). `SharedPace`
counts every process's posts in the store they share (service/send_slots.py), so two workers
posting to one channel keep to its 4 a second together. Both book the earliest free slot before
the caller awaits anything, so concurrent posts to one place queue in order rather than all
seeing room at once.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

from comms_assistant.service.send_slots import ReservedSlot, SendLimit, SendSlots

# Teams: 4 messages a second per channel (and per chat).
PER_SECOND = 4
TEAMS_LIMIT = SendLimit(PER_SECOND, timedelta(seconds=1), book_ahead=True)


class Pacer(Protocol):
    def delay(self, key: str) -> float:
        """Seconds to wait before posting to `key` (a channel or chat id); the slot is booked."""
        ...


class Pace:
    """Spaces this process's posts so no conversation gets more than `per_second` a second."""

    def __init__(self, per_second: int = PER_SECOND, clock: Callable[[], float] = time.monotonic):
        self._per_second = per_second
        self._clock = clock
        self._slots: dict[str, deque[float]] = {}

    def delay(self, key: str) -> float:
        now = self._clock()
        slots = self._slots.setdefault(key, deque())
        while slots and slots[0] <= now - 1.0:
            slots.popleft()
        at = now if len(slots) < self._per_second else max(now, slots[-self._per_second] + 1.0)
        slots.append(at)
        return at - now


class SharedPace:
    """The same pace counted across processes, under the key "teams:<channel or chat id>".

    On the wall clock, not the product's: Teams counts real seconds, whatever time a test or a
    replay pretends it is.
    """

    def __init__(
        self,
        slots: SendSlots,
        *,
        limit: SendLimit = TEAMS_LIMIT,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._slots = slots
        self._limit = limit
        self._clock = clock

    def delay(self, key: str) -> float:
        now = self._clock()
        booked = self._slots.reserve_send(f"teams:{key}", now, self._limit)
        # A limit with book_ahead always gives a slot; the wait is until it starts.
        assert isinstance(booked, ReservedSlot)
        return max((booked.at - now).total_seconds(), 0.0)
