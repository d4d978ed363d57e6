"""The page's status sections: each Statuspage page as a visitor sees it (components and their
status, open then past incidents with their updates, newest first), and each Upptime status
repository (its sites, its issues with their comments, newest issue first).

Incident names, update texts, issue titles and comments are user content: every piece is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import Any

from aiohttp import web

from comms_assistant.sandbox import seed
from comms_assistant.sandbox.github_store import Repos
from comms_assistant.sandbox.routing import context
from comms_assistant.sandbox.statuspage_store import StatusPages, to_json

SHOWN = 50


def words(status: str) -> str:
    """`degraded_performance` as a visitor reads it: "Degraded performance"."""
    return status.replace("_", " ").capitalize()


def _table(caption: str, heads: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> str:
    head = "".join(f'<th scope="col">{h}</th>' for h in heads)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return (
        f"<table><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )


def _update(update: dict[str, Any]) -> str:
    changed = ", ".join(
        f"{a['name']}: {words(a['new_status'])}" for a in update.get("affected_components") or []
    )
    meta = f"Posted {escape(str(update['created_at']))}"
    meta += f" · {escape(changed)}" if changed else ""
    return (
        f"<li><p><strong>{escape(words(update['status']))}</strong> — "
        f"{escape(str(update['body']))}</p><p class='meta'>{meta}</p></li>"
    )


def _incident(incident: dict[str, Any]) -> str:
    affects = ", ".join(c["name"] for c in incident["components"]) or "no component"
    meta = f"Impact: {words(incident['impact'])} · affects {affects}"
    updates = "".join(_update(u) for u in incident["incident_updates"])
    return (
        f"<article><h4>{escape(incident['name'])}</h4><p class='meta'>{escape(meta)}</p>"
        f"<ul>{updates}</ul></article>"
    )


def _page(store: StatusPages, folder: Path) -> str:
    page, components = store.page(folder), store.components(folder)
    incidents = [to_json(i, components) for i in store.incidents(folder)][:SHOWN]
    open_ = [i for i in incidents if i["status"] != "resolved"]
    past = [i for i in incidents if i["status"] == "resolved"]
    calm = not open_ and all(c["status"] == "operational" for c in components)
    rows = [(escape(c["name"]), escape(words(c["status"]))) for c in components]
    return "".join(
        [
            f"<h3>{escape(page['name'])} ({escape(page['url'])})</h3>",
            f"<p class='meta'>Statuspage page {escape(page['id'])}</p>",
            "<p><strong>All systems operational</strong></p>" if calm else "",
            _table(f"Components of {page['name']}", ("Component", "Status"), rows),
            "<h4>Open incidents</h4>" if open_ else "<p>No open incidents.</p>",
            "".join(_incident(i) for i in open_),
            "<h4>Past incidents</h4>" if past else "<p>No past incidents.</p>",
            "".join(_incident(i) for i in past),
        ]
    )


def statuspage_section(request: web.Request) -> str:
    store = StatusPages(context(request).state)
    pages = [store.folder(page_id) for page_id in store.page_ids()]
    shown = "".join(_page(store, folder) for folder in pages if folder is not None)
    return "<h2>Public status page (Statuspage)</h2>" + (shown or "<p>No pages.</p>")


def _comment(comment: dict[str, Any]) -> str:
    meta = f"{escape(comment['user'])} · {escape(comment['created_at'])}"
    return f"<li><p class='meta'>{meta}</p><p>{escape(comment['body'])}</p></li>"


def _issue(record: dict[str, Any]) -> str:
    issue = record["issue"]
    state = "Open" if issue["state"] == "open" else f"Closed ({issue['state_reason']})"
    labels = ", ".join(issue["labels"]) or "none"
    meta = f"{state} · labels: {labels} · opened {issue['created_at']}"
    meta += f" · closed {issue['closed_at']}" if issue.get("closed_at") else ""
    body = f"<p>{escape(str(issue['body']))}</p>" if issue.get("body") else ""
    comments = "".join(_comment(c) for c in record["comments"])
    return (
        f"<article><h4>#{issue['number']} {escape(issue['title'])}</h4>"
        f"<p class='meta'>{escape(meta)}</p>{body}"
        + (f"<ol>{comments}</ol>" if comments else "<p>No comments.</p>")
        + "</article>"
    )


def _sites(records: list[dict[str, Any]]) -> str:
    rows = []
    for name, slug, url in seed.UPPTIME_SITES:
        open_ = [
            f"#{r['issue']['number']}"
            for r in records
            if r["issue"]["state"] == "open" and slug in r["issue"]["labels"]
        ]
        rows.append((escape(name), escape(slug), escape(url), ", ".join(open_) or "none"))
    heads = ("Site", "Slug (label)", "URL", "Open incidents")
    return _table(f"Sites in {seed.STATUS_REPO}'s .upptimerc.yml", heads, rows)


def upptime_section(request: web.Request) -> str:
    store = Repos(context(request).state)
    parts = ["<h2>Upptime status repository (GitHub issues)</h2>"]
    for folder in store.folders():
        full_name = f"{folder.parent.name}/{folder.name}"
        records = store.issues(folder)
        parts.append(f"<h3>{escape(full_name)}</h3>")
        parts.append(_sites(records) if full_name == seed.STATUS_REPO else "")
        newest = list(reversed(records))[:SHOWN]
        parts.append("".join(_issue(r) for r in newest) or "<p>No issues yet.</p>")
    return "".join(parts)
