"""Handlers that only read: anyone may send them, and they change nothing."""

from __future__ import annotations

from comms_assistant.domain import commands as c
from comms_assistant.service.finding import list_text
from comms_assistant.service.handlers.context import Context, Reply
from comms_assistant.service.status_text import describe


def show_status(command: c.ShowStatus, ctx: Context) -> Reply:
    text = describe(ctx.incident, ctx.tz, ctx.policy)
    return Reply(text, reference=ctx.incident.reference)


def list_incidents(command: c.ListIncidents, ctx: Context) -> Reply:
    found = ctx.uow.incidents.open()
    return Reply(list_text(found, now=ctx.now, tz=ctx.tz, policy=ctx.policy, shell=ctx.shell))


def show_help(command: c.Help, ctx: Context) -> Reply:
    return Reply(c.HELP_TEXT)
