"""A read-only page at `/`: the reports, emails, Teams messages, calendars' events and Planner
tasks the sandbox tenant holds (the last two from page_plans.py), and the public status page and
Upptime repository (page_status.py).

Everything shown is user content (incident titles, people's names, mail bodies), so every piece
is escaped; an HTML email is rendered inside `<iframe sandbox srcdoc=...>` (no scripts, no
forms, no navigation) under a Content-Security-Policy that loads nothing from anywhere.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from aiohttp import web

from comms_assistant.sandbox import page_plans, page_status, seed
from comms_assistant.sandbox.drive_items import Item
from comms_assistant.sandbox.drive_store import Drive
from comms_assistant.sandbox.routing import Router, context

SHOWN = 50  # newest first; the folders on disk hold the rest
_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
_STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#222}
h1{font-size:1.5rem}h2{border-bottom:1px solid #ccc;margin-top:2.5rem}
article{border:1px solid #ddd;border-radius:6px;margin:1rem 0;padding:.75rem 1rem}
.meta{color:#555;font-size:.85rem}iframe{border:1px solid #eee;height:22rem;width:100%}
table{border-collapse:collapse}td,th{padding:.2rem .8rem .2rem 0;text-align:left}
caption{text-align:left;font-weight:600}
pre{white-space:pre-wrap}.card{background:#f6f6fb;border-left:4px solid #6264a7;padding:.5rem}
"""


def register(router: Router) -> None:
    router.add("GET", r"/", home)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return re.sub(r"\s+", " ", "".join(parser.parts)).strip()


