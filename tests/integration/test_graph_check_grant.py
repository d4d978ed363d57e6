"""scripts/grant_site_access.py against the sandbox's /sites/{id}/permissions."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import httpx
import pytest
from test_reliability_harness import app_token

from comms_assistant.sandbox import SandboxTenant

SCRIPT = Path(__file__).parents[2] / "scripts" / "grant_site_access.py"
SITE = "example.sharepoint.com:/sites/incidents"
APP = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"


def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("grant_site_access", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def grants(graph: httpx.Client) -> list[dict]:
    site_id = graph.get(f"/sites/{SITE}").json()["id"]
    return graph.get(f"/sites/{site_id}/permissions").json()["value"]


def test_grants_write_once_and_is_safe_to_run_again(
    sandbox: SandboxTenant, graph: httpx.Client, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("GRAPH_ADMIN_TOKEN", app_token(sandbox))
    argv = ["--site", SITE, "--app-id", APP, "--graph-url", sandbox.graph_url]
    grant = script().main
    assert grant([*argv, "--role", "read"]) == 0
    assert grant(argv) == 0  # read -> write: changed, not duplicated
    assert grant(argv) == 0
    out = capsys.readouterr().out
    assert "granted read" in out and "changed from read to write" in out
    assert "already granted (write)" in out
    [permission] = grants(graph)
    assert permission["roles"] == ["write"]
    assert permission["grantedToIdentities"][0]["application"]["id"] == APP


def test_refusals_explain_the_admin_permission_and_never_echo_the_token(
    sandbox: SandboxTenant, control: httpx.Client, tmp_path: Path
) -> None:
    control.post("/_sandbox/faults", json=[{"path": "/permissions", "status": 403}])
    token = app_token(sandbox)
    env = {**os.environ, "GRAPH_ADMIN_TOKEN": token}
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--site", SITE, "--app-id", APP,
         "--graph-url", sandbox.graph_url],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1
    assert "HTTP 403" in done.stderr and "Sites.FullControl.All" in done.stderr
    assert token not in done.stdout + done.stderr
    env.pop("GRAPH_ADMIN_TOKEN")
    done = subprocess.run([sys.executable, str(SCRIPT), "--site", SITE, "--app-id", APP],
                          capture_output=True, text=True, env=env, timeout=60)  # fmt: skip
    assert done.returncode == 2 and "GRAPH_ADMIN_TOKEN" in done.stderr


def test_the_sandbox_checks_grants_as_sharepoint_does(graph: httpx.Client) -> None:
    site_id = graph.get(f"/sites/{SITE}").json()["id"]
    bad = graph.post(f"/sites/{site_id}/permissions", json={"roles": ["write"]})
    assert bad.status_code == 400
    bad_role = {"roles": ["admin"], "grantedToIdentities": [{"application": {"id": APP}}]}
    assert graph.post(f"/sites/{site_id}/permissions", json=bad_role).status_code == 400
    good = {"roles": ["write"], "grantedToIdentitiesV2": [{"application": {"id": APP}}]}
    created = graph.post(f"/sites/{site_id}/permissions", json=good)
    assert created.status_code == 201
    url = f"/sites/{site_id}/permissions/{created.json()['id']}"
    assert graph.get(url).json()["roles"] == ["write"]
    assert graph.delete(url).status_code == 204
    assert graph.get(url).status_code == 404
    assert graph.get("/sites/unknown-site/permissions").status_code == 404
