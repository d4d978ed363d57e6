"""Settings, from COMMS_ASSISTANT_* environment variables and an optional comms-assistant.toml.

With no tenant given, everything points at the sandbox tenant under <home>/sandbox.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from comms_assistant.sandbox import seed
from comms_assistant.service.ports import DEFAULT_SECURITY_MARKING

# Where Teams' Bot Connector lives (Microsoft 365 Agents SDK, TeamsServiceEndpoints): an
# activity's serviceUrl is one of these, followed by a region path such as /emea/ or /teams/.
PUBLIC_BOT_SERVICE_URLS = (
    "https://smba.trafficmanager.net/",
    "https://smba.infra.gcc.teams.microsoft.com/",
)
US_GOVERNMENT_BOT_SERVICE_URLS = (
    "https://smba.infra.gov.teams.microsoft.us/",
    "https://smba.infra.dod.teams.microsoft.us/",
)


# Who and where the product is in a tenant. Their defaults are the sandbox tenant's, which a real
# tenant must never inherit: a forgotten one would send to, or file in, the wrong place.
TENANT_IDENTITY_SETTINGS = ("tenant_id", "client_id", "site", "mailbox", "team_id", "channel_id")


class SettingsError(ValueError):
    """The settings cannot work as they are; the message names the setting and what to do."""


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
    tenant_id: str = Field(
        seed.TENANT_ID, description="Your Microsoft Entra tenant (directory) id."
    )
    client_id: str = Field(
        "comms-assistant-sandbox", description="The app registration's application (client) id."
    )
    client_secret: SecretStr | None = Field(
        None, description="A client secret of the app; a certificate is preferred."
    )
    # Identity for a real tenant (docs/setup.md). Ignored by the sandbox.
    auth_method: Literal[
        "auto", "secret", "certificate", "managed_identity", "workload_identity"
    ] = Field(
        "auto",
        description="How the app signs in. auto: certificate_path if set, else client_secret, "
        "else workload identity when AZURE_FEDERATED_TOKEN_FILE is set.",
    )
    certificate_path: Path | None = Field(
        None,
        description="PEM (certificate and private key) or PKCS#12 file: the preferred sign-in.",
    )
    certificate_password: SecretStr | None = Field(
        None, description="Password of the certificate's private key, if it has one."
    )
    managed_identity_client_id: str | None = Field(
        None, description="A user-assigned managed identity's client id (unset: system-assigned)."
    )
    login_host: str = Field(
        "login.microsoftonline.com",
        description="Microsoft Entra sign-in host: login.microsoftonline.us (US Government), "
        "login.chinacloudapi.cn (China). Pair it with graph_url.",
    )
    teams_account: str | None = Field(
        None,
        description="The service account (UPN) that posts to Teams through Graph; sign it in "
        "once with comms-assistant graph login.",
    )
    teams_client_id: str | None = Field(
        None,
        description="App registration used for that sign-in ('Allow public client flows' on); "
        "unset: client_id.",
    )
    token_cache_name: str = Field(
        "comms-assistant", description="Name of the persistent token cache for that account."
    )
    token_cache_unencrypted: bool = Field(
        False,
        description="Allow the token cache in a plain file (readable by this user only) when the "
        "OS has no keyring, e.g. a Linux server. Protect the machine accordingly.",
    )
    auth_record_path: Path | None = Field(
        None,
        description="Where the account's sign-in record is saved "
        "(unset: <home>/teams-account.json).",
    )

    site: str = Field(f"{seed.SITE_HOSTNAME}:/{seed.SITE_PATH}", description="hostname:/sites/path")
    library: str = Field(seed.LIBRARY, description="The site's document library.")
    templates_folder: str = Field(
        seed.TEMPLATES_FOLDER, description="Folder in the library holding the Word templates."
    )
    report_template: str = Field(
        "Incident report template.docx", description="The running incident report's template."
    )
    review_template: str = Field(
        "Incident review template.docx", description="The incident review's template."
    )
    major_incident_template: str = Field(
        "Major incident report template.docx",
        description="The Major Incident report's template (P1s).",
    )
    reports_folder: str = Field(
        seed.REPORTS_FOLDER, description="Folder in the library where reports are filed."
    )
    security_reports_folder: str = Field(
        seed.SECURITY_REPORTS_FOLDER,
        description="Folder in the library where a security incident's report, review and "
        "Major Incident report are filed. Create it and limit its permissions to the security "
        "team: the assistant does not set SharePoint permissions.",
    )

    mailbox: str = Field(
        seed.MAILBOXES[0], description="The mailbox stakeholder mail is sent from."
    )
    mailbox_name: str = Field(
        "Incident communications",
        description="The name readers see for that mailbox (From, and To where it is there). "
        "Give the mailbox the same display name in Exchange: Exchange Online may show the "
        "directory's name instead.",
    )
    security_marking: str = Field(
        DEFAULT_SECURITY_MARKING,
        description="Starts the subject and the first line of every email about a security "
        "incident (which is also sent with Outlook's Confidential sensitivity); the default is "
        "the UK government's marking. Empty: no marking, the sensitivity only.",
    )
    team_id: str = Field(seed.TEAM_ID, description="The incidents channel's team (group) id.")
    channel_id: str = Field(seed.CHANNEL_ID, description="The incidents channel's id (19:...).")
    teams_transport: Literal["auto", "bot", "graph", "webhook"] = Field(
        "auto",
        description="How cards reach Teams. auto: the bot inside comms-assistant serve when "
        "it is configured, else Graph as teams_account; webhook: teams_webhook_url.",
    )
    teams_transports: dict[str, Literal["bot", "graph", "webhook"]] = Field(
        default_factory=dict,
        description='Per destination: "channel" (the incidents channel), "channel:Team/Channel", '
        '"chat:person@example.org", or "channel:*" / "chat:*" -> bot, graph or webhook.',
    )
    teams_webhook_url: SecretStr | None = Field(
        None,
        description="A Workflows 'post to a channel when a webhook request is received' URL for "
        "the incidents channel (one-way, cards only). Its sig= part is a secret.",
    )
    teams_webhooks: dict[str, SecretStr] = Field(
        default_factory=dict, description="Workflows URLs for other destinations (same keys)."
    )

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
    lessons_follow_days: float = Field(
        14.0,
        ge=0,
        description="Days after a Major Incident's review is filed during which changes to its "
        "recommendations are copied into the Major Incident report's lessons learnt (0: only "
        "when the review is filed, or on 'lessons').",
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
        description="Email addresses that may open incidents and change every ordinary "
        "incident from Teams, in the team or not (a security incident: only if named on it).",
    )
    bot_allowed_roles: list[str] = Field(
        default_factory=lambda: ["team member", "incident team", "delivery manager"],
        description="Contacts directory roles whose people may open incidents and change every "
        "ordinary incident from Teams (delivery managers are often the comms lead). 'team "
        "member': members of the incidents channel's team may open an ordinary incident and "
        "take a role on one; leave it out to give team members nothing of their own.",
    )
    bot_people: dict[str, str] = Field(
        default_factory=dict,
        description="Entra object id -> email, for people Teams cannot tell the bot about "
        "(always used for outgoing webhooks).",
    )
    bot_service_urls: list[str] = Field(
        default_factory=lambda: list(PUBLIC_BOT_SERVICE_URLS),
        description="Bot Connector addresses (an activity's serviceUrl) the bot answers and "
        "sends its token to; anything else is refused. Default: Microsoft's public cloud and "
        "GCC. A login_host of login.microsoftonline.us adds GCC High and DoD; the sandbox "
        "tenant's own address is added when the sandbox is the tenant.",
    )
    bot_host: str = Field("127.0.0.1", description="Address comms-assistant serve listens on.")
    bot_port: int = Field(3978, description="Port comms-assistant serve listens on.")
    bot_outbound_timeout: float = Field(
        10.0, description="Seconds any call the bot makes (token, reply, lookup) may take."
    )
    bot_delivery_timeout: float = Field(
        300.0, description="Seconds the bot keeps delivering a command's report, mail and cards."
    )
    bot_turns_at_once: int = Field(
        8, ge=1, description="Bot commands processed at the same time (others wait their turn)."
    )
    bot_turns_waiting: int = Field(
        1000, ge=1, description="Bot commands that may wait; past this the bot answers 503."
    )
    bot_channel_per_incident: bool = Field(
        False,
        description="'open' from the bot also creates a channel for the incident in team_id "
        "(Graph), posts the incident card there and binds the channel to the incident.",
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
        try:
            toml_settings = TomlConfigSettingsSource(settings_cls)
        except tomllib.TOMLDecodeError as error:
            where = Path(str(settings_cls.model_config.get("toml_file"))).resolve()
            raise SettingsError(f"{where} is not valid TOML: {error}") from error
        return (init_settings, env_settings, toml_settings)
