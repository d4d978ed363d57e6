"""Tokens, OData errors and the request log of the sandbox tenant."""

from __future__ import annotations

import httpx

from comms_assistant.sandbox import SandboxTenant, seed


def test_token_endpoint_issues_bearer_tokens(sandbox: SandboxTenant) -> None:
    reply = httpx.post(
        sandbox.token_url,
        data={
            "grant_type": "client_credentials",
            "client_id": "app",
            "client_secret": "secret",
            "scope": "https://graph.microsoft.com/.default",
        },
    )
    assert reply.status_code == 200
    body = reply.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3599
    site = httpx.get(
        f"{sandbox.graph_url}/sites/{seed.SITE_HOSTNAME}:/{seed.SITE_PATH}",
        headers={"Authorization": f"Bearer {body['access_token']}"},
    )
    assert site.status_code == 200


def test_wrong_grant_and_wrong_tenant_are_refused(sandbox: SandboxTenant) -> None:
    form = {"grant_type": "authorization_code", "client_id": "app", "client_secret": "s"}
    assert httpx.post(sandbox.token_url, data=form).json()["error"] == "unsupported_grant_type"
    form["grant_type"] = "client_credentials"
    other = sandbox.token_url.replace(seed.TENANT_ID, "11111111-0000-4000-8000-000000000000")
    assert httpx.post(other, data=form).status_code == 400


def test_graph_needs_a_token_this_tenant_issued(sandbox: SandboxTenant) -> None:
    url = f"{sandbox.graph_url}/sites/{seed.SITE_HOSTNAME}:/{seed.SITE_PATH}"
    for headers in ({}, {"Authorization": "Bearer made-up"}):
        reply = httpx.get(url, headers=headers)
        assert reply.status_code == 401
        assert reply.json()["error"]["code"] == "InvalidAuthenticationToken"


def test_unknown_route_is_an_odata_error_and_requests_are_logged(
    graph: httpx.Client, sandbox: SandboxTenant
) -> None:
    reply = graph.get("/planner/plans")
    assert reply.status_code == 400
    error = reply.json()["error"]
    assert error["code"] == "BadRequest" and error["innerError"]["request-id"]
    assert sandbox.requests[-1][:3] == ("GET", "/v1.0/planner/plans", 400)
    assert sandbox.requests[0][:2] == ("POST", f"/{seed.TENANT_ID}/oauth2/v2.0/token")
