"""Handlers that give people roles, and who may declare an incident resolved."""

from __future__ import annotations

from comms_assistant.domain import commands as c
from comms_assistant.domain.authority import IncidentSummary, to_resolve
from comms_assistant.domain.incident import Incident
from comms_assistant.domain.policy import Policy
from comms_assistant.service.finding import Refused
from comms_assistant.service.handlers.changes import answer, record
from comms_assistant.service.handlers.context import Context, Reply


def assign(command: c.Assign, ctx: Context) -> Reply:
    person = command.person or ctx.who
    entry = ctx.incident.assign(command.role, person, who=ctx.who, now=ctx.now)
    return answer(ctx, command, record(ctx, entry, None))


def assign_extra(command: c.AssignExtra, ctx: Context) -> Reply:
    """A role of the organisation's own process (Wellcome: a delivery manager)."""
    known = ctx.policy.extra_roles
    if command.role not in known:
        names = ", ".join(known) or "none"
        raise Refused(
            f'"{command.role}" is not a role in the {ctx.policy.name} process '
            f"(its own roles: {names}). The usual ones: lead, comms, tech, support, scribe."
        )
    person = command.person or ctx.who
    entry = ctx.incident.assign_extra(command.role, person, who=ctx.who, now=ctx.now)
    return answer(ctx, command, record(ctx, entry, None))


def may_resolve(policy: Policy, incident: Incident, who: str) -> None:
    # Wellcome: a delivery manager declares resolution; MoJ: the incident lead. The rule and
    # its words are the domain's one authorization policy, which the bot's gate asks too.
    decision = to_resolve(policy, IncidentSummary.of(incident), who)
    if decision.refusal is not None:
        raise Refused(decision.refusal)
