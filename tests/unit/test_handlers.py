"""The handler table: every command the parser makes has one handler, and dispatch refuses a
type it has none for, before it reads or changes anything. And the use cases in memory: the
handlers run on the in-memory unit of work (fake_unit_of_work.py), no database file."""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from fake_unit_of_work import FakeStore, FakeUnitOfWork, Stored
from world import World

from comms_assistant.domain import commands as c
from comms_assistant.domain.incident import Role, Status
from comms_assistant.service.delivery_kinds import DeliveryKind
from comms_assistant.service.finding import Refused
from comms_assistant.service.handle import CommandService
from comms_assistant.service.handlers.context import Context, Reply
from comms_assistant.service.handlers.table import HANDLERS, Handler, dispatch
from comms_assistant.service.unit_of_work import Conflict


def context(world: World, uow: FakeUnitOfWork, **kw: object) -> Context:
    def rerun(command: c.Command, ref: str | None, text: str) -> Reply:
        raise AssertionError("nothing is held in these tests")

    fields: dict[str, object] = {
        "uow": uow,
        "ports": world.service.ports,
        "who": "comms.lead@example.org",
        "ref": None,
        "text": "",
        "now": world.clock(),
        "verdict": None,
        "rerun": rerun,
    }
    return Context(**{**fields, **kw})  # type: ignore[arg-type]


def test_every_command_type_has_a_handler() -> None:
    assert set(HANDLERS) == set(typing.get_args(c.Command))


def test_only_commands_that_send_words_are_checked_and_reads_choose_no_draft() -> None:
    unchecked = {kind for kind, handler in HANDLERS.items() if not handler.checked}
    # The work around the incident sends no words to stakeholders (issue 21).
    work = {
        c.Bridge,
        c.AddAction,
        c.CompleteAction,
        c.ListActions,
        c.Invite,
        c.MoveReviewMeeting,
        c.CancelReviewMeeting,
    }
    # `report`: the month's figures across incidents (issue 24), read only.
    reads = {c.ListIncidents, c.Help, c.SendDraft, c.ShowStatus, c.Lessons, c.MonthReport}
    assert unchecked == reads | work
    without_incident = {kind for kind, handler in HANDLERS.items() if not handler.on_incident}
    assert without_incident == {c.Open, c.ListIncidents, c.Help, c.SendDraft, c.MonthReport}


@dataclass(frozen=True)
class Dance:
    """A command no handler knows."""


def test_an_unknown_command_type_is_refused_clearly(world: World) -> None:
    ctx = context(world, FakeUnitOfWork(Stored()))
    with pytest.raises(Refused, match="Cannot carry out Dance here"):
        dispatch(Dance(), ctx)  # type: ignore[arg-type]
    assert ctx.chosen is None


def test_a_handler_from_the_table_carries_out_its_command(world: World) -> None:
    uow = FakeUnitOfWork(Stored())
    opened = dispatch(
        c.parse("open Apply is down p2 impact: Candidates cannot apply"),
        context(world, uow, text="open Apply is down p2"),
    )
    ctx = context(world, uow, text="log Restarted the web servers")
    reply = dispatch(c.parse(ctx.text), ctx)
    assert opened.ok and reply.ok and reply.reference == "INC-2026-0001"
    assert reply.deliveries  # the report is refreshed
    status = dispatch(c.ShowStatus(), context(world, uow, text="status"))
    assert "Restarted the web servers" in status.text


def test_a_table_of_ones_own_is_used_instead(world: World) -> None:
    def answer(command: c.Help, ctx: Context) -> Reply:
        return Reply(f"help for {ctx.who}")

    table = {c.Help: Handler(answer, on_incident=False, checked=False)}
    uow = FakeUnitOfWork(Stored())
    assert dispatch(c.Help(), context(world, uow), table).text == (
        "help for comms.lead@example.org"
    )
    with pytest.raises(Refused, match="Cannot carry out ListIncidents here"):
        dispatch(c.ListIncidents(), context(world, uow), table)


def test_a_command_for_an_incident_is_refused_when_none_is_open(world: World) -> None:
    ctx = context(world, FakeUnitOfWork(Stored()))
    with pytest.raises(Refused):
        dispatch(c.Log("Restarted"), ctx)
    assert ctx.chosen is None


@pytest.fixture
def in_memory(world: World) -> tuple[CommandService, FakeStore]:
    """The command use case as the product builds it, on the in-memory unit of work."""
    store = FakeStore()
    app = world.app
    service = CommandService(
        uow=store,
        planner=app.planner(),
        tz=app.tz,
        reports_folder=app.settings.reports_folder,
        security_reports_folder=app.settings.security_reports_folder,
        clock=world.clock,
    )
    return service, store


LEAD = "comms.lead@example.org"


