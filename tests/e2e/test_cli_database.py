"""`comms-assistant db upgrade` and `db current` from a shell, on SQLite and on PostgreSQL, and the
one line a process says when the database is not ready for it."""

from __future__ import annotations

from pathlib import Path

from cli_helper import run_cli

from comms_assistant.adapters.sql.schema import HEAD


def test_a_new_database_is_made_by_db_upgrade_and_then_used(
    tmp_path: Path, database_url: str
) -> None:
    home = tmp_path / "home"
    env = {"COMMS_ASSISTANT_DATABASE_URL": database_url}
    postgres = database_url.startswith("postgresql")

    current = run_cli(home, "db", "current", **env)
    assert current.returncode == 1, current.stderr
    assert "no tables yet" in current.stdout and "comms-assistant db upgrade" in current.stdout

    if postgres:  # PostgreSQL refuses to start on it; SQLite upgrades itself
        refused = run_cli(home, "list", **env)
        assert refused.returncode == 2
        assert refused.stderr.count("\n") == 1 and "Traceback" not in refused.stderr
        assert "has no tables yet" in refused.stderr
        assert "run `comms-assistant db upgrade`" in refused.stderr

    upgraded = run_cli(home, "db", "upgrade", **env)
    assert upgraded.returncode == 0, upgraded.stderr
    assert f"to schema revision {HEAD} (head)" in upgraded.stdout
    assert run_cli(home, "db", "upgrade", **env).stdout.endswith(
        f"is up to date: schema revision {HEAD} (head).\n"
    )
    assert run_cli(home, "db", "current", **env).returncode == 0

    listed = run_cli(home, "list", **env)
    assert listed.returncode == 0, listed.stderr
    assert (home / "state.db").exists() is False  # the URL's database, not the home folder's


def test_a_bad_database_url_is_one_line_without_its_password(tmp_path: Path) -> None:
    for url, expected in (
        ("mysql://app:s3cret@localhost/comms", "mysql is not supported"),
        ("postgresql://app:s3cret@127.0.0.1:1/comms", "cannot reach the database"),
    ):
        found = run_cli(tmp_path / "home", "list", COMMS_ASSISTANT_DATABASE_URL=url)
        assert found.returncode == 2
        assert expected in found.stderr and "s3cret" not in found.stderr + found.stdout
        assert found.stderr.count("\n") == 1 and "Traceback" not in found.stderr
