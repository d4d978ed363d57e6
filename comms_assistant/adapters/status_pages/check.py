"""What `comms-assistant statuspage check` asks the page (docs/status-page.md): the key or
token works, the page or repository exists, every service mapped to it exists there. Each
finding comes with what to fix. Nothing is published: Statuspage and GitHub are only read, and
the webhook gets a signed `ping` that a receiver answers and ignores.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from comms_assistant.adapters.status_pages import Target
from comms_assistant.adapters.status_pages.webhook import SIGNATURE, signature
from comms_assistant.domain.audiences import Service

PASS, FAIL, WARN = "✓", "✗", "!"
TIMEOUT = 20.0


@dataclass(frozen=True)
class Finding:
    mark: str
    name: str
    detail: str = ""
    fix: str = ""


async def check(found: Target, services: Sequence[Service]) -> list[Finding]:
    async with httpx.AsyncClient(timeout=TIMEOUT, follow_redirects=False) as http:
        if found.kind == "statuspage":
            return await _statuspage(http, found, services)
        if found.kind == "upptime":
            return await _upptime(http, found, services)
        return [await _webhook(http, found)]


async def _get(http: httpx.AsyncClient, url: str, **options: Any) -> httpx.Response | str:
    try:
        return await http.get(url, **options)
    except httpx.HTTPError as error:
        return type(error).__name__


async def _statuspage(
    http: httpx.AsyncClient, found: Target, services: Sequence[Service]
) -> list[Finding]:
    headers = {"Authorization": f"OAuth {found.secret}"}
    page = await _get(http, f"{found.url}/pages/{found.where}", headers=headers)
    if isinstance(page, str) or page.status_code != 200:
        return [_statuspage_refusal(page, found)]
    findings = [Finding(PASS, "Statuspage page", f"{page.json().get('name')} ({found.where})")]
    listed = await _get(http, f"{found.url}/pages/{found.where}/components",
                        headers=headers, params={"per_page": 100})  # fmt: skip
    if isinstance(listed, str) or listed.status_code != 200:
        return [*findings, Finding(FAIL, "components", _said(listed), "try again later")]
    known = {c["id"]: c["name"] for c in listed.json()}
    mapped = {s.key: s.statuspage_component for s in services if s.statuspage_component}
    return findings + _mapping("component", mapped, known, services, "statuspage_component")


def _statuspage_refusal(page: httpx.Response | str, found: Target) -> Finding:
    status = page if isinstance(page, str) else page.status_code
    fix = {
        401: "the key was refused: set COMMS_ASSISTANT_STATUSPAGE_API_KEY to an API key of "
        "the page's account (your avatar > API info)",
        404: f"no page {found.where}: set COMMS_ASSISTANT_STATUSPAGE_PAGE_ID to the page's id "
        "(API info: Your page ID)",
        420: "over Statuspage's rate limit: try again in a minute",
        429: "over Statuspage's rate limit: try again in a minute",
    }.get(status if isinstance(status, int) else 0, f"check statuspage_url ({found.url})")
    return Finding(FAIL, "Statuspage page", _said(page), fix)


async def _upptime(
    http: httpx.AsyncClient, found: Target, services: Sequence[Service]
) -> list[Finding]:
    headers = {"Authorization": f"Bearer {found.secret}", "Accept": "application/vnd.github+json"}
    repo = f"{found.url}/repos/{found.where}"
    answer = await _get(http, repo, headers=headers)
    if isinstance(answer, str) or answer.status_code != 200:
        fix = {
            401: "the token was refused: set COMMS_ASSISTANT_GITHUB_TOKEN to a fine-grained "
            "token with Issues read and write on this repository",
            404: f"no repository {found.where}, or the token cannot see it: set "
            "COMMS_ASSISTANT_UPPTIME_REPOSITORY (owner/name) and give the token this repository",
        }.get(answer.status_code if not isinstance(answer, str) else 0, "check github_api_url")
        return [Finding(FAIL, "Upptime repository", _said(answer), fix)]
    findings = [Finding(PASS, "Upptime repository", found.where)]
    if (answer.json().get("permissions") or {}).get("push") is False:
        findings.append(Finding(FAIL, "token", "may read but not write issues",
                                "give the token Issues: read and write"))  # fmt: skip
    config = await _get(http, f"{repo}/contents/.upptimerc.yml", headers=headers)
    if isinstance(config, str) or config.status_code != 200:
        fix = "is this Upptime's repository? Its .upptimerc.yml lists the sites"
        return [*findings, Finding(FAIL, ".upptimerc.yml", _said(config), fix)]
    sites = upptime_sites(base64.b64decode(config.json()["content"]).decode("utf-8", "replace"))
    mapped = {s.key: s.upptime_site for s in services if s.upptime_site}
    return findings + _mapping("site", mapped, sites, services, "upptime_site")


async def _webhook(http: httpx.AsyncClient, found: Target) -> Finding:
    body = b'{"schema":"comms-assistant.status-page/1","event":"ping"}'
    headers = {"Content-Type": "application/json", SIGNATURE: signature(found.secret, body),
               "X-Comms-Assistant-Event": "ping"}  # fmt: skip
    try:
        answer = await http.post(found.url, content=body, headers=headers)
    except httpx.HTTPError as error:
        return Finding(FAIL, "status webhook", type(error).__name__, "check status_webhook_url")
    if answer.status_code < 300:
        return Finding(PASS, "status webhook", f"a signed ping was answered {answer.status_code}")
    fix = "check the receiver takes the ping (docs/status-page.md) and the secret matches"
    return Finding(FAIL, "status webhook", _said(answer), fix)


def _mapping(
    what: str,
    mapped: dict[str, str],
    known: dict[str, str],
    services: Sequence[Service],
    column: str,
) -> list[Finding]:
    listed = ", ".join(f"{k} ({v})" for k, v in known.items()) or "none"
    findings = []
    for key, value in mapped.items():
        if value in known:
            findings.append(Finding(PASS, f"{key}", f"{what} {value}: {known[value]}"))
        else:
            fix = f"services.csv: set {key}'s {column} to one of: {listed}"
            findings.append(Finding(FAIL, f"{key}", f"no {what} {value} on the page", fix))
    unmapped = [s.key for s in services if s.public and s.key not in mapped]
    if unmapped:
        findings.append(Finding(WARN, "not on the page", ", ".join(unmapped),
                                f"public services with no {column}: nothing about them shows "
                                "on the page's components"))  # fmt: skip
    if not mapped:
        findings.append(Finding(WARN, f"{what}s", f"no service has a {column}",
                                f"add a {column} column to services.csv"))  # fmt: skip
    return findings


_SITE = re.compile(r"^\s*-\s+name:\s*(?P<name>.+?)\s*$|^\s+slug:\s*(?P<slug>\S+)\s*$", re.M)


def upptime_sites(config: str) -> dict[str, str]:
    """The sites of an .upptimerc.yml, slug -> name. Upptime's slug is the `slug:` given, else
    the name in lower case with hyphens."""
    sites: dict[str, str] = {}
    name: str | None = None
    section = config.split("\nsites:", 1)[-1].split("\nstatus-website:", 1)[0]
    for match in _SITE.finditer(section):
        if match["name"]:
            if name is not None:
                sites[_slugified(name)] = name
            name = match["name"].strip("'\"")
        elif name is not None:
            sites[match["slug"].strip("'\"")] = name
            name = None
    if name is not None:
        sites[_slugified(name)] = name
    return sites


def _slugified(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _said(answer: httpx.Response | str) -> str:
    if isinstance(answer, str):
        return f"could not be reached ({answer})"
    try:
        message = answer.json().get("message", "")
    except (ValueError, AttributeError):
        message = ""
    return f"HTTP {answer.status_code} {message}".strip()
