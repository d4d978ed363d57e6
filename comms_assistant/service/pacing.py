"""Mail pacing: stay inside Exchange Online's limits instead of tripping them.

Exchange accepts 30 messages a minute from one mailbox (the 31st gets 429), and Graph serves 4
requests at once per mailbox. A big fan-out (many audiences, many incidents) would hit both; the
dispatcher retries a 429 anyway, but a message that is simply held back until a slot is free
wastes no attempt and no request.

The limits are the mailbox's, whichever worker sends: each send reserves a slot in the store
every worker shares (service/send_slots.py), which counts the sends in flight in every process
as well as those done. Inside one process its own sends also queue for the 4 at once in memory,
so they wait their turn instead of being put back in the outbox for a second.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from comms_assistant.service.delivery_kinds import EMAILS
from comms_assistant.service.send_slots import SLOT_LEASE, SendLimit, SendSlots, SlotBusy

PER_MINUTE = 30
CONCURRENT = 4
WINDOW = timedelta(minutes=1)
MAIL_KINDS = EMAILS  # what the mailbox sends: each goes through MailPace.slot
MAILBOX_KEY = "mail"  # the slots' key when the mailbox is not named (one mailbox per store)


class Deferred(Exception):  # noqa: N818 - not an error: a delivery told to wait its turn
    """No mail slot is free until `until`: the delivery waits, without counting an attempt."""

    def __init__(self, until: datetime) -> None:
        super().__init__(
            f"the mailbox's 30 a minute (or 4 at once) are used until {until:%H:%M:%S}"
        )
        self.until = until


@dataclass
class MailPace:
    per_minute: int = PER_MINUTE
    concurrent: int = CONCURRENT
    # The mailbox the limits belong to: "mail:<address>", shared by every worker sending from it.
    key: str = MAILBOX_KEY
    # How long a slot whose worker died mid-send goes on counting.
    lease: timedelta = SLOT_LEASE
    _gate: asyncio.Semaphore | None = field(default=None, repr=False)
    _gate_loop: asyncio.AbstractEventLoop | None = field(default=None, repr=False)

    @property
    def limit(self) -> SendLimit:
        return SendLimit(self.per_minute, WINDOW, self.concurrent, self.lease)

    @asynccontextmanager
    async def slot(
        self, slots: SendSlots, clock: Callable[[], datetime], *, owner: str = ""
    ) -> AsyncIterator[None]:
        """One of this process's 4, then a slot every worker counts (or Deferred)."""
        async with self._semaphore():
            reserved = slots.reserve_send(self.key, clock(), self.limit, owner=owner)
            if isinstance(reserved, SlotBusy):
                raise Deferred(reserved.until)
            try:
                yield
            finally:
                slots.release_send(reserved, clock())

    def _semaphore(self) -> asyncio.Semaphore:
        # A semaphore belongs to one event loop; the CLI and tests run several in turn.
        loop = asyncio.get_running_loop()
        if self._gate is None or self._gate_loop is not loop:
            self._gate, self._gate_loop = asyncio.Semaphore(self.concurrent), loop
        return self._gate
