"""Settings mistakes get a plain answer naming the setting, never a traceback."""

from __future__ import annotations

import random
import socket
import sqlite3
import subprocess
from pathlib import Path

import pytest
from cli_helper import run_cli

REAL_TENANT = {
    "COMMS_ASSISTANT_GRAPH_URL": "https://graph.microsoft.com/v1.0",
    "COMMS_ASSISTANT_TENANT_ID": "11111111-2222-4333-8444-555555555555",
    "COMMS_ASSISTANT_CLIENT_ID": "66666666-7777-4888-9999-aaaaaaaaaaaa",
    "COMMS_ASSISTANT_SITE": "contoso.sharepoint.com:/sites/incidents",
    "COMMS_ASSISTANT_MAILBOX": "incidents@contoso.example",
    "COMMS_ASSISTANT_TEAM_ID": "bbbbbbbb-cccc-4ddd-8eee-ffffffffffff",
    "COMMS_ASSISTANT_CHANNEL_ID": "19:contoso@thread.tacv2",
}


def one_line_and_2(result: subprocess.CompletedProcess) -> str:
    """What an operator's mistake gets: exit 2 and one line on stderr, no traceback."""
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_a_real_tenant_without_a_way_to_sign_in_is_told_what_to_set(tmp_path: Path) -> None:
    home = tmp_path / "home"
    tenant = REAL_TENANT
    opened = run_cli(home, "run", "open Find is slow p3 services: find", "--as", "a@example.org",
                 **tenant)  # fmt: skip
    assert opened.returncode == 2, opened.stdout + opened.stderr
    assert "is open at P3" in opened.stdout, "the change was stored and answered first"
    assert "Settings problem" in opened.stderr and "COMMS_ASSISTANT_CLIENT_SECRET" in opened.stderr
    assert "Traceback" not in opened.stderr


def test_an_invalid_setting_names_the_variable(tmp_path: Path) -> None:
    result = run_cli(tmp_path / "home", "run", "status", COMMS_ASSISTANT_PROFILE="nhs")
    assert result.returncode == 2
    assert "Settings problem" in result.stderr and "nhs" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_real_tenant_must_name_its_own_identities(tmp_path: Path) -> None:
    partial = {k: v for k, v in REAL_TENANT.items() if not k.endswith(("_SITE", "_TEAM_ID"))}
    result = run_cli(tmp_path / "home", "run", "status", **partial)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "COMMS_ASSISTANT_SITE" in result.stderr and "COMMS_ASSISTANT_TEAM_ID" in result.stderr
    assert "COMMS_ASSISTANT_TENANT_ID" not in result.stderr
    assert "COMMS_ASSISTANT_:" not in result.stderr, "a rule across settings has no one name"
    assert not (tmp_path / "home").exists(), "nothing was started with the sandbox's identities"


def test_a_list_or_table_setting_that_is_not_json_is_named_with_its_shape(
    tmp_path: Path,
) -> None:
    for command in (["run", "status"], ["worker", "--once"], ["deliver"], ["serve"]):
        result = run_cli(tmp_path / "home", *command, COMMS_ASSISTANT_TEAMS_WEBHOOKS="{not json")
        assert one_line_and_2(result) == (
            "comms-assistant: COMMS_ASSISTANT_TEAMS_WEBHOOKS is not valid JSON: "
            'expected {"destination": "https://..."}'
        ), command
    listed = run_cli(
        tmp_path / "home", "run", "status", COMMS_ASSISTANT_BOT_ALLOWED="a@example.org"
    )
    assert one_line_and_2(listed) == (
        "comms-assistant: COMMS_ASSISTANT_BOT_ALLOWED is not valid JSON: expected "
        '["person@example.org"]'
    )


@pytest.mark.parametrize("damage", ["random bytes", "truncated", "zeroed pages"])
def test_a_damaged_state_db_is_named_and_left_as_it_was(tmp_path: Path, damage: str) -> None:
    home = tmp_path / "home"
    opened = run_cli(home, "run", "open Find is slow p3 services: find", "--as", "a@example.org",
                 "--no-wait")  # fmt: skip
    assert opened.returncode == 0, opened.stdout + opened.stderr
    database = home / "state.db"
    with sqlite3.connect(database) as connection:  # everything into state.db itself
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = database.read_bytes()
    damaged = {
        "random bytes": random.Random(14).randbytes(len(data)),
        "truncated": data[: len(data) // 2],
        # A header SQLite accepts, then pages it cannot: found only when a table is read.
        "zeroed pages": data[:4096] + bytes(len(data) - 4096),
    }[damage]
    database.write_bytes(damaged)
    for command in (["run", "status"], ["worker", "--once"], ["deliver"]):
        line = one_line_and_2(run_cli(home, *command))
        assert line == (
            f"comms-assistant: {database} is not a database this program can read (it may be "
            "damaged): move it aside and run again; nothing has been changed."
        ), command
        assert database.read_bytes() == damaged


def test_a_damaged_sandbox_tenant_db_is_named(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "sandbox").mkdir(parents=True)
    (home / "sandbox" / "tenant.db").write_bytes(random.Random(14).randbytes(8192))
    opened = run_cli(home, "run", "open Find is slow p3 services: find", "--as", "a@example.org")
    assert "is open at P3" in opened.stdout
    line = one_line_and_2(opened)
    assert line.startswith(f"comms-assistant: {home / 'sandbox' / 'tenant.db'} is not a database")
    assert "move it aside and run again" in line


def test_a_settings_file_that_is_not_toml_is_named(tmp_path: Path) -> None:
    (tmp_path / "comms-assistant.toml").write_text('timezone = "Europe/London\n')
    line = one_line_and_2(run_cli(tmp_path / "home", "run", "status"))
    assert f"{tmp_path / 'comms-assistant.toml'} is not valid TOML" in line
    assert "line 1" in line


def test_serve_on_a_port_already_taken_says_so_and_how_to_choose_another(
    tmp_path: Path,
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli(
            tmp_path / "home", "serve", "--port", str(port), COMMS_ASSISTANT_BOT_ANONYMOUS="true"
        )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        f"Port {port} on 127.0.0.1 is taken (another `serve`?): stop what holds it, or choose "
        "another with --port or COMMS_ASSISTANT_BOT_PORT."
    )
