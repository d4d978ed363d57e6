"""The tenant's token endpoint and the bearer-token check in front of every Graph call.

Tokens are unsigned JWT-shaped strings (so tools that peek inside one still can), and are kept in
the sqlite db so a standalone `comms-assistant sandbox` server and a client process agree. Only
tokens found in the db are honoured, so the claims inside one can be trusted.

Two kinds, as in Microsoft Entra ID:
- app-only (`grant_type=client_credentials`, any client id and secret): `roles` (what
  grants.py says the administrator granted), `idtyp=app`;
- delegated (`grant_type=password`, the sandbox service account `seed.SERVICE_ACCOUNT` with
  password `seed.SERVICE_ACCOUNT_PASSWORD`): `scp`, `upn`, `idtyp=user`.
Handlers ask `is_delegated(request)` where Microsoft 365 treats the two differently.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import time
import uuid

from aiohttp import web

from comms_assistant.sandbox import grants, seed
from comms_assistant.sandbox.odata import GraphError
from comms_assistant.sandbox.routing import CLAIMS, Router, base_url, context, decoded_path

TOKEN_LIFETIME = 3599
GRAPH_AUDIENCE = "https://graph.microsoft.com"
DELEGATED_SCOPES = (
    "Calendars.ReadWrite ChannelMessage.Send Chat.ReadWrite ChatMessage.Send Files.ReadWrite.All "
    "Mail.Send Tasks.ReadWrite User.Read User.ReadBasic.All"
)


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
    grant = form.get("grant_type")
    if grant not in {"client_credentials", "password"}:
        return _aad_error(
            400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type."
        )
    client_id = str(form.get("client_id") or "")
    if not client_id:
        return _aad_error(
            400, "invalid_request", 900144, "The request body must contain client_id."
        )
    issued = int(time.time())
    claims: dict[str, object] = {
        "aud": GRAPH_AUDIENCE,
        "iss": f"https://sts.windows.net/{seed.TENANT_ID}/",
        "tid": seed.TENANT_ID,
        "appid": client_id,
        "iat": issued,
        "nbf": issued,
        "exp": issued + TOKEN_LIFETIME,
    }
    if grant == "client_credentials":
        if not form.get("client_secret") and not form.get("client_assertion"):
            return _aad_error(
                401, "invalid_client", 7000218, "The request body must contain client_secret."
            )
        # What the administrator granted the app (grants.py; POST /_sandbox/app changes it).
        roles = grants.roles_for_new_tokens(context(request).state)
        claims.update(idtyp="app", roles=roles)
    else:
        username = str(form.get("username") or "")
        if username.lower() != seed.SERVICE_ACCOUNT or (
            form.get("password") != seed.SERVICE_ACCOUNT_PASSWORD
        ):
            return _aad_error(
                400,
                "invalid_grant",
                50126,
                "Error validating credentials due to invalid username or password.",
            )
        claims.update(
            idtyp="user",
            scp=DELEGATED_SCOPES,
            upn=seed.SERVICE_ACCOUNT,
            oid=seed.SERVICE_ACCOUNT_ID,
            name=seed.SERVICE_ACCOUNT_NAME,
        )
    access_token = ".".join(
        [_b64({"typ": "JWT", "alg": "none"}), _b64(claims), secrets.token_urlsafe(32)]
    )
    context(request).state.db.execute(
        "INSERT INTO tokens (token, client_id, expires_at) VALUES (?, ?, ?)",
        (access_token, client_id, issued + TOKEN_LIFETIME),
    )
    body = {
        "token_type": "Bearer",
        "scope": str(claims.get("scp") or f"{GRAPH_AUDIENCE}/.default"),
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


def claims_of(token: str) -> dict[str, object]:
    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


def is_delegated(request: web.Request) -> bool:
    """Whether the request's token was issued to a signed-in user (not an app on its own)."""
    claims = request.get(CLAIMS) or {}
    return claims.get("idtyp") == "user"


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
    request[CLAIMS] = claims_of(value.strip())
