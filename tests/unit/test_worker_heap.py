"""The process takes its long-lived start-up heap out of the cycle collector's way, without
keeping any garbage alive for good."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from comms_assistant.heap import freeze as freeze_heap


class Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the cycle collector frees it


@pytest.fixture(autouse=True)
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()  # the rest of the test session collects as usual


def test_what_is_alive_is_frozen_and_garbage_is_freed_first() -> None:
    alive = Node()
    garbage = Node()
    gone = weakref.ref(garbage)
    del garbage
    was_enabled = gc.isenabled()
    gc.disable()  # only freeze_heap may collect it
    try:
        freeze_heap()
    finally:
        if was_enabled:
            gc.enable()
    assert gone() is None, "garbage frozen at start-up would never be freed"
    assert gc.get_freeze_count() > 0
    # Frozen: in none of the generations the collector scans.
    assert not any(o is alive for o in gc.get_objects())


def test_cycles_made_after_the_freeze_are_still_collected() -> None:
    freeze_heap()
    later = Node()
    gone = weakref.ref(later)
    del later
    gc.collect()
    assert gone() is None
