"""The process's long-lived heap, kept out of the cycle collector's way.

Once the Graph adapters are built, about a million objects (the imported packages, msgraph's
models, the app and its clients) live as long as the process. With them in the oldest
generation a full collection costs ~50 ms: it ran in the middle of a fan-out (building thousands
of kiota objects triggers one) and stopped the event loop for 0.17 s, and it ran so rarely that
the python-docx documents deliveries had finished with piled up (each a reference cycle holding
~3 MB of lxml trees: 20 refreshes left 32 MB). Frozen, a full collection costs ~5 ms.
"""

from __future__ import annotations

import gc

_frozen = False


def freeze() -> None:
    """Take what is alive now out of the collector's scans (garbage is collected first).

    Objects are still freed by reference counting; only a frozen object that later becomes
    part of unreachable cycle garbage is never reclaimed: so freeze once set up, never in the
    middle of work.
    """
    global _frozen
    gc.collect()  # garbage frozen now would never be freed
    gc.freeze()
    # The collector's record of how many objects its oldest generation held still counts the
    # frozen ones, and holds the next automatic full collection back until a quarter as many
    # new ones survive: a collection of the now empty generation resets it.
    gc.collect()
    _frozen = True


def freeze_once() -> None:
    """`freeze`, unless this process has done it already."""
    if not _frozen:
        freeze()
