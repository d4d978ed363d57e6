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
from collections.abc import Callable
from typing import TYPE_CHECKING

from comms_assistant.adapters.graph.delegated import DelegatedCredential
from comms_assistant.adapters.graph.sandbox_credential import GRAPH_SCOPE, SandboxCredential
from comms_assistant.config import SettingsError

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential

    from comms_assistant.config import Settings

__all__ = [
    "GRAPH_SCOPE",
    "DelegatedCredential",
    "SandboxCredential",
    "auth_method",
    "credential_for",
    "teams_credential_for",
]


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
    if token_url is not None:
        secret = settings.client_secret.get_secret_value() if settings.client_secret else None
        return SandboxCredential(token_url, settings.client_id, secret or "sandbox")
    return _SIGN_IN[auth_method(settings)](settings)


# The authority host decides the cloud (global, US Government, China); MSAL knows the Microsoft
# ones, so instance discovery stays on and a typo fails loudly.


def _certificate(settings: Settings) -> TokenCredential:
    import azure.identity as identity

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
        authority=settings.login_host,
    )


def _secret(settings: Settings) -> TokenCredential:
    import azure.identity as identity

    secret = settings.client_secret.get_secret_value() if settings.client_secret else None
    if not secret:
        raise SettingsError(
            "COMMS_ASSISTANT_CLIENT_SECRET is not set: it is needed to sign in to tenant "
            f"{settings.tenant_id} as app {settings.client_id} (or use a certificate)"
        )
    return identity.ClientSecretCredential(
        settings.tenant_id, settings.client_id, secret, authority=settings.login_host
    )


def _managed_identity(settings: Settings) -> TokenCredential:
    import azure.identity as identity

    return identity.ManagedIdentityCredential(client_id=settings.managed_identity_client_id)


def _workload_identity(settings: Settings) -> TokenCredential:
    # AKS, GitHub Actions...: the federated token file comes from the environment the platform
    # sets up.
    import azure.identity as identity

    return identity.WorkloadIdentityCredential(
        tenant_id=settings.tenant_id, client_id=settings.client_id, authority=settings.login_host
    )


_SIGN_IN: dict[str, Callable[[Settings], TokenCredential]] = {
    "certificate": _certificate,
    "secret": _secret,
    "managed_identity": _managed_identity,
    "workload_identity": _workload_identity,
}
