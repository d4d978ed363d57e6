"""The process takes its long-lived start-up heap out of the cycle collector's way, without
keeping any garbage alive for good."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest
from world import World

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


def test_a_report_refresh_leaves_no_word_document_behind(world: World) -> None:
    """A python-docx package and its parts are a reference cycle holding megabytes of lxml: each
    one a delivery has finished with is collected at once, not when the collector next runs."""
    from docx.opc.package import OpcPackage

    world.run("open Apply is down p2 impact: Candidates cannot submit applications")
    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()  # only the deliveries' own collections may free them
    try:
        world.deliver()
        world.run("log Paged the database team")
        world.deliver()
        left = [o for o in gc.get_objects() if isinstance(o, OpcPackage)]
    finally:
        if was_enabled:
            gc.enable()
    assert left == []
