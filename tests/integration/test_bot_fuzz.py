"""Hostile and malformed requests at the real aiohttp app (issue 14, failure 4).

Every malformed or unauthenticated request gets 400 or 401 with one log line, never a 500 or a
traceback; nothing changes without a valid token (or webhook signature) and an allowed sender.
The cases the security review found come first, then hypothesis posts random activities and
webhook bodies.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterator
from typing import Any

import httpx
import jwt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_bot_harness import KEY, Running, message, sign, start_bot, token

from comms_assistant.adapters.sql import outbox, store
from comms_assistant.bootstrap import bootstrap


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def tracebacks(self) -> list[str]:
        return [
            r.getMessage()
            for r in self.records
            if r.levelno >= logging.INFO
            and (r.exc_info or r.stack_info or "Traceback" in r.getMessage())
        ]


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Running, Records]]:
    records = Records()
    root = logging.getLogger()
    root.addHandler(records)
    try:
        with (
            pytest.MonkeyPatch.context() as patch,
            start_bot(tmp_path_factory.mktemp("fuzz"), patch) as running,
        ):
            yield running, records
    finally:
        root.removeHandler(records)


def _nothing_changed(running: Running) -> None:
    engine = bootstrap(running.settings).engine
    with store.transaction(engine) as session:
        assert store.latest_incident(session) is None
    assert outbox.rows(engine) == []


def _messages(running: Running, body: bytes, authorization: str | None) -> httpx.Response:
    headers = {"Content-Type": "application/json"}
    if authorization is not None:
        headers["Authorization"] = authorization
    return httpx.post(f"{running.url}/api/messages", content=body, headers=headers, timeout=30)


def _webhook(running: Running, body: bytes, signature: str | None) -> httpx.Response:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["Authorization"] = signature
    return httpx.post(f"{running.url}/api/webhook", content=body, headers=headers, timeout=30)


def _b64(part: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()


OPEN = "open Apply is down p1 impact: Candidates cannot apply services: apply"


def test_tokens_without_a_key_id_get_401_and_one_line(bot: tuple[Running, Records]) -> None:
    running, records = bot
    body = json.dumps(message(OPEN, service_url=running.service_url)).encode()
    claims = {"iss": "https://api.botframework.com", "aud": "x", "exp": 2_000_000_000}
    no_kid = jwt.encode(claims, KEY, algorithm="RS256")
    alg_none = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."
    for bad in (no_kid, alg_none, jwt.encode(claims, None, algorithm="none")):
        before = len(records.records)
        response = _messages(running, body, f"Bearer {bad}")
        assert response.status_code == 401, response.text
        assert "Traceback" not in response.text
        lines = [r for r in records.records[before:] if r.levelno >= logging.WARNING]
        assert len(lines) == 1 and not lines[0].exc_info, [r.getMessage() for r in lines]
    assert records.tracebacks() == []
    _nothing_changed(running)


def test_deeply_nested_bodies_and_odd_fields_get_400(bot: tuple[Running, Records]) -> None:
    running, records = bot
    deep = b"[" * 100_000 + b"]" * 100_000
    good = f"Bearer {token(service_url=running.service_url)}"
    assert _messages(running, deep, good).status_code == 400
    assert _webhook(running, deep, sign(deep)).status_code == 400
    activity = message(OPEN, service_url=running.service_url)
    for odd in ({"from": "comms.lead@example.org"}, {"conversation": []}, {"text": 7}):
        body = json.dumps(activity | odd).encode()
        assert _webhook(running, body, sign(body)).status_code == 400, odd
        assert _messages(running, body, good).status_code == 400, odd
    assert records.tracebacks() == []
    _nothing_changed(running)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = ["type", "from", "conversation", "recipient", "serviceUrl", "text", "value", "entities"]
# Senders the bot must never obey: one it does not know, and one in no allowed list.
SENDERS = ["29:1-visitor", "29:1-nobody"]


@st.composite
def activities(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["random", "mutated", "raw"]))
    if kind == "raw":
        return draw(st.binary(max_size=200))
    if kind == "random":
        return json.dumps(draw(JSON)).encode()
    text = draw(st.sampled_from([OPEN, "lead me", "log x", "priority p1", "close Fixed", "status"]))
    activity = message(text, sender=draw(st.sampled_from(SENDERS)))
    for name in draw(st.lists(st.sampled_from(FIELDS), max_size=3, unique=True)):
        activity[name] = draw(JSON)
    return json.dumps(activity).encode()


def _authorization(draw: st.DrawFn, running: Running) -> str | None:
    choice = draw(st.sampled_from(["none", "garbage", "good", "no-claim", "other-url"]))
    return {
        "none": None,
        "garbage": "Bearer " + draw(st.text(alphabet="abcdef.-_=", min_size=1, max_size=60)),
        "good": f"Bearer {token(service_url=running.service_url)}",
        "no-claim": f"Bearer {token(service_url=None)}",
        "other-url": f"Bearer {token(service_url='https://evil.example/')}",
    }[choice]


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=activities(), data=st.data())
def test_random_requests_never_500_never_a_traceback_never_a_change(
    bot: tuple[Running, Records], body: bytes, data: st.DataObject
) -> None:
    running, records = bot
    if data.draw(st.booleans(), label="webhook"):
        signature = data.draw(st.sampled_from(["good", "bad", "none"]), label="signature")
        header = {"good": sign(body), "bad": "HMAC AAAA", "none": None}[signature]
        response = _webhook(running, body, header)
        allowed = {200, 400, 401} if signature == "good" else {401}
    else:
        authorization = _authorization(data.draw, running)
        response = _messages(running, body, authorization)
        allowed = {202, 400, 401, 501} if authorization and "Bearer ey" in authorization else {401}
    assert response.status_code in allowed, (response.status_code, response.text[:200])
    assert "Traceback" not in response.text
    assert records.tracebacks() == []
    _nothing_changed(running)
