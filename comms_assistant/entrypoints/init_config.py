"""Set-up commands: `comms-assistant init` (a commented comms-assistant.toml) and
`comms-assistant graph login` (sign the Teams service account in once).

The file is generated from `Settings` itself, so every setting appears with its description and
default and a new setting can never be missing from it. Everything is commented out: the file
changes nothing until a line is uncommented, and the sandbox keeps working meanwhile.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

from pydantic import SecretStr

HEADER = """\
# comms-assistant settings. Uncomment a line to change it. Each can also be set with an
# environment variable COMMS_ASSISTANT_<NAME> (lists and tables as JSON), which wins over this file.
# With no graph_url, everything runs against the sandbox tenant. For a real tenant, follow
# docs/setup.md, then run `comms-assistant graph check`.
#
# Never put a secret in this file: client_secret, certificate_password, bot_app_secret,
# bot_webhook_secret, the webhook URLs and a database_url holding a password belong in
# environment variables (or a secret store that sets them); better still, sign in with a
# certificate (certificate_path).
"""

NEXT_STEPS = """\
Next:
  1. Follow docs/setup.md to register the app and grant it the narrowest permissions.
  2. Uncomment and set graph_url, tenant_id, client_id, certificate_path, site, mailbox,
     team_id and channel_id; put secrets in COMMS_ASSISTANT_* environment variables.
  3. comms-assistant graph login   (only if Teams posts through Graph as a service account)
  4. comms-assistant graph check   (add --send-test-mail you@example.org --teams to try sending)
"""


def toml_value(value: Any) -> str:
    """A default as TOML (JSON's strings, numbers, booleans and arrays are TOML too)."""
    if isinstance(value, Path):
        value = str(value)
    if isinstance(value, dict):
        items = ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items())
        return "{ " + items + " }" if items else "{}"
    return json.dumps(value, ensure_ascii=False)


def render() -> str:
    from comms_assistant.config import TENANT_IDENTITY_SETTINGS, Settings

    blocks = [HEADER]
    for name, field in Settings.model_fields.items():
        default = field.get_default(call_default_factory=True)
        secret = "SecretStr" in repr(field.annotation)
        lines = textwrap.wrap(
            field.description or name, 96, initial_indent="# ", subsequent_indent="# "
        )
        env = f"COMMS_ASSISTANT_{name.upper()}"
        if name in TENANT_IDENTITY_SETTINGS:
            lines.append("# Required with graph_url: the default is the sandbox tenant's.")
        if secret:
            lines.append(f"# Secret: leave it blank here; set {env} instead.")
            lines.append(f'# {name} = ""')
        elif default is None:
            lines.append(f"# (unset by default; env {env})")
            lines.append(f'# {name} = ""')
        else:
            if isinstance(default, SecretStr):  # pragma: no cover - no secret has a default
                default = ""
            lines.append(f"# {name} = {toml_value(default)}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def write_config(path: Path, *, force: bool = False) -> int:
    """Write the file; 1 (and nothing written) when it exists and `force` is not given."""
    if path.exists() and not force:
        print(f"{path} already exists: not overwritten. Use --force to replace it.")
        return 1
    path.write_text(render(), encoding="utf-8")
    print(f"Wrote {path}: every setting, commented out, with what it means and its default.")
    print(NEXT_STEPS, end="")
    return 0


def graph_login() -> int:
    """Sign the Teams service account in by device code; later runs are silent."""
    from comms_assistant.adapters.graph.client import scopes_for
    from comms_assistant.adapters.graph.credentials import DelegatedCredential
    from comms_assistant.config import Settings

    settings = Settings()
    if settings.uses_sandbox or not settings.teams_account:
        print("Nothing to do: set graph_url and teams_account first (the sandbox needs no login).")
        return 2
    credential = DelegatedCredential(settings, interactive=True)
    print(f"Sign in as {settings.teams_account} (and nobody else) when asked:")
    record = credential.sign_in(scopes_for(str(settings.graph_url)))
    credential.close()
    if record.username.casefold() != settings.teams_account.casefold():
        print(f"Signed in as {record.username}, not {settings.teams_account}: run it again.")
        return 1
    print(f"Signed in as {record.username}; saved to {credential.record_path}.")
    return 0
