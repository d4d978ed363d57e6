"""Handlers for the work around an incident: the responders' Teams meeting (`bridge`), the
follow-up actions (`action`, `action <n> done`, `actions`) and the review meeting (`invite`,
`review meeting <date and time>`, `review meeting off`); and what opening, closing and
reviewing an incident add to it (`on_open`, `on_close`, `on_review`).

None of them talks to Microsoft 365: each records the change and queues its deliveries
(service/work_planner.py) in the command's own transaction, and says what will happen.
"""

from __future__ import annotations

from datetime import UTC, datetime

from comms_assistant.domain import actions as a
from comms_assistant.domain import commands as c
from comms_assistant.domain.incident import DomainError, Incident
from comms_assistant.domain.meetings import invite
from comms_assistant.service.finding import Refused
from comms_assistant.service.handlers.context import Context, Reply
from comms_assistant.service.unit_of_work import FAILED, Queued
from comms_assistant.service.work_planner import WorkPlanner, meeting_time

NO_ORGANISER = (
    "No meeting organiser is set, so the assistant cannot make meetings. An administrator "
    "sets meeting_organiser to a licensed user's mailbox (docs/setup.md, 'Meetings')."
)


def _work(ctx: Context) -> WorkPlanner:
    if ctx.ports.work is None:
        raise Refused(NO_ORGANISER)
    return ctx.ports.work


def _reply(ctx: Context, lines: list[str], queued: list[Queued]) -> Reply:
    ctx.uow.flush()
    return Reply(
        "\n".join(line for line in lines if line),
        reference=ctx.incident.reference,
        deliveries=tuple(q.id for q in queued),
    )


# The responders' Teams meeting.


def bridge(command: c.Bridge, ctx: Context) -> Reply:
    incident = ctx.incident
    url = incident.record.meetings.bridge_url
    if url:
        return Reply(f"The responders' Teams meeting for {incident.reference}: {url}",
                     reference=incident.reference)  # fmt: skip
    if not incident.is_open:
        raise Refused(f"{incident.reference} is {incident.status.value}: it has no Teams meeting.")
    queued = _work(ctx).bridge(ctx.uow, incident, ctx.now)
    if queued is None:
        raise Refused(NO_ORGANISER)
    if queued.status == FAILED:
        return Reply(
            f"The Teams meeting for {incident.reference} could not be made: "
            f"{queued.last_error}. Once that is put right, an administrator can make it with "
            "'comms-assistant deliver --failed'.",
            ok=False,
            reference=incident.reference,
        )
    return _reply(ctx, [_making(incident)], [queued])


def _making(incident: Incident) -> str:
    where = (
        "It comes here once it is made: a security incident's link stays out of channels."
        if incident.security
        else "Its link goes on the incident's card and in the Incidents channel, and comes here."
    )
    return f"Making a Teams meeting for the responders of {incident.reference}. {where}"


def on_open(ctx: Context, incident: Incident) -> tuple[list[Queued], str]:
    """At `open`: the bridge, at the priorities the bridge_priorities setting names."""
    work = ctx.ports.work
    if work is None or not work.wants_bridge(incident):
        return [], ""
    queued = work.bridge(ctx.uow, incident, ctx.now)
    return ([queued] if queued else []), "\n" + _making(incident)


# The follow-up actions.


def add_action(command: c.AddAction, ctx: Context) -> Reply:
    incident = ctx.incident
    today = ctx.now.astimezone(ctx.tz).date()
    due = command.due.resolve(today) if command.due else None
    owner = ctx.who if command.owner == "me" else command.owner
    action = a.add_action(
        incident.actions, command.text, owner=owner, due=due, who=ctx.who, now=ctx.now, today=today
    )
    work = ctx.ports.work
    if work is None:
        queued = [ctx.planner.refresh(ctx.uow, incident, f"action:{action.number}", ctx.now)]
    else:
        queued = work.add_action(ctx.uow, incident, action, ctx.now)
    due_said = f"due {due:%A} {due.day} {due:%B %Y}" if due else "no due date yet"
    lines = [
        f"Action {action.number} added to {incident.reference}: {action.text}",
        f"Owner: {action.owner or 'nobody yet'}; {due_said}.",
        _where_actions_go(work, "a task in Planner for its owner"),
    ]
    return _reply(ctx, lines, queued)


def _where_actions_go(work: WorkPlanner | None, what: str) -> str:
    if work is not None and work.rules.plan:
        return f"It becomes {what}, and goes into the report and the review."
    return (
        "It goes into the report and the review. No Planner plan is set (actions_plan), so it "
        "is not a task in Planner."
    )


def complete_action(command: c.CompleteAction, ctx: Context) -> Reply:
    incident = ctx.incident
    action = a.complete_action(incident.actions, command.number, incident.reference)
    work = ctx.ports.work
    if work is None:
        queued = [ctx.planner.refresh(ctx.uow, incident, f"action:{action.number}:done", ctx.now)]
    else:
        queued = work.complete_action(ctx.uow, incident, action, ctx.now)
    planner = work is not None and work.rules.plan
    then = (
        "Its task is being marked complete in Planner; the report and the review show it then."
        if planner
        else "The report and the review show it."
    )
    said = f"Action {action.number} of {incident.reference} is done: {action.text}"
    return _reply(ctx, [said, then], queued)


