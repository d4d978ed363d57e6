"""Error mapping and retry behaviour of the Graph adapter, against a tiny local fake server.

The sandbox tenant answers like Graph; this fake answers *badly* on purpose (423, 429 with
Retry-After, 503 forever, errors with no body) to prove how each failure reaches the ports.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from azure.core.credentials import AccessToken

from comms_assistant.adapters.graph.client import make_graph_client
from comms_assistant.adapters.graph.files import GraphDocumentStore
from comms_assistant.adapters.graph.mail import GraphMailer
from comms_assistant.adapters.graph.teams import _ATTACHMENT_NAMESPACE, GraphTeamsPoster
from comms_assistant.config import Settings
from comms_assistant.service.ports import (
    DeliveryError,
    Locked,
    NotFound,
    OutgoingMail,
    PreconditionFailed,
    Recipient,
    TeamsCard,
)

# msgraph's generated builders warn about their own deprecated config classes on import.
pytestmark = pytest.mark.filterwarnings("ignore:.*is deprecated:DeprecationWarning")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class StaticCredential:
    """No token endpoint: the fake server runs on the test's own event loop."""

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken("fake-token", int(time.time()) + 3600)


def odata(status: int, code: str, message: str, **headers: str) -> web.Response:
    body = {"error": {"code": code, "message": message}}
    return web.json_response(body, status=status, headers=headers)


async def run_against(handler: Handler, scenario: Callable[[Any], Awaitable[Any]]) -> list[str]:
    """Serve `handler` on 127.0.0.1, run `scenario(client)`; returns the requests seen."""
    seen: list[str] = []

    async def record(request: web.Request) -> web.StreamResponse:
        seen.append(f"{request.method} {request.path}")
        return await handler(request)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", record)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    client = make_graph_client(Settings(), f"http://127.0.0.1:{port}/v1.0", StaticCredential())
    try:
        await scenario(client)
    finally:
        await client.request_adapter._http_client.aclose()
        await runner.cleanup()
    return seen


def mail() -> OutgoingMail:
    return OutgoingMail(
        delivery_id="d-1",
        subject="s",
        html="<p>x</p>",
        text="x",
        to=(Recipient("a@example.org"),),
    )


def test_send_mail_is_sent_once_when_graph_always_answers_503() -> None:
    async def handler(request: web.Request) -> web.Response:
        return odata(503, "serviceUnavailable", "try later", **{"Retry-After": "1"})

    raised: list[DeliveryError] = []

    async def scenario(client: Any) -> None:
        with pytest.raises(DeliveryError) as info:
            await GraphMailer(client, "incidents@example.org").send(mail())
        raised.append(info.value)

    seen = asyncio.run(run_against(handler, scenario))
    assert seen == ["POST /v1.0/users/incidents@example.org/sendMail"]
    assert raised[0].retryable is True
    assert raised[0].retry_after == 1.0
    assert "serviceUnavailable" in str(raised[0])


def test_post_card_is_sent_once_when_graph_always_answers_503() -> None:
    async def handler(request: web.Request) -> web.Response:
        if request.method == "GET":  # the look for an earlier post of the card: none
            return web.json_response({"value": []})
        return web.Response(status=503)  # no body: kiota raises a plain APIError

    async def scenario(client: Any) -> None:
        poster = GraphTeamsPoster(client, "team", "19:c@thread.tacv2")
        with pytest.raises(DeliveryError) as info:
            await poster.post_card(TeamsCard("d-2", "summary", {"type": "AdaptiveCard"}))
        assert info.value.retryable is True

    seen = asyncio.run(run_against(handler, scenario))
    assert [call for call in seen if call.startswith("POST")] == [
        "POST /v1.0/teams/team/channels/19:c@thread.tacv2/messages"
    ]


@pytest.mark.parametrize("uncertain", [False, True])
def test_only_a_retry_after_an_unknown_outcome_looks_for_an_earlier_post(uncertain: bool) -> None:
    """A first try posts straight away; a retry finds the card an earlier try posted."""
    attachment = uuid.uuid5(_ATTACHMENT_NAMESPACE, "d-5").hex

    async def handler(request: web.Request) -> web.Response:
        if request.method == "GET":
            earlier = {"id": "1700000000009", "attachments": [{"id": attachment}]}
            return web.json_response({"value": [earlier]})
        return web.json_response({"id": "1700000000010"}, status=201)

    async def scenario(client: Any) -> str:
        poster = GraphTeamsPoster(client, "team", "19:c@thread.tacv2")
        card = TeamsCard("d-5", "s", {"type": "AdaptiveCard"}, uncertain=uncertain)
        return await poster.post_card(card)

    found: list[str] = []

    async def remember(client: Any) -> None:
        found.append(await scenario(client))

    seen = asyncio.run(run_against(handler, remember))
    if uncertain:
        assert [c.split()[0] for c in seen] == ["GET"] and found == ["1700000000009"]
    else:
        assert [c.split()[0] for c in seen] == ["POST"] and found == ["1700000000010"]


