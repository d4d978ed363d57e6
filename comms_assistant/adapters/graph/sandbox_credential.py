"""The sandbox tenant's token endpoint: app-only tokens, or delegated ones for its service account.

kiota asks the credential for a token before *every* request, so it keeps its token until shortly
before it expires. Tokens and secrets are never logged or put in exception messages.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx
from azure.core.credentials import AccessToken
from azure.core.exceptions import ClientAuthenticationError, ServiceRequestError

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