def list_actions(command: c.ListActions, ctx: Context) -> Reply:
    incident = ctx.incident
    if not incident.actions:
        return Reply(
            f"{incident.reference} has no follow-up actions yet. Add one with "
            "'action <what needs doing> [owner <email>] [due <date>]'.",
            reference=incident.reference,
        )
    today = ctx.now.astimezone(ctx.tz).date()
    done = sum(action.done for action in incident.actions)
    lines = [f"{incident.reference} has {len(incident.actions)} follow-up actions ({done} done):"]
    lines += [a.described(action, today) for action in incident.actions]
    queued: list[Queued] = []
    work = ctx.ports.work
    if work is not None and work.rules.plan:
        listed = len(ctx.uow.deliveries.keyed(f"{incident.reference}:report:listed:"))
        queued = work.documents_refresh(ctx.uow, incident, f"listed:{listed + 1}", ctx.now)
        lines.append(
            "That is where each had got to when Planner was last read. The report and the "
            "review are being brought up to date from Planner now."
        )
    return _reply(ctx, lines, queued)


# The review meeting.


def on_close(ctx: Context) -> tuple[list[Queued], str]:
    """At `close`: the review meeting, booked once."""
    work = ctx.ports.work
    if work is None:
        return [], ""
    queued = work.book_review(ctx.uow, ctx.incident, ctx.now)
    if queued is None:
        return [], ""
    return [queued], "\n" + _booked(ctx, work, "booked for")


def on_review(ctx: Context) -> list[Queued]:
    """At `review`: the meeting and the tasks get the filed review's link."""
    work = ctx.ports.work
    return [] if work is None else work.review_filed(ctx.uow, ctx.incident, ctx.now)


def _booked(ctx: Context, work: WorkPlanner, how: str) -> str:
    incident = ctx.incident
    review = incident.record.meetings.review
    assert review is not None
    invited = work.attendees(incident)
    who = ", ".join(invited) if invited else "nobody yet (no leads are named)"
    return (
        f"Review meeting {how} {meeting_time(review.start, ctx.tz)}, for "
        f"{review.minutes} minutes, in {work.rules.organiser}'s calendar with a Teams meeting. "
        f"Invited: {who}. 'invite <email>' asks someone else; 'review meeting <date and time>' "
        "moves it; 'review meeting off' calls it off."
    )


def invite_people(command: c.Invite, ctx: Context) -> Reply:
    incident = ctx.incident
    work = ctx.ports.work
    if work is None:
        added, queued = invite(incident.record.meetings, command.people), None
    else:
        added, queued = work.invite(ctx.uow, incident, command.people, ctx.now)
    if not added:
        raise DomainError(f"{', '.join(command.people)} already invited to the review meeting.")
    review = incident.record.meetings.review
    if queued is not None and review is not None:
        when = meeting_time(review.start, ctx.tz)
        said = f"Invited to the review meeting of {incident.reference} on {when}: "
        said += f"{', '.join(added)}. Outlook sends the invitation."
    else:
        said = (
            f"{', '.join(added)} will be invited to the review meeting of {incident.reference}, "
            "which is booked when the incident is closed."
        )
    return _reply(ctx, [said], [queued] if queued else [])


def move_review_meeting(command: c.MoveReviewMeeting, ctx: Context) -> Reply:
    work = _work(ctx)
    day = command.when.day.resolve(ctx.now.astimezone(ctx.tz).date())
    at = datetime.combine(day, command.when.at, tzinfo=ctx.tz).astimezone(UTC)
    if at <= ctx.now:
        raise DomainError(f"{meeting_time(at, ctx.tz)} has passed: give a time still to come.")
    earlier = ctx.incident.record.meetings.review
    how = "moved to" if earlier is not None and not earlier.cancelled else "booked for"
    queued = work.move_review(ctx.uow, ctx.incident, at, ctx.now)
    if queued is None:
        raise Refused(NO_ORGANISER)
    lines = [_booked(ctx, work, how)]
    if not work.hours.is_working_day(at.astimezone(work.hours.tz).date()):
        lines.append("That day is not a working day in the process profile.")
    return _reply(ctx, lines, [queued])


def cancel_review_meeting(command: c.CancelReviewMeeting, ctx: Context) -> Reply:
    work = _work(ctx)
    incident = ctx.incident
    queued = work.cancel_review(ctx.uow, incident, ctx.now)
    review = incident.record.meetings.review
    assert review is not None
    lines = [
        f"The review meeting of {incident.reference} on {meeting_time(review.start, ctx.tz)} "
        "is off. Outlook tells those invited. 'review meeting <date and time>' books it again."
    ]
    return _reply(ctx, lines, [queued])
