"""Token credentials: the sandbox tenant's token endpoint, or Microsoft Entra ID for a real tenant.

For a real tenant the app signs in with a certificate (preferred), a client secret, a managed
identity or a workload identity (`auth_method`), and Teams posts through Graph as a *delegated*
service account signed in once by device code (`comms-assistant graph login`): its tokens live
in a persistent cache and its `AuthenticationRecord` in a file, so workers then sign in silently.

kiota asks the credential for a token before *every* request, so every kind caches: MSAL does it
for azure-identity, and `SandboxCredential` keeps its token until shortly before it expires.
Tokens and secrets are never logged or put in exception messages.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from azure.core.credentials import AccessToken
from azure.core.exceptions import ClientAuthenticationError, ServiceRequestError

from comms_assistant.config import SettingsError

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
    """A delegated credential for posting to Teams through Graph, or None to use the app's.

    Teams refuses app-only tokens for channel posts (401), so the product posts as a service
    account: in the sandbox its built-in one, in a real tenant `teams_account` once it has been
    signed in with `comms-assistant graph login`. None when no account is configured (then only
    the bot or a Workflows webhook can post; `graph check` says so).
    """
    if token_url is not None:
        from comms_assistant.sandbox import seed

        secret = settings.client_secret.get_secret_value() if settings.client_secret else None
        return SandboxCredential(
            token_url,
            settings.client_id,
            secret or "sandbox",
            username=seed.SERVICE_ACCOUNT,
            password=seed.SERVICE_ACCOUNT_PASSWORD,
        )
    if not settings.teams_account:
        return None
    return DelegatedCredential(settings)


def auth_method(settings: Settings) -> str:
    """The sign-in `credential_for` uses for a real tenant (`auto` resolved)."""
    if settings.auth_method != "auto":
        return settings.auth_method
    if settings.certificate_path:
        return "certificate"
    if settings.client_secret:
        return "secret"
    if os.environ.get("AZURE_FEDERATED_TOKEN_FILE"):
        return "workload_identity"
    raise SettingsError(
        f"No way to sign in to tenant {settings.tenant_id} as app {settings.client_id}: set "
        "COMMS_ASSISTANT_CERTIFICATE_PATH (preferred) or COMMS_ASSISTANT_CLIENT_SECRET, or "
        "COMMS_ASSISTANT_AUTH_METHOD=managed_identity when running in Azure (docs/setup.md)"
    )


def credential_for(settings: Settings, token_url: str | None = None) -> TokenCredential:
    """The one place that decides how the app signs in (app-only: files and mail).

    `token_url` is given when talking to the sandbox tenant.
    """
    secret = settings.client_secret.get_secret_value() if settings.client_secret else None
    if token_url is not None:
        return SandboxCredential(token_url, settings.client_id, secret or "sandbox")
    method = auth_method(settings)
    import azure.identity as identity

    # The authority host decides the cloud (global, US Government, China); MSAL knows the
    # Microsoft ones, so instance discovery stays on and a typo fails loudly.
    authority = settings.login_host
    if method == "certificate":
        if not settings.certificate_path:
            raise SettingsError(
                "auth_method is certificate but COMMS_ASSISTANT_CERTIFICATE_PATH is unset"
            )
        password = settings.certificate_password
        return identity.CertificateCredential(
            settings.tenant_id,
            settings.client_id,
            certificate_path=str(settings.certificate_path),
            password=password.get_secret_value() if password else None,
            authority=authority,
        )
    if method == "secret":
        if not secret:
            raise SettingsError(
                "COMMS_ASSISTANT_CLIENT_SECRET is not set: it is needed to sign in to tenant "
                f"{settings.tenant_id} as app {settings.client_id} (or use a certificate)"
            )
        return identity.ClientSecretCredential(
            settings.tenant_id, settings.client_id, secret, authority=authority
        )
    if method == "managed_identity":
        return identity.ManagedIdentityCredential(client_id=settings.managed_identity_client_id)
    # Workload identity (AKS, GitHub Actions...): the federated token file comes from the
    # environment the platform sets up.
    return identity.WorkloadIdentityCredential(
        tenant_id=settings.tenant_id, client_id=settings.client_id, authority=authority
    )


class DelegatedCredential:
    """The Teams service account, signed in by device code once, silent afterwards.

    Wraps azure-identity's `DeviceCodeCredential` with a persistent token cache and the saved
    `AuthenticationRecord`. A worker never prompts (nobody would see the code): when the
    refresh token is missing or expired it fails, saying to run `comms-assistant graph login`.
    """

    def __init__(self, settings: Settings, *, interactive: bool = False, **kwargs: Any) -> None:
        from azure.identity import DeviceCodeCredential, TokenCachePersistenceOptions

        self.account = settings.teams_account or ""
        self.record_path = settings.teams_record_path
        self.record = load_record(self.record_path)
        cache = TokenCachePersistenceOptions(
            name=settings.token_cache_name,
            allow_unencrypted_storage=settings.token_cache_unencrypted,
        )
        record = None if interactive else self.record
        if record is not None:
            # The record carries its own client id, tenant and authority, and azure-identity
            # refuses them twice; a record from another cloud or app would never sign in.
            client_id = settings.teams_client_id or settings.client_id
            if (record.authority, record.client_id) != (settings.login_host, client_id):
                raise SettingsError(
                    f"{self.record_path} is a sign-in for app {record.client_id} at "
                    f"{record.authority}, not {client_id} at {settings.login_host}: run "
                    "`comms-assistant graph login` again"
                )
            self._inner = DeviceCodeCredential(
                cache_persistence_options=cache,
                authentication_record=record,
                disable_automatic_authentication=True,
                **kwargs,
            )
            return
        self._inner = DeviceCodeCredential(
            client_id=settings.teams_client_id or settings.client_id,
            tenant_id=settings.tenant_id,
            authority=settings.login_host,
            cache_persistence_options=cache,
            disable_automatic_authentication=not interactive,
            **kwargs,
        )

    def __repr__(self) -> str:
        return f"DelegatedCredential(account={self.account!r}, record={str(self.record_path)!r})"

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        from azure.identity import AuthenticationRequiredError

        if self.record is None:
            raise ClientAuthenticationError(self._not_signed_in("it has never signed in here"))
        # kiota asks with enable_cae=True, and azure-identity keeps CAE tokens in a cache of
        # their own: every caller (and sign_in) uses that one, or the sign-in would be missed.
        kwargs["enable_cae"] = True
        try:
            return self._inner.get_token(*scopes, **kwargs)
        except AuthenticationRequiredError:
            raise ClientAuthenticationError(
                self._not_signed_in("its saved sign-in is missing or has expired")
            ) from None

    def sign_in(self, scopes: list[str]) -> Any:
        """Device-code sign-in (prints a code to enter at microsoft.com/devicelogin); saves the
        record so later runs sign in silently. Returns the AuthenticationRecord."""
        record = self._inner.authenticate(scopes=scopes, enable_cae=True)
        save_record(self.record_path, record)
        self.record = record
        return record

    def close(self) -> None:
        self._inner.close()

    def _not_signed_in(self, why: str) -> str:
        return (
            f"the Teams service account {self.account} is not signed in ({why}): run "
            "`comms-assistant graph login` as the operator"
        )


def load_record(path: Path) -> Any:
    """The saved AuthenticationRecord, or None. It holds ids and the user name, no token."""
    from azure.identity import AuthenticationRecord

    try:
        return AuthenticationRecord.deserialize(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (ValueError, KeyError) as error:
        raise SettingsError(f"{path} is not a saved sign-in record: {error}") from None


def save_record(path: Path, record: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Not a secret, but it names the account and tenant: keep it to the service's user.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(record.serialize())
