"""The bot's own security rules, without servers: HMAC, token deadlines, serviceUrl binding."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import time
from typing import Any

import jwt
import pytest

from comms_assistant.adapters.card_rules import validate_card
from comms_assistant.entrypoints.bot_auth import (
    BoundedTokenProvider,
    TokenUnavailable,
    has_expiry,
    service_url_matches,
    webhook_signature_ok,
)
from comms_assistant.entrypoints.bot_cards import help_card, submitted_command
from comms_assistant.entrypoints.bot_policy import bot_mentions, command_text

SECRET = base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()
BODY = b'{"type":"message","text":"<at>Comms</at> status"}'


def _sign(body: bytes, secret: str = SECRET) -> str:
    key = base64.b64decode(secret)
    return "HMAC " + base64.b64encode(hmac.new(key, body, hashlib.sha256).digest()).decode()


def test_webhook_signature_over_the_raw_body() -> None:
    assert webhook_signature_ok(SECRET, BODY, _sign(BODY))
    assert not webhook_signature_ok(SECRET, BODY + b" ", _sign(BODY))
    assert not webhook_signature_ok(SECRET, BODY, _sign(BODY, base64.b64encode(b"other").decode()))
    for header in (None, "", "HMAC", "hmac " + _sign(BODY)[5:], "Bearer x", "HMAC \u00e9\u00e9"):
        assert not webhook_signature_ok(SECRET, BODY, header)
    assert not webhook_signature_ok("not base64!", BODY, _sign(BODY))


class Blocking:
    """Like MSAL's provider: an async method that blocks its thread (a dead network)."""

    configuration = None

    def __init__(self, delay: float) -> None:
        self.delay, self.calls = delay, 0

    async def get_access_token(self, resource: str, scopes: list[str], force: bool = False) -> str:
        self.calls += 1
        time.sleep(self.delay)
        exp = int(time.time()) + 3600
        return jwt.encode({"exp": exp}, "k", algorithm="HS256")

    def get_token_credential(self) -> Any:
        return None


def test_a_hanging_identity_endpoint_times_out_without_freezing_the_loop() -> None:
    async def scenario() -> tuple[int, float]:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0.01)

        task = asyncio.create_task(ticker())
        started = time.monotonic()
        with pytest.raises(TokenUnavailable) as raised:
            await BoundedTokenProvider(Blocking(0.8), timeout=0.2).get_access_token("r", ["s"])
        task.cancel()
        assert "did not answer in time" in str(raised.value)
        return ticks, time.monotonic() - started

    ticks, took = asyncio.run(scenario())
    assert took < 1.0
    assert ticks >= 10  # the loop kept running while the token was awaited


def test_tokens_are_reused_until_near_expiry() -> None:
    inner = Blocking(0)
    provider = BoundedTokenProvider(inner, timeout=5)

    async def twice() -> None:
        first = await provider.get_access_token("r", ["s"])
        assert await provider.get_access_token("r", ["s"]) == first

    asyncio.run(twice())
    assert inner.calls == 1


def test_a_token_is_good_only_for_its_own_service_url() -> None:
    claims = {"serviceurl": "https://smba.trafficmanager.net/emea/"}
    assert service_url_matches(claims, "https://smba.trafficmanager.net/emea/")
    assert service_url_matches(claims, "https://SMBA.trafficmanager.net/other/")
    assert not service_url_matches(claims, "https://evil.example.org/")
    assert not service_url_matches(claims, "http://smba.trafficmanager.net/emea/")
    assert not service_url_matches(claims, None)
    assert service_url_matches({}, "https://anything.example/")
    assert has_expiry({"exp": 1}) and not has_expiry({}) and not has_expiry({"exp": "soon"})


def test_teams_markup_becomes_the_command() -> None:
    mentions = bot_mentions(
        "28:bot",
        [
            {"type": "mention", "mentioned": {"id": "28:bot"}, "text": "<at>Comms</at>"},
            {"type": "mention", "mentioned": {"id": "29:sam"}, "text": "<at>Sam</at>"},
            {"type": "clientInfo", "locale": "en-GB"},
            "junk",
        ],
    )
    assert mentions == ["<at>Comms</at>"]
    # The bot's name is "Comms", also a command word: its mention must go, not be unwrapped.
    assert command_text("<at>Comms</at> comms me", mentions) == "comms me"
    assert command_text("<at>Comms</at>&nbsp;log <at>Sam</at> rolled back", mentions) == (
        "log Sam rolled back"
    )
    assert command_text("log a\x00b<p>c</p>", []) == "log a b c"
    assert command_text(None, []) == ""


def test_card_buttons_send_commands_back() -> None:
    assert submitted_command({"command": "comms me", "incident": "INC-1"}) == ("comms me", "INC-1")
    close = {"command": "close", "input": "resolution", "resolution": "Rebooted"}
    assert submitted_command(close) == ("close Rebooted", None)
    assert submitted_command({"command": 3}) is None and submitted_command("x") is None
    assert "Incident commands" in str(help_card()) and validate_card(help_card()) == []
