"""The cadence use case: what the worker does on each tick for every open incident.

Each incident is handled in its own transaction: what is owed (from the domain), what it
implies (timeline entries, stakeholder messages, notices to the leads) and the record that it
was done are stored together, so a worker killed at any point does each thing once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from comms_assistant.domain.cadence import Action, ActionKind, Done, actions_due, next_update_due
from comms_assistant.domain.incident import Incident, TimelineEntry
from comms_assistant.domain.messages import MessageKind
from comms_assistant.domain.policy import Policy
from comms_assistant.domain.times import zone_name
from comms_assistant.service import publication
from comms_assistant.service.deliveries import DeliveryPlanner, MessagePlan
from comms_assistant.service.lead_notices import enqueue_notice
from comms_assistant.service.retries import retrying
from comms_assistant.service.unit_of_work import Queued, UnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)

ASSISTANT = "comms-assistant"


@dataclass
class CadenceService:
    uow: UnitOfWorkFactory
    planner: DeliveryPlanner
    policy: Policy
    tz: ZoneInfo
    clock: Callable[[], datetime]
    tick: timedelta = timedelta(minutes=1)

    def run_tick(self) -> list[str]:
        """Do what is owed now; returns a line for each thing done. An incident whose tick
        fails is logged and left for the next tick: the others still get theirs."""
        with self.uow() as uow:
            references = [incident.reference for incident in uow.incidents.open()]
        done: list[str] = []
        for reference in references:
            try:
                done += self._tick_one(reference)
            except Exception:
                log.exception("the cadence tick for %s failed; going on with the others", reference)
        return done

    def _tick_one(self, reference: str) -> list[str]:
        """One incident's tick in its unit of work, which locks the incident: workers ticking at
        the same moment take turns, and the second finds the first one's marks (on PostgreSQL,
        2 of 3 simultaneous ticks otherwise raised a duplicate outbox key)."""

        def run() -> list[str]:
            with self.uow() as uow:
                incident = uow.incidents.get(reference)
                if incident is None or not incident.is_open:
                    return []
                return self._incident(uow, incident)

        return retrying(run, what=f"the cadence tick for {reference}")

    def _incident(self, uow: UnitOfWork, incident: Incident) -> list[str]:
        now, record = self.clock(), incident.record
        owed = actions_due(
            incident, self.policy, Done(frozenset(record.cadence_done)), now, tick=self.tick
        )
        lines = []
        for action in owed:
            lines.append(self._do(uow, incident, action, now))
            record.cadence_done = [*record.cadence_done, action.key]
        record.update_due_at = next_update_due(incident, self.policy)
        return lines

    def _do(self, uow: UnitOfWork, incident: Incident, action: Action, now: datetime) -> str:
        label = self.policy.label(incident.priority)
        match action.kind:
            case ActionKind.NUDGE:
                due_at = self._shown(next_update_due(incident, self.policy))
                automatic = self.policy.rule(incident.priority).holding_update
                paragraphs = [
                    f"The next stakeholder update on this {label} incident is due by {due_at}.",
                    "To send one now: update <what people can and cannot do now>",
                ]
                if automatic:
                    paragraphs.insert(
                        1,
                        "If nothing has changed, the assistant will send this holding update "
                        f'then: "{_holding_draft(incident)}"',
                    )
                enqueue_notice(
                    uow,
                    incident,
                    key=action.key,
                    title="an update is due soon",
                    paragraphs=paragraphs,
                    now=now,
                    marking=self.planner.renderer.security_marking,
                    actions=self.planner.renderer.buttons(incident.reference, nudge=True),
                )
                return f"{incident.reference}: nudged the lead (update due by {due_at})"
            case ActionKind.HOLDING:
                late_since = action.due if action.late else None
                sent = send_holding(
                    uow, self.planner, incident, who=ASSISTANT, now=now, late=late_since
                )
                return f"{incident.reference}: {sent.entry.text}"
            case ActionKind.HANDOVER:
                text = (
                    "Hand-over time: bring the running report up to date (what was done, what is "
                    "next, who is on it) and hand over to whoever takes the incident on."
                )
            case ActionKind.OUT_OF_HOURS:
                text = (
                    "This incident has run out of hours for a while. Unless the fix is close or "
                    "urgent, consider stopping until working hours, or escalate it."
                )
        entry = incident.record_prompt(text, who=ASSISTANT, now=now)
        self.planner.report(uow, incident, entry, now)
        handover = action.kind is ActionKind.HANDOVER
        enqueue_notice(
            uow,
            incident,
            key=action.key,
            title="time to hand over" if handover else "out of hours",
            paragraphs=[text, *(publication.handover_words(uow, incident) if handover else [])],
            now=now,
            marking=self.planner.renderer.security_marking,
        )
        return f"{incident.reference}: {text}"

    def _shown(self, at: datetime | None) -> str:
        if at is None:
            return "(no fixed time)"
        local = at.astimezone(self.tz)
        return f"{local:%H:%M} {zone_name(local)}"


@dataclass(frozen=True)
class HoldingSent:
    entry: TimelineEntry
    report: Queued
    plan: MessagePlan


def send_holding(
    uow: UnitOfWork,
    planner: DeliveryPlanner,
    incident: Incident,
    *,
    who: str,
    now: datetime,
    late: datetime | None = None,
    note: str = "",
) -> HoldingSent:
    """A holding update: recorded, the report refreshed, stakeholders told. The worker sends one
    when an update falls due and none came; a lead's `holding` command sends the same one now.
    `late`: when it was due, if the worker was down then."""
    entry = incident.record_holding_update(who=who, now=now, late_since=late, note=note)
    report = planner.report(uow, incident, entry, now)
    plan = planner.message(uow, incident, MessageKind.HOLDING, entry, now)
    return HoldingSent(entry, report, plan)


def _holding_draft(incident: Incident) -> str:
    impact = f"{incident.impact} " if incident.impact else ""
    return f"{impact}There is no change since our last update."
