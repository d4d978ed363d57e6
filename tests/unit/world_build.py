"""Building a World: in its own module so tests can build one with other settings."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from fake_register import FakeRegister
from fake_status_page import FakeStatusPage
from fakes import FakeDocuments, FakeMailer, FakeTeams
from work_fakes import FakeBoard, FakeCalendar
from world import Clock, World

from comms_assistant.adapters.contacts import load_directory
from comms_assistant.adapters.render_report_filed import ReportFiledRenderer
from comms_assistant.adapters.sql.outbox import SqlOutbox
from comms_assistant.adapters.word.documents_port import WordBuilders
from comms_assistant.bootstrap import bootstrap
from comms_assistant.config import Settings
from comms_assistant.service.dispatcher import Dispatcher
from comms_assistant.service.documents import Folders
from comms_assistant.service.living_card import LivingCards
from comms_assistant.service.register_sync import RegisterSync


def build_world(home: Path, start: datetime, **overrides: object) -> World:
    """The service and dispatcher over in-memory fakes, with any settings overridden."""
    # teams_updatable=False: Teams cards go by a Workflows webhook, which cannot update a card.
    updatable = bool(overrides.pop("teams_updatable", True))
    clock = Clock(start)
    app = bootstrap(Settings(home=home, **overrides), clock=clock)  # type: ignore[arg-type]
    settings = app.settings
    # The library's folders, as an administrator made them: copies into any other fail.
    documents = FakeDocuments(
        folders=(
            settings.templates_folder,
            settings.reports_folder,
            settings.security_reports_folder,
        )
    )
    mailer, teams = FakeMailer(), FakeTeams(updatable=updatable)
    # The organiser's calendar and the actions' plan; the directory knows the sandbox's leads.
    calendar = FakeCalendar(settings.organiser or "")
    people = {"comms.lead@example.org": "oid-comms", "tech.lead@example.org": "oid-tech"}
    board = FakeBoard(settings.plan or "", people)
    status_page = FakeStatusPage() if settings.status_page != "none" else None
    register = FakeRegister()
    for name in (settings.report_template, settings.review_template):
        documents.put(
            f"{settings.templates_folder}/{name}", (app.templates_dir / "word" / name).read_bytes()
        )
    dispatcher = Dispatcher(
        uow=app.unit_of_work,
        outbox=SqlOutbox(app.engine),
        documents=documents,
        mailer=mailer,
        teams=teams,
        folders=Folders(
            templates=settings.templates_folder,
            reports=settings.reports_folder,
            security_reports=settings.security_reports_folder,
            report_template=settings.report_template,
            review_template=settings.review_template,
        ),
        tz=app.tz,
        clock=clock,
        word=WordBuilders(),
        security_marking=settings.security_marking,
        people=load_directory(app.contacts_dir).people_names(),
        service_names=load_directory(app.contacts_dir).service_names(),
        report_filed=ReportFiledRenderer(app.templates_dir),
        author=settings.mailbox_name,
        living=LivingCards(app.planner().renderer, app.planner().policy),
        calendar=calendar if settings.organiser else None,
        board=board if settings.plan else None,
        work=app.work(app.planner()),
        actions_bucket=settings.actions_bucket,
        status_page=status_page,
        register=RegisterSync(app.unit_of_work, register, app.policy(), app.tz, clock),
    )
    world = World(
        app, app.commands(), dispatcher, documents, mailer, teams, clock, status_page=status_page
    )
    world.calendar, world.board, world.register = calendar, board, register
    return world
