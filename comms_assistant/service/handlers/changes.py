"""The steps every change to an incident shares: store it, queue its deliveries, confirm.

The change, its timeline entry and the deliveries it implies are flushed together before the
reply is written, so whatever happens next, nothing the person said is lost.
"""

from __future__ import annotations

from dataclasses import dataclass

from comms_assistant.domain import commands as c
from comms_assistant.domain.audiences import Contact
from comms_assistant.domain.file_names import filing_folder
from comms_assistant.domain.incident import TimelineEntry
from comms_assistant.domain.messages import MessageKind
from comms_assistant.domain.publication import PublicAsk
from comms_assistant.service.deliveries import MessagePlan
from comms_assistant.service.handlers.context import Context, Reply
from comms_assistant.service.replies import confirmation
from comms_assistant.service.unit_of_work import Queued


@dataclass
class Changed:
    """A change stored: its entry, the message it sent (if any) and every delivery queued."""

    entry: TimelineEntry
    plan: MessagePlan | None
    queued: list[Queued]


def record(
    ctx: Context,
    entry: TimelineEntry,
    kind: MessageKind | None,
    *,
    extra: tuple[Contact, ...] = (),
    public: PublicAsk | None = None,
) -> Changed:
    """Store the chosen incident as changed, refresh its report and, for `kind`, message its
    audience (and `extra`, the people a `notify` adds; `public`: what the command said about
    the public status page)."""
    incident = ctx.incident
    queued = [ctx.planner.report(ctx.uow, incident, entry, ctx.now)]
    plan = None
    if kind is not None:
        plan = ctx.planner.message(
            ctx.uow, incident, kind, entry, ctx.now, extra=extra, public=public
        )
        queued += plan.rows
    return Changed(entry, plan, queued)


def answer(ctx: Context, command: c.Command, changed: Changed, *, major: bool = False) -> Reply:
    """The confirmation, once everything the change implies is flushed."""
    ctx.uow.flush()
    text = confirm(ctx, command, changed.entry, changed.plan, major=major)
    deliveries = tuple(q.id for q in changed.queued)
    return Reply(text, reference=ctx.incident.reference, deliveries=deliveries)


def confirm(
    ctx: Context,
    command: c.Command,
    entry: TimelineEntry,
    plan: MessagePlan | None,
    *,
    major: bool = False,
) -> str:
    incident, ports = ctx.incident, ctx.ports
    folder = filing_folder(incident.security, ports.reports_folder, ports.security_reports_folder)
    return confirmation(
        command,
        incident,
        entry,
        plan,
        major=major,
        tz=ports.tz,
        folder=folder,
        policy=ctx.policy,
    )
