"""An Upptime status repository on GitHub (REST API, a fine-grained token or a GitHub App's
installation token with Issues read and write on that repository).

Upptime's convention: an incident is an open issue labelled `status` and the site's slug; its
updates are the issue's comments; closing the issue ends it. So for each affected service with
an `upptime_site`:

- **publish**, **update**: the site's open issue (`labels=status,<slug>&state=open`; Upptime's
  own monitor may have opened it), else a new one with those labels; then one comment with the
  public words.
- **resolve**: a comment with the resolution, then the issue closed (`completed`).
- **unpublish**: the issue closed as `not_planned` with its labels taken away, so the status
  site no longer lists it (GitHub's REST API cannot delete an issue).

Each comment carries a hidden marker (an HTML comment naming nothing but a token of the post),
so after an uncertain failure the post looks for its comment before adding it again.
"""

from __future__ import annotations

from datetime import UTC, timedelta
from typing import Any

import httpx

from comms_assistant.adapters.status_pages.base import HttpStatusPage
from comms_assistant.domain.publication import ComponentStatus
from comms_assistant.service.status_page_port import PublicPost, RequestPace

KNOWN = "upptime_issues"  # {site slug: issue number}
LABEL = "status"
SLACK = timedelta(minutes=5)


class UpptimePage(HttpStatusPage):
    name = "Upptime"
    credential_fix = (
        "set COMMS_ASSISTANT_GITHUB_TOKEN to a token with Issues read and write on the "
        "status repository"
    )

    def __init__(
        self,
        api_url: str,
        repository: str,
        token: str,
        *,
        pace: RequestPace | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        headers = {
            "Authorization": f"Bearer {token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
        }
        super().__init__(api_url, headers, pace=pace, transport=transport)
        self.repo = f"/repos/{repository}"

    async def publish(self, post: PublicPost) -> dict[str, Any]:
        return await self._each_site(post, close=None)

    async def update(self, post: PublicPost) -> dict[str, Any]:
        return await self._each_site(post, close=None)

    async def resolve(self, post: PublicPost) -> dict[str, Any]:
        return await self._each_site(post, close="completed")

    async def unpublish(self, post: PublicPost) -> dict[str, Any]:
        closed = {}
        for site in _sites(post):
            number = await self._open_issue(site, post, make=False)
            if number is not None:
                edit = {"state": "closed", "state_reason": "not_planned", "labels": []}
                await self.call("PATCH", f"{self.repo}/issues/{number}", "close the issue",
                                write=True, json=edit)  # fmt: skip
                closed[site] = number
        return {"known": {}, "closed": closed}

    async def _each_site(self, post: PublicPost, *, close: str | None) -> dict[str, Any]:
        issues: dict[str, int] = {}
        # An update goes to the sites still affected; the resolution closes every one shown.
        for site in _sites(post, affected_only=close is None):
            number = await self._open_issue(site, post, make=True)
            assert number is not None
            await self._comment(number, post)
            if close:
                edit = {"state": "closed", "state_reason": close}
                await self.call("PATCH", f"{self.repo}/issues/{number}", "close the issue",
                                write=True, json=edit)  # fmt: skip
            issues[site] = number
        return {"known": {KNOWN: issues}}

    async def _open_issue(self, site: str, post: PublicPost, *, make: bool) -> int | None:
        """The site's issue: the one this publication knows, else its open one, else (`make`)
        a new one. Looking first makes a retried create harmless."""
        known = (post.known.get(KNOWN) or {}).get(site)
        if known:
            return int(known)
        params = {"labels": f"{LABEL},{site}", "state": "open", "per_page": 10}
        found = await self.call("GET", f"{self.repo}/issues", "look for the site's issue",
                                params=params)  # fmt: skip
        if found.json():
            return int(found.json()[0]["number"])
        if not make:
            return None
        issue = {"title": post.name, "body": "", "labels": [LABEL, site]}
        made = await self.call("POST", f"{self.repo}/issues", "open the issue",
                               write=True, json=issue)  # fmt: skip
        return int(made.json()["number"])

    async def _comment(self, number: int, post: PublicPost) -> None:
        marker = f"<!-- comms-assistant:{post.marker} -->"
        path = f"{self.repo}/issues/{number}/comments"
        if post.uncertain and await self._has_comment(path, marker, post):
            return
        body = {"body": f"{post.body}\n\n{marker}"}
        await self.call("POST", path, "add the update", write=True, json=body)

    async def _has_comment(self, path: str, marker: str, post: PublicPost) -> bool:
        params: dict[str, Any] = {"per_page": 100}
        if post.queued_at is not None:
            since = (post.queued_at - SLACK).astimezone(UTC)
            params["since"] = since.strftime("%Y-%m-%dT%H:%M:%SZ")
        found = await self.call("GET", path, "look for the update", params=params)
        return any(marker in str(c.get("body", "")) for c in found.json())


def _sites(post: PublicPost, *, affected_only: bool = False) -> list[str]:
    wanted = (
        s.site
        for s in post.services
        if s.site and not (affected_only and s.status == ComponentStatus.OPERATIONAL)
    )
    return list(dict.fromkeys(wanted))
