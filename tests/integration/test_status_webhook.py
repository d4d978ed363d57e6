"""The signed status webhook, received by a local aiohttp server that checks the signature as
docs/status-page.md tells a receiver to; and the pace every worker shares for Statuspage."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiohttp import web
from test_reliability_harness import FakeClock, Product

from comms_assistant.adapters.sql import outbox
from comms_assistant.adapters.sql.database import open_engine
from comms_assistant.adapters.sql.outbox import SqlOutbox
from comms_assistant.adapters.status_pages.statuspage import StatuspagePage
from comms_assistant.bootstrap import bootstrap
from comms_assistant.config import Settings
from comms_assistant.domain.publication import Event
from comms_assistant.sandbox import SandboxTenant, seed
from comms_assistant.service.ports import DeliveryError
from comms_assistant.service.status_page_port import (
    PageDeferred,
    PageService,
    PublicPost,
    RequestPace,
    SendLimit,
)

pytestmark = pytest.mark.filterwarnings("ignore:.*is deprecated:DeprecationWarning")
SECRET = "a shared secret"
OPEN = "open Apply is down p2 impact: Candidates cannot submit applications services: apply"


class Receiver:
    """A status page's webhook endpoint on 127.0.0.1: keeps what it verified, refuses what it
    cannot, and answers 503 to the first `fail` posts."""

    def __init__(self, fail: int = 0) -> None:
        self.received: list[dict[str, Any]] = []
        self.refused = 0
        self.fail = fail
        self.url = ""
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None

    async def hook(self, request: web.Request) -> web.Response:
        body = await request.read()
        expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        given = request.headers.get("X-Comms-Assistant-Signature", "")
        if not hmac.compare_digest(expected, given):
            self.refused += 1
            return web.Response(status=401)
        if self.fail:
            self.fail -= 1
            return web.Response(status=503)
        post = json.loads(body)
        assert request.headers["X-Comms-Assistant-Delivery"] == post["id"]
        self.received.append(post)
        return web.Response(status=204)

    def start(self) -> None:
        def run() -> None:
            self._loop = asyncio.new_event_loop()
            self._loop.run_until_complete(self._serve())
            self._ready.set()
            self._loop.run_forever()

        threading.Thread(target=run, daemon=True).start()
        assert self._ready.wait(10)

    async def _serve(self) -> None:
        app = web.Application()
        app.router.add_post("/hooks/status", self.hook)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/hooks/status"

    def stop(self) -> None:
        assert self._loop is not None and self._runner is not None
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver(fail=1)
    found.start()
    yield found
    found.stop()


@pytest.fixture
def product(tmp_path: Path, receiver: Receiver) -> Iterator[Product]:
    clock = FakeClock()
    with SandboxTenant(tmp_path / "tenant", faults=[], clock=clock.epoch) as tenant:
        settings = Settings(
            home=tmp_path / "home",
            sandbox_url=tenant.base_url,
            status_page="webhook",
            status_webhook_url=receiver.url,
            status_webhook_secret=SECRET,
        )
        yield Product(bootstrap(settings, clock=clock), tenant, clock)


def test_each_public_update_is_posted_signed(product: Product, receiver: Receiver) -> None:
    for command in (
        OPEN + " do: Try again after 3pm public: yes",
        "update Most candidates can submit again",
        "close Restored the connection",
    ):
        rows = product.deliver(product.run(command))
        assert {r.status for r in rows} == {outbox.DONE}, [(r.key, r.last_error) for r in rows]
    assert receiver.refused == 0
    # The first post met a 503 and went again with the same id: the receiver kept one of each.
    assert [p["event"] for p in receiver.received] == ["publish", "update", "resolve"]
    first = receiver.received[0]
    assert first["schema"] == "comms-assistant.status-page/1"
    assert first["incident"]["name"] == "Problem with Apply for teacher training"
    assert first["incident"]["status"] == "investigating"
    assert first["incident"]["services"] == [
        {"name": "Apply for teacher training", "status": "partial_outage",
         "component": "sbxapply0001", "site": "apply"}
    ]  # fmt: skip
    assert first["update"]["body"] == (
        "Candidates cannot submit applications.\n\nWhat you need to do: Try again after 3pm."
    )
    assert len({p["incident"]["id"] for p in receiver.received}) == 1
    assert len({p["id"] for p in receiver.received}) == 3
    assert "INC-" not in json.dumps(receiver.received)  # the reference stays inside


def test_a_wrong_secret_is_refused_and_parked(tmp_path: Path, receiver: Receiver) -> None:
    receiver.fail = 0
    clock = FakeClock()
    with SandboxTenant(tmp_path / "tenant", faults=[], clock=clock.epoch) as tenant:
        settings = Settings(
            home=tmp_path / "home",
            sandbox_url=tenant.base_url,
            status_page="webhook",
            status_webhook_url=receiver.url,
            status_webhook_secret="not the secret",
        )
        product = Product(bootstrap(settings, clock=clock), tenant, clock)
        rows = product.deliver(product.run(OPEN + " public: yes"))
    [failed] = [r for r in rows if r.kind == "status.page"]
    assert failed.status == outbox.FAILED
    assert "HTTP 401" in (failed.last_error or "") and "SECRET" in (failed.last_error or "")
    assert receiver.refused == 1 and receiver.received == []


def post(n: int) -> PublicPost:
    return PublicPost(
        delivery_id=f"d{n}",
        event=Event.PUBLISH,
        name="Problem with Apply",
        body=f"Update {n}.",
        status="investigating",
        services=(PageService("Apply", "partial_outage", seed.STATUSPAGE_COMPONENTS[0][1]),),
        page_ref=f"ca-{n}",
    )


def test_the_pace_is_shared_and_keeps_within_the_page_s_limit(tmp_path: Path) -> None:
    """Two workers, each with its own adapter, on one store: between them they make no more
    requests in the window than the limit, and the one over it waits instead of getting 420."""
    now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    clock = FakeClock(now)
    engine = open_engine(tmp_path / "state.db")
    limit = SendLimit(3, timedelta(seconds=60), concurrent=2)
    with SandboxTenant(tmp_path / "tenant", faults=[], clock=clock.epoch) as tenant:
        httpx.patch(f"{tenant.base_url}/_sandbox/ratelimits", json={"statuspage": {"requests": 3}})

        def worker() -> StatuspagePage:
            pace = RequestPace(SqlOutbox(engine), clock, "statuspage:shared", limit)
            return StatuspagePage(tenant.statuspage_url, seed.STATUSPAGE_PAGE_ID,
                                  seed.STATUSPAGE_API_KEY, pace=pace)  # fmt: skip

        async def scenario() -> list[Any]:
            one, two = worker(), worker()
            made: list[Any] = []
            for n, page in enumerate([one, two, one, two]):
                try:
                    made.append(await page.publish(post(n)))
                except (PageDeferred, DeliveryError) as error:
                    made.append(error)
            clock.advance(61)
            made.append(await two.publish(post(9)))
            await one.aclose()
            await two.aclose()
            return made

        made = asyncio.run(scenario())
    assert [type(m).__name__ for m in made] == ["dict", "dict", "dict", "PageDeferred", "dict"]
    assert made[3].until >= now + timedelta(seconds=60)
    refused = [r for r in tenant.requests if r.status in (420, 429)]
    assert refused == []
