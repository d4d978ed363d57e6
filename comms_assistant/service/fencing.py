"""A delivery is sent only by the process that still holds its lease.

A lease passes to another worker when it runs out, and a worker can stall past its lease (a
long wait for Teams' pace, a starved CPU, a stop-the-world pause) and then carry on as if it
still held the delivery: two posts of one card, 68 ms apart, in the PostgreSQL soak. So just
before the request that cannot be taken back (sendMail, a card's POST) the sender renews its
lease in the store, and only if it still holds it does the request go; the renewal gives it a
whole lease again for that request. Graph cannot check a fencing token itself, so this is as
near as a sender can get: what is left is a stall of a whole lease between the renewal and the
request leaving the machine.

The dispatcher holds the lease for the attempt it makes (`leased`): renewed every third of a
lease while the work goes on, so slow work (a large report on a busy machine) keeps it and is
not done again by another worker, while a killed worker's lapses within one lease. The
adapters call `before_sending()` at their point of no return. Outside a dispatcher (a check, a
test of an adapter alone) there is no lease and nothing to renew.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar

_RENEW: ContextVar[Callable[[], bool] | None] = ContextVar("lease_renewal", default=None)


class LeaseLost(Exception):  # noqa: N818 - not an error: another sender has the delivery now
    """The lease passed to another sender: this one must not send."""


@contextmanager
def fenced(renew: Callable[[], bool]) -> Iterator[None]:
    """Within the block, `before_sending` renews the lease with `renew` (False: lost)."""
    token = _RENEW.set(renew)
    try:
        yield
    finally:
        _RENEW.reset(token)


@asynccontextmanager
async def leased(renew: Callable[[], bool], every: float) -> AsyncIterator[None]:
    """`fenced`, and the lease renewed every `every` seconds until the block ends or a renewal
    finds it gone."""

    async def keep() -> None:
        while True:
            await asyncio.sleep(every)
            if not renew():
                return

    keeper = asyncio.create_task(keep())
    try:
        with fenced(renew):
            yield
    finally:
        keeper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await keeper


def before_sending() -> None:
    """Raise LeaseLost unless this sender still holds the delivery's lease (renewed)."""
    renew = _RENEW.get()
    if renew is not None and not renew():
        raise LeaseLost
