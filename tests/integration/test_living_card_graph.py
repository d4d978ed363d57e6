"""One living card per incident in the incidents channel, through Graph and through a Workflows
webhook, proven from what the sandbox tenant (or the webhook) received: the card posted once
and updated in place (PATCH), each update a reply in its thread; faults neither lose nor double."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from test_reliability_harness import FakeClock, Product

from comms_assistant.adapters.sql import outbox
from comms_assistant.bootstrap import bootstrap
from comms_assistant.config import Settings
from comms_assistant.sandbox import SandboxTenant, message_history, seed

pytestmark = pytest.mark.filterwarnings("ignore:.*is deprecated:DeprecationWarning")

OPEN = (
    "open Apply for teacher training is down p2 impact: Candidates cannot submit applications "
    "services: apply"
)
CHANGES = (
    "update Candidates can sign in but still cannot submit",
    "update Candidates still cannot submit. We know why and are fixing it",
    "update Candidates can submit again, but slowly",
    "priority p1 Every candidate is affected",
)
LATEST = "Update 4, priority raised to P1: Apply for teacher training is down"
CHANNEL = r"/teams/[^/]+/channels/19:incidents[^/]*/messages"


def card_text(message: dict[str, Any]) -> str:
    return "".join(str(a.get("content")) for a in message.get("attachments") or [])


def threads(product: Product) -> dict[str, list[dict[str, Any]]]:
    """Each top-level message in the incidents channel → the replies in its thread."""
    posts = product.channel_posts()
    return {
        root["id"]: [m for m in posts if m.get("replyToId") == root["id"]]
        for root in posts
        if not root.get("replyToId")
    }


def the_card(product: Product) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The incident's one top-level card (as it is now) and its replies."""
    found = threads(product)
    assert len(found) == 1, f"{len(found)} top-level cards in the incidents channel"
    ((root_id, replies),) = found.items()
    (root,) = [m for m in product.channel_posts() if m["id"] == root_id]
    return root, replies


def run_all(product: Product) -> set[int]:
    ids = product.run(OPEN)
    for command in CHANGES:
        ids |= product.run(command)
    return ids


def settle(product: Product, ids: set[int]) -> list[outbox.OutboxRow]:
    product.deliver(ids)
    # The card's refreshes are not what the commands wait for: let them settle too.
    rows = product.deliver({r.id for r in outbox.rows(product.app.engine)})
    assert {r.status for r in rows} == {outbox.DONE}, [
        (r.key, r.last_error) for r in rows if r.status != outbox.DONE
    ]
    return rows


def test_open_three_updates_and_a_priority_change_leave_one_card_with_the_updates_as_replies(
    product: Product,
) -> None:
    rows = settle(product, run_all(product))

    root, replies = the_card(product)
    assert LATEST in card_text(root) and '"title": "Priority", "value": "P1"' in card_text(root)
    assert root["version"] > 1 and root["lastEditedDateTime"]
    assert len(replies) == len(CHANGES)
    assert "Candidates can sign in but still cannot submit" in card_text(replies[0])
    # What it said before is kept beside it: first the opening card, as posted.
    folder = product.tenant.root / "teams" / seed.TEAM_NAME / seed.CHANNEL_NAME
    (path,) = folder.glob(f"*-{root['id']}.json")
    first = message_history.versions(path)[0]["message"]
    assert "New incident: Apply for teacher training is down" in card_text(first)
    # The outbox knows it: replies name the thread they went in.
    cards = [r for r in rows if r.kind == "teams.card" and "to" not in r.payload]
    assert [r.result.get("thread") for r in cards] == [None] + [root["id"]] * len(CHANGES)
    assert cards[0].result["message_id"] == root["id"]


def test_throttled_and_failing_updates_are_retried_and_neither_lost_nor_doubled(
    product: Product,
) -> None:
    product.deliver(product.run(OPEN))
    storm = [
        {"id": "update-429", "method": "PATCH", "path": rf"{CHANNEL}/[^/]+$", "status": 429,
         "retry_after": 30, "times": 2},
        {"id": "update-503", "method": "PATCH", "path": rf"{CHANNEL}/[^/]+$", "status": 503,
         "times": 2},
        # An update Teams made whose answer was lost, and a reply the same.
        {"id": "update-lost", "method": "PATCH", "path": rf"{CHANNEL}/[^/]+$", "status": 503,
         "after": True, "times": 1},
        {"id": "reply-lost", "method": "POST", "path": rf"{CHANNEL}/[^/]+/replies$",
         "drop": True, "after": True, "times": 1},
    ]  # fmt: skip
    product.control("POST", "faults", json=storm)
    mark = len(product.tenant.requests)
    ids: set[int] = set()
    for command in CHANGES:
        ids |= product.run(command)

    settle(product, ids)

    fired = {rule["id"]: rule["hits"] for rule in product.control("GET", "faults").json()["value"]}
    assert fired == {"update-429": 2, "update-503": 2, "update-lost": 1, "reply-lost": 1}
    root, replies = the_card(product)
    assert LATEST in card_text(root)
    assert len(replies) == len(CHANGES), "each update once, the lost answer's too"
    # The reply whose answer was lost was looked for in the thread, and found there.
    assert product.calls("GET", rf"{CHANNEL}/[^/]+/replies$", mark)
    patches = product.calls("PATCH", rf"{CHANNEL}/[^/]+$", mark)
    assert sum(p.status == 204 for p in patches) >= 1 and len(patches) >= 6


class Workflows:
    """A Teams Workflows webhook stand-in on 127.0.0.1: keeps what is posted to it."""

    def __init__(self) -> None:
        self.posted: list[dict[str, Any]] = []
        self.loop = asyncio.new_event_loop()
        self.url = ""

    async def _hook(self, request: web.Request) -> web.Response:
        self.posted.append(await request.json())
        return web.Response(status=202)

    def __enter__(self) -> Workflows:
        started = threading.Event()

        async def serve() -> None:
            app = web.Application()
            app.router.add_post("/workflows/1/triggers/manual/paths/invoke", self._hook)
            runner = web.AppRunner(app)
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            port = runner.addresses[0][1]
            self.url = f"http://127.0.0.1:{port}/workflows/1/triggers/manual/paths/invoke?sig=s"
            self._runner = runner
            started.set()

        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()
        asyncio.run_coroutine_threadsafe(serve(), self.loop)
        assert started.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)


@pytest.fixture
def workflows() -> Iterator[Workflows]:
    with Workflows() as hook:
        yield hook


def test_a_webhook_cannot_update_so_each_change_posts_the_card_anew(
    tmp_path: Path, workflows: Workflows
) -> None:
    clock = FakeClock()
    with SandboxTenant(tmp_path / "tenant", faults=[], clock=clock.epoch) as tenant:
        settings = Settings(
            home=tmp_path / "home",
            sandbox_url=tenant.base_url,
            teams_transports={"channel": "webhook"},
            teams_webhook_url=workflows.url,
        )
        product = Product(bootstrap(settings, clock=clock), tenant, clock)
        settle(product, product.run(OPEN))
        assert len(workflows.posted) == 1, "the report's link alone is not worth a new post"
        settle(product, product.run(CHANGES[0]))
        # The update's own card: the refresh before it does not post a second one.
        assert len(workflows.posted) == 2
        settle(product, product.run("status identified"))
        assert len(workflows.posted) == 3
        latest = json.dumps(workflows.posted[-1])
        assert '"title": "Status", "value": "Identified"' in latest and "Update 1" in latest
        assert product.channel_posts() == [], "nothing went to the channel through Graph"
