"""Handlers whose point is a message to stakeholders: an update, a holding update now, and
telling someone new (`notify`) what has happened so far."""

from __future__ import annotations

from dataclasses import replace

from comms_assistant.domain import commands as c
from comms_assistant.domain.audiences import Channels, Contact, Directory, audience_for
from comms_assistant.domain.messages import MessageKind
from comms_assistant.domain.public_words import asked
from comms_assistant.domain.related import resolve_target
from comms_assistant.service.cadence import send_holding
from comms_assistant.service.finding import Refused
from comms_assistant.service.handlers.changes import Changed, answer, record
from comms_assistant.service.handlers.context import Context, Reply
from comms_assistant.service.messaging import central_team_outside


def post_update(command: c.Update, ctx: Context) -> Reply:
    entry = ctx.incident.post_update(
        command.text, who=ctx.who, now=ctx.now, impact=command.impact, advice=command.advice
    )
    changed = record(ctx, entry, MessageKind.UPDATE, public=asked(command.public))
    return answer(ctx, command, changed)


def send_holding_now(command: c.Holding, ctx: Context) -> Reply:
    # The worker's own holding update, sent now on a lead's word: one path for both.
    sent = send_holding(
        ctx.uow, ctx.planner, ctx.incident, who=ctx.who, now=ctx.now, note=command.text
    )
    return answer(ctx, command, Changed(sent.entry, sent.plan, [sent.report, *sent.plan.rows]))


def notify(command: c.Notify, ctx: Context) -> Reply:
    extra = notify_targets(command, ctx)
    entry = ctx.incident.log(f"Told {command.target} about the incident", who=ctx.who, now=ctx.now)
    return answer(ctx, command, record(ctx, entry, MessageKind.CATCH_UP, extra=extra))


def notify_targets(command: c.Notify, ctx: Context) -> tuple[Contact, ...]:
    """The people `notify` names who have not been told yet (Refused when there are none)."""
    incident, planner = ctx.incident, ctx.planner
    if not incident.is_open:
        raise Refused(f"{incident.reference} is over: there is nothing new to tell anyone.")
    directory = planner.directory or Directory(contacts=planner.contacts)
    found = resolve_target(directory, command.target)
    if not found:
        raise Refused(
            f'"{command.target}" is not a service, a contact or an email address. '
            "Use a service's key or name from services.csv, or an address."
        )
    # Named in `notify`, someone known by name only is told by email.
    found = tuple(
        replace(c, channels=Channels.EMAIL) if c.channels is Channels.NONE else c for c in found
    )
    told = set(incident.record.told)
    if all({c.email.lower(), f"teams:{c.teams_destination}"} & told for c in found):
        raise Refused(f"Everyone in {command.target} has already been told.")
    chosen = audience_for(incident, planner.contacts, planner.routing)
    outside = central_team_outside(planner, incident, chosen)
    if all(c.email.lower() in outside for c in found):
        raise Refused(
            f"{incident.reference} is a security incident: the central Major Incident team hears "
            "only that it exists and when it is over. Its details stay with the security "
            "contacts and the people leading it."
        )
    return found
