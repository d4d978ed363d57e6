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
from comms_assistant.config import TENANT_IDENTITY_SETTINGS, Settings
from comms_assistant.entrypoints.bot.auth import (
    Authenticator,
    BoundedTokenProvider,
    Refused,
    ServiceUrls,
    TokenUnavailable,
    auth_configuration,
    has_expiry,
    service_url_matches,
    webhook_signature_ok,
)
from comms_assistant.entrypoints.bot.cards import help_card, submitted_command
from comms_assistant.entrypoints.bot.policy import bot_mentions, command_text

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
    # A token that names no serviceUrl is good for none (it was taken as a match).
    assert not service_url_matches({}, "https://anything.example/")
    assert not service_url_matches({"serviceurl": ""}, "https://anything.example/")
    assert not service_url_matches({"serviceurl": ["x"]}, "https://anything.example/")
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


def _settings(**values: Any) -> Settings:
    if "graph_url" in values:  # a real tenant names itself
        values = {name: f"{name} of the tenant" for name in TENANT_IDENTITY_SETTINGS} | values
    return Settings(**({"bot_app_id": "the-bot"} | values))


@pytest.mark.parametrize(
    "url",
    [
        "https://smba.trafficmanager.net/emea/",
        "https://smba.trafficmanager.net/teams/",
        "https://SMBA.trafficmanager.net/amer/",
        "https://smba.trafficmanager.net:443/uk/",
        "https://smba.infra.gcc.teams.microsoft.com/teams",
    ],
)
def test_the_public_bot_connector_is_trusted(url: str) -> None:
    assert ServiceUrls(_settings(graph_url="https://graph.microsoft.com/v1.0")).allows(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example.org/",
        "http://smba.trafficmanager.net/emea/",  # not https
        "https://smba.trafficmanager.net.evil.example/",
        "https://smba.trafficmanager.net@evil.example/",
        "https://user:pw@smba.trafficmanager.net/emea/",
        "https://smba.trafficmanager.net:8443/emea/",
        "https://evil.example/?https://smba.trafficmanager.net/",
        "https://smba.infra.gov.teams.microsoft.us/teams",  # US Government: not by default
        "http://127.0.0.1:3978/",  # no sandbox in this tenant
        "javascript:alert(1)",
        "",
        None,
    ],
)
def test_other_hosts_are_not(url: str | None) -> None:
    assert not ServiceUrls(_settings(graph_url="https://graph.microsoft.com/v1.0")).allows(url)


def test_us_government_sign_in_trusts_its_clouds_and_settings_add_more() -> None:
    gov = ServiceUrls(
        _settings(
            graph_url="https://graph.microsoft.us/v1.0",
            login_host="login.microsoftonline.us",
            bot_service_urls=["https://bots.example.gov.uk/connector/"],
        )
    )
    assert gov.allows("https://smba.infra.gov.teams.microsoft.us/teams")
    assert gov.allows("https://smba.infra.dod.teams.microsoft.us/teams")
    assert gov.allows("https://bots.example.gov.uk/connector/emea/")
    assert not gov.allows("https://bots.example.gov.uk/other/")
    # Setting the list replaces the default: the public cloud is not trusted any more.
    assert not gov.allows("https://smba.trafficmanager.net/emea/")


def test_the_sandbox_is_trusted_only_when_it_is_the_tenant() -> None:
    sandbox = "http://127.0.0.1:8765"
    assert ServiceUrls(_settings(sandbox_url=sandbox)).allows(sandbox + "/")
    assert not ServiceUrls(_settings(sandbox_url=sandbox)).allows("http://127.0.0.1:8766/")
    real = _settings(sandbox_url=sandbox, graph_url="https://graph.microsoft.com/v1.0")
    assert not ServiceUrls(real).allows(sandbox + "/")


def _unsigned(header: dict[str, Any]) -> str:
    return jwt.encode({"aud": "the-bot", "exp": time.time() + 60}, "k" * 32, "HS256", header)


@pytest.mark.parametrize(
    "header",
    [
        "Bearer " + jwt.encode({"aud": "the-bot"}, None, algorithm="none"),  # alg: none
        "Bearer " + _unsigned({}),  # HS256, no kid
        "Bearer " + _unsigned({"kid": "k"}),  # HS256 with a kid
        "Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln",  # RS256 with no kid
        "Bearer eyJhbGciOiJSUzI1NiIsImtpZCI6ImsiLCJqa3UiOiJodHRwOi8veCJ9.e30.c2ln",  # jku
        "Bearer not-a-jwt",
        "Bearer a b",
        "Bearer " + "a" * 20000,
        "Basic dXNlcjpwYXNz",
        "Bearer",
        "",
    ],
)
def test_tokens_the_sdk_would_choke_on_are_refused_before_it(header: str) -> None:
    authenticator = Authenticator(auth_configuration(_settings()), anonymous=False)
    with pytest.raises(Refused):
        asyncio.run(authenticator.identify(header))


def test_no_header_is_refused_unless_anonymous() -> None:
    with pytest.raises(Refused):
        asyncio.run(Authenticator(auth_configuration(_settings()), anonymous=False).identify(None))
    anonymous = Authenticator(auth_configuration(_settings()), anonymous=True)
    assert not asyncio.run(anonymous.identify(None)).claims


def test_a_key_server_that_cannot_be_reached_refuses_the_token(monkeypatch: Any) -> None:
    from cryptography.hazmat.primitives.asymmetric import rsa
    from microsoft_agents.hosting.core.authorization.jwt import jwt_token_validator

    # Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    monkeypatch.setattr(jwt_token_validator, "_build_jwks_uri", lambda *a: "http://127.0.0.1:9/k")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode(
        {"aud": "the-bot", "exp": time.time() + 60}, key, "RS256", {"kid": "unreachable"}
    )
    authenticator = Authenticator(auth_configuration(_settings()), anonymous=False)
    with pytest.raises(Refused):
        asyncio.run(authenticator.identify(f"Bearer {token}"))
