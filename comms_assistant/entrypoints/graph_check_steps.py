"""What `graph check` records for each step, and the advice a failed step comes with.

Shared by the checks of files and mail (graph_check.py) and of Teams (graph_check_teams.py).
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from comms_assistant.adapters.graph import GraphAdapters
    from comms_assistant.bootstrap import App

PASS, FAIL, WARN, SKIP = "✓", "✗", "!", "-"
# Mail.Send and Mail.Read are granted through Exchange RBAC for Applications, scoped to one
# mailbox; in the token's roles they mean an unscoped, tenant-wide Entra grant.
NEEDED_ROLES = {"Sites.Selected"}
BROADER_ROLES = {
    "Sites.Read.All", "Sites.ReadWrite.All", "Sites.Manage.All", "Sites.FullControl.All",
    "Files.Read.All", "Files.ReadWrite.All", "Mail.ReadWrite", "Mail.Send", "Mail.Read",
    "Teamwork.Migrate.All",
}  # fmt: skip
SIGN_IN_ADVICE = {
    "7000215": "the client secret is wrong: create a new one (app registration > Certificates & "
    "secrets) and set COMMS_ASSISTANT_CLIENT_SECRET, or better, use a certificate",
    "7000222": "the client secret has expired: create a new one, or better, use a certificate",
    "700027": "Entra does not know this certificate: upload its public part (.cer) to the app "
    "registration (Certificates & secrets)",
    "700016": "no app with this client_id in this tenant: check client_id and tenant_id",
    "90002": "no such tenant: check tenant_id (Entra admin centre > Overview)",
    "65001": "the permissions have no admin consent: API permissions > Grant admin consent",
    "53003": "a Conditional Access policy blocks the sign-in: exclude this app/account",
}
SITE_FIX = (
    "grant Sites.Selected write to this app on this site: python scripts/grant_site_access.py "
    "--site {site} --app-id {client_id} (docs/setup.md, 'The SharePoint site')"
)
MAIL_FIX = {
    "send": "give the app Mail.Send (application) and scope it to {mailbox} with Exchange RBAC "
    "for Applications: New-ManagementRoleAssignment -App <id> -Role 'Application Mail.Send' "
    "-CustomResourceScope <scope> (docs/setup.md, 'The mailbox')",
    "read": "give the app Mail.Read (application), scoped to {mailbox} the same way "
    "(-Role 'Application Mail.Read'): it finds a sent message by its id before a resend",
}
# The assistant files a security incident's documents here but never sets permissions: only an
# administrator can keep the folder from inheriting the library's (which many people can read).
SECURITY_FOLDER_FIX = (
    "create it in {library} and limit its permissions to the security team (stop inheriting "
    "the library's): security incidents' reports, reviews and Major Incident reports are filed "
    "there (docs/setup.md, 'The SharePoint site')"
)


SETTINGS_FIX = (
    "set it in comms-assistant.toml, or as COMMS_ASSISTANT_<NAME> in the environment for a "
    "secret (docs/setup.md, 'Register the app')"
)


@dataclass
class Step:
    mark: str
    name: str
    detail: str = ""
    fix: str = ""


def status_of(error: BaseException) -> int | None:
    """The HTTP status behind a port error (msgraph's APIError is its cause)."""
    status = getattr(error.__cause__, "response_status_code", None)
    if status is None:
        found = re.search(r"HTTP (\d{3})", str(error))
        status = int(found.group(1)) if found else None
    return int(status) if status is not None else None


def sign_in_fix(error: BaseException) -> str:
    text = getattr(error, "message", None) or str(error)
    for code, advice in SIGN_IN_ADVICE.items():
        if f"AADSTS{code}" in text:
            return advice
    if "not signed in" in text:
        return "run `comms-assistant graph login` and sign in as the Teams service account"
    return "check tenant_id, client_id, login_host and the certificate or secret (docs/setup.md)"


def token_roles(token: str) -> set[str]:
    """The application permissions in an access token (read, not verified: for advice only)."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return set()
    return {str(role) for role in claims.get("roles", [])}


class CheckerBase:
    """The steps so far, and what every check needs to run its own."""

    def __init__(self, app: App, adapters: GraphAdapters, graph_url: str) -> None:
        self.app, self.adapters, self.settings = app, adapters, app.settings
        self.graph_url = graph_url
        self.steps: list[Step] = []
        self.security_folder_ok = False  # set by files(): worth a test write

    def add(self, mark: str, name: str, detail: str = "", fix: str = "") -> bool:
        self.steps.append(Step(mark, name, detail, fix))
        return mark != FAIL
