"""The settings of the public status page (docs/status-page.md): which kind of page, where it
is, its key or token, and how priorities show on its components.

With the sandbox tenant (no graph_url), Statuspage and Upptime are the sandbox's own page and
repository, with its key and token, whatever is set here (as Graph is the sandbox's), so the
demo and the tests publish to `<home>/sandbox/statuspage/` and `<home>/sandbox/github/` and a
trial never reaches a real page; with a real tenant they must be given. A webhook goes where
status_webhook_url says either way.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator

from comms_assistant.domain.publication import ComponentTable

STATUSPAGE_API = "https://api.statuspage.io/v1"
GITHUB_API = "https://api.github.com"
StatusPageKind = Literal["none", "statuspage", "upptime", "webhook"]
# What each kind of page needs when the tenant is real (the sandbox lends its own otherwise).
NEEDED = {
    "statuspage": ("statuspage_page_id", "statuspage_api_key"),
    "upptime": ("upptime_repository", "github_token"),
    "webhook": ("status_webhook_url", "status_webhook_secret"),
}


class StatusPageSettings(BaseModel):
    status_page: StatusPageKind = Field(
        "none",
        description="The public status page incidents are published to: none, statuspage "
        "(Atlassian Statuspage), upptime (an Upptime repository on GitHub) or webhook (a "
        "signed JSON post per public update, for any other page). Nothing is published "
        "unless an incident is made public (docs/status-page.md).",
    )
    statuspage_url: str = Field(
        STATUSPAGE_API, description="Statuspage's REST API (with the sandbox tenant: its own)."
    )
    statuspage_page_id: str | None = Field(
        None, description="The Statuspage page's id (its API page: Your page ID)."
    )
    statuspage_api_key: SecretStr | None = Field(
        None,
        description="A Statuspage API key (your avatar > API info); keep it in the environment: "
        "COMMS_ASSISTANT_STATUSPAGE_API_KEY.",
    )
    github_api_url: str = Field(
        GITHUB_API, description="GitHub's REST API (GitHub Enterprise: https://<host>/api/v3)."
    )
    upptime_repository: str | None = Field(
        None, description="The Upptime status repository, owner/name (e.g. example-org/status)."
    )
    github_token: SecretStr | None = Field(
        None,
        description="A fine-grained token with Issues read and write on that repository only "
        "(or a GitHub App's installation token); keep it in the environment: "
        "COMMS_ASSISTANT_GITHUB_TOKEN.",
    )
    status_webhook_url: str | None = Field(
        None, description="Where each public update is posted as JSON (https://...)."
    )
    status_webhook_secret: SecretStr | None = Field(
        None,
        description="The shared secret the webhook's X-Comms-Assistant-Signature "
        "(sha256=<HMAC-SHA256 of the body>) is made with.",
    )
    status_page_component_statuses: dict[str, str] = Field(
        default_factory=dict,
        description="Rows replacing the default table of priority (p1..p4) and status "
        "(investigating, identified, monitoring, resolved) to component status (operational, "
        "degraded_performance, partial_outage, major_outage, under_maintenance), e.g. "
        '{"p2": "degraded_performance"}.',
    )

    @field_validator("status_page_component_statuses")
    @classmethod
    def _known_rows(cls, value: dict[str, str]) -> dict[str, str]:
        ComponentTable.with_overrides(value)  # ValueError names the row or status
        return value

    @field_validator("statuspage_url", "github_api_url")
    @classmethod
    def _api_address(cls, value: str) -> str:
        if not value.startswith(("https://", "http://127.0.0.1:", "http://localhost:")):
            raise ValueError("must start with https://")
        return value.rstrip("/")

    @field_validator("status_webhook_url")
    @classmethod
    def _webhook_address(cls, value: str | None) -> str | None:
        if value and not value.startswith(("https://", "http://127.0.0.1:", "http://localhost:")):
            raise ValueError("must start with https:// (the post carries the public update)")
        return value

    @field_validator("upptime_repository")
    @classmethod
    def _owner_and_name(cls, value: str | None) -> str | None:
        if value is not None and (value.count("/") != 1 or not all(value.split("/"))):
            raise ValueError("must be owner/name, e.g. example-org/status")
        return value

    @model_validator(mode="after")
    def _page_named(self) -> StatusPageSettings:
        sandbox = getattr(self, "graph_url", None) is None
        needed = NEEDED.get(self.status_page, ())
        if sandbox and self.status_page != "webhook":
            return self
        missing = [name for name in needed if getattr(self, name) is None]
        if missing:
            names = ", ".join(f"COMMS_ASSISTANT_{name.upper()}" for name in missing)
            raise ValueError(f"status_page is {self.status_page}, so these must be set: {names}")
        return self

    @property
    def component_table(self) -> ComponentTable:
        return ComponentTable.with_overrides(self.status_page_component_statuses)
