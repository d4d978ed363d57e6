"""The settings that say where the product is in a tenant: how it signs in, the document
library it files in, the mailbox it sends from and the channel it posts to.

Their defaults are the sandbox tenant's (config.Settings checks a real tenant sets its own).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr

from comms_assistant.sandbox import seed
from comms_assistant.service.ports import DEFAULT_SECURITY_MARKING


class TenantSettings(BaseModel):
    home: Path = Field(Path(".comms-assistant"), description="State database and sandbox tenant.")
    database_url: SecretStr | None = Field(
        None,
        description="The database, as a SQLAlchemy URL: postgresql+psycopg://user:password@host"
        ":5432/dbname for PostgreSQL (pip install 'comms-assistant[postgres]', then run "
        "'comms-assistant db upgrade' once and after each upgrade of comms-assistant). Unset: "
        "the SQLite file <home>/state.db, upgraded automatically. A secret when it holds a "
        "password.",
    )
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


class LibrarySettings(BaseModel):
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
    board_report_template: str = Field(
        "Board report template.docx",
        description="The monthly board report's template ('report board', docs/register.md).",
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


class MessagingSettings(BaseModel):
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
