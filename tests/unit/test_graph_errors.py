"""Error mapping of the Graph adapter that needs no server, and the package's import cost."""

from __future__ import annotations

import subprocess
import sys
import time

import httpx
from azure.core.exceptions import ClientAuthenticationError
from pydantic import SecretStr

from comms_assistant.adapters.graph.credentials import (
    SandboxCredential,
    credential_for,
    teams_credential_for,
)
from comms_assistant.adapters.graph.errors import from_status, retry_after_seconds, to_port_error
from comms_assistant.config import Settings
from comms_assistant.service.ports import Locked, NotFound, PreconditionFailed

# A real tenant's identities (each must be given, never the sandbox's defaults).
REAL = {
    "graph_url": "https://graph.microsoft.com/v1.0",
    "tenant_id": "11111111-2222-4333-8444-555555555555",
    "client_id": "66666666-7777-4888-9999-aaaaaaaaaaaa",
    "site": "contoso.sharepoint.com:/sites/incidents",
    "mailbox": "incidents@contoso.example",
    "team_id": "team",
    "channel_id": "19:channel@thread.tacv2",
}


def test_transport_errors_are_retryable() -> None:
    error = to_port_error(httpx.ConnectError("refused"), action="send mail")
    assert error.retryable is True
    timeout = to_port_error(httpx.ReadTimeout("slow"), action="send mail")
    assert timeout.retryable is True and "timed out" in str(timeout)


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    assert retry_after_seconds({"Retry-After": "7"}) == 7.0
    assert retry_after_seconds({}) is None
    later = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 60))
    value = retry_after_seconds({"Retry-After": later})
    assert value is not None and 50 < value <= 61


def test_statuses_map_to_port_errors() -> None:
    assert isinstance(from_status(412, action="save"), PreconditionFailed)
    locked = from_status(423, action="save", code="resourceLocked", message="open in Word")
    assert isinstance(locked, Locked) and locked.retryable and "resourceLocked" in str(locked)
    assert isinstance(from_status(404, action="read"), NotFound)
    throttled = from_status(429, action="send", headers={"Retry-After": "30"})
    assert throttled.retryable and throttled.retry_after == 30.0
    assert from_status(502, action="send").retryable
    assert not from_status(400, action="send", code="ErrorInvalidRecipients").retryable


def test_token_failures_are_not_retryable_and_show_no_secret() -> None:
    error = to_port_error(ClientAuthenticationError("AADSTS7000215: bad secret"), action="send")
    assert error.retryable is False and "AADSTS7000215" in str(error)


def test_credential_choice() -> None:
    sandbox = credential_for(Settings(client_secret=SecretStr("s3cret")), token_url="http://x/t")
    assert isinstance(sandbox, SandboxCredential)
    assert "s3cret" not in repr(sandbox)
    real = credential_for(Settings(**REAL, client_secret=SecretStr("s")))
    assert type(real).__name__ == "ClientSecretCredential"
    try:
        credential_for(Settings(**REAL))
    except ValueError as exc:
        assert "COMMS_ASSISTANT_CLIENT_SECRET" in str(exc)
    else:
        raise AssertionError("a real tenant without a secret must be refused")


def test_teams_posts_with_a_delegated_credential_in_the_sandbox_only() -> None:
    teams = teams_credential_for(Settings(), token_url="http://x/t")
    assert isinstance(teams, SandboxCredential)
    assert "username='comms.assistant@example.org'" in repr(teams)
    # A real tenant keeps the app-only credential for Teams until delegated sign-in exists.
    real = Settings(**REAL, client_secret=SecretStr("s"))
    assert teams_credential_for(real) is None


def test_importing_the_adapter_package_does_not_import_msgraph() -> None:
    code = "import sys, comms_assistant.adapters.graph; print('msgraph' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
