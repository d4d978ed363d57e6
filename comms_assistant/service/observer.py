"""What the dispatcher tells whoever watches it: each delivery it attempts and how each ended.

A port: the service layer knows nothing of Prometheus. adapters/metrics/observer.py counts these
for /metrics and names the incident in the log lines; `Unobserved` (the default) does nothing.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from typing import Protocol

from comms_assistant.service.outbox_port import Delivery

# How an attempt ended: delivered, to be tried again later, or given up on (parked).
DONE, RETRY, PARKED = "done", "retry", "parked"


class DeliveryObserver(Protocol):
    def attempting(self, delivery: Delivery) -> AbstractContextManager[object]:
        """Around one attempt: log lines written inside are about this delivery."""
        ...

    def settled(self, delivery: Delivery, outcome: str) -> None:
        """The attempt's outcome (DONE, RETRY or PARKED) is stored."""
        ...


class Unobserved:
    def attempting(self, delivery: Delivery) -> AbstractContextManager[object]:
        return nullcontext()

    def settled(self, delivery: Delivery, outcome: str) -> None:
        return None
