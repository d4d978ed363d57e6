"""Use cases: one command from a person becomes one transaction and one reply.

CommandService reads the command, checks who may send it and hands it, in a transaction, to its
handler (service/handlers/table.py). The change, its timeline entry and the deliveries it
implies are stored together before the reply is written, so whatever happens next, nothing the
person said is lost.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from comms_assistant.domain import commands as c
from comms_assistant.domain.incident import DomainError
from comms_assistant.service import log_context
from comms_assistant.service.deliveries import DeliveryPlanner
from comms_assistant.service.finding import Refused
from comms_assistant.service.handlers.context import Context, Ports, Reply, WhatHappened
from comms_assistant.service.handlers.table import dispatch
from comms_assistant.service.retries import lost_race_text, retrying
from comms_assistant.service.unit_of_work import Conflict, UnitOfWork, UnitOfWorkFactory
from comms_assistant.service.wording import WordingCheck
from comms_assistant.service.work_planner import WorkPlanner

__all__ = ["CommandService", "Reply"]


@dataclass
class CommandService:
    uow: UnitOfWorkFactory
    planner: DeliveryPlanner
    tz: ZoneInfo
    reports_folder: str
    security_reports_folder: str
    clock: Callable[[], datetime]
    wording: WordingCheck | None = None  # None: no plain-English check
    what_happened: WhatHappened | None = None
    work: WorkPlanner | None = None  # the meetings and follow-up actions

    def execute(
        self,
        text: str,
        *,
        who: str | None,
        incident: str | None = None,
        shell: bool = False,
        conversation: str | None = None,
    ) -> Reply:
        """`incident`: the one meant (`--incident`, the thread's); a reference before the
        command names it too. `shell`: from comms-assistant run, so answers say --as and
        --incident where a chat would say something else. `conversation`: the Teams thread
        it came from, which an incident opened there is bound to in the same transaction (a
        stop after the commit cannot leave the thread not knowing its incident)."""
        try:
            command = c.parse(text, priority_names=self.planner.policy.priority_names())
        except c.ParseError as error:
            return Reply(str(error), ok=False)
        if isinstance(command, c.Help):
            return Reply(c.HELP_TEXT)
        named = c.named_incident(text)
        refusal = _refusal(command, named, who=who, incident=incident, shell=shell)
        if refusal:
            return Reply(refusal, ok=False)
        incident = named or incident
        try:
            with log_context.about(incident=incident.upper() if incident else None):
                return self._attempts(
                    command, who or "", incident, text=text, shell=shell, conversation=conversation
                )
        except (DomainError, Refused) as error:
            # The transaction rolled back: nothing was half-done.
            return Reply(str(error), ok=False)

    def _attempts(
        self,
        command: c.Command,
        who: str,
        ref: str | None,
        *,
        text: str,
        shell: bool,
        conversation: str | None,
    ) -> Reply:
        """The command in its unit of work, run again from the start when another process
        changed the same thing at the same moment (retries.py); then a reply saying so."""

        def run() -> Reply:
            with self.uow() as uow:
                reply = self._run(uow, command, who, ref, text=text, shell=shell)
                if conversation and reply.ok and reply.reference and isinstance(command, c.Open):
                    uow.conversations.bind(conversation, reply.reference, self.clock())
                return reply

        try:
            return retrying(run, what=ref or "a command")
        except Conflict:
            return Reply(lost_race_text(ref, opening=isinstance(command, c.Open)), ok=False)

    def _run(
        self,
        uow: UnitOfWork,
        command: c.Command,
        who: str,
        ref: str | None,
        *,
        text: str,
        checked: bool = False,
        shell: bool = False,
    ) -> Reply:
        """`checked`: a draft's words, already held once, go without a second check."""

        def rerun(held: c.Command, held_ref: str | None, held_text: str) -> Reply:
            return self._run(uow, held, who, held_ref, text=held_text, checked=True)

        verdict = None if checked or self.wording is None else self.wording.review(command)
        context = Context(
            uow=uow,
            ports=self.ports,
            who=who,
            ref=ref,
            text=text,
            now=self.clock(),
            verdict=verdict,
            rerun=rerun,
            shell=shell,
        )
        return dispatch(command, context)

    @property
    def ports(self) -> Ports:
        return Ports(
            planner=self.planner,
            tz=self.tz,
            reports_folder=self.reports_folder,
            security_reports_folder=self.security_reports_folder,
            wording=self.wording,
            what_happened=self.what_happened,
            work=self.work,
        )


def _refusal(
    command: c.Command, named: str | None, *, who: str | None, incident: str | None, shell: bool
) -> str | None:
    """Why the command cannot be carried out as sent, before anything is read: two incidents
    named, or a change from nobody in particular."""
    if named and incident and named != incident.upper():
        return f"The command names {named} but {incident} was given too: give one."
    if who is None and not isinstance(command, c.READ_ONLY):
        how = " Add --as with your email address: --as you@example.org." if shell else ""
        return f"Say who you are: only a named person can change an incident.{how}"
    return None