def test_sdk_retries_idempotent_reads_but_mapping_still_applies() -> None:
    """A GET is left to kiota's retry (safe); after it gives up the 429 maps to retryable."""
    calls = 0

    async def handler(request: web.Request) -> web.Response:
        nonlocal calls
        calls += 1
        return odata(429, "TooManyRequests", "slow down", **{"Retry-After": "1"})

    async def scenario(client: Any) -> None:
        store = GraphDocumentStore(client, "example.sharepoint.com:/sites/incidents")
        with pytest.raises(DeliveryError) as info:
            await store.get_by_path("Templates/x.docx")
        assert info.value.retryable is True
        assert info.value.retry_after == 1.0
        assert "TooManyRequests" in str(info.value)

    asyncio.run(run_against(handler, scenario))
    assert calls == 4  # 1 + kiota's 3 retries


def _store_scenario(
    operation: Callable[[GraphDocumentStore], Awaitable[Any]], expected: type[Exception]
) -> Callable[[Any], Awaitable[None]]:
    async def scenario(client: Any) -> None:
        store = GraphDocumentStore(client, "example.sharepoint.com:/sites/incidents")
        store._drive_id = "b!drive"  # skip site resolution: only the failing call matters
        with pytest.raises(expected) as info:
            await operation(store)
        scenario.error = info.value  # type: ignore[attr-defined]

    return scenario


def test_423_while_saving_maps_to_locked() -> None:
    async def handler(request: web.Request) -> web.Response:
        return odata(423, "resourceLocked", "The resource you are attempting to access is locked")

    scenario = _store_scenario(lambda s: s.replace("item-1", b"x", if_match='"e1"'), Locked)
    asyncio.run(run_against(handler, scenario))
    error = scenario.error  # type: ignore[attr-defined]
    assert error.retryable is True
    assert "resourceLocked" in str(error)


def test_412_while_saving_maps_to_precondition_failed() -> None:
    async def handler(request: web.Request) -> web.Response:
        assert request.headers["If-Match"] == '"{A},2"'
        return odata(412, "preconditionFailed", "ETag does not match")

    scenario = _store_scenario(
        lambda s: s.replace("item-1", b"x", if_match='"{A},2"'), PreconditionFailed
    )
    asyncio.run(run_against(handler, scenario))


def test_404_maps_to_not_found_and_get_by_path_to_none() -> None:
    async def handler(request: web.Request) -> web.Response:
        return odata(404, "itemNotFound", "The resource could not be found.")

    scenario = _store_scenario(lambda s: s.download("missing"), NotFound)
    asyncio.run(run_against(handler, scenario))

    async def by_path(client: Any) -> None:
        store = GraphDocumentStore(client, "example.sharepoint.com:/sites/incidents")
        store._drive_id = "b!drive"
        assert await store.get_by_path("Incident reports/none.docx") is None

    asyncio.run(run_against(handler, by_path))


def test_other_4xx_is_not_retryable_and_names_graph_code() -> None:
    async def handler(request: web.Request) -> web.Response:
        return odata(403, "accessDenied", "Either scp or roles claim need to be present")

    async def scenario(client: Any) -> None:
        with pytest.raises(DeliveryError) as info:
            await GraphMailer(client, "incidents@example.org").send(mail())
        assert info.value.retryable is False
        assert "403" in str(info.value) and "accessDenied" in str(info.value)
        assert "fake-token" not in str(info.value)

    asyncio.run(run_against(handler, scenario))


def _copy_handler(monitor_states: list[dict[str, Any]], seen_auth: list[str | None]) -> Handler:
    """Graph-like enough for `copy`: items by path, 202 + Location, then the given monitor."""
    polls = iter(monitor_states)

    async def handler(request: web.Request) -> web.Response:
        if request.path.startswith("/monitor"):
            seen_auth.append(request.headers.get("Authorization"))
            state = next(polls, monitor_states[-1])
            return web.json_response(state, status=202 if state["status"] != "failed" else 200)
        if request.path.endswith("/copy"):
            assert request.query["@microsoft.graph.conflictBehavior"] == "fail"
            location = f"http://{request.host}/monitor/1"
            return web.Response(status=202, headers={"Location": location})
        return web.json_response({"id": "item-" + request.path[-12:], "name": "x", "eTag": '"1"'})

    return handler


