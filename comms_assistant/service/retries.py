"""Running a unit of work again when another process changed the same thing at the same moment.

The store locks each incident while a command, a cadence tick or a delivery's settlement uses it,
so a lost race (service/unit_of_work.py's Conflict) is rare: a key or number taken in between, a
deadlock. The unit of work is run again from the start, a few times; then the Conflict is the
caller's, to say so to the person or leave it to the next tick.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

from comms_assistant.service.unit_of_work import Conflict

log = logging.getLogger(__name__)

T = TypeVar("T")

# Runs of one unit of work in all, the first included.
ATTEMPTS = 4


def retrying(run: Callable[[], T], *, what: str) -> T:
    """run(), run again after each Conflict, ATTEMPTS times in all; the last Conflict is
    raised. `run` must open its own unit of work, so each run starts from what is stored."""
    for attempt in range(1, ATTEMPTS):
        try:
            return run()
        except Conflict as lost:
            log.info("%s lost a race (attempt %d): %s", what, attempt, lost)
            # A short, random wait, so two that lost to each other do not meet again in step.
            time.sleep(random.uniform(0, 0.05 * attempt))
    return run()


def lost_race_text(ref: str | None, *, opening: bool = False) -> str:
    """What a command that lost its race every time answers. `opening`: an `open`, which
    changes no incident but races for the next incident number."""
    if opening:
        return "Someone else opened an incident at the same moment; send it again."
    return f"Someone else changed {ref or 'that incident'} at the same moment; send it again."
