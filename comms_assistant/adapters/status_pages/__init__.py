"""The public status page's adapters (docs/status-page.md), chosen by the status_page setting
as the Teams transports are by theirs: Atlassian Statuspage, an Upptime repository on GitHub,
or a signed webhook. With the sandbox tenant, anything not set is the sandbox's own page,
repository, key and token, so the demo publishes to `<home>/sandbox/`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from comms_assistant.sandbox import seed
from comms_assistant.service.send_slots import SendSlots
from comms_assistant.service.status_page_port import (
    GITHUB_LIMIT,
    STATUSPAGE_LIMIT,
    RequestPace,
    pace_key,
)

if TYPE_CHECKING:
    from comms_assistant.adapters.status_pages.base import HttpStatusPage
    from comms_assistant.config import Settings
    from comms_assistant.domain.policy import Policy
    from comms_assistant.service.publication import PublicPage

NAMES = {"statuspage": "Statuspage", "upptime": "Upptime", "webhook": "the status webhook"}


@dataclass(frozen=True)
class Target:
    """Where the page is and how to sign in to it, the sandbox's filled in."""

    kind: str
    url: str  # Statuspage's or GitHub's API, or the webhook's address
    where: str  # the page id or the repository ("" for a webhook)
    secret: str  # the key, token or webhook secret


def target(settings: Settings, sandbox: str | None) -> Target | None:
    """The page the settings name (None: none). `sandbox`: the sandbox tenant's address when it
    is the tenant: then Statuspage and Upptime are the sandbox's own page and repository, with
    its key and token, whatever the settings say (as Graph is), so a trial never publishes to a
    real page; a webhook goes where its setting says (a local receiver, in a trial)."""
    kind = settings.status_page
    if kind == "none":
        return None
    if kind == "webhook":
        secret = settings.status_webhook_secret
        return Target(kind, settings.status_webhook_url or "", "", _shown(secret))
    if kind == "statuspage":
        if sandbox:
            url, page, key = (
                f"{sandbox}/statuspage/v1",
                seed.STATUSPAGE_PAGE_ID,
                seed.STATUSPAGE_API_KEY,
            )
        else:
            url, page = settings.statuspage_url, settings.statuspage_page_id or ""
            key = _shown(settings.statuspage_api_key)
        return Target(kind, url, page, key)
    if sandbox:
        return Target(kind, f"{sandbox}/github", seed.STATUS_REPO, seed.GITHUB_TOKEN)
    repository = settings.upptime_repository or ""
    return Target(kind, settings.github_api_url, repository, _shown(settings.github_token))


def _shown(secret: object) -> str:
    value = getattr(secret, "get_secret_value", None)
    return str(value()) if value else ""


def build_status_page(
    found: Target, slots: SendSlots, clock: Callable[[], datetime]
) -> HttpStatusPage:
    """The adapter for `found`, its requests paced in `slots`, the store every worker shares."""
    from comms_assistant.adapters.status_pages.statuspage import StatuspagePage
    from comms_assistant.adapters.status_pages.upptime import UpptimePage
    from comms_assistant.adapters.status_pages.webhook import WebhookPage

    if found.kind == "webhook":
        return WebhookPage(found.url, found.secret)
    if found.kind == "statuspage":
        key = pace_key("statuspage", found.secret)
        pace = RequestPace(slots, clock, key, STATUSPAGE_LIMIT, "Statuspage")
        return StatuspagePage(found.url, found.where, found.secret, pace=pace)
    pace = RequestPace(slots, clock, pace_key("github", found.secret), GITHUB_LIMIT, "GitHub")
    return UpptimePage(found.url, found.where, found.secret, pace=pace)


def public_page(settings: Settings, templates_dir: Path, policy: Policy) -> PublicPage | None:
    """What the planner needs to queue posts for the page; None when there is no page."""
    from comms_assistant.adapters.status_pages.words import PublicWords
    from comms_assistant.service.publication import PublicPage

    if settings.status_page == "none":
        return None
    return PublicPage(
        wording=PublicWords(templates_dir),
        table=settings.component_table,
        name=NAMES[settings.status_page],
        auto=policy.publish_public_services,
        needs_site=settings.status_page == "upptime",
    )
