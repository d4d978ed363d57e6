"""The tenant's token endpoint and the bearer-token check in front of every Graph call.

Tokens are unsigned JWT-shaped strings (so tools that peek inside one still can), and are kept in
the sqlite db so a standalone `comms-assistant sandbox` server and a client process agree.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import time
import uuid

from aiohttp import web

from comms_assistant.sandbox import seed
from comms_assistant.sandbox.odata import GraphError
from comms_assistant.sandbox.routing import Router, base_url, context, decoded_path

TOKEN_LIFETIME = 3599
GRAPH_AUDIENCE = "https://graph.microsoft.com"


def register(router: Router) -> None:
    router.add("POST", r"/(?P<tenant>[^/]+)/oauth2/v2\.0/token", token)
    router.add("GET", r"/(?P<tenant>[^/]+)/v2\.0/\.well-known/openid-configuration", discovery)


def _aad_error(status: int, error: str, code: int, description: str) -> web.Response:
    # The identity platform answers in OAuth's shape, not Graph's OData shape.
    body = {
        "error": error,
        "error_description": f"AADSTS{code}: {description}",
        "error_codes": [code],
        "timestamp": time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime()),
        "trace_id": str(uuid.uuid4()),
        "correlation_id": str(uuid.uuid4()),
    }
    return web.json_response(body, status=status)


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


async def token(request: web.Request, match: re.Match[str]) -> web.StreamResponse:
    if match["tenant"].lower() not in {seed.TENANT_ID, "organizations", "common"}:
        return _aad_error(400, "invalid_request", 90002, f"Tenant '{match['tenant']}' not found.")
    form = await request.post()
    if form.get("grant_type") != "client_credentials":
        return _aad_error(
            400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type."
        )
    client_id = str(form.get("client_id") or "")
    if not client_id:
        return _aad_error(
            400, "invalid_request", 900144, "The request body must contain client_id."
        )
    if not form.get("client_secret") and not form.get("client_assertion"):
        return _aad_error(
            401, "invalid_client", 7000218, "The request body must contain client_secret."
        )
    issued = int(time.time())
    claims = {
        "aud": GRAPH_AUDIENCE,
        "iss": f"https://sts.windows.net/{seed.TENANT_ID}/",
        "tid": seed.TENANT_ID,
        "appid": client_id,
        "iat": issued,
        "nbf": issued,
        "exp": issued + TOKEN_LIFETIME,
        "roles": ["Sites.Selected", "Mail.Send", "Mail.ReadBasic.All", "ChannelMessage.Send"],
    }
    access_token = ".".join(
        [_b64({"typ": "JWT", "alg": "none"}), _b64(claims), secrets.token_urlsafe(32)]
    )
    context(request).state.db.execute(
        "INSERT INTO tokens (token, client_id, expires_at) VALUES (?, ?, ?)",
        (access_token, client_id, issued + TOKEN_LIFETIME),
    )
    body = {
        "token_type": "Bearer",
        "expires_in": TOKEN_LIFETIME,
        "ext_expires_in": TOKEN_LIFETIME,
        "access_token": access_token,
    }
    return web.json_response(body)


async def discovery(request: web.Request, match: re.Match[str]) -> web.StreamResponse:
    authority = f"{base_url(request)}/{match['tenant']}"
    return web.json_response(
        {
            "issuer": f"{base_url(request)}/{seed.TENANT_ID}/v2.0",
            "token_endpoint": f"{authority}/oauth2/v2.0/token",
            "authorization_endpoint": f"{authority}/oauth2/v2.0/authorize",
            "device_authorization_endpoint": f"{authority}/oauth2/v2.0/devicecode",
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "tenant_region_scope": "EU",
        }
    )


def require_token(request: web.Request) -> None:
    """Raise 401 unless the request carries a bearer token this tenant issued and still honours."""
    path = decoded_path(request)
    if not path.lower().startswith("/v1.0/"):
        return  # token endpoint, download URLs and copy monitors are pre-authenticated
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise GraphError(
            401,
            "InvalidAuthenticationToken",
            "Access token is empty.",
            {"WWW-Authenticate": "Bearer"},
        )
    row = (
        context(request)
        .state.db.execute("SELECT expires_at FROM tokens WHERE token = ?", (value.strip(),))
        .fetchone()
    )
    if row is None:
        raise GraphError(401, "InvalidAuthenticationToken", "Access token validation failure.")
    if row["expires_at"] < time.time():
        raise GraphError(
            401, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired."
        )
