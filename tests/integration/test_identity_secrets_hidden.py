"""A failing run never shows a secret: not on stdout, not on stderr, not in a DEBUG log.

The CLI runs as its own process (`comms-assistant graph check` against a "real" tenant), with
`responses` standing in for Microsoft Entra ID inside that process and every logger at DEBUG
writing to a file, so whatever azure-identity, MSAL, urllib3 or the product logs is searched.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

SECRET = "Zq8~s3cr3t-client-value-DO-NOT-PRINT"
CERT_PASSWORD = "pfx-password-DO-NOT-PRINT"
WEBHOOK_SIG = "sig-DO-NOT-PRINT-0123456789abcdef"
TENANT = "11111111-2222-4333-8444-555555555555"

WRAPPER = """
import json, logging, re, sys
import responses

logging.basicConfig(filename=sys.argv[1], level=logging.DEBUG, force=True)
host, tenant = "login.microsoftonline.com", sys.argv[2]
base = f"https://{host}/{tenant}"
with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
    mock.add(responses.GET, f"{base}/v2.0/.well-known/openid-configuration", json={
        "issuer": f"{base}/v2.0", "token_endpoint": f"{base}/oauth2/v2.0/token",
        "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
        "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode"})
    mock.add(responses.GET, re.compile(f"https://{host}/common/discovery/instance.*"), json={
        "tenant_discovery_endpoint": f"{base}/v2.0/.well-known/openid-configuration",
        "metadata": [{"preferred_network": host, "preferred_cache": host, "aliases": [host]}]})
    mock.add(responses.POST, f"{base}/oauth2/v2.0/token", status=401, json={
        "error": "invalid_client", "error_codes": [7000215],
        "error_description": "AADSTS7000215: Invalid client secret provided."})
    from comms_assistant.entrypoints.cli import main
    sys.argv = ["comms-assistant", "graph", "check"]
    main()
"""


def run_cli(tmp_path: Path, **settings: str) -> tuple[int, str]:
    log = tmp_path / "debug.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMMS_ASSISTANT_")}
    env.update(
        COMMS_ASSISTANT_HOME=str(tmp_path / "home"),
        COMMS_ASSISTANT_GRAPH_URL="https://graph.microsoft.com/v1.0",
        COMMS_ASSISTANT_TENANT_ID=TENANT,
        COMMS_ASSISTANT_CLIENT_ID="aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee",
        COMMS_ASSISTANT_SITE="contoso.sharepoint.com:/sites/incidents",
        COMMS_ASSISTANT_MAILBOX="incidents@contoso.example",
        COMMS_ASSISTANT_TEAM_ID="bbbbbbbb-cccc-4ddd-8eee-ffffffffffff",
        COMMS_ASSISTANT_CHANNEL_ID="19:contoso@thread.tacv2",
        COMMS_ASSISTANT_TEAMS_TRANSPORT="webhook",
        COMMS_ASSISTANT_TEAMS_WEBHOOK_URL=(
            "https://prod-00.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/"
            f"invoke?api-version=2016-06-01&sig={WEBHOOK_SIG}"
        ),
        **{f"COMMS_ASSISTANT_{k.upper()}": v for k, v in settings.items()},
    )
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, str(log), TENANT],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
    )  # fmt: skip
    logged = log.read_text() if log.exists() else ""
    return done.returncode, done.stdout + done.stderr + logged


def test_a_wrong_client_secret_fails_clearly_and_never_shows_it(tmp_path: Path) -> None:
    code, everything = run_cli(tmp_path, client_secret=SECRET)
    assert code == 1
    assert "✗ sign-in (app)" in everything and "AADSTS7000215" in everything
    assert "client secret is wrong" in everything
    assert "DEBUG" in everything  # the log really captured the libraries' chatter
    assert SECRET not in everything
    assert WEBHOOK_SIG not in everything


def test_a_certificate_with_the_wrong_password_never_shows_either(tmp_path: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(1)
        .not_valid_before(now).not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"the-real-password"),
    )
    path = tmp_path / "app.pem"
    path.write_bytes(key_pem + cert.public_bytes(serialization.Encoding.PEM))
    code, everything = run_cli(
        tmp_path, certificate_path=str(path), certificate_password=CERT_PASSWORD
    )
    assert code == 1
    assert "✗" in everything
    assert CERT_PASSWORD not in everything and "the-real-password" not in everything
    key_body = key_pem.decode().splitlines()[1]
    assert key_body not in everything
