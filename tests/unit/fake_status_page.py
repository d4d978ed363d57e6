"""An in-memory public status page (service/status_page_port.py's StatusPage), with faults."""

from __future__ import annotations

from typing import Any

from fakes import Faults

from comms_assistant.service import fencing
from comms_assistant.service.status_page_port import PublicPost


class FakeStatusPage:
    """`posts`: every post that reached the page, in order; `incidents`: the page's incidents
    by the publication's ref, each with the posts it was shown (unpublished ones taken off)."""

    name = "the fake status page"

    def __init__(self) -> None:
        self.posts: list[PublicPost] = []
        self.incidents: dict[str, list[PublicPost]] = {}
        self.faults = Faults()

    async def publish(self, post: PublicPost) -> dict[str, Any]:
        return self._take(post)

    async def update(self, post: PublicPost) -> dict[str, Any]:
        return self._take(post)

    async def resolve(self, post: PublicPost) -> dict[str, Any]:
        return self._take(post)

    async def unpublish(self, post: PublicPost) -> dict[str, Any]:
        self.faults.check_before("unpublish")
        fencing.before_sending()
        self.posts.append(post)
        self.incidents.pop(post.page_ref, None)
        return {"known": {}}

    def _take(self, post: PublicPost) -> dict[str, Any]:
        self.faults.check_before(post.event.value)
        # Looks before posting again, as the real adapters do after an uncertain failure.
        shown = self.incidents.setdefault(post.page_ref, [])
        if post.uncertain and any(p.delivery_id == post.delivery_id for p in shown):
            return {"known": {"page_incident": post.page_ref}, "found_on_page": True}
        fencing.before_sending()
        self.posts.append(post)
        shown.append(post)
        self.faults.check_after(post.event.value)
        return {"known": {"page_incident": post.page_ref}}

    @property
    def posted_ids(self) -> set[str]:
        return {p.delivery_id for p in self.posts}
