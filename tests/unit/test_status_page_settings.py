"""The status page's settings and the services catalogue's columns for it."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from comms_assistant.adapters.contacts import inspect_directory, load_directory
from comms_assistant.config import Settings
from comms_assistant.domain.incident import Priority, Status
from comms_assistant.domain.publication import ComponentStatus

REAL = {
    "graph_url": "https://graph.microsoft.com/v1.0",
    "tenant_id": "t",
    "client_id": "c",
    "site": "s",
    "mailbox": "m@example.org",
    "team_id": "team",
    "channel_id": "channel",
}
CONTACTS = (
    "name,email,role,teams,services,min_priority,channels\n"
    "Rowan Hale,rowan.hale@example.org,service owner,,all,P2,email\n"
)


def catalogue(tmp_path: Path, services: str) -> Path:
    (tmp_path / "contacts.csv").write_text(CONTACTS)
    (tmp_path / "services.csv").write_text(services)
    return tmp_path


def test_nothing_is_published_by_default() -> None:
    settings = Settings()
    assert settings.status_page == "none"
    assert settings.statuspage_url == "https://api.statuspage.io/v1"
    assert settings.github_api_url == "https://api.github.com"


def test_a_real_tenant_must_name_its_page_and_key() -> None:
    with pytest.raises(ValidationError) as error:
        Settings(**REAL, status_page="statuspage")
    assert "COMMS_ASSISTANT_STATUSPAGE_PAGE_ID, COMMS_ASSISTANT_STATUSPAGE_API_KEY" in str(
        error.value
    )
    with pytest.raises(ValidationError) as error:
        Settings(**REAL, status_page="upptime", upptime_repository="example-org/status")
    assert "COMMS_ASSISTANT_GITHUB_TOKEN" in str(error.value)
    made = Settings(
        **REAL, status_page="statuspage", statuspage_page_id="p", statuspage_api_key="k"
    )
    assert made.statuspage_api_key is not None and "k" not in repr(made.statuspage_api_key)


def test_a_webhook_needs_its_address_and_secret_even_with_the_sandbox() -> None:
    with pytest.raises(ValidationError) as error:
        Settings(status_page="webhook", status_webhook_url="https://status.example.org/hook")
    assert "COMMS_ASSISTANT_STATUS_WEBHOOK_SECRET" in str(error.value)


def test_addresses_must_be_https() -> None:
    with pytest.raises(ValidationError, match="must start with https://"):
        Settings(statuspage_url="http://api.statuspage.io/v1")
    with pytest.raises(ValidationError, match="must start with https://"):
        Settings(status_webhook_url="http://status.example.org/hook")
    with pytest.raises(ValidationError, match="must be owner/name"):
        Settings(upptime_repository="status")


def test_the_component_table_setting_overrides_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "COMMS_ASSISTANT_STATUS_PAGE_COMPONENT_STATUSES", '{"p2": "degraded_performance"}'
    )
    table = Settings().component_table
    assert table.status_for(Priority.P2, Status.INVESTIGATING) is ComponentStatus.DEGRADED
    assert table.status_for(Priority.P1, Status.INVESTIGATING) is ComponentStatus.MAJOR
    with pytest.raises(ValidationError, match='"down" \\(for p1\\) is not one of'):
        Settings(status_page_component_statuses={"p1": "down"})


def test_the_bundled_catalogue_maps_every_service_to_the_sandbox_page() -> None:
    services = {s.key: s for s in load_directory(None).services}
    assert services["apply"].statuspage_component == "sbxapply0001"
    assert services["apply"].upptime_site == "apply"
    assert all(s.public and s.on_public_page for s in services.values())


def test_a_catalogue_without_the_columns_still_loads_unmapped(tmp_path: Path) -> None:
    folder = catalogue(tmp_path, "key,name,owners\napply,Apply for teacher training,\n")
    directory, problems = inspect_directory(folder)
    assert problems == []
    [apply] = directory.services
    assert (apply.public, apply.statuspage_component, apply.upptime_site) == (False, "", "")
    assert not apply.on_public_page


def test_a_mapped_service_is_public_even_if_not_marked(tmp_path: Path) -> None:
    folder = catalogue(
        tmp_path,
        "key,name,owners,public,statuspage_component\n"
        "apply,Apply for teacher training,,,abc123\n"
        "billing,Billing engine,,no,\n",
    )
    directory = load_directory(folder)
    apply, billing = directory.services
    assert apply.on_public_page and not apply.public
    assert not billing.on_public_page


def test_wrong_cells_are_problems_with_their_line(tmp_path: Path) -> None:
    folder = catalogue(
        tmp_path,
        "key,name,owners,public,statuspage_component,upptime_site\n"
        "apply,Apply for teacher training,,maybe,abc/123,Apply Site\n",
    )
    _, problems = inspect_directory(folder)
    said = [str(p) for p in problems]
    assert 'services.csv, line 2: public "maybe" should be yes or no' in said
    assert any('statuspage_component "abc/123" is not' in p for p in said)
    assert any('upptime_site "Apply Site" is not an Upptime site slug' in p for p in said)
