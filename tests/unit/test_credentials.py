"""Which credential the settings choose, clouds, and the delegated account's refusals."""

from __future__ import annotations

from pathlib import Path

import pytest
from azure.core.exceptions import ClientAuthenticationError
from pydantic import SecretStr, ValidationError

from comms_assistant.adapters.graph.client import cloud_mismatch, make_graph_client, scopes_for
from comms_assistant.adapters.graph.credentials import (
    DelegatedCredential,
    auth_method,
    credential_for,
    teams_credential_for,
)
from comms_assistant.config import Settings

REAL = {
    "graph_url": "https://graph.microsoft.com/v1.0",
    "tenant_id": "t",
    "client_id": "c",
    "site": "contoso.sharepoint.com:/sites/incidents",
    "mailbox": "incidents@contoso.example",
    "team_id": "team",
    "channel_id": "19:channel@thread.tacv2",
}


def test_auto_prefers_a_certificate_then_a_secret_then_workload_identity(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("AZURE_FEDERATED_TOKEN_FILE", raising=False)
    both = Settings(**REAL, certificate_path=tmp_path / "c.pem", client_secret=SecretStr("s"))
    assert auth_method(both) == "certificate"
    assert auth_method(Settings(**REAL, client_secret=SecretStr("s"))) == "secret"
    with pytest.raises(ValueError, match="CERTIFICATE_PATH.*CLIENT_SECRET"):
        auth_method(Settings(**REAL))
    monkeypatch.setenv("AZURE_FEDERATED_TOKEN_FILE", str(tmp_path / "token"))
    assert auth_method(Settings(**REAL)) == "workload_identity"
    assert auth_method(Settings(**REAL, auth_method="managed_identity")) == "managed_identity"


def test_each_method_builds_its_azure_identity_credential(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    secret = credential_for(Settings(**REAL, client_secret=SecretStr("s3cret-value")))
    assert type(secret).__name__ == "ClientSecretCredential"
    assert "s3cret-value" not in repr(secret)
    managed = credential_for(
        Settings(**REAL, auth_method="managed_identity", managed_identity_client_id="mi")
    )
    assert type(managed).__name__ == "ManagedIdentityCredential"
    token_file = tmp_path / "federated"
    token_file.write_text("jwt")
    monkeypatch.setenv("AZURE_FEDERATED_TOKEN_FILE", str(token_file))
    workload = credential_for(Settings(**REAL, auth_method="workload_identity"))
    assert type(workload).__name__ == "WorkloadIdentityCredential"
    with pytest.raises((ValueError, OSError)):  # a missing certificate file fails at start-up
        credential_for(Settings(**REAL, certificate_path=tmp_path / "missing.pem"))


def test_login_host_is_the_authority_and_graph_host_the_scope_and_allow_list() -> None:
    us = Settings(
        **{**REAL, "graph_url": "https://graph.microsoft.us/v1.0"},
        login_host="https://login.microsoftonline.us/",
        client_secret=SecretStr("s"),
    )
    assert us.login_host == "login.microsoftonline.us"
    credential = credential_for(us)
    # (That sign-in really goes to login.microsoftonline.us: test_identity_entra.py.)
    assert scopes_for(str(us.graph_url)) == ["https://graph.microsoft.us/.default"]
    client = make_graph_client(us, str(us.graph_url), credential)
    provider = client.request_adapter._authentication_provider  # noqa: SLF001
    hosts = provider.access_token_provider.get_allowed_hosts_validator().get_allowed_hosts()
    assert hosts == ["graph.microsoft.us"]
    assert cloud_mismatch(str(us.graph_url), us.login_host) is None
    assert "login_host" in (cloud_mismatch(str(us.graph_url), "login.microsoftonline.com") or "")
    with pytest.raises(ValidationError):
        Settings(login_host="https://login.microsoftonline.com/tenant")


def test_the_delegated_account_is_used_only_once_named(tmp_path: Path) -> None:
    assert teams_credential_for(Settings(**REAL, client_secret=SecretStr("s"))) is None
    settings = Settings(
        **REAL, home=tmp_path, teams_account="comms@example.org", token_cache_unencrypted=True
    )
    credential = teams_credential_for(settings)
    assert isinstance(credential, DelegatedCredential)
    assert "comms@example.org" in repr(credential)
    with pytest.raises(ClientAuthenticationError, match="comms-assistant graph login"):
        credential.get_token("https://graph.microsoft.com/.default")
    settings.teams_record_path.write_text("not json")
    with pytest.raises(ValueError, match="not a saved sign-in record"):
        DelegatedCredential(settings)
