"""`comms-assistant register create` and `comms-assistant report incidents|board`: the incident
register (a SharePoint list), the register's rows in a shell or a spreadsheet, and the board's
monthly report (docs/register.md)."""

from __future__ import annotations

import asyncio
import csv
import io
import sys
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any
from zoneinfo import ZoneInfo

import typer

if TYPE_CHECKING:
    from comms_assistant.bootstrap import App
    from comms_assistant.service.board_report import Filed

register_app = typer.Typer(help="The incident register (a SharePoint list).", no_args_is_help=True)
report_app = typer.Typer(help="Figures across incidents.", no_args_is_help=True)

# A spreadsheet runs a cell that starts with one of these as a formula (OWASP's "CSV
# injection"): such a cell is written with a ' before it, which shows it as the text it is.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SHOWN = (
    ("Reference", "Reference"),
    ("IncidentTitle", "Incident"),
    ("Services", "Services"),
    ("Status", "Status"),
    ("PriorityAtDeclaration", "Declared as"),
    ("HighestPriority", "Highest"),
    ("Declared", "Declared"),
    ("MinutesToDeclare", "To declare (min)"),
    ("MinutesToFirstMessage", "To first message (min)"),
    ("MinutesToResolve", "To resolve (min)"),
    ("StakeholderMessages", "Messages"),
    ("UpdatesDue", "Updates due"),
    ("UpdatesLate", "Updates late"),
    ("ActionsOpen", "Actions open"),
    ("ActionsDone", "Actions done"),
)


def safe_cell(value: Any) -> str:
    text = "" if value is None else str(value)
    if isinstance(value, bool):
        text = "yes" if value else "no"
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def csv_text(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([shown for _, shown in SHOWN])
    for row in rows:
        writer.writerow([safe_cell(row.get(key)) for key, _ in SHOWN])
    return out.getvalue()


@register_app.command("create")
def register_create() -> None:
    """Make the register's list with its columns (once), and queue every incident's item."""
    from comms_assistant.bootstrap import bootstrap
    from comms_assistant.service.register_sync import queue_all

    app = bootstrap()
    name = app.settings.register_list.strip()
    if not name:
        typer.echo("register_list is empty: set it to the list's name first.", err=True)
        raise typer.Exit(2)
    made, url = asyncio.run(_create(app, name))
    queued = queue_all(app.unit_of_work, app.clock())
    said = f"Made the list {name!r}: {url}" if made else f"The list {name!r} is there already."
    typer.echo(
        f"{said}\n{queued} incident(s) queued for the register: the worker writes them, or run "
        "'comms-assistant deliver'."
    )


async def _create(app: App, name: str) -> tuple[bool, str]:
    from comms_assistant.adapters.graph import build_graph_adapters
    from comms_assistant.adapters.graph.lists import GraphRegister
    from comms_assistant.service.register_port import COLUMNS

    async with app.graph_endpoint() as (graph_url, token_url):
        adapters = build_graph_adapters(app.settings, graph_url, token_url)
        try:
            register = GraphRegister(adapters.client, app.settings.site, name)
            if await register.exists():
                return False, await register.web_url()
            return True, await register.create_list(COLUMNS)
        finally:
            await adapters.aclose()


@report_app.command("incidents")
def report_incidents(
    since: Annotated[
        str | None, typer.Option(help="Only incidents declared on or after this date (YYYY-MM-DD).")
    ] = None,
    csv_: Annotated[
        bool, typer.Option("--csv", help="Print CSV, safe to open in a spreadsheet.")
    ] = False,
) -> None:
    """The register's rows: every incident's times and figures (docs/register.md)."""
    from comms_assistant.bootstrap import bootstrap
    from comms_assistant.service.incident_figures import all_figures
    from comms_assistant.service.register_port import Links, row_of

    start = _since(since)
    app = bootstrap()
    tz = app.tz
    moment = datetime.combine(start, datetime.min.time(), tzinfo=tz) if start else None
    figures = all_figures(app.unit_of_work, app.policy(), app.clock(), since=moment)
    rows = [row_of(f, Links(), tz) for f in figures]
    if csv_:
        sys.stdout.write(csv_text(rows))
        return
    if not rows:
        typer.echo("No incidents" + (f" declared since {start:%d %B %Y}." if start else " yet."))
        return
    for row in rows:
        typer.echo(_line(row, tz))


def _since(said: str | None) -> date | None:
    if said is None:
        return None
    try:
        return date.fromisoformat(said)
    except ValueError:
        typer.echo(f'--since "{said}" is not a date: use YYYY-MM-DD, e.g. 2026-11-01.', err=True)
        raise typer.Exit(2) from None


def _line(row: dict[str, Any], tz: ZoneInfo) -> str:
    def number(key: str) -> str:
        value = row.get(key)
        return "-" if value is None else str(value)

    declared = datetime.fromisoformat(str(row["Declared"]).replace("Z", "+00:00"))
    return (
        f"{row['Reference']}  {row['HighestPriority']:<3} {row['Status']:<13} "
        f"declared {declared.astimezone(tz):%Y-%m-%d %H:%M %Z}  "
        f"first message {number('MinutesToFirstMessage')} min, "
        f"resolved {number('MinutesToResolve')} min, "
        f"updates late {row['UpdatesLate'] if row['UpdatesLate'] is not None else '-'}"
        f"/{number('UpdatesDue')}  {row['IncidentTitle']}"
    )


@report_app.command("board")
def report_board(
    month: Annotated[str, typer.Option(help="The month, as YYYY-MM (e.g. 2026-11).")],
) -> None:
    """File the month's board report (a Word document) into Incident reports/Board reports."""
    from comms_assistant.bootstrap import bootstrap
    from comms_assistant.service.board_content import month_start

    try:
        month_start(month)
    except ValueError:
        typer.echo(f'--month "{month}" is not a month: use YYYY-MM, e.g. 2026-11.', err=True)
        raise typer.Exit(2) from None
    filed = asyncio.run(_board(bootstrap(), month))
    verb = "Replaced" if filed.replaced else "Filed"
    typer.echo(f"{verb} {filed.path}\n{filed.web_url}")
    if filed.findings:
        typer.echo(f"Check the summary's words before the board reads it:\n{filed.findings}")


async def _board(app: App, month: str) -> Filed:
    from comms_assistant.adapters.graph import build_graph_adapters
    from comms_assistant.reporting import board_report
    from comms_assistant.service.ports import DeliveryError

    async with app.graph_endpoint() as (graph_url, token_url):
        adapters = build_graph_adapters(app.settings, graph_url, token_url)
        try:
            if app.settings.uses_sandbox:
                from comms_assistant.word_templates import seed_sandbox_templates

                await seed_sandbox_templates(app, graph_url)
            return await board_report(app, adapters.documents).file(month)
        except DeliveryError as error:
            typer.echo(str(error), err=True)
            raise typer.Exit(1) from None
        finally:
            await adapters.aclose()
