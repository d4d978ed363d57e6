"""A real tenant's settings never fall back to the sandbox tenant's identities."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from comms_assistant.config import TENANT_IDENTITY_SETTINGS, Settings
from comms_assistant.sandbox import seed

REAL_GRAPH = "https://graph.microsoft.com/v1.0"
OWN = {
    "tenant_id": "11111111-2222-4333-8444-555555555555",
    "client_id": "66666666-7777-4888-9999-aaaaaaaaaaaa",
    "site": "contoso.sharepoint.com:/sites/incidents",
    "mailbox": "incidents@contoso.example",
    "team_id": "bbbbbbbb-cccc-4ddd-8eee-ffffffffffff",
    "channel_id": "19:contoso@thread.tacv2",
}


def test_every_sandbox_identity_is_one_a_real_tenant_must_give() -> None:
    sandbox = Settings()
    site = f"{seed.SITE_HOSTNAME}:/{seed.SITE_PATH}"
    ids = {seed.TENANT_ID, seed.TEAM_ID, seed.CHANNEL_ID, *seed.MAILBOXES, site}
    values = {name: getattr(sandbox, name) for name in Settings.model_fields}
    inherited = {
        name
        for name, value in values.items()
        if isinstance(value, str) and (value in ids or "sandbox" in value)
    }
    assert inherited == set(TENANT_IDENTITY_SETTINGS)
    assert set(TENANT_IDENTITY_SETTINGS) == set(OWN)


def test_a_real_tenant_with_only_graph_url_names_every_missing_identity() -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(graph_url=REAL_GRAPH)
    message = str(caught.value)
    for name in TENANT_IDENTITY_SETTINGS:
        assert f"COMMS_ASSISTANT_{name.upper()}" in message, name


@pytest.mark.parametrize("missing", TENANT_IDENTITY_SETTINGS)
def test_one_missing_identity_is_named_and_only_it(missing: str) -> None:
    given = {k: v for k, v in OWN.items() if k != missing}
    with pytest.raises(ValidationError) as caught:
        Settings(graph_url=REAL_GRAPH, **given)
    message = str(caught.value)
    assert f"COMMS_ASSISTANT_{missing.upper()}" in message
    assert all(f"COMMS_ASSISTANT_{n.upper()}" not in message for n in given)


def test_identities_from_the_environment_count_as_given(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in OWN.items():
        monkeypatch.setenv(f"COMMS_ASSISTANT_{name.upper()}", value)
    settings = Settings(graph_url=REAL_GRAPH)
    assert (settings.tenant_id, settings.channel_id) == (OWN["tenant_id"], OWN["channel_id"])


def test_all_given_validates_and_generic_names_keep_their_defaults() -> None:
    settings = Settings(graph_url=REAL_GRAPH, **OWN)
    assert {name: getattr(settings, name) for name in OWN} == OWN
    assert settings.library == "Documents" and settings.templates_folder == "Templates"


def test_the_sandbox_still_needs_none_of_them() -> None:
    assert Settings().tenant_id == seed.TENANT_ID
    assert Settings(sandbox_url="http://127.0.0.1:8765").team_id == seed.TEAM_ID