def test_opening_stores_the_incident_its_report_name_and_whom_it_told(
    in_memory: tuple[CommandService, FakeStore],
) -> None:
    service, store = in_memory
    reply = service.execute("open Apply is down p2 impact: Candidates cannot apply", who=LEAD)
    assert reply.ok, reply.text
    incident = store.stored.incidents[1]
    assert incident.reference == "INC-2026-0001" and incident.status is Status.INVESTIGATING
    assert incident.record.report_name.startswith("2026-11-23 INC-2026-0001 Apply is down")
    queued = {d.kind for d in store.stored.deliveries}
    assert DeliveryKind.REPORT_SYNC in queued and DeliveryKind.MAIL in queued
    assert incident.record.told, "the people emailed are remembered: they hear when it ends"
    # The register's item is written behind the change, not waited for in the reply.
    waited = {d.id for d in store.stored.deliveries if d.kind != DeliveryKind.REGISTER}
    assert set(reply.deliveries) == waited
    assert DeliveryKind.REGISTER in queued


def test_updates_are_numbered_on_the_incident_and_every_change_is_committed(
    in_memory: tuple[CommandService, FakeStore],
) -> None:
    service, store = in_memory
    service.execute("open Apply is down p2 impact: Candidates cannot apply", who=LEAD)
    service.execute("update Candidates still cannot apply. We are restarting it.", who=LEAD)
    service.execute("update It is back for most candidates. We are watching it.", who=LEAD)
    incident = store.stored.incidents[1]
    assert incident.record.updates_sent == 2
    assert store.committed == 3
    subjects = [d.payload["heading"] for d in store.stored.deliveries if "heading" in d.payload]
    assert any(s.startswith("Update 2") for s in subjects), subjects


def test_a_refused_change_leaves_nothing_behind(
    in_memory: tuple[CommandService, FakeStore],
) -> None:
    service, store = in_memory
    service.execute("open Apply is down p2 impact: Candidates cannot apply", who=LEAD)
    before = len(store.stored.deliveries)
    reply = service.execute("review", who=LEAD)  # still open: the domain refuses
    assert not reply.ok and "close" in reply.text.lower()
    assert len(store.stored.deliveries) == before
    assert store.stored.incidents[1].record.review_name is None


def test_a_role_taken_is_kept_on_the_incident(in_memory: tuple[CommandService, FakeStore]) -> None:
    service, store = in_memory
    service.execute("open Apply is down p2", who=LEAD)
    assert service.execute("comms me", who="sam@example.org").ok
    assert store.stored.incidents[1].leads[Role.COMMS_LEAD] == "sam@example.org"


@dataclass
class LosingStore:
    """A FakeStore whose first `losses` units of work lose a race at commit, as the SQL one's
    do when another process took a key in between (its Conflict)."""

    store: FakeStore
    losses: int

    @contextmanager
    def __call__(self) -> Iterator[FakeUnitOfWork]:
        with self.store() as uow:
            yield uow
            if self.losses > 0:
                self.losses -= 1
                raise Conflict("duplicate key value violates unique constraint")


def test_a_lost_race_is_run_again_then_answered_never_raised(
    in_memory: tuple[CommandService, FakeStore],
) -> None:
    service, store = in_memory
    service.execute("open Apply is down p2 impact: Candidates cannot apply", who=LEAD)
    losing = dataclasses.replace(service, uow=LosingStore(store, losses=2))
    reply = losing.execute("log Paged the DBA", who=LEAD, incident="INC-2026-0001")
    assert reply.ok, reply.text
    assert [e.text for e in store.stored.incidents[1].timeline].count("Paged the DBA") == 1

    always = dataclasses.replace(service, uow=LosingStore(store, losses=99))
    reply = always.execute("log Paged again", who=LEAD, incident="INC-2026-0001")
    assert not reply.ok
    assert reply.text == ("Someone else changed INC-2026-0001 at the same moment; send it again.")
    assert "Paged again" not in [e.text for e in store.stored.incidents[1].timeline]

    opening = always.execute("open Find is slow p3 impact: Searches are slow", who=LEAD)
    assert not opening.ok
    assert opening.text == "Someone else opened an incident at the same moment; send it again."
    assert len(store.stored.incidents) == 1


def test_an_incident_opened_in_a_thread_is_bound_to_it_in_the_same_transaction(
    in_memory: tuple[CommandService, FakeStore],
) -> None:
    service, store = in_memory
    thread = "19:incidents@thread.tacv2;messageid=1"
    refused = service.execute("open Apply is down p9", who=LEAD, conversation=thread)
    assert not refused.ok and store.stored.bound == {}
    opened = service.execute(
        "open Apply is down p2 impact: Candidates cannot apply", who=LEAD, conversation=thread
    )
    assert opened.ok and store.stored.bound == {thread: "INC-2026-0001"}
    assert store.committed == 1, "one transaction: the incident and its thread together"
    service.execute("log Paged the database team", who=LEAD, conversation=thread)
    assert store.stored.bound == {thread: "INC-2026-0001"}, "only an open binds"
