"""The settings that say how the product runs: its process profile, the worker, and the Teams
bot (comms-assistant serve)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr

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


class ProcessSettings(BaseModel):
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
    log_format: Literal["text", "json"] = Field(
        "text",
        description="How serve and worker write their log: text, or json (one JSON object a "
        "line, with the incident's reference and the delivery's id on each line about them).",
    )
    metrics_port: int = Field(
        0,
        ge=0,
        le=65535,
        description="Port on which `comms-assistant worker` serves /metrics (Prometheus) and "
        "/healthz (0: none; `serve` always has both on its own port). Also --metrics-port.",
    )
    bot_metrics_port: int = Field(
        0,
        ge=0,
        le=65535,
        description="Port on which `comms-assistant serve` serves /metrics, on metrics_host, "
        "instead of on the bot's own port, which Azure Bot Service reaches from the internet "
        "(0: on the bot's port). /healthz stays on the bot's port too. Also serve "
        "--metrics-port.",
    )
    metrics_host: str = Field(
        "127.0.0.1",
        description="Address the worker's /metrics and /healthz, and serve's /metrics with "
        "bot_metrics_port, listen on (0.0.0.0 for a "
        "Prometheus on another machine or a container probe from outside).",
    )
    admin_email: str | None = Field(
        None,
        description="Who hears of a mistake saved into the contacts directory, the profile or "
        "the glossary when no incident is open (the comms lead of each open incident hears "
        "otherwise). Meanwhile the last good copy is used: see docs/bad-edits.md.",
    )


class BotSettings(BaseModel):
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
