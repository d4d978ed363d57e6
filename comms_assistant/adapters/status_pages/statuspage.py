"""Atlassian Statuspage (https://api.statuspage.io/v1, `Authorization: OAuth <key>`).

- **publish**: an incident (`POST /pages/{page}/incidents`) with its name, status, the public
  words as its first update, each affected component's status (`components`: {id: status}),
  and `metadata.comms_assistant.ref`, the publication's opaque id, by which it is found again.
- **update** and **resolve**: `PATCH …/incidents/{id}` with status, words and components in
  one request, which Statuspage records as one incident update. Resolving does not reset
  components, so the resolve sends them as operational itself.
- **unpublish**: components back to operational, then `DELETE …/incidents/{id}`.

No idempotency key: after an uncertain failure each post looks first. An incident is found by
its metadata among the page's latest 100; an update counts as made when the incident has one
with the same words and status, made since shortly before the post was queued.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx

from comms_assistant.adapters.status_pages.base import HttpStatusPage
from comms_assistant.domain.publication import ComponentStatus, Event
from comms_assistant.service.status_page_port import PublicPost, RequestPace

KNOWN = "statuspage_incident"
# Clocks differ: an update made this long before the post was queued is not taken for it.
SLACK = timedelta(minutes=5)


class StatuspagePage(HttpStatusPage):
    name = "Statuspage"
    credential_fix = "set COMMS_ASSISTANT_STATUSPAGE_API_KEY to a key of this page's account"

    def __init__(
        self,
        url: str,
        page_id: str,
        api_key: str,
        *,
        pace: RequestPace | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        headers = {"Authorization": f"OAuth {api_key}", "Accept": "application/json"}
        super().__init__(url, headers, pace=pace, transport=transport)
        self.page = f"/pages/{page_id}"

    async def publish(self, post: PublicPost) -> dict[str, Any]:
        return await self._show(post)

    async def update(self, post: PublicPost) -> dict[str, Any]:
        return await self._show(post)

    async def resolve(self, post: PublicPost) -> dict[str, Any]:
        return await self._show(post)

    async def unpublish(self, post: PublicPost) -> dict[str, Any]:
        found = await self._find(post)
        for component in _components(post):
            body = {"component": {"status": ComponentStatus.OPERATIONAL.value}}
            await self.call("PATCH", f"{self.page}/components/{component}", "reset a component",
                            json=body)  # fmt: skip
        if found is None:
            return {"known": {}, "deleted": None}
        # 404: gone already (a retry whose first try was done).
        path = f"{self.page}/incidents/{found['id']}"
        await self.call("DELETE", path, "delete the incident", write=True, accept=(404,))
        return {"known": {}, "deleted": found["id"]}

    async def _show(self, post: PublicPost) -> dict[str, Any]:
        found = await self._find(post)
        if found is None:
            made = (await self._create(post)).json()
            return {"known": {KNOWN: made["id"]}, "created": True}
        if post.uncertain and _already(found, post):
            return {"known": {KNOWN: found["id"]}, "found_on_page": True}
        fields = {"name": post.name, **_change(post)}
        await self.call("PATCH", f"{self.page}/incidents/{found['id']}", "update the incident",
                        write=True, json={"incident": fields})  # fmt: skip
        return {"known": {KNOWN: found["id"]}}

    async def _create(self, post: PublicPost) -> httpx.Response:
        fields = {
            "name": post.name,
            **_change(post),
            "metadata": {"comms_assistant": {"ref": post.page_ref}},
            "deliver_notifications": True,
        }
        return await self.call("POST", f"{self.page}/incidents", "create the incident",
                               write=True, json={"incident": fields})  # fmt: skip

    async def _find(self, post: PublicPost) -> dict[str, Any] | None:
        """The incident this publication made: by its id when known (read again only to look
        for an uncertain post), else by its metadata; None when there is none."""
        known = post.known.get(KNOWN)
        if known and not post.uncertain:
            return {"id": known}
        if known:
            path = f"{self.page}/incidents/{known}"
            response = await self.call("GET", path, "read the incident", accept=(404,))
            return None if response.status_code == 404 else dict(response.json())
        if post.event is Event.PUBLISH and not post.uncertain:
            return None  # a first try of a new publication: nothing can be there yet
        return await self._by_ref(post.page_ref)

    async def _by_ref(self, ref: str) -> dict[str, Any] | None:
        # All of them, newest first: a resolution whose answer was lost left it resolved.
        response = await self.call(
            "GET", f"{self.page}/incidents", "look for the incident", params={"limit": 100}
        )
        for incident in response.json():
            metadata = incident.get("metadata") or {}
            if (metadata.get("comms_assistant") or {}).get("ref") == ref:
                return dict(incident)
        return None


def _components(post: PublicPost) -> list[str]:
    return [s.component for s in post.services if s.component]


def _change(post: PublicPost) -> dict[str, Any]:
    """What a create or an update says: status, words and components in one go."""
    components = {s.component: s.status for s in post.services if s.component}
    change: dict[str, Any] = {"status": post.status, "body": post.body}
    if components:
        change["components"] = components
        change["component_ids"] = list(components)
    return change


def _already(incident: dict[str, Any], post: PublicPost) -> bool:
    """Whether the incident already has this post's update (an earlier try reached it)."""
    since = (post.queued_at - SLACK) if post.queued_at else None
    for update in incident.get("incident_updates") or []:
        if update.get("body") != post.body or update.get("status") != post.status:
            continue
        made = _when(update.get("created_at"))
        if since is None or made is None or made >= since:
            return True
    return False


def _when(stamp: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(stamp))
    except ValueError:
        return None
