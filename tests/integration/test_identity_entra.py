"""The real azure-identity credentials -> token -> Graph call path, offline.

`responses` stands in for Microsoft Entra ID (OpenID discovery, the token and device-code
endpoints: MSAL uses `requests`); the tokens it hands out are real sandbox tokens, fetched from
the sandbox's own endpoint, so the Graph calls that follow (msgraph-sdk over httpx) are checked
by the sandbox as usual.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import jwt
import pytest
import responses
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from pydantic import SecretStr

from comms_assistant.adapters.graph import build_graph_adapters
from comms_assistant.adapters.graph.credentials import DelegatedCredential
from comms_assistant.config import Settings
from comms_assistant.sandbox import SandboxTenant, seed
from comms_assistant.service.ports import TeamsCard

pytestmark = pytest.mark.filterwarnings("ignore:.*is deprecated:DeprecationWarning")

TENANT = "11111111-2222-4333-8444-555555555555"
CLIENT = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
SECRET = "very-secret-value-0123456789"
USER_OID, USER = "0000aaaa-0000-4000-8000-00000000beef", seed.SERVICE_ACCOUNT


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


class FakeEntra:
    """Microsoft Entra ID's endpoints for one tenant on `host`, answered through `responses`."""

    def __init__(self, mock: responses.RequestsMock, sandbox: SandboxTenant, host: str) -> None:
        self.sandbox, self.host = sandbox, host
        self.forms: list[dict[str, str]] = []
        self.access_lifetime = 3599
        base = f"https://{host}/{TENANT}"
        mock.add(
            responses.GET,
            f"{base}/v2.0/.well-known/openid-configuration",
            json={
                "issuer": f"https://{host}/{TENANT}/v2.0",
                "token_endpoint": f"{base}/oauth2/v2.0/token",
                "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
                "tenant_region_scope": "EU",
            },
        )
        # MSAL looks up the cloud's aliases (after an error, for instance).
        mock.add(
            responses.GET,
            re.compile(rf"https://{re.escape(host)}/common/discovery/instance.*"),
            json={
                "tenant_discovery_endpoint": f"{base}/v2.0/.well-known/openid-configuration",
                "api-version": "1.1",
                "metadata": [
                    {"preferred_network": host, "preferred_cache": host, "aliases": [host]}
                ],
            },
        )
        mock.add_callback(responses.POST, f"{base}/oauth2/v2.0/token", callback=self._token)
        mock.add_callback(responses.POST, f"{base}/oauth2/v2.0/devicecode", callback=self._device)

    def grants(self) -> list[str]:
        return [form.get("grant_type", "") for form in self.forms]

    def _device(self, request: Any) -> tuple[int, dict[str, str], str]:
        self.forms.append({"grant_type": "devicecode"})
        body = {
            "device_code": "device-code-1",
            "user_code": "ABCD-EFGH",
            "verification_uri": "https://microsoft.com/devicelogin",
            "expires_in": 900,
            "interval": 1,
            "message": "To sign in, use a web browser to open https://microsoft.com/devicelogin",
        }
        return 200, {}, json.dumps(body)

    def _token(self, request: Any) -> tuple[int, dict[str, str], str]:
        form = {k: v[0] for k, v in parse_qs(request.body).items()}
        self.forms.append(form)
        if form.get("grant_type") == "client_credentials":
            if form.get("client_secret", SECRET) != SECRET:
                error = {
                    "error": "invalid_client",
                    "error_codes": [7000215],
                    "error_description": "AADSTS7000215: Invalid client secret provided.",
                }
                return 401, {}, json.dumps(error)
            # Forward to the sandbox: a token the sandbox's Graph will honour (app-only).
            reply = httpx.post(self.sandbox.token_url, data=form)
            return reply.status_code, {}, reply.text
        # Device code or refresh token: the sandbox's delegated token for its service account.
        reply = httpx.post(
            self.sandbox.token_url,
            data={
                "grant_type": "password",
                "client_id": form.get("client_id", "x"),
                "username": USER,
                "password": seed.SERVICE_ACCOUNT_PASSWORD,
            },
        )
        now = int(dt.datetime.now(dt.UTC).timestamp())
        id_token = ".".join(
            [
                _b64({"alg": "none"}),
                _b64(
                    {
                        "iss": f"https://{self.host}/{TENANT}/v2.0",
                        "aud": form.get("client_id"),
                        "tid": TENANT,
                        "oid": USER_OID,
                        "preferred_username": USER,
                        "iat": now,
                        "exp": now + 3600,
                    }
                ),
                "",
            ]
        )
        body = {
            "token_type": "Bearer",
            "scope": "https://graph.microsoft.com/.default",
            "expires_in": self.access_lifetime,
            "access_token": reply.json()["access_token"],
            "refresh_token": f"refresh-{len(self.forms)}",
            "id_token": id_token,
            "client_info": _b64({"uid": USER_OID, "utid": TENANT}),
        }
        return 200, {}, json.dumps(body)


@pytest.fixture
def entra(sandbox: SandboxTenant) -> Iterator[FakeEntra]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield FakeEntra(mock, sandbox, "login.microsoftonline.com")


def settings_for(tmp_path: Path, **extra: Any) -> Settings:
    return Settings(home=tmp_path / "home", tenant_id=TENANT, client_id=CLIENT, **extra)


def list_templates(settings: Settings, sandbox: SandboxTenant) -> list[str]:
    """Through the product's adapters: the app credential signs in, Graph goes to the sandbox."""

    async def main() -> list[str]:
        adapters = build_graph_adapters(settings, sandbox.graph_url)
        try:
            assert type(adapters.credential).__name__ != "SandboxCredential"
            found = await adapters.documents.get_by_path(seed.TEMPLATES_FOLDER)
            again = await adapters.documents.get_by_path(seed.REPORTS_FOLDER)
            return [item.name for item in (found, again) if item]
        finally:
            await adapters.aclose()

    return asyncio.run(main())


