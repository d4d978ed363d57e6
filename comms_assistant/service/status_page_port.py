"""The public status page port: what the dispatcher asks of a status page, whichever it is.

Three adapters implement it (adapters/status_pages/): Atlassian Statuspage, an Upptime
repository on GitHub, and a signed webhook for any other page. Each is told one `PublicPost`
at a time, in the incident's order, and says what it learnt (the page's own ids) for the posts
after it; errors are `DeliveryError`s with `retryable` and `retry_after`, as every port's are.

A post may come again after an uncertain failure (`uncertain`: an earlier try may have reached
the page without its answer arriving): Statuspage has no idempotency key, so an adapter that can
look first (Statuspage, Upptime) looks for its post before making it again.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from comms_assistant.domain.publication import Event
from comms_assistant.service.pacing import Deferred
from comms_assistant.service.send_slots import SendLimit, SendSlots, SlotBusy

# Statuspage: "Each API token is limited to 1 request / second as measured on a 60 second
# rolling window". Counted from each request's end, so however long one takes, no 60 seconds
# of Statuspage's see more than 60 of ours.
STATUSPAGE_LIMIT = SendLimit(60, timedelta(seconds=60), concurrent=2)
# GitHub: at most 80 content-creating requests a minute, and requests one at a time.
GITHUB_LIMIT = SendLimit(80, timedelta(seconds=60), concurrent=1)


@dataclass(frozen=True)
class PageService:
    """A service the incident affects, as the page shows it."""

    name: str  # the name the public knows it by
    status: str  # its component's status now (domain.publication.ComponentStatus)
    component: str = ""  # its Statuspage component's id ("": none)
    site: str = ""  # its Upptime site's slug ("": none)


@dataclass(frozen=True)
class PublicPost:
    """One change to the page: publish, update, resolve or unpublish the incident."""

    delivery_id: str
    event: Event
    name: str  # the incident's name on the page
    body: str  # the public words
    status: str  # investigating, identified, monitoring or resolved
    services: tuple[PageService, ...]
    # The incident's own id on the page (opaque: not its reference), new at each publication.
    page_ref: str
    # What the earlier posts of this publication learnt, e.g. {"statuspage_incident": id}.
    known: Mapping[str, Any] = field(default_factory=dict)
    uncertain: bool = False
    queued_at: datetime | None = None

    @property
    def marker(self) -> str:
        """A token for this post that names nothing (for the pages that keep one)."""
        return hashlib.sha256(self.delivery_id.encode()).hexdigest()[:16]


class StatusPage(Protocol):
    """One kind of public status page. Each method returns what the page answered that later
    posts need (ids), kept with the delivery."""

    @property
    def name(self) -> str:
        """What people call it: "Statuspage", "Upptime", "the status webhook"."""
        ...

    async def publish(self, post: PublicPost) -> dict[str, Any]: ...
    async def update(self, post: PublicPost) -> dict[str, Any]: ...
    async def resolve(self, post: PublicPost) -> dict[str, Any]: ...
    async def unpublish(self, post: PublicPost) -> dict[str, Any]: ...


class PublicWording(Protocol):
    """The public words from the templates (templates/status/, adapters/status_pages/words.py)."""

    def body(self, template: str, *, happening: str, advice: str, services: Sequence[str]) -> str:
        """`template`: "update", "holding" or "resolved"."""
        ...

    def name(self, services: Sequence[str]) -> str:
        """The incident's name on the page."""
        ...


class PageDeferred(Deferred):
    """The page's rate limit is used until `until`: the delivery waits, no attempt counted."""

    def __init__(self, until: datetime, what: str) -> None:
        Exception.__init__(self, f"{what}'s rate limit is used until {until:%H:%M:%S}")
        self.until = until


@dataclass
class RequestPace:
    """A page's rate limit, counted in the store every worker shares (service/send_slots.py):
    each request first reserves a slot under `key`, or the delivery waits (PageDeferred)."""

    slots: SendSlots
    clock: Callable[[], datetime]
    key: str
    limit: SendLimit
    what: str = "the status page"

    @asynccontextmanager
    async def request(self) -> AsyncIterator[None]:
        reserved = self.slots.reserve_send(self.key, self.clock(), self.limit)
        if isinstance(reserved, SlotBusy):
            raise PageDeferred(reserved.until, self.what)
        try:
            yield
        finally:
            self.slots.release_send(reserved, self.clock())


def pace_key(service: str, secret: str) -> str:
    """The slots' key for a key or token: its limit is its own, and the key is not stored."""
    return f"{service}:{hashlib.sha256(secret.encode()).hexdigest()[:12]}"
