"""The handler table: every command the parser makes has one handler, and dispatch refuses a
type it has none for, before it reads or changes anything."""

from __future__ import annotations

import typing
from dataclasses import dataclass

import pytest
from world import World

from comms_assistant.adapters.store import transaction
from comms_assistant.domain import commands as c
from comms_assistant.service.finding import Refused
from comms_assistant.service.handlers.context import Context, Reply
from comms_assistant.service.handlers.table import HANDLERS, Handler, dispatch


def context(world: World, session: object, **kw: object) -> Context:
    def rerun(command: c.Command, ref: str | None, text: str) -> Reply:
        raise AssertionError("nothing is held in these tests")

    fields: dict[str, object] = {
        "session": session,
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
    assert unchecked == {c.ListIncidents, c.Help, c.SendDraft, c.ShowStatus, c.Lessons}
    without_incident = {kind for kind, handler in HANDLERS.items() if not handler.on_incident}
    assert without_incident == {c.Open, c.ListIncidents, c.Help, c.SendDraft}


@dataclass(frozen=True)
class Dance:
    """A command no handler knows."""


def test_an_unknown_command_type_is_refused_clearly(world: World) -> None:
    with transaction(world.app.engine) as session:
        ctx = context(world, session)
        with pytest.raises(Refused, match="Cannot carry out Dance here"):
            dispatch(Dance(), ctx)  # type: ignore[arg-type]
        assert ctx.chosen is None


def test_a_handler_from_the_table_carries_out_its_command(world: World) -> None:
    assert world.run("open Apply is down p2 impact: Candidates cannot apply").ok
    with transaction(world.app.engine) as session:
        ctx = context(world, session, text="log Restarted the web servers")
        reply = dispatch(c.parse(ctx.text), ctx)
    assert reply.ok and reply.reference == "INC-2026-0001"
    assert reply.deliveries  # the report is refreshed
    assert "Restarted the web servers" in world.run("status").text


def test_a_table_of_ones_own_is_used_instead(world: World) -> None:
    def answer(command: c.Help, ctx: Context) -> Reply:
        return Reply(f"help for {ctx.who}")

    table = {c.Help: Handler(answer, on_incident=False, checked=False)}
    with transaction(world.app.engine) as session:
        assert dispatch(c.Help(), context(world, session), table).text == (
            "help for comms.lead@example.org"
        )
        with pytest.raises(Refused, match="Cannot carry out ListIncidents here"):
            dispatch(c.ListIncidents(), context(world, session), table)


def test_a_command_for_an_incident_is_refused_when_none_is_open(world: World) -> None:
    with transaction(world.app.engine) as session:
        ctx = context(world, session)
        with pytest.raises(Refused):
            dispatch(c.Log("Restarted"), ctx)
        assert ctx.chosen is None
