"""The service and dispatcher wired to in-memory fakes, for tests that move time."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from fake_register import FakeRegister
from fake_status_page import FakeStatusPage
from fakes import FakeDocuments, FakeMailer, FakeTeams
from work_fakes import FakeBoard, FakeCalendar

from comms_assistant.adapters.sql import outbox
from comms_assistant.bootstrap import App
from comms_assistant.service.dispatcher import Dispatcher
from comms_assistant.service.handle import CommandService, Reply


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class World:
    """The service and dispatcher wired to in-memory fakes of SharePoint, Outlook and Teams."""

    app: App
    service: CommandService
    dispatcher: Dispatcher
    documents: FakeDocuments
    mailer: FakeMailer
    teams: FakeTeams
    clock: Clock
    # The organiser's calendar and the actions' plan (world_build sets them).
    calendar: FakeCalendar = field(default_factory=FakeCalendar)
    board: FakeBoard = field(default_factory=FakeBoard)
    # The public status page, when the world's settings name one (status_page=...).
    status_page: FakeStatusPage | None = None
    # The incident register's list (world_build sets it).
    register: FakeRegister = field(default_factory=FakeRegister)

    def run(self, text: str, who: str | None = "comms.lead@example.org", **kw: str) -> Reply:
        return self.service.execute(text, who=who, **kw)

    def deliver(self) -> int:
        """Run the dispatcher until nothing more is due now; returns attempts made."""
        attempts = 0
        while made := asyncio.run(self.dispatcher.run_once()):
            attempts += made
        return attempts

    def outbox(self) -> list:
        return outbox.rows(self.app.engine)

    def messages_sent(self) -> dict[int, list]:
        """The stakeholder messages with a delivery done: {first delivery's id: done rows}.
        A message's deliveries share their key up to the email part or Teams card
        (INC-2026-0001:9:mail:0, INC-2026-0001:9:teams:<digest>: message INC-2026-0001:9)."""
        first: dict[str, int] = {}
        done: dict[int, list] = {}
        for row in self.outbox():
            if row.kind not in ("mail", "teams.card"):
                continue
            number = first.setdefault(re.sub(r":(mail:\d+|teams(:\w+)?)$", "", row.key), row.id)
            if row.status == outbox.DONE:
                done.setdefault(number, []).append(row)
        return dict(sorted(done.items()))

    def report_path(self) -> str:
        return next(p for p in self.documents.files if p.startswith("Incident reports/"))
