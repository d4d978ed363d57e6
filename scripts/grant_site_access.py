"""Give the comms-assistant app `write` access to one SharePoint site (Sites.Selected).

With the application permission Sites.Selected an app can reach no site at all until an
administrator grants it one: `POST /sites/{site-id}/permissions` with role `write`. This script
does that, once per site, and is safe to run again (an existing grant is kept or upgraded).

The administrator's token needs Sites.FullControl.All (delegated or application), e.g.

    export GRAPH_ADMIN_TOKEN=$(az account get-access-token --resource-type ms-graph \\
        --query accessToken -o tsv)
    python scripts/grant_site_access.py --site contoso.sharepoint.com:/sites/incidents \\
        --app-id <client id> --app-name "Comms assistant"

The token is read from GRAPH_ADMIN_TOKEN (or standard input with --token-stdin), never from the
command line, where other users of the machine could see it. Exit status: 0 granted (or already
was), 1 refused or failed (the message says why), 2 bad arguments.
"""

from __future__ import annotations

import argparse
import os
import sys
from urllib.parse import quote

import httpx

RANK = {"read": 1, "write": 2, "fullcontrol": 3, "owner": 4}


def site_url(graph: str, site: str) -> str:
    """`host:/sites/path` or a site id, as a Graph URL."""
    if ":/" in site:
        host, path = site.split(":/", 1)
        return f"{graph}/sites/{quote(host, safe='')}:/{quote(path.strip('/'), safe='/')}"
    return f"{graph}/sites/{quote(site, safe=',')}"


class Failed(Exception):
    pass


def _check(response: httpx.Response, doing: str) -> dict:
    if response.status_code < 300:
        return response.json() if response.content else {}
    try:
        error = response.json().get("error", {})
        detail = f"{error.get('code', '')}: {error.get('message', '')}"
    except ValueError:
        detail = "no error body"
    advice = {
        401: "the token is missing, expired or for another tenant",
        403: "the token needs Sites.FullControl.All (ask a SharePoint or Global administrator)",
        404: "no such site: check --site (hostname:/sites/path)",
    }.get(response.status_code, "")
    raise Failed(f"{doing}: HTTP {response.status_code} ({detail}). {advice}".strip())


def grant(
    http: httpx.Client, graph: str, site: str, app_id: str, app_name: str, role: str
) -> tuple[str, str]:
    """Grant `role` on `site` to `app_id`; returns (what happened, permission id)."""
    site_id = _check(http.get(site_url(graph, site)), f"find site {site}")["id"]
    permissions_url = f"{graph}/sites/{quote(site_id, safe=',')}/permissions"
    existing = _check(http.get(permissions_url), "list the site's grants").get("value", [])
    for permission in existing:
        identities = permission.get("grantedToIdentitiesV2") or permission.get(
            "grantedToIdentities", []
        )
        if any((i.get("application") or {}).get("id") == app_id for i in identities):
            roles = permission.get("roles", [])
            if max((RANK.get(r, 0) for r in roles), default=0) >= RANK[role]:
                return f"already granted ({', '.join(roles)})", permission["id"]
            url = f"{permissions_url}/{quote(permission['id'], safe='')}"
            _check(http.patch(url, json={"roles": [role]}), "change the grant")
            return f"changed from {', '.join(roles) or 'nothing'} to {role}", permission["id"]
    body = {
        "roles": [role],
        "grantedToIdentities": [{"application": {"id": app_id, "displayName": app_name}}],
    }
    created = _check(http.post(permissions_url, json=body), "grant access")
    return f"granted {role}", created["id"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", required=True, help="hostname:/sites/path, or a site id")
    parser.add_argument("--app-id", required=True, help="the app registration's client id")
    parser.add_argument("--app-name", default="comms-assistant", help="shown in SharePoint")
    parser.add_argument("--role", default="write", choices=sorted(RANK, key=RANK.get))
    parser.add_argument(
        "--graph-url",
        default="https://graph.microsoft.com/v1.0",
        help="another cloud's Graph, e.g. https://graph.microsoft.us/v1.0",
    )
    parser.add_argument("--token-stdin", action="store_true", help="read the token from stdin")
    args = parser.parse_args(argv)
    token = (
        sys.stdin.readline().strip() if args.token_stdin else os.environ.get("GRAPH_ADMIN_TOKEN")
    )
    if not token:
        print("Set GRAPH_ADMIN_TOKEN to an administrator's Graph token.", file=sys.stderr)
        return 2
    graph = args.graph_url.rstrip("/")
    headers = {"Authorization": f"Bearer {token}"}
    try:
        with httpx.Client(headers=headers, timeout=30) as http:
            outcome, permission_id = grant(
                http, graph, args.site, args.app_id, args.app_name, args.role
            )
    except Failed as error:
        print(f"Not granted. {error}", file=sys.stderr)
        return 1
    except httpx.HTTPError as error:
        print(f"Not granted: could not reach {graph} ({type(error).__name__})", file=sys.stderr)
        return 1
    print(f"{args.site}: app {args.app_id} {outcome} (permission {permission_id}).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
