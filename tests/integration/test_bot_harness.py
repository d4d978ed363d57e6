"""A running bot for the bot tests, with everything it talks to on 127.0.0.1.

- a JWKS server holding the public half of a local RSA key (the SDK's key URLs are hard-coded:
  `jwt_token_validator._build_jwks_uri` is pointed at it), so tests sign real RS256 tokens;
- the sandbox tenant: its Bot Connector is the activities' `serviceUrl` (replies and proactive
  messages land in its folders, member look-ups answer from its directory, to which `MEMBERS` are
  added) and its Graph takes the bot's deliveries;
- the bot itself (`bot.build`) with a fake outbound token provider.

The bot answers 202 at once and replies afterwards, so `say` waits for the reply to arrive.

Activities follow the Teams channel message in Microsoft's documentation ("Conversation basics"
/ "Channel and group chat conversations with a bot").
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import copy
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa

from comms_assistant.config import Settings
from comms_assistant.entrypoints.bot import server as bot
from comms_assistant.sandbox import SandboxTenant, card_press
from comms_assistant.sandbox.bot_connector import BOT_CONNECTOR
from comms_assistant.sandbox.teams_message import Sender, Team, channel_message

APP_ID = "c9e8c047-2a74-40a2-b28a-b162d5f5327c"
KID = "local-test-key"
WEBHOOK_SECRET = base64.b64encode(b"outgoing webhook shared secret!!").decode()
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ISSUER = "https://api.botframework.com"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
CHANNEL = "19:4a95f7d8db4c4e7fae857bcebe0623e6@thread.tacv2"

THE_TEAM = Team(APP_ID, TENANT, "19:c5e0e4e1f1b24f0a9b0e1c1d7e1f2a3b@thread.tacv2", CHANNEL)

# Teams user id -> (Entra object id, name, email), as the connector's member look-up returns.
MEMBERS = {
    "29:1-comms-lead": (
        "6b1e0a3c-0000-4000-8000-000000000001",
        "Casey Comms",
        "comms.lead@example.org",
    ),
    "29:1-nadia": (
        "6b1e0a3c-0000-4000-8000-000000000002",
        "Nadia Farrow",
        "nadia.farrow@example.org",
    ),
    "29:1-visitor": ("6b1e0a3c-0000-4000-8000-000000000003", "Val Visitor", "visitor@example.org"),
}
# In the tenant, but not in the team the bot serves (the incidents channel's): the visitor.
OUTSIDE_THE_TEAM = {"29:1-visitor"}


def message(
    text: str,
    *,
    sender: str = "29:1-comms-lead",
    conversation: str | None = None,
    service_url: str = "http://127.0.0.1:1/",
    value: Any = None,
) -> dict[str, Any]:
    """A Teams channel message that @mentions the bot, shaped as in Microsoft's samples."""
    object_id, name, _ = MEMBERS.get(sender, ("00000000-0000-4000-8000-00000000dead", "Who", ""))
    return channel_message(
        text,
        sender=Sender(sender, name, object_id),
        team=THE_TEAM,
        service_url=service_url,
        conversation=conversation,
        value=value,
    )


def token(*, key: Any = KEY, service_url: str, **overrides: Any) -> str:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "aud": APP_ID,
        "nbf": now - 10,
        "iat": now - 10,
        "exp": now + 3600,
        "serviceurl": service_url,
    }
    claims.update(overrides)
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": KID})


def sign(body: bytes, secret: str = WEBHOOK_SECRET) -> str:
    digest = hmac.new(base64.b64decode(secret), body, hashlib.sha256).digest()
    return "HMAC " + base64.b64encode(digest).decode()


class FakeTokenProvider:
    """The bot's outbound token (what MSAL would fetch from Entra)."""

    def __init__(self, configuration: Any) -> None:
        self.configuration = configuration

    async def get_access_token(
        self, resource_url: str, scopes: list[str], force_refresh: bool = False
    ) -> str:
        return "bot-outbound-token"

    def get_token_credential(self) -> Any:
        raise NotImplementedError


