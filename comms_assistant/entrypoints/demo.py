"""`comms-assistant demo`: one incident from open to review, against the sandbox tenant."""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
import shutil
from pathlib import Path

import typer

from comms_assistant.adapters.render_cards import as_read
from comms_assistant.adapters.sql import views
from comms_assistant.bootstrap import App, bootstrap
from comms_assistant.config import Settings
from comms_assistant.entrypoints.run_command import describe_delivery
from comms_assistant.sandbox import seed

COMMS = "comms.lead@example.org"
TECH = "tech.lead@example.org"
SCRIBE = "scribe@example.org"

STEPS: list[tuple[str, str]] = [
    (
        COMMS,
        "open Apply for teacher training is down p2 impact: Candidates cannot submit "
        "applications services: apply public: yes",
    ),
    (COMMS, "comms me"),
    (TECH, "tech me"),
    (SCRIBE, "I am the scribe"),
    (TECH, "log Found that the service cannot reach the applications database"),
    # A follow-up action: a task in the sandbox's Planner plan, and a row in the documents.
    (TECH, "action Alert the team when the service cannot reach its database owner me"),
    (
        COMMS,
        "update Candidates can sign in again and their drafts are safe. impact: Candidates "
        "still cannot submit their applications. do: Tell candidates who ask that their "
        "drafts are safe.",
    ),
    (COMMS, "priority p1 More candidates are affected than we first thought"),
    (COMMS, "priority p2 Fewer candidates are affected now"),
    (COMMS, "holding"),
    (COMMS, "close Candidates can submit applications again. We restored the connection."),
    (COMMS, "review"),
    # The review team writes a recommendation in the filed review (as in Word in SharePoint):
    # `lessons` copies it into the Major Incident report now (the worker does within 15 min).
    (COMMS, "lessons"),
]
RECOMMENDATION = ("Alert the team when the service cannot reach its database", "Tech lead", "")


def run_demo(home: Path | None) -> int:
    base = Settings()
    home = home or base.home / "demo"
    if home.exists():
        shutil.rmtree(home)
    # The demo always runs on the sandbox tenant and its own SQLite file, whatever tenant and
    # database the settings name: it must never write its incidents into a real one.
    # Its public status page is the sandbox's Statuspage page, whatever page the settings name.
    sandbox = {"home": home, "graph_url": None, "database_url": None, "status_page": "statuspage"}
    app = bootstrap(base.model_copy(update=sandbox))
    typer.echo(f"Demo home: {home.resolve()}\n")
    failures = asyncio.run(_play(app))
    _show_results(app)
    return 0 if failures == 0 else 3


async def _play(app: App) -> int:
    service = app.commands()
    failures = 0
    async with app.dispatcher() as dispatcher:
        for who, text in STEPS:
            if text == "lessons":
                _write_recommendation(app)
            typer.echo(f"{who}> {text}")
            reply = service.execute(text, who=who)
            typer.echo("  " + reply.text.replace("\n", "\n  "))
            if not reply.ok:
                failures += 1
                continue
            await dispatcher.drain(set(reply.deliveries), timeout=60)
            rows = views.deliveries(app.engine, set(reply.deliveries))
            failures += sum(r.status != views.DONE for r in rows)
            typer.echo("\n".join(describe_delivery(r) for r in rows) + "\n")
    return failures


def _write_recommendation(app: App) -> None:
    from docx import Document
    from docx.table import Table

    name = views.latest_review_name(app.engine)
    (review,) = (app.settings.sandbox_root / "sharepoint").rglob(str(name))
    document = Document(str(review))
    (table,) = document.element.body.xpath(
        ".//w:sdt[w:sdtPr/w:tag/@w:val='ca:recommendations']//w:tbl"
    )
    for cell, text in zip(Table(table, document._body).rows[1].cells, RECOMMENDATION, strict=True):
        cell.text = text
    document.save(str(review))
    typer.echo(f"(The review team writes a recommendation in {review.name}.)\n")


def _show_results(app: App) -> None:
    root = app.settings.sandbox_root
    _show_files(root, app.settings.templates_folder)
    _show_sent(root)
    _show_status_page(root)


def _show_files(root: Path, templates_folder: str) -> None:
    typer.echo("Where everything is (the sandbox tenant's files):")
    for docx in sorted((root / "sharepoint").rglob("*.docx")):
        if templates_folder not in docx.parent.name:
            typer.echo(f"  Word     {docx}")
    for folder in sorted((root / "mail").glob("*/Sent Items")):
        typer.echo(f"  Email    {folder}/")
    for folder in sorted({p.parent for p in (root / "teams").rglob("*.json")}):
        typer.echo(f"  Teams    {folder}/")
    for folder in sorted((root / "calendar").glob("*")):
        typer.echo(f"  Calendar {folder}/")  # the review meeting, booked at close
    for folder in sorted((root / "planner").glob("*/tasks")):
        typer.echo(f"  Planner  {folder}/")


def _show_sent(root: Path) -> None:
    typer.echo("\nWhat was sent to whom:")
    for eml in sorted((root / "mail").rglob("*.eml")):
        message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
        people = [a.strip() for a in (message.get("Bcc") or "").split(",") if a.strip()]
        typer.echo(f"  email  {message['Subject']}")
        typer.echo(f"         to {len(people)}: {', '.join(people)}")
    for posted in sorted((root / "teams").rglob("*.json")):
        card = _card_title(json.loads(posted.read_text(encoding="utf-8")))
        typer.echo(f"  teams  {posted.parent.parent.name} / {posted.parent.name}: {card}")


def _card_title(message: dict) -> str:
    for attachment in message.get("attachments") or []:
        content = attachment.get("content")
        card = json.loads(content) if isinstance(content, str) else content or {}
        blocks = [e for e in card.get("body", []) if e.get("type") == "TextBlock"]
        # The card's title (where things stand, then the incident's title), else its first line.
        for element in sorted(blocks, key=lambda e: e.get("size") != "Large"):
            return as_read(str(element.get("text", "")))
    return "(no card)"


def _show_status_page(root: Path) -> None:
    """The public status page as a visitor would read it (the sandbox's Statuspage files)."""
    folder = root / "statuspage" / seed.STATUSPAGE_PAGE_ID
    typer.echo(f"\nThe public status page ({folder}/):")
    for path in sorted(folder.glob("incidents/*.json")):
        incident = json.loads(path.read_text(encoding="utf-8"))
        typer.echo(f"  {incident['name']} ({incident['status']})")
        for update in reversed(incident["incident_updates"]):
            typer.echo(f"    {update['status']:<13} {' '.join(update['body'].split())}")
    components = json.loads((folder / "components.json").read_text(encoding="utf-8"))
    shown = ", ".join(f"{c['name']}: {c['status']}" for c in components)
    typer.echo(f"  Components: {shown}")
