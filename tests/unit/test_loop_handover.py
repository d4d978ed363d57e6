"""Work handed to a loop thread that has stopped is refused, not left as a coroutine that no
loop will ever await (the "coroutine '_call' was never awaited" of a bot shutting down while
a delivery sent a card through the bot's turn loop)."""

from __future__ import annotations

import asyncio
import gc
import warnings
from pathlib import Path

import pytest

from comms_assistant.bootstrap import bootstrap
from comms_assistant.config import Settings
from comms_assistant.entrypoints.bot.delivery import DeliveryThread
from comms_assistant.entrypoints.bot.queue import LoopThread


async def _nothing() -> None:
    return None


def _hand_over(run: object) -> tuple[str, list[str]]:
    """Hand `_nothing` over with `run` from a loop of our own: why it was refused, and the
    warnings that followed."""

    async def main() -> None:
        await run(_nothing)  # type: ignore[operator]

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(RuntimeError) as refused:
            asyncio.run(main())
        why = str(refused.value)
        del refused
        gc.collect()
    return why, [str(w.message) for w in caught if "never awaited" in str(w.message)]


def test_a_stopped_turn_loop_refuses_work() -> None:
    thread = LoopThread("test-turns")
    thread.stop()
    assert thread.loop.is_closed()
    assert _hand_over(thread.run) == ("the test-turns loop has stopped", [])


def test_a_stopped_delivery_thread_refuses_work(tmp_path: Path) -> None:
    thread = DeliveryThread(bootstrap(Settings(home=tmp_path)))
    loop = asyncio.new_event_loop()
    loop.close()
    thread._loop = loop  # as stop() leaves it
    assert _hand_over(thread.run) == ("the delivery thread is not running", [])
