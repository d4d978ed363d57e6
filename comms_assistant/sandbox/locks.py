"""Files "open in Word": SharePoint answers 423 resourceLocked to every write until it is closed.

Graph has no API to see or break such a lock; the sandbox's control API sets and clears them
(`POST /_sandbox/lock`, `DELETE /_sandbox/lock`) so tests can hold a report open for a while.
"""

from __future__ import annotations

import threading

from comms_assistant.sandbox.odata import GraphError


class Locks:
    def __init__(self) -> None:
        self._until: dict[str, float] = {}
        self._lock = threading.Lock()

    def lock(self, item_id: str, until: float) -> None:
        with self._lock:
            self._until[item_id] = until

    def unlock(self, item_id: str) -> bool:
        with self._lock:
            return self._until.pop(item_id, None) is not None

    def held(self, now: float) -> dict[str, float]:
        with self._lock:
            return {item: until for item, until in self._until.items() if until > now}

    def check(self, item_id: str, now: float) -> None:
        """Raise 423 if the item is open in Word at `now`."""
        with self._lock:
            until = self._until.get(item_id)
        if until is not None and until > now:
            raise GraphError(
                423,
                "resourceLocked",
                "The resource you are attempting to access is locked",
            )
