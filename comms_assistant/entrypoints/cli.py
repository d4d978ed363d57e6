"""`comms-assistant`: run bot commands from a shell, the demo, the sandbox tenant."""

from __future__ import annotations

import asyncio
import errno
import logging
import sys
from pathlib import Path
from typing import Annotated

import typer

from comms_assistant.entrypoints.user_messages import user_message

app = typer.Typer(
    help="Incident communications assistant for Microsoft 365.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
templates_app = typer.Typer(help="The Word templates in SharePoint.", no_args_is_help=True)
app.add_typer(templates_app, name="templates")
graph_app = typer.Typer(help="Connecting to a real Microsoft 365 tenant.", no_args_is_help=True)
app.add_typer(graph_app, name="graph")
from comms_assistant.entrypoints.contacts_check import contacts_app  # noqa: E402

app.add_typer(contacts_app, name="contacts")
from comms_assistant.entrypoints.database import db_app  # noqa: E402
from comms_assistant.entrypoints.edits_check import glossary_app, profile_app  # noqa: E402

app.add_typer(profile_app, name="profile")
app.add_typer(glossary_app, name="glossary")

app.add_typer(db_app, name="db")
from comms_assistant.entrypoints.statuspage_check import statuspage_app  # noqa: E402

app.add_typer(statuspage_app, name="statuspage")
from comms_assistant.entrypoints.register_cli import register_app, report_app  # noqa: E402

app.add_typer(register_app, name="register")
app.add_typer(report_app, name="report")


@app.command()
def run(
    command: Annotated[str, typer.Argument(help='A bot command, e.g. "status" or "help".')],
    as_: Annotated[
        str | None, typer.Option("--as", help="Who is sending it (an email address).")
    ] = None,
    incident: Annotated[
        str | None, typer.Option("--incident", help="Which incident, when several are open.")
    ] = None,
    wait: Annotated[
        bool, typer.Option(help="Wait until the deliveries this command caused are done.")
    ] = True,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for deliveries.")] = 60.0,
) -> None:
    """Run one command as the Teams bot would, and print its reply."""
    from comms_assistant.entrypoints.run_command import run_command

    raise typer.Exit(run_command(command, who=as_, incident=incident, wait=wait, timeout=timeout))


@app.command("list")
def list_open() -> None:
    """The open incidents: priority, status, lead, age and when the next update is due."""
    from comms_assistant.entrypoints.run_command import run_command

    raise typer.Exit(run_command("list", who=None, incident=None, wait=False, timeout=0))


@app.command()
def status(
    reference: Annotated[
        str | None, typer.Argument(help="An incident's reference, e.g. INC-2026-0001.")
    ] = None,
) -> None:
    """One incident at a glance (the only open one when no reference is given)."""
    from comms_assistant.entrypoints.run_command import run_command

    text = f"status {reference}" if reference else "status"
    raise typer.Exit(run_command(text, who=None, incident=None, wait=False, timeout=0))


@app.command()
def deliver(
    timeout: Annotated[float, typer.Option(help="Seconds to keep trying.")] = 60.0,
    failed: Annotated[
        bool, typer.Option("--failed", help="Also try again the deliveries that gave up.")
    ] = False,
) -> None:
    """Deliver everything still waiting in the outbox (after a failure or a --no-wait run)."""
    from comms_assistant.entrypoints.run_command import deliver_pending

    raise typer.Exit(deliver_pending(timeout=timeout, failed=failed))


@app.command()
def worker(
    once: Annotated[bool, typer.Option(help="One pass, then exit (for cron or a timer).")] = False,
    metrics_port: Annotated[
        int | None,
        typer.Option(
            min=0,
            max=65535,
            help="Serve /metrics and /healthz on this port (default: the metrics_port setting; "
            "0: none).",
        ),
    ] = None,
) -> None:
    """Run the cadence worker: nudges, holding updates, hand-over prompts and deliveries."""
    from comms_assistant.entrypoints.watch import PortTaken
    from comms_assistant.entrypoints.worker import run_worker

    try:
        code = run_worker(once=once, metrics_port=metrics_port)
    except PortTaken as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from error
    raise typer.Exit(code)


@app.command()
def demo(
    home: Annotated[
        Path | None,
        typer.Option(help="Folder for the demo's state (default: <home>/demo, emptied first)."),
    ] = None,
) -> None:
    """Run one incident from open to review against the sandbox tenant, and show what was sent."""
    from comms_assistant.entrypoints.demo import run_demo

    raise typer.Exit(run_demo(home))


@app.command("check-text")
def check_text(
    file: Annotated[str, typer.Argument(help='The text to check, or "-" to read it from stdin.')],
    json_: Annotated[bool, typer.Option("--json", help="Print the findings as JSON.")] = False,
    kind: Annotated[
        str, typer.Option(help="update, opened, priority, resolved, review or text.")
    ] = "update",
    glossary: Annotated[
        Path | None, typer.Option(help="Folder holding glossary.csv (default: contacts_dir).")
    ] = None,
    fix: Annotated[
        bool, typer.Option("--fix", help="Also print the text with the suggested words put in.")
    ] = False,
) -> None:
    """Check a message is in plain English. Exit 0 nothing that holds a message back (advice
    may be shown), 1 words readers may not understand, 2 bad input or over 1 MB."""
    from comms_assistant.entrypoints.check_text import check_text as run_check

    raise typer.Exit(run_check(file, as_json=json_, kind=kind, glossary_dir=glossary, fix=fix))


@app.command()
def sandbox(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = 8765,
) -> None:
    """Run the sandbox tenant (local Microsoft Graph) on its own until Ctrl-C."""
    from comms_assistant.config import Settings
    from comms_assistant.sandbox.server import serve_forever

    settings = Settings()
    typer.echo(
        f"Use it from other commands with COMMS_ASSISTANT_SANDBOX_URL=http://127.0.0.1:{port}"
    )
    try:
        serve_forever(settings.sandbox_root, "127.0.0.1", port)
    except OSError as error:
        if error.errno != errno.EADDRINUSE:
            raise
        typer.echo(
            f"Port {port} on 127.0.0.1 is taken (another sandbox?): stop what holds it, or "
            "choose another with --port and set sandbox_url to match.",
            err=True,
        )
        raise typer.Exit(2) from None


@app.command()
def serve(
    port: Annotated[int | None, typer.Option(help="Port (default: the bot_port setting).")] = None,
    metrics_port: Annotated[
        int | None, typer.Option(min=0, max=65535, help="/metrics on this port, not the bot's.")
    ] = None,
) -> None:
    """Run the Teams bot: /api/messages (Bot Connector) and /api/webhook (outgoing webhooks)."""
    from comms_assistant.config import Settings
    from comms_assistant.entrypoints.bot.server import NotConfigured, serve
    from comms_assistant.entrypoints.logs import configure

    logging.getLogger("comms_assistant").setLevel(logging.INFO)
    settings = Settings()
    configure(settings)
    given = {"bot_port": port, "bot_metrics_port": metrics_port}
    settings = settings.model_copy(update={k: v for k, v in given.items() if v is not None})
    try:
        serve(settings)
    except NotConfigured as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from error


@templates_app.command("check")
def templates_check(
    files: Annotated[
        list[Path] | None,
        typer.Argument(help="Word files to check (default: the templates 'publish' uploads)."),
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(help="report, review or major, for a file whose name does not say."),
    ] = None,
) -> None:
    """List what each Word template lacks that the assistant needs. Exit 1 if anything."""
    from comms_assistant.entrypoints.templates_check import check_files

    raise typer.Exit(check_files(files or [], kind))


@templates_app.command("publish")
def templates_publish(
    replace: Annotated[bool, typer.Option(help="Replace templates already there.")] = False,
) -> None:
    """Upload the Word templates to the SharePoint Templates folder (after checking them)."""
    from comms_assistant.bootstrap import bootstrap
    from comms_assistant.entrypoints.templates_check import check_files
    from comms_assistant.word_templates import publish_templates

    if check_files([], None, quiet=True):
        typer.echo("Nothing was uploaded: fix the templates first.", err=True)
        raise typer.Exit(1)

    async def publish() -> list[str]:
        app_ = bootstrap()
        async with app_.graph_endpoint() as (graph_url, token_url):
            from comms_assistant.adapters.graph import build_graph_adapters

            adapters = build_graph_adapters(app_.settings, graph_url, token_url)
            try:
                return await publish_templates(app_, adapters.documents, only_missing=not replace)
            finally:
                await adapters.aclose()

    from comms_assistant.entrypoints.templates_check import published

    typer.echo(published(asyncio.run(publish()), replace=replace))


@app.command()
def init(
    force: Annotated[bool, typer.Option(help="Replace an existing file.")] = False,
    path: Annotated[Path, typer.Option(help="Where to write it.")] = Path("comms-assistant.toml"),
) -> None:
    """Write a commented comms-assistant.toml: every setting, its meaning and its default."""
    from comms_assistant.entrypoints.init_config import write_config

    raise typer.Exit(write_config(path, force=force))


@graph_app.command("check")
def graph_check(
    send_test_mail: Annotated[
        str | None, typer.Option(help="Also send a test email, to this address only (yours).")
    ] = None,
    teams: Annotated[bool, typer.Option(help="Also post a test card to each destination.")] = False,
) -> None:
    """Pre-flight: can the app reach the site, folders, templates, mailbox and Teams? Exit 0/1."""
    from comms_assistant.entrypoints.graph_check import graph_check as run_check

    raise typer.Exit(run_check(send_test_mail=send_test_mail, teams=teams))


@graph_app.command("login")
def graph_login() -> None:
    """Sign the Teams service account in (device code), once; later runs are silent."""
    from comms_assistant.entrypoints.init_config import graph_login as run_login

    raise typer.Exit(run_login())


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as error:
        message = user_message(error)
        if message is None:
            raise
        typer.echo(message, err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
