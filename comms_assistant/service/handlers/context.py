"""What every handler is given, and what each one gives back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from comms_assistant.adapters import store
from comms_assistant.adapters.store import IncidentRow
from comms_assistant.domain import commands as c
from comms_assistant.domain.incident import Incident
from comms_assistant.domain.policy import Policy
from comms_assistant.service.deliveries import DeliveryPlanner
from comms_assistant.service.finding import choose_incident
from comms_assistant.service.wording import Verdict, WordingCheck


@dataclass(frozen=True)
class Reply:
    text: str
    ok: bool = True
    reference: str | None = None
    deliveries: tuple[int, ...] = field(default_factory=tuple)
    held: bool = False  # held back for its wording: "send anyway" or "send suggested"


@dataclass(frozen=True)
class Ports:
    """What the service was built with: the same for every command."""

    planner: DeliveryPlanner
    tz: ZoneInfo
    reports_folder: str
    security_reports_folder: str
    wording: WordingCheck | None = None  # None: no plain-English check


# Carries out a command held back for its wording, in the same transaction: (command, the
# incident it was for, its text) to the reply.
Rerun = Callable[[c.Command, str | None, str], Reply]


@dataclass
class Context:
    """One command's transaction and everything its handler needs."""

    session: Session
    ports: Ports
    who: str
    ref: str | None  # the incident named (`--incident`, the thread's, a reference first)
    text: str  # the command as typed
    now: datetime
    verdict: Verdict | None  # the wording check's, or None when not checked
    rerun: Rerun
    shell: bool = False  # from comms-assistant run: answers say --as and --incident
    chosen: tuple[IncidentRow, Incident] | None = None

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
        row = choose_incident(self.session, command, self.ref, text=self.text, shell=self.shell)
        self.chosen = (row, store.to_domain(row))

    @property
    def row(self) -> IncidentRow:
        return self._chosen()[0]

    @property
    def incident(self) -> Incident:
        return self._chosen()[1]

    def _chosen(self) -> tuple[IncidentRow, Incident]:
        if self.chosen is None:
            raise LookupError("no incident was chosen: the handler table says it needs none")
        return self.chosen
