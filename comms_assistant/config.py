"""Settings, from COMMS_ASSISTANT_* environment variables and an optional comms-assistant.toml.

With no tenant given, everything points at the sandbox tenant under <home>/sandbox.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from comms_assistant.config_service import (
    PUBLIC_BOT_SERVICE_URLS,
    US_GOVERNMENT_BOT_SERVICE_URLS,
    BotSettings,
    ProcessSettings,
)
from comms_assistant.config_status_page import StatusPageSettings
from comms_assistant.config_tenant import LibrarySettings, MessagingSettings, TenantSettings
from comms_assistant.config_work import WorkSettings
from comms_assistant.sandbox import seed

__all__ = [
    "PUBLIC_BOT_SERVICE_URLS",
    "TENANT_IDENTITY_SETTINGS",
    "US_GOVERNMENT_BOT_SERVICE_URLS",
    "Settings",
    "SettingsError",
]

# Who and where the product is in a tenant. Their defaults are the sandbox tenant's, which a real
# tenant must never inherit: a forgotten one would send to, or file in, the wrong place.
TENANT_IDENTITY_SETTINGS = ("tenant_id", "client_id", "site", "mailbox", "team_id", "channel_id")


class SettingsError(ValueError):
    """The settings cannot work as they are; the message names the setting and what to do."""


# Each group's fields come after those of the groups named after it, so the fields keep the order
# `comms-assistant init` writes them in (the order of the documentation).
class Settings(
    StatusPageSettings,
    BotSettings,
    WorkSettings,
    ProcessSettings,
    MessagingSettings,
    LibrarySettings,
    TenantSettings,
    BaseSettings,
):
    model_config = SettingsConfigDict(
        env_prefix="COMMS_ASSISTANT_", toml_file="comms-assistant.toml", extra="forbid"
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

    @field_validator("login_host")
    @classmethod
    def _bare_login_host(cls, value: str) -> str:
        host = value.removeprefix("https://").strip("/")
        if not host or "/" in host or "://" in host:
            raise ValueError("must be a host name such as login.microsoftonline.com")
        return host

    @model_validator(mode="after")
    def _real_tenant_names_itself(self) -> Settings:
        if self.uses_sandbox:
            return self
        # model_fields_set holds what any source gave (arguments, environment, the file).
        missing = [name for name in TENANT_IDENTITY_SETTINGS if name not in self.model_fields_set]
        if missing:
            names = ", ".join(f"COMMS_ASSISTANT_{name.upper()}" for name in missing)
            raise ValueError(
                f"graph_url is a real tenant, so these must be set to its own values (the "
                f"defaults are the sandbox tenant's): {names} (environment or "
                "comms-assistant.toml)"
            )
        return self

    @property
    def teams_record_path(self) -> Path:
        return self.auth_record_path or self.home / "teams-account.json"

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
    def organiser(self) -> str | None:
        """The meetings' organiser: meeting_organiser, else the sandbox's licensed service
        account; None on a real tenant that names none (no meetings are made)."""
        if self.meeting_organiser:
            return self.meeting_organiser.strip()
        return seed.SERVICE_ACCOUNT if self.uses_sandbox else None

    @property
    def plan(self) -> str | None:
        """The actions' Planner plan: actions_plan, else the sandbox's; None on a real tenant
        that names none (actions stay in the documents)."""
        if self.actions_plan:
            return self.actions_plan.strip()
        return seed.PLAN_ID if self.uses_sandbox else None

    @property
    def database_path(self) -> Path:
        return self.home / "state.db"

    @property
    def database(self) -> str | Path:
        """What the store opens: the database_url, else the SQLite file in the home folder.

        The URL is checked when it is opened (adapters/sql/engine.py), not here: a settings
        error would show the text, password and all."""
        url = self.database_url.get_secret_value().strip() if self.database_url else ""
        return url or self.database_path

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
        try:
            toml_settings = TomlConfigSettingsSource(settings_cls)
        except tomllib.TOMLDecodeError as error:
            where = Path(str(settings_cls.model_config.get("toml_file"))).resolve()
            raise SettingsError(f"{where} is not valid TOML: {error}") from error
        return (init_settings, env_settings, toml_settings)
