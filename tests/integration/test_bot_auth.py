"""Only Teams (a valid Bot Framework token, or a correctly signed outgoing webhook) gets in."""

# ruff: noqa: F811  (pytest fixtures are parameters named like the imported fixture)

from __future__ import annotations

import json
import time

import httpx
import pytest
from test_bot_harness import (
    KEY,
    OTHER_KEY,
    Running,
    message,
    running_bot,  # noqa: F401  (the fixture)
    sign,
    token,
)

from comms_assistant.adapters.sql import store
from comms_assistant.bootstrap import bootstrap


def _incidents(running: Running) -> int:
    app = bootstrap(running.settings)
    with store.transaction(app.engine) as session:
        return len(store.open_incidents(session))


OPEN = "open Apply is down p2 impact: Candidates cannot apply services: apply"


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer not-a-jwt",
        "Basic dXNlcjpwYXNz",
        "expired",
        "no-expiry",
        "wrong-audience",
        "wrong-issuer",
        "forged",
        "unsigned",
    ],
)
def test_bad_tokens_are_refused_and_change_nothing(
    running_bot: Running, header: str | None
) -> None:
    url = running_bot.service_url
    now = int(time.time())
    tokens = {
        "expired": token(service_url=url, exp=now - 3600, nbf=now - 7200, iat=now - 7200),
        "no-expiry": token(service_url=url, exp=None),
        "wrong-audience": token(service_url=url, aud="someone-elses-bot"),
        "wrong-issuer": token(service_url=url, iss="https://evil.example.org"),
        "forged": token(service_url=url, key=OTHER_KEY),
    }
    if header == "unsigned":
        claims = {"iss": "https://api.botframework.com", "aud": "x", "exp": now + 60}
        header = "Bearer " + json.dumps(claims)
    elif header in tokens:
        header = f"Bearer {tokens[header]}"
    response = running_bot.post(message(OPEN, service_url=url), auth=header)
    assert response.status_code == 401
    assert "Traceback" not in response.text
    assert running_bot.sent == []
    assert _incidents(running_bot) == 0


def test_a_good_token_is_answered(running_bot: Running) -> None:
    reply = running_bot.say("status", sender="29:1-visitor")
    assert reply["type"] == "message"
    assert "No incident" in reply["text"]


def test_token_for_another_service_url_is_refused(running_bot: Running) -> None:
    stolen = token(service_url="https://smba.trafficmanager.net/emea/", key=KEY)
    activity = message("help", service_url=running_bot.service_url)
    assert running_bot.post(activity, auth=f"Bearer {stolen}").status_code == 401
    assert running_bot.sent == []


def test_garbage_body_gets_a_plain_400(running_bot: Running) -> None:
    good = f"Bearer {token(service_url=running_bot.service_url)}"
    response = httpx.post(
        f"{running_bot.url}/api/messages",
        content=json.dumps(
            {"type": "message", "conversation": 7, "serviceUrl": running_bot.service_url}
        ).encode(),
        headers={"Authorization": good, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert "Traceback" not in response.text and "validation" not in response.text.lower()


def _webhook(running: Running, activity: dict, signature: str | None) -> httpx.Response:
    body = json.dumps(activity).encode()
    headers = {"Content-Type": "application/json"}
    if signature == "good":
        headers["Authorization"] = sign(body)
    elif signature is not None:
        headers["Authorization"] = signature
    return httpx.post(f"{running.url}/api/webhook", content=body, headers=headers, timeout=10)


def test_outgoing_webhook_with_a_good_signature_is_answered_in_the_response(
    running_bot: Running,
) -> None:
    activity = message(OPEN, service_url=running_bot.service_url)
    started = time.monotonic()
    response = _webhook(running_bot, activity, "good")
    assert time.monotonic() - started < 5
    assert response.status_code == 200
    answer = response.json()
    assert answer["type"] == "message"
    assert "is open at P2" in answer["text"]
    assert answer["attachments"][0]["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert _incidents(running_bot) == 1
    assert running_bot.sent == []  # webhooks answer in the response, never via the connector


@pytest.mark.parametrize("signature", [None, "HMAC AAAA", "Bearer x", "HMAC", "tampered"])
def test_forged_webhook_signatures_are_refused(running_bot: Running, signature: str | None) -> None:
    activity = message(OPEN, service_url=running_bot.service_url)
    if signature == "tampered":
        signature = sign(json.dumps(message("help")).encode())
    response = _webhook(running_bot, activity, signature)
    assert response.status_code == 401
    assert _incidents(running_bot) == 0


def test_webhook_sender_unknown_to_the_map_may_only_read(running_bot: Running) -> None:
    activity = message(OPEN, sender="29:1-nadia", service_url=running_bot.service_url)
    answer = _webhook(running_bot, activity, "good").json()
    assert "could not tell who you are" in answer["text"]
    assert _incidents(running_bot) == 0