def test_copy_gives_up_after_its_timeout_and_never_sends_the_token_to_the_monitor() -> None:
    seen_auth: list[str | None] = []
    handler = _copy_handler([{"status": "inProgress"}], seen_auth)

    async def scenario(client: Any) -> None:
        store = GraphDocumentStore(client, "h:/sites/s", copy_timeout=0.3)
        store._drive_id = "b!drive"
        with pytest.raises(DeliveryError) as info:
            await store.copy("Templates/t.docx", "Incident reports", "r.docx")
        assert info.value.retryable is True and "still inProgress" in str(info.value)

    asyncio.run(run_against(handler, scenario))
    assert len(seen_auth) >= 2
    assert seen_auth == [None] * len(seen_auth)


def test_copy_failure_reported_by_the_monitor_is_not_retryable() -> None:
    failed = {"status": "failed", "error": {"code": "quotaLimitReached", "message": "full"}}
    handler = _copy_handler([{"status": "inProgress"}, failed], [])

    async def scenario(client: Any) -> None:
        store = GraphDocumentStore(client, "h:/sites/s")
        store._drive_id = "b!drive"
        with pytest.raises(DeliveryError) as info:
            await store.copy("Templates/t.docx", "Incident reports", "r.docx")
        assert info.value.retryable is False and "quotaLimitReached" in str(info.value)

    asyncio.run(run_against(handler, scenario))


@pytest.mark.parametrize(
    ("modified", "pristine"),
    [("2026-11-23T10:00:00Z", True), ("2026-11-23T10:00:01Z", False), (None, False)],
)
def test_a_copy_is_pristine_only_while_nobody_has_changed_it(
    modified: str | None, pristine: bool
) -> None:
    """Only an untouched copy may be filled from the template read beside it."""
    done = {"status": "completed", "resourceId": "new-copy"}

    async def handler(request: web.Request) -> web.Response:
        if request.path.endswith("/items/new-copy"):
            return web.json_response(
                {
                    "id": "new-copy",
                    "name": "r.docx",
                    "eTag": '"2"',
                    "createdDateTime": "2026-11-23T10:00:00Z",
                    "lastModifiedDateTime": modified,
                }
            )
        return await _copy_handler([done], [])(request)

    async def scenario(client: Any) -> None:
        store = GraphDocumentStore(client, "h:/sites/s")
        store._drive_id = "b!drive"
        item = await store.copy("Templates/t.docx", "Incident reports", "r.docx")
        assert (item.id, item.pristine) == ("new-copy", pristine)

    asyncio.run(run_against(handler, scenario))


def test_copy_onto_an_existing_name_returns_the_existing_file() -> None:
    """An outbox retry after a copy that did finish must not fail or make a second report."""

    async def handler(request: web.Request) -> web.Response:
        if request.path.endswith("/copy"):
            return odata(409, "nameAlreadyExists", "The specified item name already exists.")
        return web.json_response({"id": "existing", "name": "r.docx", "eTag": '"7"'})

    async def scenario(client: Any) -> None:
        store = GraphDocumentStore(client, "h:/sites/s")
        store._drive_id = "b!drive"
        item = await store.copy("Templates/t.docx", "Incident reports", "r.docx")
        assert item.id == "existing" and item.etag == '"7"'

    asyncio.run(run_against(handler, scenario))


def test_post_card_still_posts_when_the_channel_cannot_be_read() -> None:
    """No permission to read the channel (403): the duplicate check is skipped, not the card."""

    async def handler(request: web.Request) -> web.Response:
        if request.method == "GET":
            return odata(403, "Forbidden", "Missing role permissions on the request.")
        return web.json_response({"id": "1700000000001"}, status=201)

    async def scenario(client: Any) -> None:
        poster = GraphTeamsPoster(client, "team", "19:c@thread.tacv2")
        card = TeamsCard("d-3", "s", {"type": "AdaptiveCard"}, uncertain=True)
        assert await poster.post_card(card) == ("1700000000001")

    seen = asyncio.run(run_against(handler, scenario))
    assert [call.split()[0] for call in seen] == ["GET", "POST"]
