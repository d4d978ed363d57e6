"""Every refusal says the fix: the command or setting that resolves it, never only what failed."""

from __future__ import annotations

import socket
from pathlib import Path

from cli_helper import run_cli

from comms_assistant.bootstrap import bootstrap
from comms_assistant.config import Settings
from comms_assistant.word_templates import template_files


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (it was free a moment ago)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_graph_check_against_a_sandbox_that_is_not_running_says_how_to_start_it(
    tmp_path: Path,
) -> None:
    port = closed_port()
    url = f"http://127.0.0.1:{port}"
    result = run_cli(tmp_path / "home", "graph", "check", COMMS_ASSISTANT_SANDBOX_URL=url)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert f"The sandbox tenant at {url} is not answering" in result.stdout
    assert f"comms-assistant sandbox --port {port}" in result.stdout
    assert "unset sandbox_url (COMMS_ASSISTANT_SANDBOX_URL or comms-assistant.toml)" in (
        result.stdout
    )
    assert "tenant_id" not in result.stdout, "the sign-in settings are not what is wrong"


def test_the_worker_and_publish_against_a_sandbox_that_is_not_running_say_so_in_one_line(
    tmp_path: Path,
) -> None:
    port = closed_port()
    for args in (("worker", "--once"), ("templates", "publish")):
        result = run_cli(
            tmp_path / "home", *args, COMMS_ASSISTANT_SANDBOX_URL=f"http://127.0.0.1:{port}"
        )
        assert result.returncode == 2, result.stdout + result.stderr
        assert "Traceback" not in result.stderr
        [line] = result.stderr.splitlines()
        assert "is not answering" in line and f"comms-assistant sandbox --port {port}" in line


def test_publishing_templates_already_there_names_replace(tmp_path: Path) -> None:
    home = tmp_path / "home"
    first = run_cli(home, "templates", "publish")
    assert first.returncode == 0, first.stdout + first.stderr
    every = len(template_files(bootstrap(Settings(home=home))))  # report, review, major, board
    assert first.stdout.count("Uploaded Templates/") == every
    assert "--replace" not in first.stdout, "nothing was kept, so there is nothing to replace"
    again = run_cli(home, "templates", "publish")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Uploaded" not in again.stdout
    assert "Already there, so kept as they are: Templates/Incident report template.docx" in (
        again.stdout
    )
    assert "'comms-assistant templates publish --replace' uploads them again" in again.stdout
    replaced = run_cli(home, "templates", "publish", "--replace")
    assert replaced.stdout.count("Uploaded Templates/") == every
    assert "Already there" not in replaced.stdout


def test_a_setting_that_does_not_exist_is_named_with_the_nearest_one_and_where_to_remove_it(
    tmp_path: Path,
) -> None:
    (tmp_path / "comms-assistant.toml").write_text('worker_intervall = 10\ntimezone = "Mars"\n')
    result = run_cli(tmp_path / "home", "list")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "worker_intervall (COMMS_ASSISTANT_WORKER_INTERVALL): there is no such setting" in (
        result.stderr
    )
    assert "Did you mean worker_interval?" in result.stderr
    assert "Take it out of comms-assistant.toml or the environment" in result.stderr
    assert 'timezone (COMMS_ASSISTANT_TIMEZONE): Value error, "Mars"' in result.stderr


def test_a_profile_that_does_not_exist_names_the_setting_that_chooses_it(tmp_path: Path) -> None:
    result = run_cli(tmp_path / "home", "list", COMMS_ASSISTANT_PROFILE="nhs")
    assert result.returncode == 2, result.stdout + result.stderr
    assert 'There is no profile "nhs"' in result.stderr
    assert "The profile setting (COMMS_ASSISTANT_PROFILE or comms-assistant.toml)" in (
        result.stderr
    )


def test_a_missing_contacts_folder_names_the_check_and_the_setting(tmp_path: Path) -> None:
    missing = tmp_path / "no-contacts"
    result = run_cli(tmp_path / "home", "list", COMMS_ASSISTANT_CONTACTS_DIR=str(missing))
    assert result.returncode == 2, result.stdout + result.stderr
    # Not an edit with a line to mend: the folder is not there, and the setting says where.
    assert result.stderr.strip() == (
        f"The contacts directory {missing} is not there: the contacts_dir setting "
        "(COMMS_ASSISTANT_CONTACTS_DIR or comms-assistant.toml) says where it is. "
        "Check it with: comms-assistant contacts check"
    )


def test_a_database_that_cannot_be_reached_names_the_setting(tmp_path: Path) -> None:
    url = f"postgresql://app:s3cret@127.0.0.1:{closed_port()}/comms"
    result = run_cli(tmp_path / "home", "list", COMMS_ASSISTANT_DATABASE_URL=url)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "cannot reach the database" in result.stderr
    assert "database_url (COMMS_ASSISTANT_DATABASE_URL)" in result.stderr
    assert "s3cret" not in result.stderr


def test_checking_a_template_that_is_not_there_says_so_before_asking_its_kind(
    tmp_path: Path,
) -> None:
    result = run_cli(tmp_path / "home", "templates", "check", str(tmp_path / "mine.docx"))
    assert result.returncode == 1
    assert "there is no such file" in result.stderr and "--kind" not in result.stderr


def test_a_sandbox_on_a_port_already_taken_says_to_choose_another(tmp_path: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = run_cli(tmp_path / "home", "sandbox", "--port", str(port))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert f"Port {port} on 127.0.0.1 is taken" in result.stderr
    assert "choose another with --port and set sandbox_url to match" in result.stderr
