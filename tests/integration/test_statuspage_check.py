"""`comms-assistant statuspage check` against the sandbox tenant's page and repository."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cli_helper import invoke

from comms_assistant.adapters.status_pages.check import upptime_sites
from comms_assistant.resources import bundled
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


def test_a_refused_key_says_which_setting_to_fix(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COMMS_ASSISTANT_STATUS_PAGE", "statuspage")
    monkeypatch.setenv("COMMS_ASSISTANT_STATUSPAGE_API_KEY", "not-the-key")
    result = invoke("statuspage", "check")
    assert result.exit_code == 1
    assert "✗ Statuspage page: HTTP 401" in result.output
    assert "COMMS_ASSISTANT_STATUSPAGE_API_KEY" in result.output
    assert "not-the-key" not in result.output


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


def test_an_unknown_repository_is_named(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMMS_ASSISTANT_STATUS_PAGE", "upptime")
    monkeypatch.setenv("COMMS_ASSISTANT_UPPTIME_REPOSITORY", "example-org/nowhere")
    result = invoke("statuspage", "check")
    assert result.exit_code == 1
    assert "no repository example-org/nowhere" in result.output


def test_no_page_set_up_says_how(home: Path) -> None:
    result = invoke("statuspage", "check")
    assert result.exit_code == 1 and "status_page is none" in result.output


def test_sites_are_read_with_their_slugs_or_names() -> None:
    assert upptime_sites(upptimerc("o", "r"))["sign-in"] == "DfE Sign-in"
    config = (
        "sites:\n  - name: Apply Service\n    url: https://a\n  - name: Find\n    slug: find-it\n"
    )
    assert upptime_sites(config) == {"apply-service": "Apply Service", "find-it": "Find"}
