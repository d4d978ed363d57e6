"""Every email the product sends passes axe-core's WCAG 2.2 A and AA rules.

axe-core and jsdom are pinned in package.json and installed by `npm ci --prefix tests/cardcheck`
(the README's test command); axe.js runs them offline with node. jsdom lays nothing out, so
colour contrast and reflow are checked by looking at screenshots, not here.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from each_message import LATER, each_message, each_report_filed

from comms_assistant.adapters.contacts import load_directory
from comms_assistant.adapters.render import Renderer
from comms_assistant.domain.messages import MessageKind

HERE = Path(__file__).parent
REPORT = "https://example.sharepoint.com/sites/incidents/Shared%20Documents/report.docx"


def axe_violations(documents: list[str]) -> list[list[dict[str, Any]]]:
    node = shutil.which("node")
    assert node, "node is needed to run axe-core"
    assert (HERE / "node_modules" / "axe-core").is_dir(), "run: npm ci --prefix tests/cardcheck"
    done = subprocess.run(
        [node, str(HERE / "axe.js")],
        input=json.dumps(documents),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout)


def product_emails() -> dict[str, str]:
    directory = load_directory(None)
    renderer = Renderer(
        None,
        ZoneInfo("Europe/London"),
        service_names=directory.service_names(),
        people=directory.people_names(),
    )
    emails: dict[str, str] = {}
    title = "Apply <b>for</b> teacher training is down"
    for name, kind, incident, entry in each_message(title, advice="Ask candidates to wait"):
        # The central team hears of a security incident only in its restricted form.
        shown = (
            incident.restricted_view()
            if incident.security and kind.value == "major_incident"
            else incident
        )
        mail = renderer.mail(
            kind,
            shown,
            entry,
            update_number=2,
            next_update_by=LATER + timedelta(hours=1),
            report_url=REPORT,
        )
        emails[name] = mail.html
    # Not a MessageKind: made when the Major Incident report is filed, with its link.
    for name, told in each_report_filed(title, REPORT).items():
        emails[name] = told.html
    return emails


def test_every_email_passes_axe_core() -> None:
    emails = product_emails()
    assert len(emails) == 2 * len(MessageKind) + 2
    found = dict(zip(emails, axe_violations(list(emails.values())), strict=True))
    assert all(not violations for violations in found.values()), found


def test_axe_core_does_catch_an_inaccessible_email() -> None:
    html = product_emails()["update"]
    broken = html.replace('<html lang="en-GB">', "<html>").replace(
        "</h1>", '</h1><img src="logo.png">'
    )
    (found,) = axe_violations([broken])
    assert {v["id"] for v in found} >= {"html-has-lang", "image-alt"}
