from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from fakes import FakeDocuments, FakeMailer, FakeTeams
from world import Clock, World

from comms_assistant.bootstrap import bootstrap
from comms_assistant.config import Settings
from comms_assistant.service.dispatcher import Dispatcher
from comms_assistant.service.documents import Folders


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
