"""Mail pacing: stay inside Exchange Online's limits instead of tripping them.

Exchange accepts 30 messages a minute from one mailbox (the 31st gets 429), and Graph serves 4
requests at once per mailbox. A big fan-out (many audiences, many incidents) would hit both; the
dispatcher retries a 429 anyway, but a message that is simply held back until a slot is free
wastes no attempt and no request. Sends already made are read from the outbox (so several
processes sharing one database see each other's), plus the ones this process has in flight.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from comms_assistant.service.delivery_kinds import EMAILS
from comms_assistant.service.outbox_port import Outbox

PER_MINUTE = 30
CONCURRENT = 4
WINDOW = timedelta(minutes=1)
MAIL_KINDS = EMAILS  # what the mailbox sends, all counted against its limits


class Deferred(Exception):  # noqa: N818 - not an error: a delivery told to wait its turn
    """No mail slot is free until `until`: the delivery waits, without counting an attempt."""

    def __init__(self, until: datetime) -> None:
        super().__init__(f"the mailbox's 30 a minute are used until {until:%H:%M:%S}")
        self.until = until


@dataclass
class MailPace:
    per_minute: int = PER_MINUTE
    concurrent: int = CONCURRENT
    in_flight: int = 0
    _gate: asyncio.Semaphore | None = field(default=None, repr=False)
    _gate_loop: asyncio.AbstractEventLoop | None = field(default=None, repr=False)

    @asynccontextmanager
    async def slot(self, outbox: Outbox, now: datetime) -> AsyncIterator[None]:
        """A place in this minute's 30 (or Deferred), then one of the 4 concurrent requests."""
        self._reserve(outbox, now)
        try:
            async with self._semaphore():
                yield
        finally:
            self.in_flight -= 1

    def _reserve(self, outbox: Outbox, now: datetime) -> None:
        recent = sorted(outbox.done_since(MAIL_KINDS, now - WINDOW))
        used = len(recent) + self.in_flight
        if used >= self.per_minute:
            # The oldest sends leave the window first; in-flight ones count as sent now.
            times = recent + [now] * self.in_flight
            times.sort()
            raise Deferred(times[used - self.per_minute] + WINDOW + timedelta(milliseconds=10))
        self.in_flight += 1

    def _semaphore(self) -> asyncio.Semaphore:
        # A semaphore belongs to one event loop; the CLI and tests run several in turn.
        loop = asyncio.get_running_loop()
        if self._gate is None or self._gate_loop is not loop:
            self._gate, self._gate_loop = asyncio.Semaphore(self.concurrent), loop
        return self._gate