def test_client_secret_credential_signs_in_once_and_reads_the_site(
    entra: FakeEntra, sandbox: SandboxTenant, tmp_path: Path
) -> None:
    settings = settings_for(tmp_path, client_secret=SecretStr(SECRET))
    assert list_templates(settings, sandbox) == [seed.TEMPLATES_FOLDER, seed.REPORTS_FOLDER]
    # Several Graph requests, one token request: MSAL's cache answers kiota's per-request asks.
    assert entra.grants() == ["client_credentials"]
    assert entra.forms[0]["client_id"] == CLIENT
    assert entra.forms[0]["scope"] == "https://graph.microsoft.com/.default"


def test_a_wrong_secret_is_refused_with_entra_s_code(
    entra: FakeEntra, sandbox: SandboxTenant, tmp_path: Path
) -> None:
    from comms_assistant.service.ports import DeliveryError

    settings = settings_for(tmp_path, client_secret=SecretStr("wrong-" + SECRET))
    with pytest.raises(DeliveryError) as caught:
        list_templates(settings, sandbox)
    assert "AADSTS7000215" in str(caught.value) and not caught.value.retryable
    assert SECRET not in str(caught.value)


def self_signed(tmp_path: Path) -> tuple[Path, x509.Certificate]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "comms-assistant test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    path = tmp_path / "app.pem"
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"pem-password-42"),
    )
    path.write_bytes(key_pem + cert.public_bytes(serialization.Encoding.PEM))
    return path, cert


def test_certificate_credential_signs_a_client_assertion_entra_can_verify(
    entra: FakeEntra, sandbox: SandboxTenant, tmp_path: Path
) -> None:
    path, cert = self_signed(tmp_path)
    settings = settings_for(
        tmp_path, certificate_path=path, certificate_password=SecretStr("pem-password-42")
    )
    assert list_templates(settings, sandbox) == [seed.TEMPLATES_FOLDER, seed.REPORTS_FOLDER]
    form = entra.forms[0]
    assert "client_secret" not in form
    assert form["client_assertion_type"].endswith("jwt-bearer")
    assertion = form["client_assertion"]
    # What Entra does: find the certificate by thumbprint, check the signature and audience.
    header = jwt.get_unverified_header(assertion)
    thumbprint = base64.urlsafe_b64encode(cert.fingerprint(hashes.SHA1())).decode().rstrip("=")
    assert header["x5t"].rstrip("=") == thumbprint
    claims = jwt.decode(
        assertion,
        cert.public_key(),  # type: ignore[arg-type]
        algorithms=[header["alg"]],
        audience=f"https://login.microsoftonline.com/{TENANT}/oauth2/v2.0/token",
    )
    assert claims["iss"] == claims["sub"] == CLIENT


def test_sovereign_cloud_signs_in_at_its_own_host(sandbox: SandboxTenant, tmp_path: Path) -> None:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        entra = FakeEntra(mock, sandbox, "login.microsoftonline.us")
        settings = settings_for(
            tmp_path, client_secret=SecretStr(SECRET), login_host="login.microsoftonline.us"
        )
        assert list_templates(settings, sandbox)
        assert all(
            call.request.url.startswith("https://login.microsoftonline.us/") for call in mock.calls
        )
    assert entra.grants() == ["client_credentials"]


def test_device_code_sign_in_once_then_silent_posting_to_teams(
    entra: FakeEntra, sandbox: SandboxTenant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The persistent cache lives under ~/.IdentityService: keep it in the test's folder.
    monkeypatch.setenv("HOME", str(tmp_path))
    settings = settings_for(
        tmp_path,
        client_secret=SecretStr(SECRET),
        teams_account=USER,
        token_cache_name="comms-assistant-test",
        token_cache_unencrypted=True,
    )
    scopes = ["https://graph.microsoft.com/.default"]
    # Never signed in: a worker refuses (and never prompts), naming the command to run.
    with pytest.raises(Exception, match="graph login"):
        DelegatedCredential(settings).get_token(*scopes)

    # `comms-assistant graph login`: the device-code flow, once.
    entra.access_lifetime = 60
    prompts: list[str] = []
    login = DelegatedCredential(
        settings, interactive=True, prompt_callback=lambda uri, code, _exp: prompts.append(code)
    )
    record = login.sign_in(scopes)
    login.close()
    assert prompts == ["ABCD-EFGH"] and record.username == USER
    assert settings.teams_record_path.is_file()
    assert SECRET not in settings.teams_record_path.read_text()
    assert (tmp_path / ".IdentityService" / "comms-assistant-test.cae").is_file()
    assert entra.grants() == ["devicecode", "urn:ietf:params:oauth:grant-type:device_code"]

    # A later run (new credential objects, as in a new process): the saved record and the
    # persistent cache give a token with no prompt (the short-lived access token above makes
    # MSAL use the refresh token, so the silent request is visible).
    entra.forms.clear()

    async def post() -> str:
        adapters = build_graph_adapters(settings, sandbox.graph_url)
        try:
            assert isinstance(adapters.teams_credential, DelegatedCredential)
            card = {"type": "AdaptiveCard", "version": "1.5", "body": []}
            return await adapters.teams.post_card(TeamsCard("delegated-1", "Test", card))
        finally:
            await adapters.aclose()

    assert asyncio.run(post())
    # Silent: the refresh token from the persistent cache, never the device code again.
    assert entra.grants() and set(entra.grants()) == {"refresh_token"}
    posted = list((sandbox.root / "teams").rglob("*.json"))
    assert len(posted) == 1
