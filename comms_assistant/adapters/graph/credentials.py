"""Token credentials: the sandbox tenant's token endpoint, or Microsoft Entra ID for a real tenant.

kiota asks the credential for a token before *every* request, so both kinds cache: MSAL does it
for azure-identity, and `SandboxCredential` keeps its token until shortly before it expires.
Tokens and secrets are never logged or put in exception messages.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

import httpx
from azure.core.credentials import AccessToken
from azure.core.exceptions import ClientAuthenticationError, ServiceRequestError

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential

    from comms_assistant.config import Settings

GRAPH_SCOPE = "https://graph.microsoft.com/.default"

# Refresh this long before expiry so a token never runs out between kiota fetching it and the
# request reaching the server.
_REFRESH_MARGIN_S = 300.0


class SandboxCredential:
    """Client-credentials (app-only) against the sandbox tenant's token endpoint, or, with a
    `username` and `password`, a delegated token for the sandbox's service account; cached.

    Synchronous on purpose: it satisfies azure-core's `TokenCredential`, and kiota calls it on the
    event loop. With the cache, it makes one small local request per token lifetime.
    """

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str,
        *,
        username: str | None = None,
        password: str | None = None,
        timeout: float = 10.0,
    ) -> None:
        self._token_url = token_url
        self._client_id = client_id
        self._client_secret = client_secret
        self._username = username
        self._password = password
        self._timeout = timeout
        self._lock = threading.Lock()
        self._cached: dict[tuple[str, ...], AccessToken] = {}
        self.fetches = 0  # how many times the endpoint was asked (tests check the cache works)

    def __repr__(self) -> str:  # never show the secret, even in a debugger or a log line
        user = f", username={self._username!r}" if self._username else ""
        return (
            f"SandboxCredential(token_url={self._token_url!r}, client_id={self._client_id!r}{user})"
        )

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        # kiota passes claims= and enable_cae=; the sandbox has no use for them.
        key = tuple(scopes) or (GRAPH_SCOPE,)
        with self._lock:
            cached = self._cached.get(key)
            if cached and cached.expires_on - _REFRESH_MARGIN_S > time.time():
                return cached
            token = self._fetch(key)
            self._cached[key] = token
            return token

    def close(self) -> None:
        self._cached.clear()

    def _fetch(self, scopes: tuple[str, ...]) -> AccessToken:
        form = {
            "grant_type": "client_credentials",
            "client_id": self._client_id,
            "client_secret": self._client_secret,
            "scope": " ".join(scopes),
        }
        if self._username is not None:
            form.update(grant_type="password", username=self._username)
            form["password"] = self._password or ""
        try:
            response = httpx.post(self._token_url, data=form, timeout=self._timeout)
        except httpx.HTTPError as exc:
            raise ServiceRequestError(
                f"sandbox token endpoint unreachable: {type(exc).__name__}"
            ) from None
        self.fetches += 1
        if response.status_code != 200:
            # The error body's code is safe to show; the request (with the secret) is not.
            code = _error_code(response)
            raise ClientAuthenticationError(
                f"sandbox token endpoint refused client {self._client_id!r}: "
                f"HTTP {response.status_code} {code}".strip()
            )
        body = response.json()
        lifetime = float(body.get("expires_in", 3600))
        return AccessToken(body["access_token"], int(time.time() + lifetime))


def _error_code(response: httpx.Response) -> str:
    try:
        return str(response.json().get("error", ""))
    except ValueError:
        return ""


def teams_credential_for(
    settings: Settings, token_url: str | None = None
) -> TokenCredential | None:
    """A delegated credential for posting to Teams, or None to use `credential_for`'s.

    Teams refuses app-only tokens for channel posts (401), so in the sandbox the product signs
    in as the sandbox's service account. For a real tenant this returns None and the app-only
    credential is used as before: delegated sign-in there (azure-identity's device-code flow
    with a persistent token cache) is the subject of the real-tenant work, not of this adapter.
    """
    if token_url is None:
        return None
    from comms_assistant.sandbox import seed

    secret = settings.client_secret.get_secret_value() if settings.client_secret else None
    return SandboxCredential(
        token_url,
        settings.client_id,
        secret or "sandbox",
        username=seed.SERVICE_ACCOUNT,
        password=seed.SERVICE_ACCOUNT_PASSWORD,
    )


def credential_for(settings: Settings, token_url: str | None = None) -> TokenCredential:
    """The one place that decides how the product signs in.

    `token_url` is given when talking to the sandbox tenant. For a real tenant a client secret
    is used today; certificates and managed identity belong here too when they are added.
    """
    secret = settings.client_secret.get_secret_value() if settings.client_secret else None
    if token_url is not None:
        return SandboxCredential(token_url, settings.client_id, secret or "sandbox")
    if not secret:
        raise ValueError(
            "COMMS_ASSISTANT_CLIENT_SECRET is not set: it is needed to sign in to tenant "
            f"{settings.tenant_id} as app {settings.client_id}"
        )
    from azure.identity import ClientSecretCredential

    return ClientSecretCredential(settings.tenant_id, settings.client_id, secret)