@dataclass
class Running:
    url: str
    service_url: str
    settings: Settings
    sandbox: SandboxTenant
    authorizations: list[str | None] = field(default_factory=list)  # on each connector POST

    def post(self, activity: dict[str, Any], *, auth: str | None = "good") -> httpx.Response:
        headers = {}
        if auth == "good":
            headers["Authorization"] = f"Bearer {token(service_url=self.service_url)}"
        elif auth is not None:
            headers["Authorization"] = auth
        return httpx.post(f"{self.url}/api/messages", json=activity, headers=headers, timeout=30)

    def say(self, text: str, timeout: float = 20, **kw: Any) -> dict[str, Any]:
        """Post a message, return the bot's reply to it (as the sandbox's connector stored it)."""
        activity = message(text, service_url=self.service_url, **kw)
        response = self.post(activity)
        assert response.status_code == 202, response.text
        replies = self.wait(lambda: self.replies_to(activity["id"]), 1, timeout)
        assert len(replies) == 1, replies
        return replies[0]

    def press(
        self,
        card: dict[str, Any],
        title: str,
        typed: dict[str, str] | None = None,
        *,
        auth: str | None = "good",
        **kw: Any,
    ) -> httpx.Response:
        """Press a card's button as Teams does: an `adaptiveCard/action` invoke from `sender`
        in `conversation` (the keywords of `message`); the bot answers in the response."""
        base = message("", service_url=self.service_url, **kw)
        return self.post(card_press.press(card, title, typed, base=base), auth=auth)

    def pressed(self, card: dict[str, Any], title: str, typed: Any = None, **kw: Any) -> Any:
        """The invoke response's body for a press (which must be answered 200)."""
        response = self.press(card, title, typed, **kw)
        assert response.status_code == 200, (response.status_code, response.text)
        return response.json()

    @property
    def sent(self) -> list[dict[str, Any]]:
        """Every activity the bot sent to the connector, oldest first."""
        found = []
        for folder in (self.sandbox.root / "chats", self.sandbox.root / "teams"):
            for path in folder.rglob("*.json") if folder.is_dir() else ():
                stored = json.loads(path.read_text())
                if stored.get("source") == BOT_CONNECTOR:
                    found.append(stored)
        return sorted(found, key=lambda a: int(a["id"]))

    def replies_to(self, activity_id: str) -> list[dict[str, Any]]:
        return [a for a in self.sent if a.get("replyToId") == activity_id]

    def amended(self, reply: dict[str, Any], timeout: float = 20) -> dict[str, Any]:
        """The bot's reply once it has been replaced (the deliveries' outcome added to it)."""

        def found() -> list[dict[str, Any]]:
            now = [a for a in self.sent if a["id"] == reply["id"]]
            return [a for a in now if a.get("lastUpdated")]

        [updated] = self.wait(found, 1, timeout)
        return updated

    def proactive(
        self, conversation: str, count: int = 1, timeout: float = 20
    ) -> list[dict[str, Any]]:
        def found() -> list[dict[str, Any]]:
            return [
                a
                for a in self.sent
                if a.get("replyToId") is None and a["conversation"]["id"] == conversation
            ]

        return self.wait(found, count, timeout)

    @staticmethod
    def wait(
        what: Callable[[], list[dict[str, Any]]], count: int, timeout: float
    ) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while True:
            found = what()
            if len(found) >= count or time.monotonic() > deadline:
                return found
            time.sleep(0.03)


def _jwks() -> web.Application:
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(KEY.public_key()))
    public.update(kid=KID, use="sig", alg="RS256")

    async def keys(request: web.Request) -> web.Response:
        return web.json_response({"keys": [public]})

    app = web.Application()
    app.router.add_get("/keys", keys)
    return app


async def _start(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}"


def _record_authorization(authorizations: list[str | None]) -> Any:
    @web.middleware
    async def record(request: web.Request, handler: Any) -> web.StreamResponse:
        if request.path.startswith("/v3/") and request.method == "POST":
            authorizations.append(request.headers.get("Authorization"))
        return await handler(request)

    return record


def bot_settings(home: Path, sandbox: SandboxTenant, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "home": home,
        "sandbox_url": sandbox.base_url,
        "bot_app_id": APP_ID,
        "bot_webhook_secret": WEBHOOK_SECRET,
        "bot_allowed": ["comms.lead@example.org"],
        "bot_people": {MEMBERS["29:1-comms-lead"][0]: "comms.lead@example.org"},
        "bot_delivery_timeout": 30.0,
    }
    return Settings(**(values | overrides))


