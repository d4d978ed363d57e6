"""Settings, from COMMS_ASSISTANT_* environment variables and an optional comms-assistant.toml.

With no tenant given, everything points at the sandbox tenant under <home>/sandbox.
"""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from comms_assistant.sandbox import seed


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="COMMS_ASSISTANT_", toml_file="comms-assistant.toml", extra="forbid"
    )

    home: Path = Field(Path(".comms-assistant"), description="State database and sandbox tenant.")
    timezone: str = Field("Europe/London", description="Zone in which times are shown.")

    # Microsoft Graph. No graph_url: the sandbox tenant runs in-process on 127.0.0.1.
    graph_url: str | None = Field(None, description="e.g. https://graph.microsoft.com/v1.0")
    sandbox_url: str | None = Field(
        None,
        description="A sandbox tenant already running (comms-assistant sandbox), "
        "e.g. http://127.0.0.1:8765; unset: start one in-process when needed.",
    )
    tenant_id: str = seed.TENANT_ID
    client_id: str = "comms-assistant-sandbox"
    client_secret: SecretStr | None = None

    site: str = Field(f"{seed.SITE_HOSTNAME}:/{seed.SITE_PATH}", description="hostname:/sites/path")
    library: str = seed.LIBRARY
    templates_folder: str = seed.TEMPLATES_FOLDER
    report_template: str = "Incident report template.docx"
    review_template: str = "Incident review template.docx"
    major_incident_template: str = "Major incident report template.docx"
    reports_folder: str = seed.REPORTS_FOLDER

    mailbox: str = Field(
        seed.MAILBOXES[0], description="The mailbox stakeholder mail is sent from."
    )
    team_id: str = seed.TEAM_ID
    channel_id: str = seed.CHANNEL_ID

    profile: str = Field(
        "default",
        description="Process profile: a shipped one (default, moj, dxw, wellcome, dfe, "
        "govuk-paas) or the path of your own .toml (see comms_assistant/profiles/README.md).",
    )
    worker_interval: float = Field(
        30.0, gt=0, description="Seconds between the worker's cadence ticks."
    )
    delivery_lease: float = Field(
        120.0,
        gt=0,
        description="Seconds a worker holds a delivery it is making; if it dies, another "
        "takes the delivery over after this long (and checks whether it already went).",
    )
    plain_english_check: bool = Field(
        True,
        description="Hold back stakeholder messages with plain-English findings (never a P1) "
        "until 'send anyway' or 'send suggested'.",
    )
    contacts_dir: Path | None = Field(None, description="Defaults to the bundled example contacts.")

    # The Teams bot (comms-assistant serve).
    bot_app_id: str | None = Field(
        None,
        description="The bot's Microsoft App ID (its Entra app registration's client id): "
        "incoming tokens must be issued for it.",
    )
    bot_app_secret: SecretStr | None = Field(
        None, description="A client secret of that app registration, for replying."
    )
    bot_tenant_id: str | None = Field(
        None, description="The app registration's tenant, for a single-tenant bot."
    )
    bot_anonymous: bool = Field(
        False,
        description="Accept activities with no token. Local development only: anyone who can "
        "reach the port can then run commands as anyone.",
    )
    bot_webhook_secret: SecretStr | None = Field(
        None,
        description="The security token Teams showed when the outgoing webhook was created "
        "(base64); unset: /api/webhook refuses everything.",
    )
    bot_allowed: list[str] = Field(
        default_factory=list,
        description="Email addresses that may run commands that change an incident.",
    )
    bot_allowed_roles: list[str] = Field(
        default_factory=lambda: ["incident team", "delivery manager"],
        description="Contacts directory roles whose people may change incidents (delivery "
        "managers are often the comms lead).",
    )
    bot_people: dict[str, str] = Field(
        default_factory=dict,
        description="Entra object id -> email, for people Teams cannot tell the bot about "
        "(always used for outgoing webhooks).",
    )
    bot_host: str = Field("127.0.0.1", description="Address comms-assistant serve listens on.")
    bot_port: int = Field(3978, description="Port comms-assistant serve listens on.")
    bot_outbound_timeout: float = Field(
        10.0, description="Seconds any call the bot makes (token, reply, lookup) may take."
    )
    bot_delivery_timeout: float = Field(
        300.0, description="Seconds the bot keeps delivering a command's report, mail and cards."
    )
    templates_dir: Path | None = Field(None, description="Defaults to the bundled templates.")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f'"{value}" is not a time zone name such as Europe/London') from error
        return value

    @field_validator("graph_url")
    @classmethod
    def _https_graph(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("https://"):
            raise ValueError("must start with https:// (leave it unset to use the sandbox tenant)")
        return value.rstrip("/") if value else value

    @field_validator("sandbox_url")
    @classmethod
    def _loopback_sandbox(cls, value: str | None) -> str | None:
        allowed = ("http://127.0.0.1:", "http://localhost:", "http://[::1]:")
        if value is not None and not value.startswith(allowed):
            raise ValueError("must be http://127.0.0.1:<port>: the sandbox only listens locally")
        return value.rstrip("/") if value else value

    @property
    def uses_sandbox(self) -> bool:
        return self.graph_url is None

    @property
    def database_path(self) -> Path:
        return self.home / "state.db"

    @property
    def sandbox_root(self) -> Path:
        return self.home / "sandbox"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))
