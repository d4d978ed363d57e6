"""The read-only page at `/`: what was sent, shown safely (it is all user content)."""

from __future__ import annotations

import json

import httpx

from comms_assistant.sandbox import SandboxTenant, seed

EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_page_lists_reports_mail_and_cards_with_user_content_escaped(
    graph: httpx.Client, graph_as_user: httpx.Client, control: httpx.Client, sandbox: SandboxTenant
) -> None:
    drive = graph.get(f"/sites/{seed.SITE_HOSTNAME}:/{seed.SITE_PATH}:/drive").json()["id"]
    graph.put(
        f"/drives/{drive}/root:/{seed.REPORTS_FOLDER}/Report & co.docx:/content", content=b"x"
    )
    mail = {
        "subject": f"Update {EVIL}",
        "body": {"contentType": "html", "content": f"<p>Hello <b>all</b></p>{EVIL}\"'>"},
        "toRecipients": [{"emailAddress": {"address": "ops@example.org"}}],
    }
    assert (
        graph.post(f"/users/{seed.MAILBOXES[0]}/sendMail", json={"message": mail}).status_code
        == 202
    )
    card = {
        "type": "AdaptiveCard",
        "version": "1.5",
        "body": [
            {"type": "TextBlock", "text": f"Apply is down {EVIL}"},
            {"type": "FactSet", "facts": [{"title": "Priority", "value": "P2"}]},
        ],
        "actions": [{"type": "Action.OpenUrl", "title": "Open the report", "url": "https://x"}],
    }
    message = {
        "body": {"contentType": "html", "content": '<attachment id="c"></attachment>'},
        "attachments": [{"id": "c", "contentType": "application/vnd.microsoft.card.adaptive",
                         "content": json.dumps(card)}],
    }  # fmt: skip
    channel = f"/teams/{seed.TEAM_ID}/channels/{seed.CHANNEL_ID}/messages"
    assert graph_as_user.post(channel, json=message).status_code == 201
    control.post("/v3/conversations/a:chat/activities", json={"text": f"Bot says {EVIL}"})

    page = control.get("/")

    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    html = page.text
    assert "Report &amp; co.docx" in html
    assert "Priority: P2" in html and "[Open the report] (https://x)" in html
    assert "Bot says" in html
    # Not one live tag from user content: escaped in text, attribute-quoted in the srcdoc.
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html
    assert '<iframe sandbox="" srcdoc="&lt;p&gt;Hello &lt;b&gt;all&lt;/b&gt;' in html
    assert "&quot;&#x27;&gt;" in html  # the quote that would end the attribute is escaped
    # Read-only: nothing else answers at the page's address.
    assert control.post("/").status_code == 405
