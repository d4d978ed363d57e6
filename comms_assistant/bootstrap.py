"""The one place that builds settings, store, adapters and use cases.

Heavy packages (msgraph-sdk, python-docx) are imported only when deliveries are made, so that
answering a command or printing help stays fast.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractContextManager, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from comms_assistant.config import Settings
from comms_assistant.resources import bundled

if TYPE_CHECKING:
    from comms_assistant.adapters.edited_files import EditedFiles
    from comms_assistant.adapters.teams_transports import BotSend
    from comms_assistant.domain.incident import Incident
    from comms_assistant.domain.policy import Policy
    from comms_assistant.service.cadence import CadenceService
    from comms_assistant.service.deliveries import DeliveryPlanner
    from comms_assistant.service.dispatcher import Dispatcher
    from comms_assistant.service.handle import CommandService
    from comms_assistant.service.lessons_watch import LessonsWatch, Reviews
    from comms_assistant.service.unit_of_work import UnitOfWork
    from comms_assistant.service.work_planner import WorkPlanner


def utc_now() -> datetime:
    return datetime.now(UTC)


def _what_happened(incident: Incident, tz: ZoneInfo, names: Mapping[str, str]) -> str:
    # python-docx is imported only when a review is filed, not for every command.
    from comms_assistant.adapters.word.review import draft_what_happened

    return draft_what_happened(incident, tz, names)


@dataclass
class App:
    settings: Settings
    engine: Engine
    tz: ZoneInfo
    clock: Callable[[], datetime]
    _files: EditedFiles | None = field(default=None, init=False, repr=False)

    @property
    def files(self) -> EditedFiles:
        """The last good contacts directory, profile and glossary (docs/bad-edits.md)."""
        if self._files is None:
            from comms_assistant.adapters.edited_files import EditedFiles

            s = self.settings
            self._files = EditedFiles(self.contacts_dir, s.profile, s.home, self.tz, self.clock)
        return self._files

    @property
    def templates_dir(self) -> Path:
        return self.settings.templates_dir or bundled("templates")

    @property
    def contacts_dir(self) -> Path:
        return self.settings.contacts_dir or bundled("contacts")

    def planner(self) -> DeliveryPlanner:
        from comms_assistant.adapters.render import Renderer
        from comms_assistant.adapters.status_pages import public_page
        from comms_assistant.service.deliveries import DeliveryPlanner

        directory = self.files.directory()
        policy = self.policy()
        return DeliveryPlanner(
            renderer=Renderer(
                self.templates_dir,
                self.tz,
                service_names=directory.service_names(),
                priority_names={p: name for name, p in policy.priority_names().items()},
                people=directory.people_names(),
                security_marking=self.settings.security_marking,
            ),
            contacts=tuple(directory.contacts),
            mailbox=self.settings.mailbox,
            tz=self.tz,
            reports_folder=self.settings.reports_folder,
            security_reports_folder=self.settings.security_reports_folder,
            routing=directory.routing,
            directory=directory,
            policy=policy,
            page=public_page(self.settings, self.templates_dir, policy),
        )

    def work(self, planner: DeliveryPlanner) -> WorkPlanner:
        """The meetings and follow-up actions, as the settings (config_work.py) have them."""
        from comms_assistant.domain.incident import Priority
        from comms_assistant.service.work_planner import WorkPlanner, WorkRules

        s = self.settings
        rules = WorkRules(
            organiser=s.organiser,
            plan=s.plan,
            bridge_priorities=frozenset(Priority(int(p[1])) for p in s.bridge_priorities),
            review_days=s.review_meeting_days,
            review_at=s.review_meeting_at,
            review_minutes=s.review_meeting_minutes,
            marking=s.security_marking,
        )
        people = self.files.directory().people_names()
        return WorkPlanner(rules, planner.policy.hours, planner, people)

    def policy(self) -> Policy:
        return self.files.policy()

    def unit_of_work(self) -> AbstractContextManager[UnitOfWork]:
        """One transaction on the store, with its repositories (service/unit_of_work.py)."""
        from comms_assistant.adapters.sql.unit_of_work import unit_of_work

        return unit_of_work(self.engine)

    def commands(self) -> CommandService:
        from comms_assistant.service.handle import CommandService
        from comms_assistant.service.wording import WordingCheck

        planner = self.planner()
        return CommandService(
            uow=self.unit_of_work,
            planner=planner,
            tz=self.tz,
            reports_folder=self.settings.reports_folder,
            security_reports_folder=self.settings.security_reports_folder,
            clock=self.clock,
            wording=(
                WordingCheck(self.files.glossary()) if self.settings.plain_english_check else None
            ),
            what_happened=_what_happened,
            work=self.work(planner),
        )

    def cadence(self) -> CadenceService:
        from comms_assistant.service.cadence import CadenceService

        planner = self.planner()
        return CadenceService(
            uow=self.unit_of_work,
            planner=planner,
            policy=planner.policy,
            tz=self.tz,
            clock=self.clock,
            tick=timedelta(seconds=self.settings.worker_interval),
        )

    def lessons_watch(self, reviews: Reviews) -> LessonsWatch:
        from comms_assistant.service.lessons_watch import LessonsWatch

        return LessonsWatch(
            uow=self.unit_of_work,
            reviews=reviews,
            planner=self.planner(),
            clock=self.clock,
            follow=timedelta(days=self.settings.lessons_follow_days),
        )

    @asynccontextmanager
    async def dispatcher(self, *, bot_send: BotSend | None = None) -> AsyncIterator[Dispatcher]:
        """A dispatcher wired to Microsoft Graph: the sandbox tenant unless a tenant is set.

        `bot_send`: the bot's proactive sender (inside `comms-assistant serve`), which Teams
        cards then use where the settings pick the bot (adapters/teams_transports.py).
        """
        from comms_assistant.adapters.graph import build_graph_adapters
        from comms_assistant.adapters.metrics.observer import PrometheusObserver
        from comms_assistant.adapters.render_report_filed import ReportFiledRenderer
        from comms_assistant.adapters.sql.outbox import SqlOutbox
        from comms_assistant.adapters.status_pages import build_status_page, target
        from comms_assistant.adapters.word.documents_port import WordBuilders
        from comms_assistant.reporting import register_sync
        from comms_assistant.service.dispatcher import Dispatcher
        from comms_assistant.service.documents import Folders
        from comms_assistant.service.living_card import LivingCards
        from comms_assistant.service.pacing import MailPace

        planner = self.planner()
        async with self.graph_endpoint() as (graph_url, token_url):
            # One store for the outbox and the send slots every worker counts (the mailbox's
            # pace, and each Teams channel's when Graph posts).
            outbox = SqlOutbox(self.engine)
            adapters = build_graph_adapters(
                self.settings, graph_url, token_url, bot_send=bot_send, send_slots=outbox
            )
            # The mailbox's display name is a message setting, not a Graph one.
            adapters.mailer.name = self.settings.mailbox_name
            sandbox = graph_url.removesuffix("/v1.0") if self.settings.uses_sandbox else None
            page = target(self.settings, sandbox)
            status_page = build_status_page(page, outbox, self.clock) if page else None
            try:
                if self.settings.uses_sandbox:
                    from comms_assistant.word_templates import seed_sandbox_templates

                    await seed_sandbox_templates(self, graph_url)
                yield Dispatcher(
                    uow=self.unit_of_work,
                    outbox=outbox,
                    mail_pace=MailPace(key=f"mail:{self.settings.mailbox.lower()}"),
                    documents=adapters.documents,
                    mailer=adapters.mailer,
                    teams=adapters.teams,
                    folders=Folders(
                        templates=self.settings.templates_folder,
                        reports=self.settings.reports_folder,
                        security_reports=self.settings.security_reports_folder,
                        report_template=self.settings.report_template,
                        review_template=self.settings.review_template,
                        major_template=self.settings.major_incident_template,
                    ),
                    tz=self.tz,
                    clock=self.clock,
                    word=WordBuilders(),
                    security_marking=self.settings.security_marking,
                    people=self.files.directory().people_names(),
                    service_names=self.files.directory().service_names(),
                    report_filed=ReportFiledRenderer(self.templates_dir),
                    author=self.settings.mailbox_name,
                    lease=timedelta(seconds=self.settings.delivery_lease),
                    living=LivingCards(planner.renderer, planner.policy),
                    calendar=adapters.calendar,
                    board=adapters.board,
                    work=self.work(planner),
                    actions_bucket=self.settings.actions_bucket,
                    status_page=status_page,
                    observer=PrometheusObserver(self.engine),
                    register=register_sync(self, adapters.client, planner.policy),
                )
            finally:
                await adapters.aclose()
                if status_page is not None:
                    await status_page.aclose()

    @asynccontextmanager
    async def graph_endpoint(self) -> AsyncIterator[tuple[str, str | None]]:
        if not self.settings.uses_sandbox:
            yield str(self.settings.graph_url), None
            return
        if self.settings.sandbox_url:
            from comms_assistant.sandbox import seed
            from comms_assistant.sandbox.reach import require_answering

            base = self.settings.sandbox_url
            require_answering(base)
            yield f"{base}/v1.0", f"{base}/{seed.TENANT_ID}/oauth2/v2.0/token"
            return
        from comms_assistant.sandbox import SandboxTenant

        tenant = SandboxTenant(self.settings.sandbox_root)
        tenant.start()
        try:
            yield tenant.graph_url, tenant.token_url
        finally:
            tenant.stop()


def bootstrap(settings: Settings | None = None, *, clock: Callable[[], datetime] = utc_now) -> App:
    from comms_assistant.adapters.sql.database import open_engine

    settings = settings or Settings()
    engine = open_engine(settings.database)
    return App(settings=settings, engine=engine, tz=ZoneInfo(settings.timezone), clock=clock)
