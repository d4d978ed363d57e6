"""What every handler is given, and what each one gives back."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from comms_assistant.domain import commands as c
from comms_assistant.domain.incident import Incident
from comms_assistant.domain.policy import Policy
from comms_assistant.service.deliveries import DeliveryPlanner
from comms_assistant.service.finding import choose_incident
from comms_assistant.service.unit_of_work import UnitOfWork
from comms_assistant.service.wording import Verdict, WordingCheck
from comms_assistant.service.work_planner import WorkPlanner


@dataclass(frozen=True)
class Reply:
    text: str
    ok: bool = True
    reference: str | None = None
    deliveries: tuple[int, ...] = field(default_factory=tuple)
    held: bool = False  # held back for its wording: "send anyway" or "send suggested"
    # The suggested words shown, waiting for "send these words": still held, not held again.
    confirming: bool = False


@dataclass(frozen=True)
class Ports:
    """What the service was built with: the same for every command."""

    planner: DeliveryPlanner
    tz: ZoneInfo
    reports_folder: str
    security_reports_folder: str
    wording: WordingCheck | None = None  # None: no plain-English check
    # The review's drafted "What happened" (adapters/word/review.py), checked for its wording
    # when the review is filed.
    what_happened: WhatHappened | None = None
    # The meetings and follow-up actions (service/work_planner.py); None: neither is made.
    work: WorkPlanner | None = None


# (incident, time zone, service names by key) to the review's drafted introduction.
WhatHappened = Callable[[Incident, ZoneInfo, Mapping[str, str]], str]

# Carries out a command held back for its wording, in the same transaction: (command, the
# incident it was for, its text) to the reply.
Rerun = Callable[[c.Command, str | None, str], Reply]


@dataclass
class Context:
    """One command's transaction and everything its handler needs."""

    uow: UnitOfWork
    ports: Ports
    who: str
    ref: str | None  # the incident named (`--incident`, the thread's, a reference first)
    text: str  # the command as typed
    now: datetime
    verdict: Verdict | None  # the wording check's, or None when not checked
    rerun: Rerun
    shell: bool = False  # from comms-assistant run: answers say --as and --incident
    chosen: Incident | None = None

    @property
    def planner(self) -> DeliveryPlanner:
        return self.ports.planner

    @property
    def policy(self) -> Policy:
        return self.ports.planner.policy

    @property
    def tz(self) -> ZoneInfo:
        return self.ports.tz

    def choose(self, command: c.Command) -> None:
        """The incident the command acts on (Refused when none can be meant)."""
        self.chosen = choose_incident(
            self.uow.incidents, command, self.ref, text=self.text, shell=self.shell
        )

    @property
    def incident(self) -> Incident:
        if self.chosen is None:
            raise LookupError("no incident was chosen: the handler table says it needs none")
        return self.chosen
