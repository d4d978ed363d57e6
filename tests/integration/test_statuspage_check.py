"""`comms-assistant statuspage check` against the sandbox tenant's page and repository."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
from cli_helper import invoke

from comms_assistant.adapters.contacts import load_directory
from comms_assistant.adapters.status_pages import Target
from comms_assistant.adapters.status_pages.check import check, upptime_sites
from comms_assistant.resources import bundled
from comms_assistant.sandbox import SandboxTenant, seed
from comms_assistant.sandbox.github_store import upptimerc


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("COMMS_ASSISTANT_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def contacts_with(tmp_path: Path, old: str, new: str) -> Path:
    folder = tmp_path / "contacts"
    shutil.copytree(bundled("contacts"), folder)
    services = folder / "services.csv"
    services.write_text(services.read_text().replace(old, new))
    return folder


def test_the_sandbox_page_and_its_components_check_out(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COMMS_ASSISTANT_STATUS_PAGE", "statuspage")
    result = invoke("statuspage", "check")
    assert result.exit_code == 0, result.output
    assert "✓ Statuspage page: Example services status (sandboxpage1)" in result.output
    assert "✓ apply: component sbxapply0001: Apply for teacher training" in result.output


def test_a_wrong_component_is_named_with_the_ones_there_are(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = contacts_with(tmp_path, "sbxfind00001", "sbxfind99999")
    monkeypatch.setenv("COMMS_ASSISTANT_STATUS_PAGE", "statuspage")
    monkeypatch.setenv("COMMS_ASSISTANT_CONTACTS_DIR", str(folder))
    result = invoke("statuspage", "check")
    assert result.exit_code == 1
    assert "✗ find: no component sbxfind99999 on the page" in result.output
    assert "fix: services.csv: set find's statuspage_component to one of: sbxapply0001 (" in (
        result.output
    )


def test_a_refused_key_says_which_setting_to_fix(sandbox: SandboxTenant) -> None:
    # A real tenant's settings: the check of the page they name, here the sandbox's.
    found = Target("statuspage", sandbox.statuspage_url, seed.STATUSPAGE_PAGE_ID, "not-the-key")
    [finding] = asyncio.run(check(found, load_directory(None).services))
    assert (finding.mark, finding.detail) == ("✗", "HTTP 401 Could not authenticate")
    assert "COMMS_ASSISTANT_STATUSPAGE_API_KEY" in finding.fix
    found = Target("statuspage", sandbox.statuspage_url, "nopage", seed.STATUSPAGE_API_KEY)
    [finding] = asyncio.run(check(found, []))
    assert "no page nopage: set COMMS_ASSISTANT_STATUSPAGE_PAGE_ID" in finding.fix


def test_the_upptime_repository_and_its_sites(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COMMS_ASSISTANT_STATUS_PAGE", "upptime")
    result = invoke("statuspage", "check")
    assert result.exit_code == 0, result.output
    assert "✓ Upptime repository: example-org/status" in result.output
    assert "✓ sign-in: site sign-in: DfE Sign-in" in result.output
    monkeypatch.setenv(
        "COMMS_ASSISTANT_CONTACTS_DIR", str(contacts_with(tmp_path, ",register\n", ",registr\n"))
    )
    result = invoke("statuspage", "check")
    assert result.exit_code == 1
    assert "✗ register: no site registr on the page" in result.output


def test_an_unknown_repository_or_a_wrong_token_is_named(sandbox: SandboxTenant) -> None:
    found = Target("upptime", sandbox.github_url, "example-org/nowhere", seed.GITHUB_TOKEN)
    [finding] = asyncio.run(check(found, []))
    assert finding.mark == "✗" and "no repository example-org/nowhere" in finding.fix
    found = Target("upptime", sandbox.github_url, seed.STATUS_REPO, "github_pat_wrong")
    [finding] = asyncio.run(check(found, []))
    assert "COMMS_ASSISTANT_GITHUB_TOKEN" in finding.fix


def test_the_sandbox_is_checked_whatever_page_the_settings_name(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COMMS_ASSISTANT_STATUS_PAGE", "statuspage")
    monkeypatch.setenv("COMMS_ASSISTANT_STATUSPAGE_PAGE_ID", "realpage")
    result = invoke("statuspage", "check")
    assert result.exit_code == 0 and "(sandboxpage1)" in result.output


def test_no_page_set_up_says_how(home: Path) -> None:
    result = invoke("statuspage", "check")
    assert result.exit_code == 1 and "status_page is none" in result.output


def test_sites_are_read_with_their_slugs_or_names() -> None:
    assert upptime_sites(upptimerc("o", "r"))["sign-in"] == "DfE Sign-in"
    config = (
        "sites:\n  - name: Apply Service\n    url: https://a\n  - name: Find\n    slug: find-it\n"
    )
    assert upptime_sites(config) == {"apply-service": "Apply Service", "find-it": "Find"}
