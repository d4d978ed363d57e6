"""docs/setup.md's commands work as written: scripts/check_guide.py runs them against the
sandbox tenant (and the PostgreSQL ones against a throwaway database), and fails on any that
does not."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from postgres_cluster import Cluster

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "check_guide.py"


def check_guide(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )


def test_every_command_of_the_setup_guide_runs_against_the_sandbox() -> None:
    result = check_guide()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All checks passed." in result.stdout
    for command in ("comms-assistant graph check", "comms-assistant worker --once", "sqlite3"):
        assert "sh run: cd " in result.stdout and command in result.stdout, command
    assert "✗" not in result.stdout


def test_the_guides_postgresql_commands_run_against_a_throwaway_database(
    postgres_cluster: Cluster,
) -> None:
    url = postgres_cluster.new_database()
    try:
        # pg_dump takes the URL the guide has people write: postgresql://, without the driver.
        plain = url.replace("postgresql+psycopg://", "postgresql://")
        result = check_guide("--database-url", plain, "--postgres-only")
    finally:
        postgres_cluster.drop(url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "sh run-postgres: comms-assistant db upgrade" in result.stdout
    assert "pg_dump" in result.stdout
    assert "not run" not in result.stdout


def test_a_command_that_fails_or_does_not_parse_fails_the_check(tmp_path: Path) -> None:
    guide = tmp_path / "setup.md"
    guide.write_text(
        "```sh run\ncomms-assistant contacts check /nowhere\n```\n\n"
        "```sh\ncomms-assistant worker --no-such-option\n```\n\n"
        "```toml\nworker_intervall = 10\n```\n\n"
        "```sh runn\ntrue\n```\n"
    )
    result = check_guide("--guide", str(guide))
    assert result.returncode == 1, result.stdout + result.stderr
    assert " ✗ setup.md:1  sh run: comms-assistant contacts check /nowhere" in result.stdout
    assert "services.csv: not found in /nowhere" in result.stdout
    assert " ✗ setup.md:5  parses: comms-assistant worker --no-such-option" in result.stdout
    assert "No such option: --no-such-option" in result.stdout
    assert " ✗ setup.md:9  toml: settings" in result.stdout and "worker_intervall" in result.stdout
    assert " ✗ setup.md:13  sh runn: unknown marker" in result.stdout
    assert "4 check(s) failed." in result.stdout
