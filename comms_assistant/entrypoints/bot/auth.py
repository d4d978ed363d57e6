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
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import SplitResult, urlsplit

import jwt

from comms_assistant.config import Settings

if TYPE_CHECKING:
    from microsoft_agents.hosting.core import AccessTokenProviderBase, AgentAuthConfiguration

log = logging.getLogger(__name__)

ProviderFactory = Callable[["AgentAuthConfiguration"], "AccessTokenProviderBase"]


MAX_TOKEN = 16 * 1024  # Bot Connector tokens are ~1.5 KB; a larger one is not one of theirs
# Header fields that would tell a verifier to fetch or take a key from the token itself: keys
# come only from the configured OpenID metadata, so a token carrying one is not ours.
_KEY_POINTERS = ("jku", "jwk", "x5u", "x5c")


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


class Refused(Exception):
    """The request does not prove it comes from Teams (answer 401); the text is for the log."""


class Authenticator:
    """Checks an incoming activity's bearer token with the Agents SDK's validator (RS256, keys
    from the Bot Framework / Entra OpenID metadata, audience = the bot, issuer allow-list).

    In front of it, a token the SDK would choke on (no `kid`, `alg: none`, a key carried in the
    header) is refused here, and whatever the SDK raises becomes a refusal: a bad request gets
    401 and one log line, never a 500 with a traceback."""

    def __init__(self, configuration: AgentAuthConfiguration, *, anonymous: bool) -> None:
        from microsoft_agents.hosting.core import JwtTokenValidator

        self._validator = JwtTokenValidator(configuration)
        self._anonymous = anonymous

    async def identify(self, header: str | None) -> Any:
        """The caller's ClaimsIdentity; raises Refused."""
        if header is None:
            if self._anonymous:
                return self._validator.get_anonymous_claims()
            raise Refused("no Authorization header")
        token = _bearer(header)
        try:
            unverified = jwt.get_unverified_header(token) if token else None
        except jwt.PyJWTError:
            unverified = None
        if token is None or unverified is None:
            raise Refused("not a bearer token")
        _check_header(unverified)
        try:
            identity = await self._validator.validate_token(token)
        except Exception as error:  # PyJWT's errors, the SDK's ValueError and its own faults
            raise Refused(f"token not accepted ({type(error).__name__})") from None
        if not has_expiry(identity.claims):
            raise Refused("the token has no expiry")
        return identity


def _bearer(header: str) -> str | None:
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > MAX_TOKEN:
        return None
    return None if any(character.isspace() for character in token) else token


def _check_header(header: dict[str, Any]) -> None:
    if header.get("alg") != "RS256":
        raise Refused("token not signed with RS256")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid or len(kid) > 200:
        raise Refused("token names no signing key")
    if any(field in header for field in _KEY_POINTERS):
        raise Refused("token carries its own key")


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
        bounded = BoundedTokenProvider(inner, timeout=settings.bot_outbound_timeout)
        return cast("AccessTokenProviderBase", bounded)  # the rest it hands to `inner`

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

    def __getattr__(self, name: str) -> Any:
        # The provider protocol's other calls (on-behalf-of, agentic tokens) are not bounded
        # here: this bot makes none of them.
        return getattr(self._inner, name)

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
    """A token is good only for activities that reply to the host it names. A token that names
    none is refused, as Microsoft's channel validation does: with it, anyone holding a token for
    this bot could have it send the bot's own token to a server of theirs."""
    claimed = claims.get("serviceurl")
    if not isinstance(claimed, str) or not claimed or not service_url:
        return False
    mine, theirs = urlsplit(claimed), urlsplit(service_url)
    return (mine.scheme, mine.netloc.lower()) == (theirs.scheme, theirs.netloc.lower())


class ServiceUrls:
    """The Bot Connector addresses the bot trusts with its token and keeps as conversation
    addresses: `bot_service_urls`, the US Government hosts when the sign-in host is the US
    Government one, and the sandbox tenant's own address only when it is the tenant."""

    def __init__(self, settings: Settings) -> None:
        from comms_assistant.config import US_GOVERNMENT_BOT_SERVICE_URLS

        self._allowed: list[tuple[str, str, str]] = []
        for url in settings.bot_service_urls:
            self.allow(url)
        if settings.login_host.endswith(".us"):
            for url in US_GOVERNMENT_BOT_SERVICE_URLS:
                self.allow(url)
        if settings.uses_sandbox and settings.sandbox_url:
            self.allow(settings.sandbox_url)

    def allow(self, url: str) -> None:
        """Trust `url` and every address below it (a region path such as /emea/)."""
        entry = _parts(url)
        if entry is not None and entry not in self._allowed:
            self._allowed.append(entry)

    def allows(self, url: str | None) -> bool:
        given = _parts(url)
        if given is None:
            return False
        scheme, host, path = given
        return any(scheme == s and host == h and path.startswith(p) for s, h, p in self._allowed)

    def __repr__(self) -> str:
        return f"ServiceUrls({[f'{s}://{h}{p}' for s, h, p in self._allowed]})"


_DEFAULT_PORTS = {"https": 443, "http": 80}


def _parts(url: str | None) -> tuple[str, str, str] | None:
    """(scheme, host[:port], path ending in /), lower-cased but the path; None if unusable."""
    split = _split(url)
    if split is None or not split.hostname or split.scheme not in _DEFAULT_PORTS:
        return None
    if any((split.username, split.password, split.query, split.fragment)):
        return None
    port = split.port
    shown_port = "" if port in (None, _DEFAULT_PORTS[split.scheme]) else f":{port}"
    path = split.path if split.path.endswith("/") else split.path + "/"
    if "/../" in path or "/./" in path:
        return None
    return split.scheme, split.hostname.lower() + shown_port, path


def _split(url: str | None) -> SplitResult | None:
    if not isinstance(url, str) or not url:
        return None
    try:
        split = urlsplit(url.strip())
        _ = split.port  # raises ValueError for a port that is not a number
    except ValueError:
        return None
    return split


def has_expiry(claims: dict[str, Any]) -> bool:
    """PyJWT checks `exp` only when present: a token that never expires is refused here."""
    return isinstance(claims.get("exp"), int | float)
