"""Handlers that change the incident itself: open, priority, facts, status, log, close, review,
and the lessons learnt copied into its Major Incident report."""

from __future__ import annotations

from comms_assistant.domain import commands as c
from comms_assistant.domain.dates import start_moment
from comms_assistant.domain.file_names import report_name, review_name
from comms_assistant.domain.incident import Incident, Priority, format_reference
from comms_assistant.domain.messages import MessageKind
from comms_assistant.domain.public_words import asked
from comms_assistant.domain.publication import PublicAsk
from comms_assistant.domain.related import related_services
from comms_assistant.domain.service_rules import priority_refusal
from comms_assistant.service.deliveries import major_incident
from comms_assistant.service.delivery_kinds import DeliveryKind
from comms_assistant.service.finding import Refused
from comms_assistant.service.handlers import work
from comms_assistant.service.handlers.changes import answer, confirm, record
from comms_assistant.service.handlers.context import Context, Reply
from comms_assistant.service.handlers.roles import may_resolve
from comms_assistant.service.replies import neighbours_text
from comms_assistant.service.unit_of_work import PENDING


def open_incident(command: c.Open, ctx: Context) -> Reply:
    now, planner = ctx.now, ctx.planner
    within_limit(ctx, command.services, command.priority)
    year = now.astimezone(ctx.tz).year
    number = ctx.uow.incidents.next_number(year)
    incident = Incident.declare(
        reference=format_reference(year, number),
        title=command.title,
        priority=command.priority,
        impact=command.impact,
        services=command.services,
        who=ctx.who,
        now=now,
        security=command.security,
        advice=command.advice,
        lead=command.lead,
        started=start_moment(command.started, now, ctx.tz) if command.started else None,
    )
    local_date = now.astimezone(ctx.tz).date()
    incident.record.report_name = report_name(local_date, incident.reference, incident.title)
    ctx.uow.incidents.add(incident)
    ctx.chosen = incident
    entry = incident.timeline[-1]
    queued = [planner.report(ctx.uow, incident, entry, now)]
    public = PublicAsk(publish=command.public)
    plan = planner.message(ctx.uow, incident, MessageKind.OPENED, entry, now, public=public)
    queued += plan.rows
    bridged, bridge_text = work.on_open(ctx, incident)
    queued += bridged
    ctx.uow.flush()
    text = confirm(ctx, command, entry, plan) + bridge_text
    if planner.directory is not None and not incident.security:
        text += neighbours_text(related_services(planner.directory, incident.services))
    return Reply(text, reference=incident.reference, deliveries=tuple(q.id for q in queued))


def within_limit(ctx: Context, services: tuple[str, ...], priority: Priority) -> None:
    """Refuse a priority above what the service catalogue allows its services (max_priority)."""
    directory = ctx.planner.directory
    if directory is None:
        return
    keys = [(found.key if (found := directory.service(s)) else s.lower()) for s in services]
    refusal = priority_refusal(directory.services, keys, priority)
    if refusal is not None:
        raise Refused(refusal)


def set_priority(command: c.SetPriority, ctx: Context) -> Reply:
    within_limit(ctx, ctx.incident.services, command.priority)
    entry = ctx.incident.change_priority(
        command.priority, who=ctx.who, now=ctx.now, reason=command.reason
    )
    return answer(ctx, command, record(ctx, entry, MessageKind.PRIORITY))


def change_facts(command: c.ChangeFacts, ctx: Context) -> Reply:
    changed = ctx.incident.change_facts(
        who=ctx.who,
        now=ctx.now,
        title=command.title,
        impact=command.impact,
        services=command.services,
        advice=command.advice,
    )
    return answer(ctx, command, record(ctx, changed[-1], None))


def set_status(command: c.SetStatus, ctx: Context) -> Reply:
    entry = ctx.incident.set_status(command.status, who=ctx.who, now=ctx.now)
    return answer(ctx, command, record(ctx, entry, None))


def log_entry(command: c.Log, ctx: Context) -> Reply:
    entry = ctx.incident.log(command.text, who=ctx.who, now=ctx.now)
    return answer(ctx, command, record(ctx, entry, None))


def close_incident(command: c.Close, ctx: Context) -> Reply:
    may_resolve(ctx.policy, ctx.incident, ctx.who)
    entry = ctx.incident.resolve(command.resolution, who=ctx.who, now=ctx.now)
    changed = record(ctx, entry, MessageKind.RESOLVED, public=asked(command.public))
    # DfE playbook: a P1 is reported to the central team as a Major Incident when it is
    # closed, and the lessons learnt are added once the review is written. Whatever the
    # priority at closing: the central team, told when it became P1, was promised the report.
    major = major_incident(ctx.uow, ctx.incident)
    if major:
        changed.queued.append(ctx.planner.major(ctx.uow, ctx.incident, ctx.now))
    booked, booked_text = work.on_close(ctx)
    changed.queued += booked
    reply = answer(ctx, command, changed, major=major)
    return Reply(reply.text + booked_text, reference=reply.reference, deliveries=reply.deliveries)


def file_review(command: c.Review, ctx: Context) -> Reply:
    uow, incident, now, planner = ctx.uow, ctx.incident, ctx.now, ctx.planner
    changed = record(ctx, incident.file_review(who=ctx.who, now=now), None)
    major = major_incident(uow, incident)
    incident.record.review_name = review_name(
        incident.declared_at.astimezone(ctx.tz).date(), incident.reference, incident.title
    )
    changed.queued.append(planner.review(uow, incident, now))
    if major:
        # Closed by a version that filed it only for a P1 at closing: file it first.
        filed = planner.major(uow, incident, now)
        if filed.status == PENDING:
            changed.queued.append(filed)
        changed.queued.append(planner.lessons(uow, incident, now))
    changed.queued += work.on_review(ctx)
    reply = answer(ctx, command, changed, major=major)
    if ctx.ports.wording is None:
        return reply
    return Reply(
        reply.text + _introduction_advice(ctx),
        reference=reply.reference,
        deliveries=reply.deliveries,
    )


def _introduction_advice(ctx: Context) -> str:
    assert ctx.ports.wording is not None
    if ctx.ports.what_happened is None:
        return ""
    directory = ctx.planner.directory
    names = directory.service_names() if directory is not None else {}
    drafted = ctx.ports.what_happened(ctx.incident, ctx.tz, names)
    advice = ctx.ports.wording.review_introduction(drafted)
    return f"\nThe review's introduction needs a look. {advice}" if advice else ""


def copy_lessons(command: c.Lessons, ctx: Context) -> Reply:
    incident = ctx.incident
    if not major_incident(ctx.uow, incident):
        raise Refused(
            f"{incident.reference} has no Major Incident report, so there are no lessons learnt "
            "to copy: only an incident that reached P1, or whose Major Incident "
            "notification was sent, has one."
        )
    review = incident.record.review_name
    if not review:
        raise Refused(
            f"{incident.reference} has no review yet. Send 'review' to file it: its "
            "recommendations go into the Major Incident report then."
        )
    asked = len(ctx.uow.deliveries.of_incident(incident, [DeliveryKind.MAJOR_LESSONS]))
    queued = ctx.planner.lessons(ctx.uow, incident, ctx.now, again=f"asked:{asked}")
    ctx.uow.flush()
    text = (
        f"Copying the recommendations in {review.removesuffix('.docx')} into the "
        f"Major Incident report of {incident.reference} as its lessons learnt. What people wrote "
        "in that report themselves stays as it is."
    )
    return Reply(text, reference=incident.reference, deliveries=(queued.id,))
