"""`comms-assistant graph check` against the sandbox: all well, then each permission removed.

"Removing a permission" is a sandbox fault rule answering 403 where Microsoft 365 would, so the
check must name the permission (and how to grant it) from the failure alone.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
from cli_helper import cli_command

from comms_assistant.bootstrap import bootstrap
from comms_assistant.config import Settings
from comms_assistant.entrypoints.graph_check import FAIL, PASS, SKIP, WARN, Step, check, report
from comms_assistant.entrypoints.register_cli import _create
from comms_assistant.sandbox import SandboxTenant

pytestmark = pytest.mark.filterwarnings("ignore:.*is deprecated:DeprecationWarning")


def add_fault(sandbox: SandboxTenant, rule: dict[str, Any]) -> None:
    """As an operator would: POST /_sandbox/faults."""
    httpx.post(f"{sandbox.base_url}/_sandbox/faults", json=[rule]).raise_for_status()


def run_check(tmp_path: Path, sandbox: SandboxTenant, **options: Any) -> dict[str, Step]:
    settings = Settings(home=tmp_path / "home", sandbox_url=sandbox.base_url)
    options.setdefault("send_test_mail", None)
    options.setdefault("teams", False)
    steps = asyncio.run(check(bootstrap(settings), **options))
    return {step.name: step for step in steps}


def test_everything_passes_against_the_sandbox_and_sends_only_when_asked(
    tmp_path: Path, sandbox: SandboxTenant
) -> None:
    steps = run_check(tmp_path, sandbox)
    assert [name for name, step in steps.items() if step.mark == FAIL] == []
    assert steps["send mail"].mark == SKIP and "--send-test-mail" in steps["send mail"].detail
    assert "not posted" in steps["Teams channel (graph)"].detail
    assert not list((sandbox.root / "teams").rglob("*.json"))
    assert not list((sandbox.root / "mail").rglob("*.eml"))
    # The test file was written and deleted again.
    library = sandbox.root / "sharepoint" / "incidents" / "Documents"
    for folder in ("Incident reports", "Security incident reports"):
        assert not list((library / folder).iterdir()), folder
    assert steps["write and delete a file (security folder)"].mark == PASS
    assert any(log.method == "DELETE" and log.status == 204 for log in sandbox.requests)

    # No register yet: a warning naming `register create`, which makes it.
    assert steps["incident register"].mark == WARN
    assert "register create" in steps["incident register"].fix
    settings = Settings(home=tmp_path / "home", sandbox_url=sandbox.base_url)
    assert asyncio.run(_create(bootstrap(settings), "Incident register"))[0]

    steps = run_check(tmp_path, sandbox, send_test_mail="operator@example.org", teams=True)
    assert all(step.mark == PASS for step in steps.values()), report(list(steps.values()))
    [sent] = list((sandbox.root / "mail").rglob("*.eml"))
    assert "operator@example.org" in sent.read_text()
    assert len(list((sandbox.root / "teams").rglob("*.json"))) == 1


@pytest.mark.parametrize(
    ("rule", "step", "advice"),
    [
        ({"path": "/sites/", "status": 403}, "site", ["Sites.Selected", "grant_site_access.py"]),
        (
            {"method": "PUT", "path": "/content$", "status": 403},
            "write and delete a file",
            ["write, not read", "grant_site_access.py"],
        ),
        ({"path": "/mailFolders/", "status": 403}, "search Sent Items", ["Mail.Read", "finds"]),
        (
            {"method": "POST", "path": "/sendMail$", "status": 403},
            "send mail",
            ["Mail.Send", "Application Mail.Send", "RBAC"],
        ),
        (
            {"method": "POST", "path": "/channels/.*/messages$", "status": 403},
            "Teams channel (graph)",
            ["ChannelMessage.Send", "member of the team"],
        ),
        (
            {"path": "/oauth2/v2.0/token", "status": 401, "message": "AADSTS7000215: bad secret"},
            "sign-in (app)",
            ["client secret is wrong", "certificate"],
        ),
    ],
)
def test_each_missing_permission_is_named_with_its_fix(
    tmp_path: Path, sandbox: SandboxTenant, rule: dict[str, Any], step: str, advice: list[str]
) -> None:
    run_check(tmp_path, sandbox)  # the sandbox publishes its templates on first use
    add_fault(sandbox, rule)
    steps = run_check(tmp_path, sandbox, send_test_mail="operator@example.org", teams=True)
    failed = [name for name, s in steps.items() if s.mark == FAIL]
    assert step in failed, report(list(steps.values()))
    for words in advice:
        assert words in steps[step].fix or words in steps[step].detail, steps[step]
    if step == "site":  # nothing that needs the site is tried (or reported as failing)
        assert "write and delete a file" not in steps and "library" not in steps


def test_the_cli_prints_the_fix_and_exits_1(tmp_path: Path, sandbox: SandboxTenant) -> None:
    add_fault(sandbox, {"path": "/sites/", "status": 403})
    env = {
        **os.environ,
        "COMMS_ASSISTANT_SANDBOX_URL": sandbox.base_url,
        "COMMS_ASSISTANT_HOME": str(tmp_path / "home"),
    }
    env.pop("COMMS_ASSISTANT_GRAPH_URL", None)
    cli = [*cli_command(), "graph", "check"]
    done = subprocess.run(cli, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "✗ site" in done.stdout
    assert "403 on /sites/example.sharepoint.com:/sites/incidents" in done.stdout
    assert "grant Sites.Selected write to this app on this site" in done.stdout

    httpx.delete(f"{sandbox.base_url}/_sandbox/faults").raise_for_status()
    done = subprocess.run(cli, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 failed" in done.stdout


def test_a_missing_security_folder_is_named_with_its_permissions_fix(
    tmp_path: Path, sandbox: SandboxTenant
) -> None:
    secure = sandbox.root / "sharepoint" / "incidents" / "Documents" / "Security incident reports"
    shutil.rmtree(secure)
    steps = run_check(tmp_path, sandbox)
    step = steps["folder 'Security incident reports'"]
    assert (step.mark, step.detail) == (FAIL, "missing"), report(list(steps.values()))
    assert "create it in Documents" in step.fix
    assert "limit its permissions to the security team" in step.fix
    # The rest is still checked: only security incidents' documents cannot be filed.
    assert steps["write and delete a file"].mark == PASS
    assert "write and delete a file (security folder)" not in steps
    assert not secure.exists(), "the check does not make it (it would inherit the library's)"


def test_a_security_folder_that_is_the_reports_folder_is_worth_a_look(
    tmp_path: Path, sandbox: SandboxTenant
) -> None:
    settings = Settings(
        home=tmp_path / "home",
        sandbox_url=sandbox.base_url,
        security_reports_folder="Incident reports",
    )
    steps = asyncio.run(check(bootstrap(settings), send_test_mail=None, teams=False))
    [step] = [s for s in steps if s.name == "folder 'Incident reports'" and s.mark == WARN]
    assert "everyone reads" in step.detail and "only the security team" in step.fix
    assert FAIL not in {s.mark for s in steps}


def test_a_card_graph_cannot_update_is_worth_a_look(tmp_path: Path, sandbox: SandboxTenant) -> None:
    """Without ChannelMessage.ReadWrite the incident's card could be posted but not kept up to
    date in place: posting works, so it is a warning naming the permission."""
    run_check(tmp_path, sandbox)
    patch = {"method": "PATCH", "path": "/channels/.*/messages/[^/]+$", "status": 403, "times": 1}
    add_fault(sandbox, patch)
    steps = run_check(tmp_path, sandbox, teams=True)
    step = steps["Teams channel (graph)"]
    assert step.mark == WARN and "not updated" in step.detail, step
    assert "ChannelMessage.ReadWrite" in step.fix
    steps = run_check(tmp_path, sandbox, teams=True)  # the fault is spent: all well again
    assert steps["Teams channel (graph)"].detail == "test card posted and updated in place"


def test_a_webhook_is_said_to_post_each_change_anew(tmp_path: Path, sandbox: SandboxTenant) -> None:
    settings = Settings(
        home=tmp_path / "home",
        sandbox_url=sandbox.base_url,
        teams_transport="webhook",
        teams_webhook_url="https://example.org/workflows/1/triggers/manual/paths/invoke?sig=s",
    )
    steps = asyncio.run(check(bootstrap(settings), send_test_mail=None, teams=False))
    [note] = [s for s in steps if s.name == "Teams channel (webhook) card updates"]
    assert note.mark == WARN and "cannot update a card" in note.detail
    assert "bot or Graph" in note.fix and FAIL not in {s.mark for s in steps}
