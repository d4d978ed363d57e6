"""`comms-assistant init`: a commented settings file that is complete, valid and safe."""

from __future__ import annotations

import os
import re
import subprocess
import tomllib
from pathlib import Path

from cli_helper import cli_command

from comms_assistant.config import Settings
from comms_assistant.entrypoints.init_config import render, write_config

SECRETS = {name for name, f in Settings.model_fields.items() if "SecretStr" in repr(f.annotation)}


def test_every_setting_is_described_with_its_default() -> None:
    text = render()
    for name, field in Settings.model_fields.items():
        assert re.search(rf"^# {name} = ", text, re.MULTILINE), name
        assert field.description, f"{name} has no description"
    assert {"client_secret", "certificate_password", "teams_webhook_url"} <= SECRETS
    for name in SECRETS:
        assert f'# {name} = ""' in text
        assert f"set COMMS_ASSISTANT_{name.upper()} instead" in text
    assert tomllib.loads(text) == {}  # all commented out: changes nothing until edited


def test_a_real_tenants_identities_are_marked_required() -> None:
    blocks = render().split("\n\n")
    for name in ("tenant_id", "client_id", "site", "mailbox", "team_id", "channel_id"):
        [block] = [b for b in blocks if re.search(rf"^# {name} = ", b, re.MULTILINE)]
        assert "Required with graph_url" in block, name
    assert sum("Required with graph_url" in b for b in blocks) == 6


def test_uncommenting_the_defaults_gives_the_default_settings(tmp_path: Path) -> None:
    lines = [
        line[2:]
        for line in render().splitlines()
        if re.match(r"# [a-z_]+ = ", line) and not line.endswith('= ""')
    ]
    values = tomllib.loads("\n".join(lines))
    assert "timezone" in values and "teams_transport" in values
    assert Settings(**values) == Settings()


def test_it_refuses_to_overwrite_without_force(tmp_path: Path, capsys) -> None:
    path = tmp_path / "comms-assistant.toml"
    assert write_config(path) == 0
    assert "docs/setup.md" in capsys.readouterr().out
    path.write_text('timezone = "Europe/Paris"\n')
    assert write_config(path) == 1
    assert "--force" in capsys.readouterr().out
    assert path.read_text() == 'timezone = "Europe/Paris"\n'
    assert write_config(path, force=True) == 0
    assert path.read_text() == render()


def test_the_cli_command_writes_the_file_in_the_working_folder(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMMS_ASSISTANT_")}
    cli = [*cli_command(), "init"]
    done = subprocess.run(cli, capture_output=True, text=True, cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "comms-assistant.toml").read_text() == render()
    again = subprocess.run(cli, capture_output=True, text=True, cwd=tmp_path, env=env)
    assert again.returncode == 1
