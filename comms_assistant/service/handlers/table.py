"""The table of handlers, one per command type, and the dispatch through it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from comms_assistant.domain import commands as c
from comms_assistant.service.finding import Refused
from comms_assistant.service.handlers import (
    drafts,
    incidents,
    messages,
    publication,
    reading,
    roles,
    work,
)
from comms_assistant.service.handlers.context import Context, Reply


@dataclass(frozen=True)
class Handler:
    # Any: each handler takes its own command type, which only the table's key makes sure of.
    run: Callable[[Any, Context], Reply]
    on_incident: bool = True  # the incident it acts on is chosen first (Refused if none)
    # Held back for a blocking wording finding, else sent with the check's advice.
    checked: bool = True


HANDLERS: dict[type, Handler] = {
    c.Open: Handler(incidents.open_incident, on_incident=False),
    c.ListIncidents: Handler(reading.list_incidents, on_incident=False, checked=False),
    c.Help: Handler(reading.show_help, on_incident=False, checked=False),
    c.MonthReport: Handler(reading.month_report, on_incident=False, checked=False),
    c.SendDraft: Handler(drafts.send_draft, on_incident=False, checked=False),
    c.ShowStatus: Handler(reading.show_status, checked=False),
    c.Lessons: Handler(incidents.copy_lessons, checked=False),
    c.Update: Handler(messages.post_update),
    c.Holding: Handler(messages.send_holding_now),
    c.Notify: Handler(messages.notify),
    c.ChangeFacts: Handler(incidents.change_facts),
    c.SetPriority: Handler(incidents.set_priority),
    c.SetStatus: Handler(incidents.set_status),
    c.Log: Handler(incidents.log_entry),
    c.Close: Handler(incidents.close_incident),
    c.Review: Handler(incidents.file_review),
    c.Assign: Handler(roles.assign),
    c.AssignExtra: Handler(roles.assign_extra),
    # The work around the incident: nothing in them goes to stakeholders, so no wording check.
    c.Bridge: Handler(work.bridge, checked=False),
    c.AddAction: Handler(work.add_action, checked=False),
    c.CompleteAction: Handler(work.complete_action, checked=False),
    c.ListActions: Handler(work.list_actions, checked=False),
    c.Invite: Handler(work.invite_people, checked=False),
    c.MoveReviewMeeting: Handler(work.move_review_meeting, checked=False),
    c.CancelReviewMeeting: Handler(work.cancel_review_meeting, checked=False),
    c.Publish: Handler(publication.publish),
    c.Unpublish: Handler(publication.unpublish),
}


def dispatch(command: c.Command, ctx: Context, handlers: dict[type, Handler] = HANDLERS) -> Reply:
    """Carry out `command` with its handler: choose its incident, hold it back for its wording
    or send it with the check's advice."""
    handler = handlers.get(type(command))
    if handler is None:
        raise Refused(f"Cannot carry out {type(command).__name__} here.")
    if handler.on_incident:
        ctx.choose(command)
    if not handler.checked:
        return handler.run(command, ctx)
    if ctx.verdict is not None and drafts.holds(command, ctx):
        return drafts.hold(ctx, ctx.verdict)
    return drafts.annotated(handler.run(command, ctx), ctx.verdict)
