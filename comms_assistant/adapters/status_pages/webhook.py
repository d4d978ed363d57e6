"""A signed webhook for any other status page (Cachet, OpenStatus, a home-made one): one JSON
POST per public update, its schema in docs/status-page.md.

The body is signed with the shared secret: `X-Comms-Assistant-Signature: sha256=<hex>`, the
HMAC-SHA256 of the exact bytes sent, which the receiver computes again and compares in constant
time. The post's `id` (also `X-Comms-Assistant-Delivery`) is the same when a post is sent again
after an uncertain failure: a webhook cannot be asked what it received, so the receiver skips
an `id` it has seen.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any
from urllib.parse import urlparse

import httpx

from comms_assistant.adapters.status_pages.base import HttpStatusPage
from comms_assistant.service.status_page_port import PublicPost

SCHEMA = "comms-assistant.status-page/1"
SIGNATURE = "X-Comms-Assistant-Signature"


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def payload(post: PublicPost) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "id": post.marker,
        "event": post.event.value,
        "incident": {
            "id": post.page_ref,
            "name": post.name,
            "status": post.status,
            "services": [
                {"name": s.name, "status": s.status, "component": s.component, "site": s.site}
                for s in post.services
            ],
        },
        "update": {
            "body": post.body,
            "created_at": post.queued_at.isoformat() if post.queued_at else None,
        },
    }


class WebhookPage(HttpStatusPage):
    name = "the status webhook"
    credential_fix = "check COMMS_ASSISTANT_STATUS_WEBHOOK_SECRET matches the receiver's"

    def __init__(
        self, url: str, secret: str, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        parsed = urlparse(url)
        super().__init__(f"{parsed.scheme}://{parsed.netloc}", {}, transport=transport)
        self.path = parsed.path or "/"
        if parsed.query:
            self.path += f"?{parsed.query}"
        self.secret = secret

    async def publish(self, post: PublicPost) -> dict[str, Any]:
        return await self._send(post)

    async def update(self, post: PublicPost) -> dict[str, Any]:
        return await self._send(post)

    async def resolve(self, post: PublicPost) -> dict[str, Any]:
        return await self._send(post)

    async def unpublish(self, post: PublicPost) -> dict[str, Any]:
        return await self._send(post)

    async def _send(self, post: PublicPost) -> dict[str, Any]:
        body = json.dumps(payload(post), ensure_ascii=False, separators=(",", ":")).encode()
        headers = {
            "Content-Type": "application/json",
            SIGNATURE: signature(self.secret, body),
            "X-Comms-Assistant-Event": post.event.value,
            "X-Comms-Assistant-Delivery": post.marker,
        }
        response = await self.call(
            "POST", self.path, f"send the {post.event.value}", write=True,
            content=body, headers=headers,
        )  # fmt: skip
        return {"known": {}, "status": response.status_code}
