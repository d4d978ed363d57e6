"""Who may talk to the bot, and how the bot proves itself when it answers.

Inbound: the Agents SDK checks Bot Framework / Entra JWTs (RS256, audience = bot app id, issuer
allow-list switched on here); Teams outgoing webhooks are checked here with HMAC-SHA256, which
the SDK does not know. Outbound: the SDK's MSAL provider builds its client synchronously on the
event loop with no timeout, so every token is fetched on a worker thread with a deadline.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import hmac
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import jwt

from comms_assistant.config import Settings

if TYPE_CHECKING:
    from microsoft_agents.hosting.core import AccessTokenProviderBase, AgentAuthConfiguration

log = logging.getLogger(__name__)

ProviderFactory = Callable[["AgentAuthConfiguration"], "AccessTokenProviderBase"]


class TokenUnavailable(Exception):
    """The bot could not get a token to answer with (identity endpoint slow or refusing)."""


def webhook_signature_ok(secret_b64: str, body: bytes, header: str | None) -> bool:
    """Teams signs webhook bodies: `HMAC <base64(HMAC-SHA256(b64decode(secret), body))>`."""
    if not header or not secret_b64:
        return False
    scheme, _, given = header.partition(" ")
    if scheme != "HMAC" or not given:
        return False
    try:
        key = base64.b64decode(secret_b64, validate=True)
    except (binascii.Error, ValueError):
        log.error("bot_webhook_secret is not base64: every webhook call is refused")
        return False
    expected = base64.b64encode(hmac.new(key, body, hashlib.sha256).digest())
    return hmac.compare_digest(expected, given.strip().encode("ascii", "replace"))


def auth_configuration(settings: Settings) -> AgentAuthConfiguration:
    from microsoft_agents.hosting.core import AgentAuthConfiguration

    secret = settings.bot_app_secret.get_secret_value() if settings.bot_app_secret else None
    return AgentAuthConfiguration(
        client_id=settings.bot_app_id,
        tenant_id=settings.bot_tenant_id,
        client_secret=secret,
        connection_name="SERVICE_CONNECTION",
        anonymous_allowed=settings.bot_anonymous,
        # Off by default in the SDK; on here so a token from an unknown issuer is refused.
        validate_issuer=True,
    )


def connection_manager(settings: Settings, provider_factory: ProviderFactory | None = None) -> Any:
    """The SDK's ConnectionManager with a bounded token provider (MSAL unless one is given)."""
    from microsoft_agents.hosting.core import ConnectionManager

    def factory(configuration: AgentAuthConfiguration) -> AccessTokenProviderBase:
        if provider_factory is not None:
            inner = provider_factory(configuration)
        else:
            from microsoft_agents.authentication.msal import MsalAuth

            inner = MsalAuth(configuration)
        return BoundedTokenProvider(inner, timeout=settings.bot_outbound_timeout)

    return ConnectionManager(
        provider_factory=factory,
        connections_configurations={"SERVICE_CONNECTION": auth_configuration(settings)},
    )


class BoundedTokenProvider:
    """Wraps a token provider: each fetch runs off the event loop, has a deadline, is cached."""

    def __init__(self, inner: AccessTokenProviderBase, *, timeout: float) -> None:
        self._inner = inner
        self._timeout = timeout
        self._cache: dict[tuple[str, tuple[str, ...]], tuple[str, float]] = {}

    @property
    def configuration(self) -> AgentAuthConfiguration:
        return self._inner.configuration

    def get_token_credential(self) -> Any:
        return self._inner.get_token_credential()

    async def get_access_token(
        self, resource_url: str, scopes: list[str], force_refresh: bool = False
    ) -> str:
        key = (resource_url, tuple(scopes or ()))
        cached = self._cache.get(key)
        if cached and not force_refresh and cached[1] > time.time():
            return cached[0]

        def fetch() -> str:
            # A private loop on a worker thread: MSAL's blocking discovery cannot freeze ours.
            return asyncio.run(self._inner.get_access_token(resource_url, scopes, force_refresh))

        try:
            token = await asyncio.wait_for(asyncio.to_thread(fetch), self._timeout)
        except TimeoutError as error:
            log.error("no bot token within %.0f s (identity endpoint slow?)", self._timeout)
            raise TokenUnavailable("the identity endpoint did not answer in time") from error
        except Exception as error:  # MSAL raises ValueError with the whole response in it
            log.error("no bot token: %s", type(error).__name__)
            raise TokenUnavailable("the identity endpoint refused") from error
        self._cache[key] = (token, _expiry(token))
        return token


def _expiry(token: str) -> float:
    """Reuse a token until five minutes before it expires (five minutes if it says nothing)."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
        return float(claims["exp"]) - 300
    except (jwt.PyJWTError, KeyError, TypeError, ValueError):
        return time.time() + 300


def service_url_matches(claims: dict[str, Any], service_url: str | None) -> bool:
    """A token naming a serviceUrl is good only for activities that reply to that same host."""
    claimed = claims.get("serviceurl")
    if not claimed:
        return True  # Entra tokens name none; Bot Framework tokens do
    if not service_url:
        return False
    mine, theirs = urlsplit(str(claimed)), urlsplit(service_url)
    return (mine.scheme, mine.netloc.lower()) == (theirs.scheme, theirs.netloc.lower())


def has_expiry(claims: dict[str, Any]) -> bool:
    """PyJWT checks `exp` only when present: a token that never expires is refused here."""
    return isinstance(claims.get("exp"), int | float)
