"""Send slots: a service's limits counted by everyone who sends, not by each process alone.

Exchange takes 30 messages a minute and 4 requests at once per mailbox; Teams 4 messages a
second per channel. Those are the tenant's limits: with three workers each counting only its own
sends, 40 queued mails drew 429s. So each send first reserves a slot under its key ("mail:
<mailbox>", "teams:<channel>") in the shared store (adapters/sql/send_slots.py), which counts
every process's sends, those still in flight as well as those done.

A reservation not released (its worker was killed mid-send) stops counting after its lease, so a
crash cannot block a mailbox for good. The arithmetic of when the next slot is free is here, pure,
so every store decides it the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

# Longer than any one Graph request is allowed to take: a live send is never mistaken for a
# crashed one, and a crashed one frees its place within a couple of minutes.
SLOT_LEASE = timedelta(minutes=2)
# When the 4 at once are all taken elsewhere, there is no telling when one ends: a send takes
# about a second, so look again then.
BUSY_RETRY = timedelta(seconds=1)
# Exchange's minute is not ours to the millisecond: leave a little room past its end.
MARGIN = timedelta(milliseconds=10)


@dataclass(frozen=True)
class SendLimit:
    per_window: int
    window: timedelta
    # How many may be in flight at once (None: no such limit, and a slot needs no release).
    concurrent: int | None = None
    lease: timedelta = SLOT_LEASE
    # True: a slot later than now is booked and the caller waits for it (Teams' seconds);
    # False: the caller hears when to come back (a mail waits in the outbox, not in memory).
    book_ahead: bool = False


@dataclass(frozen=True)
class ReservedSlot:
    id: int
    key: str
    at: datetime  # when the send may start: now, or later for a slot booked ahead


@dataclass(frozen=True)
class SlotBusy:
    """No slot is free: try again at `until`."""

    until: datetime


class SendSlots(Protocol):
    """Reserved in the store shared by every process, each call its own transaction."""

    def reserve_send(
        self, key: str, now: datetime, limit: SendLimit, *, owner: str = ""
    ) -> ReservedSlot | SlotBusy:
        """A slot under `key` (at `now`, or booked ahead), or when to try again."""
        ...

    def release_send(self, slot: ReservedSlot, now: datetime) -> None:
        """The send is over (sent or failed): it stops counting as in flight."""
        ...


def earliest(
    counted: Sequence[datetime], in_flight: int, now: datetime, limit: SendLimit
) -> tuple[datetime, bool]:
    """When the next send under `limit` may start, and whether that is a slot (True) or only
    when to look again (False: the 4 at once are taken).

    `counted`: the time of each send still in the window: a finished one's end, an unfinished
    one's start or now, whichever is later (a send in flight counts as made now).
    """
    times = sorted(counted)
    at = now
    if len(times) >= limit.per_window:
        # The oldest leave the window first: the one that makes room is per_window from the end.
        at = max(now, times[-limit.per_window] + limit.window + MARGIN)
    if limit.concurrent is not None and in_flight >= limit.concurrent:
        return max(at, now + BUSY_RETRY), False
    return at, True


def decide(
    counted: Sequence[datetime], in_flight: int, now: datetime, limit: SendLimit
) -> datetime | SlotBusy:
    """The start of the slot to reserve, or SlotBusy."""
    at, free = earliest(counted, in_flight, now, limit)
    if not free or (at > now and not limit.book_ahead):
        return SlotBusy(at)
    return at
