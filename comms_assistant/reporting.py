"""The composition root's helpers for the incident register and the board report (issue 24):
what bootstrap.App builds them from (bootstrap.py stays a file you can read in one sitting)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from comms_assistant.adapters.edited_files import EditedFiles
    from comms_assistant.config import Settings
    from comms_assistant.domain.policy import Policy
    from comms_assistant.service.board_report import BoardReport
    from comms_assistant.service.ports import DocumentStore
    from comms_assistant.service.register_sync import RegisterSync
    from comms_assistant.service.unit_of_work import UnitOfWork


class App(Protocol):
    """What these need of the application (bootstrap.App)."""

    @property
    def settings(self) -> Settings: ...
    @property
    def tz(self) -> ZoneInfo: ...
    @property
    def clock(self) -> Callable[[], datetime]: ...
    @property
    def files(self) -> EditedFiles: ...

    def unit_of_work(self) -> AbstractContextManager[UnitOfWork]: ...

    def policy(self) -> Policy: ...


def register_sync(app: App, client: Any, policy: Policy) -> RegisterSync:
    """The incident register's writer (service/register_sync.py), on Graph `client`: on the
    list the register_list setting names, or none when it is empty."""
    from comms_assistant.adapters.graph.lists import GraphRegister
    from comms_assistant.service.register_sync import RegisterSync

    name = app.settings.register_list.strip()
    register = GraphRegister(client, app.settings.site, name) if name else None
    return RegisterSync(app.unit_of_work, register, policy, app.tz, app.clock)


def board_report(app: App, documents: DocumentStore) -> BoardReport:
    """The monthly board report's use case (service/board_report.py), on `documents`."""
    from comms_assistant.adapters.chart import draw_chart
    from comms_assistant.adapters.word.board import BoardWord
    from comms_assistant.service.board_report import BoardReport
    from comms_assistant.service.wording import WordingCheck

    s = app.settings
    return BoardReport(
        app.unit_of_work,
        documents,
        BoardWord(),
        draw_chart,
        app.policy(),
        app.tz,
        app.clock,
        templates_folder=s.templates_folder,
        template=s.board_report_template,
        reports_folder=s.reports_folder,
        security_reports_folder=s.security_reports_folder,
        wording=WordingCheck(app.files.glossary()),  # the last good copy (edited_files.py)
    )
