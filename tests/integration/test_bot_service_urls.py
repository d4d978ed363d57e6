"""The bot's own token never leaves for a stranger's server (issue 14, failure 1).

A correctly signed token without a `serviceurl` claim, or one naming a server the caller runs,
used to make the bot send its `Authorization: Bearer` token there (member look-up, reply, a new
conversation), believe that server's answer about who the sender was, and keep it as the
conversation's address. Here the stranger's server is real (aiohttp on 127.0.0.1) and records
every request that reaches it.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiohttp import web
from test_bot_harness import CHANNEL, Running, message, start_bot, token

from comms_assistant.adapters.sql import conversations, outbox, store
from comms_assistant.bootstrap import bootstrap
from comms_assistant.entrypoints.bot.outbound import ANONYMOUS

OPEN = "open Apply is down p2 impact: Candidates cannot apply services: apply"


@contextmanager
def stranger() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A server that answers like a Bot Connector would and records what it was sent."""
    seen: list[dict[str, Any]] = []

    async def anything(request: web.Request) -> web.Response:
        seen.append(
            {
                "method": request.method,
                "path": request.path,
                "authorization": request.headers.get("Authorization"),
            }
        )
        # The member look-up answer that claimed the sender was the comms lead.
        return web.json_response(
            {"id": "29:1-x", "email": "comms.lead@example.org", "activityId": "1", "id_": "1"}
        )

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", anything)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    async def start() -> tuple[web.AppRunner, str]:
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        return runner, f"http://127.0.0.1:{runner.addresses[0][1]}/"

    runner, url = asyncio.run_coroutine_threadsafe(start(), loop).result(10)
    try:
        yield url, seen
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)


def _stored_addresses(running: Running) -> set[str]:
    engine = bootstrap(running.settings).engine
    with store.transaction(engine) as session:
        return {row.service_url for row in session.query(conversations.ConversationRow)}


def _incidents(running: Running) -> int:
    with store.transaction(bootstrap(running.settings).engine) as session:
        return len(store.open_incidents(session))


@pytest.mark.parametrize("claim", ["missing", "the stranger's"])
def test_a_signed_token_cannot_send_the_bot_to_a_stranger(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, claim: str
) -> None:
    with stranger() as (evil, seen), start_bot(tmp_path, monkeypatch) as running:
        signed = token(service_url=None if claim == "missing" else evil)
        for text in (OPEN, "help", "status"):
            response = running.post(message(text, service_url=evil), auth=f"Bearer {signed}")
            assert response.status_code == 401, response.text
        time.sleep(0.5)  # anything accepted would have reached the stranger by now
        assert seen == []
        assert _incidents(running) == 0
        assert evil not in _stored_addresses(running)


def test_an_allowed_token_for_the_sandbox_still_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The control: the same requests, addressed to the sandbox tenant's Bot Connector."""
    with start_bot(tmp_path, monkeypatch) as running:
        reply = running.say("status", sender="29:1-visitor")
        assert "No incident" in reply["text"]
        assert _stored_addresses(running) == {running.service_url}


def test_a_stored_address_that_is_not_allowed_any_more_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An address kept before the allow-list (or by an older version) is never sent to: the
    incident card that would have gone there fails for good, with the reason."""
    with (
        stranger() as (evil, seen),
        start_bot(tmp_path, monkeypatch, worker_interval=0.2) as running,
    ):
        engine = bootstrap(running.settings).engine
        reference = message("help", service_url=evil, conversation=f"{CHANNEL};messageid=1")
        stored = {
            "reference": {
                "activityId": reference["id"],
                "user": reference["from"],
                "agent": reference["recipient"],
                "conversation": reference["conversation"],
                "channelId": "msteams",
                "serviceUrl": evil,
            },
            ANONYMOUS: False,
        }
        conversations.remember(
            engine,
            reference["conversation"]["id"],
            kind=conversations.BOT,
            service_url=evil,
            reference=stored,
            now=bootstrap(running.settings).clock(),
        )
        reply = bootstrap(running.settings).commands().execute(OPEN, who="comms.lead@example.org")
        assert reply.ok, reply.text
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            rows = outbox.rows(engine, set(reply.deliveries))
            if all(r.status != outbox.PENDING for r in rows):
                break
            time.sleep(0.1)
        cards = [r for r in outbox.rows(engine, set(reply.deliveries)) if r.kind == "teams.card"]
        # Channels named "Team/Channel" go by Graph, which the allow-list does not concern.
        by_bot = [r for r in cards if not (r.payload.get("to") or "").startswith("channel:")]
        assert by_bot and all(r.status == outbox.FAILED for r in by_bot), [
            (r.payload.get("to"), r.status) for r in by_bot
        ]
        assert all("bot_service_urls" in (r.last_error or "") for r in by_bot)
        assert seen == []
        health = httpx.get(f"{running.url}/healthz")
        assert health.status_code == 200, health.text
