"""Handlers that only read and change nothing: anyone may send most of them (`report`: the
people allowed to open incidents)."""

from __future__ import annotations

from comms_assistant.domain import commands as c
from comms_assistant.service.board_content import board_content
from comms_assistant.service.finding import list_text
from comms_assistant.service.handlers.context import Context, Reply
from comms_assistant.service.incident_figures import every_incident, figures_for
from comms_assistant.service.publication import page_line
from comms_assistant.service.status_text import describe


def show_status(command: c.ShowStatus, ctx: Context) -> Reply:
    text = describe(ctx.incident, ctx.tz, ctx.policy)
    if ctx.planner.page is not None:
        text += "\n" + page_line(ctx.uow, ctx.incident, ctx.planner.page)
    return Reply(text, reference=ctx.incident.reference)


def list_incidents(command: c.ListIncidents, ctx: Context) -> Reply:
    found = ctx.uow.incidents.open()
    return Reply(list_text(found, now=ctx.now, tz=ctx.tz, policy=ctx.policy, shell=ctx.shell))


def show_help(command: c.Help, ctx: Context) -> Reply:
    return Reply(c.HELP_TEXT)


def month_report(command: c.MonthReport, ctx: Context) -> Reply:
    """The month's figures in words (the board report's summary and table): for the people
    allowed to open incidents. The Word document itself: `comms-assistant report board`."""
    key = command.month or f"{ctx.now.astimezone(ctx.tz):%Y-%m}"
    incidents = every_incident(ctx.uow)
    figures = [figures_for(ctx.uow, i, ctx.policy, ctx.now) for i in incidents]
    content = board_content(figures, incidents, key, ctx.tz)
    lines = [f"Incidents in {content.month}", content.summary, ""]
    lines += [
        f"{measure}: {this} (3 months before: {before})"
        for measure, this, before in content.figures
    ]
    lines += ["", f"The board's Word report: comms-assistant report board --month {key}"]
    return Reply("\n".join(lines))