def _as_read(markdown: str) -> str:
    """Teams shows a backslash-escaped character as the character (CommonMark)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)


def card_text(node: Any) -> list[str]:
    """The words a person sees on an Adaptive Card: text blocks, facts, action titles."""
    if isinstance(node, list):
        return [line for child in node for line in card_text(child)]
    if not isinstance(node, dict):
        return []
    lines: list[str] = []
    kind = node.get("type")
    if kind in {"TextBlock", "TextRun"} and node.get("text"):
        lines.append(_as_read(str(node["text"])))
    if kind == "FactSet":
        lines += [
            f"{f.get('title', '')}: {_as_read(str(f.get('value', '')))}"
            for f in node.get("facts", [])
        ]
    if str(kind).startswith("Action.") and node.get("title"):
        url = f" ({node['url']})" if node.get("url") else ""
        lines.append(f"[{node['title']}]{url}")
    for key in ("body", "items", "columns", "inlines", "actions", "card"):
        lines += card_text(node.get(key))
    return lines


def _cards(attachments: Any) -> list[list[str]]:
    cards = []
    for attachment in attachments or []:
        content = attachment.get("content") if isinstance(attachment, dict) else None
        if isinstance(content, str):
            try:
                content = json.loads(content)
            except json.JSONDecodeError:
                continue
        cards.append(card_text(content))
    return cards


def _reports(drive: Drive) -> str:
    rows = []

    def walk(folder: Item, prefix: str) -> None:
        for child in drive.children(folder):
            if child.is_folder:
                walk(child, f"{prefix}{child.name}/")
            else:
                link = f'<a href="/_download/{escape(child.id)}">{escape(child.name)}</a>'
                rows.append(
                    f"<tr><td>{escape(prefix)}</td><td>{link}</td><td>{child.size:,} bytes</td>"
                    f"<td>{escape(child.modified)}</td><td>{escape(child.etag)}</td></tr>"
                )

    walk(drive.root(), "")
    if not rows:
        return "<p>No files yet.</p>"
    head = "<tr><th>Folder</th><th>File</th><th>Size</th><th>Saved</th><th>eTag</th></tr>"
    return f"<table>{head}{''.join(rows)}</table>"


def _newest(folder: Path, pattern: str) -> list[Path]:
    return sorted(folder.glob(pattern), key=lambda p: p.name, reverse=True)[:SHOWN]


def _email(path: Path) -> str:
    eml = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    assert isinstance(eml, EmailMessage)
    meta = "".join(
        f"<div><b>{name}:</b> {escape(str(eml[name]))}</div>"
        for name in ("From", "To", "Cc", "Bcc", "Date")
        if eml[name]
    )
    html_part = eml.get_body(preferencelist=("html",))
    if html_part is not None:
        # srcdoc takes the message as an attribute value: escape() quotes it, sandbox="" keeps
        # any script or form inside it dead.
        content = f'<iframe sandbox="" srcdoc="{escape(html_part.get_content(), quote=True)}">'
        content += "</iframe>"
    else:
        text = eml.get_body(preferencelist=("plain",))
        content = f"<pre>{escape(text.get_content() if text is not None else '')}</pre>"
    subject = escape(str(eml["Subject"] or "(no subject)"))
    return f'<article><h3>{subject}</h3><div class="meta">{meta}</div>{content}</article>'


def _message(path: Path) -> str:
    try:
        data = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return ""
    if data.get("source") == "botConnector":  # a Bot Connector activity
        sender = (data.get("from") or {}).get("name") or "the bot"
        text, when, how = str(data.get("text") or ""), data.get("timestamp"), "Bot Connector"
    else:  # a Graph chatMessage
        sender = ((data.get("from") or {}).get("user") or {}).get("displayName") or "someone"
        body = data.get("body") or {}
        content = str(body.get("content") or "")
        text = html_to_text(content) if body.get("contentType") == "html" else content
        when, how = data.get("createdDateTime"), "Graph"
    cards = "".join(
        '<div class="card">' + "".join(f"<div>{escape(line)}</div>" for line in lines) + "</div>"
        for lines in _cards(data.get("attachments"))
    )
    meta = f"{escape(str(sender))} · {escape(str(when or ''))} · {how}"
    if isinstance(data.get("version"), int):  # updated in place: the earlier ones are kept
        meta += f" · updated, version {data['version']} (earlier ones in its .history.jsonl)"
    said = f"<p>{escape(text)}</p>" if text.strip() else ""
    return f'<article><div class="meta">{meta}</div>{said}{cards}</article>'


def render(request: web.Request) -> str:
    ctx = context(request)
    state = ctx.state
    mails = [
        _email(p)
        for mailbox in seed.MAILBOXES
        for p in _newest(state.mail_dir / mailbox / "Sent Items", "*.eml")
    ]
    channel = _newest(state.teams_dir / seed.TEAM_NAME / seed.CHANNEL_NAME, "*.json")
    chats = _newest(state.root / "chats", "*/*.json")
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    sections = [
        f"<h1>Sandbox tenant</h1><p class='meta'>{escape(str(state.root))} · {stamp} · "
        "read-only; reload to refresh</p>",
        f"<h2>Reports ({escape(state.library_web_url)})</h2>{_reports(ctx.drive)}",
        f"<h2>Emails sent ({len(mails)} newest)</h2>" + ("".join(mails) or "<p>None yet.</p>"),
        f"<h2>Teams: {escape(seed.TEAM_NAME)} › {escape(seed.CHANNEL_NAME)}</h2>"
        + ("".join(_message(p) for p in channel) or "<p>None yet.</p>"),
        "<h2>Chats and bot replies</h2>"
        + ("".join(_message(p) for p in chats) or "<p>None yet.</p>"),
        page_plans.calendars_section(request),
        page_plans.planner_section(request),
        page_plans.register_section(request),
        page_status.statuspage_section(request),
        page_status.upptime_section(request),
    ]
    return (
        "<!doctype html><html lang='en-GB'><head><meta charset='utf-8'>"
        f"<title>Sandbox tenant</title><style>{_STYLE}</style></head>"
        f"<body>{''.join(sections)}</body></html>"
    )


async def home(request: web.Request, match: Any) -> web.StreamResponse:
    headers = {
        "Content-Security-Policy": _POLICY,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    }
    return web.Response(text=render(request), content_type="text/html", headers=headers)
