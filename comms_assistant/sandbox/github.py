"""GitHub's REST API for issues (https://api.github.com), at `<sandbox>/github`, for an Upptime
status repository: Upptime opens an issue labelled `status` and the site's slug for an
incident, adds updates as comments, and closes the issue when the site is back.

    GET                 /repos/{owner}/{repo}                          the repository
    GET POST            /repos/{owner}/{repo}/issues                   list; create (201)
    GET PATCH           /repos/{owner}/{repo}/issues/{number}          edit, close, reopen
    GET POST            /repos/{owner}/{repo}/issues/{number}/comments oldest first; add (201)
    GET                 /repos/{owner}/{repo}/labels
    GET                 /repos/{owner}/{repo}/contents/{path}          a file (.upptimerc.yml)

As GitHub documents: listing takes `state` (open, the default; closed; all), `labels` (comma
separated, an issue must have every one), `sort` (created, updated, comments), `direction`
(desc unless asc), `since`, `per_page` (30, at most 100) and `page`, with a `Link` header to the
other pages; labels a create or edit names that the repository lacks are made (the caller has
push access); closing sets `closed_at`, `closed_by` and `state_reason` (`completed` unless
`not_planned`), reopening `state_reason: reopened`. Errors are `{"message",
"documentation_url", "status"}`; 404 for an unknown repository or issue, 422 for a missing
title or body or a bad `state`. Who may call and how often: api_gate.py. Files: github_store.py.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from aiohttp import web

from comms_assistant.sandbox.api_errors import github_error
from comms_assistant.sandbox.github_store import (
    WEB,
    Repos,
    comment_json,
    issue_json,
    label_json,
    stamp,
)
from comms_assistant.sandbox.routing import CALLER, Router, base_url, context

REPO = r"/github/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)"
ISSUE = REPO + r"/issues/(?P<number>\d+)"
ALL_METHODS = "GET HEAD POST PUT PATCH DELETE OPTIONS"
DOCS = "https://docs.github.com/rest/issues"
_SORTS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "created": lambda r: r["issue"]["created_at"],
    "updated": lambda r: r["issue"]["updated_at"],
    "comments": lambda r: len(r["comments"]),
}


def register(router: Router) -> None:
    router.add("GET", REPO, repository)
    router.add("GET POST", REPO + "/issues", issues)
    router.add("GET PATCH", ISSUE, issue)
    router.add("GET POST", ISSUE + "/comments", comments)
    router.add("GET", REPO + "/labels", labels)
    router.add("GET", REPO + r"/contents/(?P<path>[^?]+)", contents)
    router.add(ALL_METHODS, r"/github/.*", not_found)


def _not_found() -> NoReturn:
    raise github_error(404, "Not Found", f"{DOCS}/issues")


def _invalid(resource: str, field: str, code: str = "missing_field") -> NoReturn:
    errors = [{"resource": resource, "code": code, "field": field}]
    raise github_error(422, "Validation Failed", DOCS, errors=errors)


def _api(request: web.Request) -> str:
    return f"{base_url(request)}/github"


def _folder(request: web.Request, match: re.Match[str]) -> tuple[Repos, Path]:
    store = Repos(context(request).state)
    folder = store.folder(match["owner"], match["repo"])
    if folder is None:
        _not_found()
    return store, folder


def _full_name(folder: Path) -> str:
    return f"{folder.parent.name}/{folder.name}"


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError as exc:
        raise github_error(400, "Problems parsing JSON", DOCS) from exc
    if not isinstance(body, dict):
        raise github_error(400, "Problems parsing JSON", DOCS)
    return body


def _label_names(value: Any) -> list[str]:
    if not isinstance(value, list):
        _invalid("Issue", "labels", "invalid")
    names = [v.get("name") if isinstance(v, dict) else v for v in value]
    if not all(isinstance(n, str) and n.strip() for n in names):
        _invalid("Issue", "labels", "invalid")
    return [str(n).strip() for n in names]


def _page(request: web.Request, items: list[Any]) -> web.Response:
    """One page of `items` as JSON, with GitHub's Link header to the others."""
    try:
        size = min(100, max(1, int(request.query.get("per_page", "30"))))
        number = max(1, int(request.query.get("page", "1")))
    except ValueError:
        _invalid("Query", "page", "invalid")
    last = max(1, -(-len(items) // size))
    url = request.url
    links = {"next": number + 1, "last": last} if number < last else {}
    links |= {"first": 1, "prev": number - 1} if number > 1 else {}
    header = ", ".join(f'<{url.update_query(page=n)}>; rel="{rel}"' for rel, n in links.items())
    return web.json_response(
        items[(number - 1) * size : number * size], headers={"Link": header} if header else {}
    )


async def _write_body(request: web.Request) -> dict[str, Any]:
    """A write's JSON, read before the handler reads any state: the loop may run other requests
    while the body arrives (two comments at once), and what was read before would be stale."""
    return await _body(request) if request.method in {"POST", "PATCH"} else {}


async def repository(request: web.Request, match: re.Match[str]) -> web.StreamResponse:
    store, folder = _folder(request, match)
    found = {k: v for k, v in store.repository(folder).items() if not k.startswith("sandbox_")}
    owner = found.pop("owner")
    found["owner"] = {"login": owner, "type": "Organization"}
    found["url"] = f"{_api(request)}/repos/{_full_name(folder)}"
    found["html_url"] = f"{WEB}/{_full_name(folder)}"
    if request.get(CALLER):
        found["permissions"] = {"admin": False, "maintain": False, "push": True, "pull": True}
    return web.json_response(found)


def _listed(request: web.Request, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    state = request.query.get("state", "open")
    if state not in {"open", "closed", "all"}:
        _invalid("Issue", "state", "invalid")
    wanted = {n.strip().lower() for n in request.query.get("labels", "").split(",") if n.strip()}
    since = request.query.get("since", "")
    found = [
        r
        for r in records
        if state in {"all", r["issue"]["state"]}
        and wanted <= {n.lower() for n in r["issue"]["labels"]}
        and r["issue"]["updated_at"] >= since
    ]
    key = _SORTS.get(request.query.get("sort", "created"), _SORTS["created"])
    ascending = request.query.get("direction") == "asc"
    return sorted(found, key=lambda r: (key(r), r["issue"]["number"]), reverse=not ascending)


async def issues(request: web.Request, match: re.Match[str]) -> web.StreamResponse:
    body = await _write_body(request)
    store, folder = _folder(request, match)
    full_name, api = _full_name(folder), _api(request)
    if request.method == "GET":
        known = store.labels(folder)
        found = _listed(request, store.issues(folder))
        return _page(request, [issue_json(r, known, full_name, api) for r in found])
    title = body.get("title")
    if not isinstance(title, str | int) or not str(title).strip():
        raise github_error(422, 'Invalid request.\n\n"title" wasn\'t supplied.', DOCS)
    names = store.ensure_labels(folder, _label_names(body.get("labels", [])))
    now = stamp(context(request).clock())
    number = store.next_number(folder)
    issue = {
        "id": 1_000_000_000 + store.next_id(folder),
        "node_id": f"I_sandbox{number}",
        "number": number,
        "title": str(title),
        "body": body.get("body"),
        "state": "open",
        "state_reason": None,
        "user": request[CALLER],
        "labels": names,
        "assignees": [a for a in body.get("assignees") or [] if isinstance(a, str)],
        "locked": False,
        "created_at": now,
        "updated_at": now,
        "closed_at": None,
        "closed_by": None,
    }
    record = {"issue": issue, "comments": []}
    store.save(folder, record)
    made = issue_json(record, store.labels(folder), full_name, api)
    return web.json_response(made, status=201, headers={"Location": made["url"]})


def _edit(record: dict[str, Any], body: dict[str, Any], who: str, now: str) -> None:
    issue = record["issue"]
    for key in ("title", "body"):
        if key in body:
            issue[key] = body[key]
    state = body.get("state")
    if state not in (None, "open", "closed"):
        _invalid("Issue", "state", "invalid")
    if body.get("state_reason") not in (None, "completed", "not_planned", "reopened"):
        _invalid("Issue", "state_reason", "invalid")
    if state == "closed" and issue["state"] == "open":
        reason = body.get("state_reason") or "completed"
        issue.update(state="closed", state_reason=reason, closed_at=now, closed_by=who)
    elif state == "open" and issue["state"] == "closed":
        issue.update(state="open", state_reason="reopened", closed_at=None, closed_by=None)
    issue["updated_at"] = now


async def issue(request: web.Request, match: re.Match[str]) -> web.StreamResponse:
    body = await _write_body(request)
    store, folder = _folder(request, match)
    record = store.record(folder, int(match["number"]))
    if record is None:
        _not_found()
    if request.method == "PATCH":
        names = _label_names(body["labels"]) if "labels" in body else None
        _edit(record, body, request[CALLER], stamp(context(request).clock()))
        if names is not None:
            record["issue"]["labels"] = store.ensure_labels(folder, names)
        store.save(folder, record)
    return web.json_response(
        issue_json(record, store.labels(folder), _full_name(folder), _api(request))
    )


async def comments(request: web.Request, match: re.Match[str]) -> web.StreamResponse:
    body = await _write_body(request)
    store, folder = _folder(request, match)
    number = int(match["number"])
    record = store.record(folder, number)
    if record is None:
        _not_found()
    full_name, api = _full_name(folder), _api(request)
    if request.method == "GET":
        since = request.query.get("since", "")
        found = [c for c in record["comments"] if c["updated_at"] >= since]
        return _page(request, [comment_json(c, number, full_name, api) for c in found])
    text = body.get("body")
    if not isinstance(text, str) or not text:
        _invalid("IssueComment", "body")
    now = stamp(context(request).clock())
    comment_id = 2_000_000_000 + store.next_id(folder)
    comment = {
        "id": comment_id,
        "node_id": f"IC_sandbox{comment_id}",
        "body": text,
        "user": request[CALLER],
        "created_at": now,
        "updated_at": now,
    }
    record["comments"].append(comment)
    record["issue"]["updated_at"] = now
    store.save(folder, record)
    made = comment_json(comment, number, full_name, api)
    return web.json_response(made, status=201, headers={"Location": made["url"]})


async def labels(request: web.Request, match: re.Match[str]) -> web.StreamResponse:
    store, folder = _folder(request, match)
    repo_api = f"{_api(request)}/repos/{_full_name(folder)}"
    return _page(request, [label_json(label, repo_api) for label in store.labels(folder)])


# The sandbox's own bookkeeping, which is not the repository's content.
_STORE_FILES = frozenset({"repository.json", "labels.json"})


async def contents(request: web.Request, match: re.Match[str]) -> web.StreamResponse:
    """A file of the repository, base64 as GitHub's contents API answers it (Upptime's
    .upptimerc.yml, which `statuspage check` reads for the sites' slugs)."""
    _store, folder = _folder(request, match)
    path = match["path"].strip("/")
    file = folder / path
    if path in _STORE_FILES or path.startswith("issues/") or ".." in path or not file.is_file():
        _not_found()
    data = file.read_bytes()
    return web.json_response(
        {
            "type": "file",
            "encoding": "base64",
            "name": file.name,
            "path": path,
            "size": len(data),
            "sha": hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest(),
            "content": base64.encodebytes(data).decode(),
        }
    )


async def not_found(request: web.Request, match: re.Match[str]) -> web.StreamResponse:
    _not_found()
