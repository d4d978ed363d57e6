"""`graph check`'s steps for the meetings' organiser and the actions' Planner plan, against the
sandbox: all well by default; a shared mailbox, a missing permission or a wrong plan each named
with its fix. Nothing is left behind: the test event and the test task are deleted again."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest

from comms_assistant.bootstrap import bootstrap
from comms_assistant.config import Settings
from comms_assistant.entrypoints.graph_check import FAIL, PASS, SKIP, Step, check, report
from comms_assistant.sandbox import SandboxTenant, seed

pytestmark = pytest.mark.filterwarnings("ignore:.*is deprecated:DeprecationWarning")


def run_check(tmp_path: Path, sandbox: SandboxTenant, **settings: Any) -> dict[str, Step]:
    given = Settings(home=tmp_path / "home", sandbox_url=sandbox.base_url, **settings)
    steps = asyncio.run(check(bootstrap(given), send_test_mail=None, teams=False))
    return {step.name: step for step in steps}


def test_the_organiser_and_the_plan_pass_and_leave_nothing_behind(
    tmp_path: Path, sandbox: SandboxTenant
) -> None:
    steps = run_check(tmp_path, sandbox)
    for name in ("meeting organiser", "make and delete a Teams meeting", "Planner plan",
                 "make and delete a task", "find owners in the directory"):  # fmt: skip
        assert steps[name].mark == PASS, report(list(steps.values()))
    assert "'Incident actions'" in steps["Planner plan"].detail
    calendar = sandbox.root / "calendar" / seed.SERVICE_ACCOUNT
    assert not [p for p in calendar.glob("*.json")]  # deleted: only Deleted Items may hold it
    assert not list((sandbox.root / "planner" / seed.PLAN_ID / "tasks").glob("*.json"))


def test_a_shared_mailbox_organiser_fails_with_what_to_do(
    tmp_path: Path, sandbox: SandboxTenant
) -> None:
    steps = run_check(tmp_path, sandbox, meeting_organiser=seed.MAILBOXES[0])
    step = steps["meeting organiser"]
    assert step.mark == FAIL and "allows no Teams meetings" in step.detail
    assert "licensed user's mailbox" in step.fix and "shared mailbox" in step.fix
    assert "make and delete a Teams meeting" not in steps


def test_an_organiser_outside_the_apps_calendar_scope_is_named_with_the_rbac_fix(
    tmp_path: Path, sandbox: SandboxTenant
) -> None:
    # The administrator scoped Calendars.ReadWrite to another mailbox (RBAC for Applications).
    grants = {"calendarMailboxes": ["someone.else@example.org"]}
    httpx.patch(f"{sandbox.base_url}/_sandbox/app", json=grants).raise_for_status()
    step = run_check(tmp_path, sandbox)["meeting organiser"]
    assert step.mark == FAIL and "403" in step.detail
    assert "Application Calendars.ReadWrite" in step.fix and "RBAC" in step.fix


def test_a_wrong_plan_and_a_plan_out_of_reach_are_named_with_their_fixes(
    tmp_path: Path, sandbox: SandboxTenant
) -> None:
    wrong = run_check(tmp_path, sandbox, actions_plan="noSuchPlan0000000000000000000")
    assert wrong["Planner plan"].mark == FAIL
    assert "check actions_plan" in wrong["Planner plan"].fix
    rule = {"path": "/planner/", "status": 403}
    httpx.post(f"{sandbox.base_url}/_sandbox/faults", json=[rule]).raise_for_status()
    denied = run_check(tmp_path, sandbox)["Planner plan"]
    assert denied.mark == FAIL and "Tasks.ReadWrite" in denied.fix
    assert "member of the plan's" in denied.fix


class _RealTenantish(Settings):
    """The sandbox, with no fallback for the organiser and the plan: as a real tenant that has
    not set meeting_organiser and actions_plan."""

    @property
    def organiser(self) -> str | None:
        return None

    @property
    def plan(self) -> str | None:
        return None


def test_what_is_not_set_up_is_skipped_saying_what_is_not_made(
    tmp_path: Path, sandbox: SandboxTenant
) -> None:
    settings = _RealTenantish(home=tmp_path / "home", sandbox_url=sandbox.base_url)
    steps = {s.name: s for s in asyncio.run(check(bootstrap(settings), send_test_mail=None,
                                                  teams=False))}  # fmt: skip
    assert steps["meeting organiser"].mark == SKIP
    assert "no meetings" in steps["meeting organiser"].detail
    assert steps["Planner plan"].mark == SKIP
    assert "actions stay in documents" in steps["Planner plan"].detail
