"""Helpers for tests that run the product against the sandbox tenant (no tests here).

A module of its own, not conftest.py: tests/unit has a conftest too, and `from conftest import`
would find whichever was imported first.
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import httpx

from comms_assistant.adapters.sql import outbox
from comms_assistant.adapters.sql.store import OutboxRow
from comms_assistant.bootstrap import App
from comms_assistant.sandbox import SandboxTenant, seed
from comms_assistant.sandbox.server import LoggedRequest


def app_token(sandbox: SandboxTenant) -> str:
    """An app-only token (client credentials), as the product's daemon holds."""
    reply = httpx.post(
        sandbox.token_url,
        data={
            "grant_type": "client_credentials",
            "client_id": "tests",
            "client_secret": "secret",
            "scope": "https://graph.microsoft.com/.default",
        },
    )
    reply.raise_for_status()
    return str(reply.json()["access_token"])


def user_token(sandbox: SandboxTenant) -> str:
    """A delegated token for the sandbox's service account (needed to post to Teams)."""
    reply = httpx.post(
        sandbox.token_url,
        data={
            "grant_type": "password",
            "client_id": "tests",
            "username": seed.SERVICE_ACCOUNT,
            "password": seed.SERVICE_ACCOUNT_PASSWORD,
            "scope": "https://graph.microsoft.com/.default",
        },
    )
    reply.raise_for_status()
    return str(reply.json()["access_token"])


class FakeClock:
    """Simulated time shared by the dispatcher (datetimes) and the sandbox (epoch seconds)."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def epoch(self) -> float:
        return self.now.timestamp()

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class Product:
    """The product's real path (bootstrap, commands, dispatcher) against a running tenant."""

    app: App
    tenant: SandboxTenant
    clock: FakeClock

    def run(self, text: str, who: str = "comms.lead@example.org") -> set[int]:
        reply = self.app.commands().execute(text, who=who)
        # No deliveries: refused, or held as a draft by the plain-English check.
        assert reply.ok and reply.deliveries, reply.text
        return set(reply.deliveries)

    def deliver(self, ids: set[int], *, rounds: int = 60) -> list[OutboxRow]:
        """Run the dispatcher until `ids` settle, jumping the clock to each retry time."""

        async def main() -> None:
            async with self.app.dispatcher() as dispatcher:
                for _ in range(rounds):
                    while await dispatcher.run_once():
                        pass
                    if all(r.status != outbox.PENDING for r in outbox.rows(self.app.engine, ids)):
                        return
                    # The next retry time still ahead (a row due now may be waiting behind
                    # its lane's head, so outbox.next_wake alone could stand still).
                    pending = outbox.rows(self.app.engine)
                    ahead = [
                        r.next_attempt_at
                        for r in pending
                        if r.status == outbox.PENDING and r.next_attempt_at > self.clock()
                    ]
                    assert ahead, "pending deliveries that are neither due nor scheduled"
                    self.clock.now = min(ahead)

        asyncio.run(main())
        return outbox.rows(self.app.engine, ids)

    def control(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        response = httpx.request(method, f"{self.tenant.base_url}/_sandbox/{path}", **kwargs)
        assert response.status_code < 300, response.text
        return response

    @property
    def reports_dir(self) -> Path:
        return self.tenant.root / "sharepoint" / seed.SITE_NAME / seed.LIBRARY / seed.REPORTS_FOLDER

    def emails(self) -> list[EmailMessage]:
        folder = self.tenant.root / "mail" / seed.MAILBOXES[0] / "Sent Items"
        parser = BytesParser(policy=policy.default)
        return [parser.parsebytes(p.read_bytes()) for p in sorted(folder.glob("*.eml"))]  # type: ignore[misc]

    def channel_posts(self) -> list[dict[str, Any]]:
        folder = self.tenant.root / "teams" / seed.TEAM_NAME / seed.CHANNEL_NAME
        return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]

    def calls(self, method: str, pattern: str, since: int = 0) -> list[LoggedRequest]:
        return [
            r
            for r in self.tenant.requests[since:]
            if r.method == method and re.search(pattern, r.path, re.IGNORECASE)
        ]
