"""Worker processes for test_send_slots.py: each with its own engine on the shared database, as
`comms-assistant worker` runs. In a module of their own so a spawned process can import them.

Time is simulated: SPEED simulated seconds pass per real second, from the moment the test says
go, on one clock every process reads (time.time()), so a minute of Exchange's takes 3 seconds.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from comms_assistant.adapters.sql.database import open_engine
from comms_assistant.adapters.sql.send_slots import SqlSendSlots
from comms_assistant.service.pacing import Deferred, MailPace

T0 = datetime(2026, 12, 9, 10, 0, tzinfo=UTC)
SPEED = 20.0
SEND = timedelta(seconds=0.5)  # how long a sendMail takes, simulated
KEY = "mail:comms@example.org"


def sim_clock(start: float) -> Any:
    return lambda: T0 + timedelta(seconds=(time.time() - start) * SPEED)


async def _sleep_until(clock: Any, until: datetime) -> None:
    await asyncio.sleep(max((until - clock()).total_seconds(), 0.0) / SPEED)


def send_mails(url: str, mails: int, name: str, shared: dict[str, Any]) -> None:
    """Send `mails` mails at once through MailPace (the dispatcher's path), each retried when
    its Deferred says; puts (name, deferrals) on shared["results"]."""
    engine = open_engine(url)
    slots, pace = SqlSendSlots(engine), MailPace(key=KEY)
    shared["ready"].put(name)
    shared["go"].wait()
    clock = sim_clock(shared["start"].value)
    deferrals: list[tuple[datetime, datetime]] = []
    in_flight, peak, lock = shared["in_flight"], shared["peak"], shared["lock"]

    async def one() -> None:
        while True:
            asked = clock()
            try:
                async with pace.slot(slots, clock, owner=name):
                    with lock:
                        in_flight.value += 1
                        peak.value = max(peak.value, in_flight.value)
                    await asyncio.sleep(SEND.total_seconds() / SPEED)
                    with lock:
                        in_flight.value -= 1
                return
            except Deferred as wait:
                deferrals.append((asked, wait.until))
                await _sleep_until(clock, wait.until)

    async def all_of_them() -> None:
        await asyncio.gather(*(one() for _ in range(mails)))

    asyncio.run(all_of_them())
    engine.dispose()
    shared["results"].put((name, deferrals))


def hold_slots_and_hang(url: str, slots_held: int, ready: Any) -> None:
    """Reserve `slots_held` mail slots at T0 and never release them: the test kills this process
    mid-send, as a SIGKILL or a lost machine would."""
    engine = open_engine(url)
    slots, pace = SqlSendSlots(engine), MailPace(key=KEY)

    async def hold() -> None:
        async with pace.slot(slots, lambda: T0, owner="doomed"):
            ready.put("holding")
            await asyncio.sleep(3600)

    async def all_of_them() -> None:
        await asyncio.gather(*(hold() for _ in range(slots_held)))

    asyncio.run(all_of_them())