def team_roster(known: set[str]) -> list[dict[str, str]]:
    """The contacts who read Teams, as the sandbox's directory takes them."""
    from comms_assistant.adapters.contacts import load_directory
    from comms_assistant.resources import bundled

    return [
        {"id": f"29:1-{c.email.split('@')[0]}", "name": c.name, "email": c.email}
        for c in load_directory(bundled("contacts")).contacts
        if c.teams_destination.startswith("chat:") and c.email not in known
    ]


def new_sandbox(tmp_path: Path, authorizations: list[str | None]) -> SandboxTenant:
    return SandboxTenant(
        tmp_path / "sandbox", faults=[], middlewares=[_record_authorization(authorizations)]
    )


@contextmanager
def start_bot(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    *,
    clock: Callable[[], datetime] | None = None,
    sandbox: SandboxTenant | None = None,
    authorizations: list[str | None] | None = None,
    roster: bool = True,
    **settings: Any,
) -> Iterator[Running]:
    """The bot, its sandbox tenant and its key server; `settings` override the bot's.

    `sandbox`: one already running (with its `authorizations` list), kept running afterwards:
    a bot restarted against it keeps its Bot Connector address, as a real one does.
    `roster`: everyone in the contacts who reads Teams is in the team too (as `MEMBERS` are),
    so the bot can start their 1:1 chats."""
    from microsoft_agents.hosting.core.authorization.jwt import jwt_token_validator

    owned = sandbox is None
    if authorizations is None:
        authorizations = []
    if sandbox is None:
        sandbox = new_sandbox(tmp_path, authorizations)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    def run(coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, loop).result(60)

    runners: list[web.AppRunner] = []
    with sandbox if owned else contextlib.nullcontext(sandbox):
        people = [
            {"id": teams_id, "aadObjectId": oid, "name": name, "email": email}
            | ({"inTeam": False} if teams_id in OUTSIDE_THE_TEAM else {})
            for teams_id, (oid, name, email) in MEMBERS.items()
        ]
        if roster:
            people += team_roster({p["email"] for p in people})
        added = httpx.post(f"{sandbox.base_url}/_sandbox/users", json={"value": people})
        assert added.status_code == 201, added.text
        options = bot_settings(tmp_path / "home", sandbox, **settings)
        try:
            jwks_runner, jwks_url = run(_start(_jwks()))
            runners.append(jwks_runner)
            monkeypatch.setattr(
                jwt_token_validator, "_build_jwks_uri", lambda *a: f"{jwks_url}/keys"
            )

            async def serve() -> tuple[web.AppRunner, str]:
                built = bot.build(
                    options,
                    provider_factory=FakeTokenProvider,
                    **({"clock": clock} if clock else {}),
                )
                return await _start(built)

            bot_runner, url = run(serve())
            runners.append(bot_runner)
            yield Running(url, sandbox.base_url + "/", options, sandbox, authorizations)
        finally:
            for runner in reversed(runners):
                run(runner.cleanup())
            loop.call_soon_threadsafe(loop.stop)
            thread.join(10)


@pytest.fixture
def running_bot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Running]:
    with start_bot(tmp_path, monkeypatch) as running:
        yield running


def test_health_needs_no_token_but_messages_do(running_bot: Running) -> None:
    health = httpx.get(f"{running_bot.url}/healthz")
    assert (health.status_code, health.json()["status"]) == (200, "ok")
    assert (
        "comms_assistant_outbox_pending_deliveries" in httpx.get(f"{running_bot.url}/metrics").text
    )
    response = running_bot.post(message("help", service_url=running_bot.service_url), auth=None)
    assert response.status_code == 401
    assert running_bot.sent == []


def test_help_is_answered_with_a_card_listing_commands(running_bot: Running) -> None:
    reply = running_bot.say("help", sender="29:1-visitor")
    card = reply["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    texts = json.dumps(card["content"])
    assert "close Restored the connection" in texts and "Incident commands" in texts
    assert set(running_bot.authorizations) == {"Bearer bot-outbound-token"}


def test_message_json_is_a_copy_each_time() -> None:
    first, second = message("status"), message("status")
    assert first["id"] != second["id"] and copy.deepcopy(first) == first
