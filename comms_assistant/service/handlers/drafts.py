"""Messages held back for their wording (service/wording.py), and sending them later.

A message is held only on a blocking finding, never for a P1 and never once the incident is
over; advice alone is added to the reply of a message that went.
"""

from __future__ import annotations

from dataclasses import replace

from comms_assistant.domain import commands as c
from comms_assistant.domain.incident import Priority
from comms_assistant.domain.record import Hold, HoldEnd
from comms_assistant.service.finding import Refused
from comms_assistant.service.handlers.context import Context, Reply
from comms_assistant.service.unit_of_work import Draft
from comms_assistant.service.wording import Verdict, final_words, held_text


def holds(command: c.Command, ctx: Context) -> bool:
    """Whether the wording check holds this command back: the incident it opens, or the one
    chosen for it, is no P1 and not over."""
    if ctx.verdict is None or not ctx.verdict.holds:
        return False
    if isinstance(command, c.Open):
        return command.priority is not Priority.P1
    return ctx.incident.priority is not Priority.P1 and ctx.incident.is_open


def hold(ctx: Context, verdict: Verdict) -> Reply:
    ref = ctx.chosen.reference if ctx.chosen else None
    _end_hold(ctx, ctx.uow.drafts.get(ctx.who), HoldEnd.REPLACED)  # a person has one draft
    if ctx.chosen is not None:  # an `open` held back has no incident yet to count it on
        ctx.chosen.record.holds.append(Hold(ctx.now))
    # Stored before we answer: the person can send it later, from anywhere.
    ctx.uow.drafts.put(Draft(ctx.who, ref, ctx.text, verdict.suggested, ctx.now))
    return Reply(held_text(verdict), reference=ref, held=True)


def annotated(reply: Reply, verdict: Verdict | None) -> Reply:
    """A message that went, with the wording check's advice for the next one."""
    if verdict is None:
        return reply
    if verdict.holds:
        note = "\n\nSent now, as this is a P1. For the next message: " + verdict.advice
    else:
        note = "\n\nSent. Advice for the next message: " + verdict.advice
    return replace(reply, text=reply.text + note)


def send_draft(command: c.SendDraft, ctx: Context) -> Reply:
    draft = ctx.uow.drafts.get(ctx.who)
    if draft is None:
        raise Refused("You have no message waiting to be sent.")
    text = draft.suggested if command.suggested else draft.command
    if text is None:
        raise Refused(
            "There are no suggested words for that message: 'send anyway' sends it as written."
        )
    if command.suggested and not command.confirmed:
        # Nothing goes in words the person has not seen: the draft waits for the yes.
        return Reply(_final_words(ctx, text), reference=draft.incident, held=True, confirming=True)
    incident = draft.incident
    _end_hold(ctx, draft, HoldEnd.SUGGESTED if command.suggested else HoldEnd.AS_WRITTEN)
    ctx.uow.drafts.remove(ctx.who)
    held = c.parse(text, priority_names=ctx.policy.priority_names())
    return ctx.rerun(held, incident, text)


def _end_hold(ctx: Context, draft: Draft | None, ended: HoldEnd) -> None:
    found = ctx.uow.incidents.get(draft.incident) if draft and draft.incident else None
    if found is not None:
        found.record.end_hold(ended)


def _final_words(ctx: Context, text: str) -> str:
    """The suggested words as they would go, and what a second check still finds in them."""
    wording = ctx.ports.wording
    names = ctx.policy.priority_names()
    verdict = wording.review(c.parse(text, priority_names=names)) if wording else None
    return final_words(text, verdict)
