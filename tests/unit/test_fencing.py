"""The lease a delivery's sender holds: renewed while the work goes on, checked at the point of
no return (service/fencing.py). The dispatcher's use of it, on both engines, is in
test_concurrency.py; the adapters' in test_graph_adapter.py."""

from __future__ import annotations

import asyncio

import pytest

from comms_assistant.service import fencing


def test_slow_work_keeps_its_lease_renewed_until_it_ends() -> None:
    renewals: list[float] = []

    async def work() -> int:
        loop = asyncio.get_running_loop()
        async with fencing.leased(lambda: renewals.append(loop.time()) is None, every=0.05):
            await asyncio.sleep(0.3)
        during = len(renewals)
        await asyncio.sleep(0.15)
        return during

    during = asyncio.run(work())
    assert during >= 3, "renewed while the work went on"
    assert len(renewals) == during, "and not after it ended"


def test_a_lease_found_gone_is_not_renewed_again_and_nothing_is_sent() -> None:
    tries: list[bool] = []

    async def work() -> None:
        async with fencing.leased(lambda: tries.append(False) is not None, every=0.02):
            await asyncio.sleep(0.2)
            fencing.before_sending()

    with pytest.raises(fencing.LeaseLost):
        asyncio.run(work())
    assert len(tries) == 2, "one renewal found it gone; the check before sending, the other"


def test_outside_a_dispatcher_there_is_no_lease_to_check() -> None:
    fencing.before_sending()  # a check run or an adapter on its own: nothing to renew
