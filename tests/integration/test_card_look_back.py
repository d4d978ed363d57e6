"""A retried card looks back through the chat to when its delivery was queued, however busy the
chat has been since, and no further.

The 20-incident PostgreSQL soak posted three cards twice: each retry came minutes after its first
try, into a 1:1 chat where other incidents' cards had pushed the first try out of the 20 newest
messages the look used to read.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from aiohttp import web
from test_graph_faults import run_against
from test_sandbox_sdk import make_client

from comms_assistant.adapters.graph.teams import _ATTACHMENT_NAMESPACE, GraphTeamsPoster
from comms_assistant.sandbox import SandboxTenant, seed
from comms_assistant.service.ports import TeamsCard

pytestmark = pytest.mark.filterwarnings("ignore:.*is deprecated:DeprecationWarning")

PERSON = "nadia.farrow@example.org"
CARD = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "text": "x"}]}


def carrying(posts: list[dict[str, Any]], delivery_id: str) -> list[dict[str, Any]]:
    attachment = uuid.uuid5(_ATTACHMENT_NAMESPACE, delivery_id).hex
    return [m for m in posts if any(a["id"] == attachment for a in m.get("attachments") or [])]


def chat_posts(sandbox: SandboxTenant) -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in (sandbox.root / "chats").rglob("*.json")]


@pytest.mark.parametrize("others", [0, 130])
def test_a_retry_finds_its_first_try_under_a_busy_chat(
    sandbox: SandboxTenant, graph_as_user: httpx.Client, others: int
) -> None:
    """First try posted, answer lost; `others` messages arrive; the retry finds the first try."""
    queued = datetime.now(UTC)

    async def scenario() -> tuple[str, str]:
        client = make_client(
            sandbox,
            grant_type="password",
            username=seed.SERVICE_ACCOUNT,
            password=seed.SERVICE_ACCOUNT_PASSWORD,
        )
        poster = GraphTeamsPoster(client, seed.TEAM_ID, seed.CHANNEL_ID)
        first = TeamsCard("d-41", "s", CARD, f"chat:{PERSON}", since=queued)
        posted = await poster.post_card(first)
        (chat,) = {m["chatId"] for m in chat_posts(sandbox)}
        for n in range(others):  # other incidents' messages, faster than the pace allows
            reply = graph_as_user.post(
                f"/chats/{chat}/messages", json={"body": {"content": f"other {n}"}}
            )
            assert reply.status_code == 201
        retry = TeamsCard("d-41", "s", CARD, f"chat:{PERSON}", uncertain=True, since=queued)
        return posted, await poster.post_card(retry)

    posted, again = asyncio.run(scenario())
    assert again == posted
    assert len(carrying(chat_posts(sandbox), "d-41")) == 1
    assert len(chat_posts(sandbox)) == 1 + others
    looks = [r for r in sandbox.requests if r.method == "GET" and r.path.endswith("/messages")]
    assert len(looks) == 1 + others // 50  # page by page, 50 at a time, until found


def test_the_look_stops_at_the_page_reaching_back_before_the_queuing() -> None:
    """Pages of newer messages are read on; the page holding one changed before the delivery
    was queued (less the clock skew allowed) is the last: the card is then posted."""
    queued = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    stamp = queued - timedelta(minutes=6)  # older than the queuing and the 5 minutes' skew

    def message(n: int, changed: datetime) -> dict[str, Any]:
        at = changed.strftime("%Y-%m-%dT%H:%M:%S.000Z")
        return {"id": str(n), "lastModifiedDateTime": at, "createdDateTime": at}

    async def handler(request: web.Request) -> web.Response:
        if request.method == "POST":
            return web.json_response({"id": "999"}, status=201)
        page = int(request.query.get("page", "1"))
        assert request.query.get("$top", "50") == "50"
        newer = [message(page * 100 + n, queued + timedelta(minutes=1)) for n in range(50)]
        body: dict[str, Any] = {"value": newer if page < 3 else [*newer[:49], message(1, stamp)]}
        body["@odata.nextLink"] = f"{request.url.with_query({'page': str(page + 1)})}"
        return web.json_response(body)

    async def scenario(client: Any) -> None:
        poster = GraphTeamsPoster(client, "team", "19:c@thread.tacv2")
        card = TeamsCard("d-7", "s", CARD, uncertain=True, since=queued)
        assert await poster.post_card(card) == "999"

    seen = asyncio.run(run_against(handler, scenario))
    assert [call.split()[0] for call in seen] == ["GET", "GET", "GET", "POST"]


def test_without_a_queuing_time_the_look_reads_one_page() -> None:
    """A card with no `since` (the pre-flight check's) looks at the newest page only."""

    async def handler(request: web.Request) -> web.Response:
        if request.method == "POST":
            return web.json_response({"id": "998"}, status=201)
        more = f"{request.url.with_query({'page': '2'})}"
        return web.json_response({"value": [{"id": "1"}], "@odata.nextLink": more})

    async def scenario(client: Any) -> None:
        poster = GraphTeamsPoster(client, "team", "19:c@thread.tacv2")
        assert await poster.post_card(TeamsCard("d-8", "s", CARD, uncertain=True)) == "998"

    seen = asyncio.run(run_against(handler, scenario))
    assert [call.split()[0] for call in seen] == ["GET", "POST"]
