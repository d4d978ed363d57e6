"""Who may call the sandbox's Statuspage and GitHub APIs, and how often (a middleware), and
the control endpoint for their rate limits.

Statuspage (`/statuspage/v1/...`): `Authorization: OAuth <key>` (the reference: "notice the case
sensitivity in the header. It's OAuth and not Oauth"), or `?api_key=<key>`; the sandbox's key is
`seed.STATUSPAGE_API_KEY`. Anything else: 401 `{"message": "Could not authenticate"}`. Then the
key's rolling-window limit (api_limits.py): 420 over it.

GitHub (`/github/...`): `Authorization: Bearer <token>` or `token <token>`; the sandbox's token is
`seed.GITHUB_TOKEN` (push access to the seeded repository). A wrong token: 401 "Bad
credentials". No token: the repository is public, so reads work (60 an hour), writes get 401
"Requires authentication". Every answer, errors included, carries `x-ratelimit-*`; issue and
comment creation counts against the secondary limits.

Both act before fault rules (control.inject_faults), as the token check does for Graph.

    GET    /_sandbox/ratelimits   {"statuspage": {...}, "github": {...}} in force
    PATCH  /_sandbox/ratelimits   change some, e.g. {"statuspage": {"requests": 3, "status": 429}}
    DELETE /_sandbox/ratelimits   the published limits again; counts forgotten
"""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from comms_assistant.sandbox import seed
from comms_assistant.sandbox.api_errors import ApiError, github_error, service_of, statuspage_error
from comms_assistant.sandbox.api_limits import LimitError
from comms_assistant.sandbox.odata import GraphError, json_ok, read_json
from comms_assistant.sandbox.routing import CALLER, Router, context, decoded_path

READS = frozenset({"GET", "HEAD"})


def register(router: Router) -> None:
    router.add("GET PATCH DELETE", r"/_sandbox/ratelimits", ratelimits)


async def ratelimits(request: web.Request, match: re.Match[str]) -> web.StreamResponse:
    limits = context(request).limits
    if request.method == "DELETE":
        limits.reset()
        return web.Response(status=204)
    if request.method == "PATCH":
        try:
            limits.update(await read_json(request))
        except LimitError as exc:
            raise GraphError(400, "invalidRequest", str(exc)) from exc
    return json_ok(limits.to_json())


def _statuspage_key(request: web.Request) -> str:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme == "OAuth":  # case-sensitive, as Statuspage's is
        return value.strip()
    return request.query.get("api_key", "")


def _check_statuspage(request: web.Request) -> None:
    key = _statuspage_key(request)
    if key != seed.STATUSPAGE_API_KEY:
        raise statuspage_error(401, "Could not authenticate")
    ctx = context(request)
    ctx.limits.statuspage_call(key, ctx.clock())


def _github_caller(request: web.Request) -> str:
    """The token's login, or "" for a request without a token; 401 for any other."""
    header = request.headers.get("Authorization")
    if header is None:
        if request.method not in READS:
            raise github_error(401, "Requires authentication")
        return ""
    scheme, _, token = header.partition(" ")
    if scheme.lower() not in {"bearer", "token"} or token.strip() != seed.GITHUB_TOKEN:
        raise github_error(401, "Bad credentials")
    return seed.GITHUB_LOGIN


async def _through_github(request: web.Request, handler: Any) -> web.StreamResponse:
    caller = _github_caller(request)
    ctx = context(request)
    who = caller or f"anonymous {request.remote}"
    headers = ctx.limits.github_call(
        who, ctx.clock(), anonymous=not caller, creates=request.method == "POST"
    )
    request[CALLER] = caller
    try:
        response = await handler(request)
    except (ApiError, GraphError) as exc:
        exc.headers = {**headers, **exc.headers}
        raise
    response.headers.update(headers)
    return response


@web.middleware
async def gate(request: web.Request, handler: Any) -> web.StreamResponse:
    service = service_of(decoded_path(request))
    if service == "github":
        return await _through_github(request, handler)
    if service == "statuspage":
        _check_statuspage(request)
    return await handler(request)
