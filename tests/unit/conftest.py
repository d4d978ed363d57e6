from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fakes import FakeDocuments, FakeMailer, FakeTeams

from comms_assistant.adapters import outbox
from comms_assistant.bootstrap import App, bootstrap
from comms_assistant.config import Settings
from comms_assistant.service.dispatcher import Dispatcher
from comms_assistant.service.documents import Folders
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

    def report_path(self) -> str:
        return next(p for p in self.documents.files if p.startswith("Incident reports/"))


@pytest.fixture
def world(tmp_path: Path) -> World:
    clock = Clock(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
    app = bootstrap(Settings(home=tmp_path / "home"), clock=clock)
    documents, mailer, teams = FakeDocuments(), FakeMailer(), FakeTeams()
    settings = app.settings
    for name in (settings.report_template, settings.review_template):
        documents.put(
            f"{settings.templates_folder}/{name}", (app.templates_dir / "word" / name).read_bytes()
        )
    dispatcher = Dispatcher(
        engine=app.engine,
        documents=documents,
        mailer=mailer,
        teams=teams,
        folders=Folders(
            templates=settings.templates_folder,
            reports=settings.reports_folder,
            report_template=settings.report_template,
            review_template=settings.review_template,
        ),
        tz=app.tz,
        clock=clock,
    )
    return World(app, app.commands(), dispatcher, documents, mailer, teams, clock)
