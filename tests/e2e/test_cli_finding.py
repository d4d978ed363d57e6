"""`comms-assistant list` and `comms-assistant status [REF]` from a shell, and answers that name
the option that fixes them (`--as`, `--incident`)."""

from __future__ import annotations

import re
from pathlib import Path

from cli_helper import run_cli

COMMS = "comms.lead@example.org"
TECH = "tech.lead@example.org"


def test_list_and_status_are_shell_commands_and_errors_name_the_fix(tmp_path: Path) -> None:
    home = tmp_path / "home"
    nothing = run_cli(home, "list")
    assert nothing.returncode == 0 and "No incident is open" in nothing.stdout

    anonymous = run_cli(home, "run", "open Apply is down p2 impact: Candidates wait", "--no-wait")
    assert anonymous.returncode == 1 and "--as you@example.org" in anonymous.stdout

    first = run_cli(home, "run", "open Apply is down p2", "--as", COMMS, "--no-wait")
    assert first.returncode == 0, first.stdout + first.stderr
    assert "You are its incident lead" in first.stdout
    second = run_cli(home, "run", "open Find is down p1", "--as", TECH, "--no-wait")
    assert second.returncode == 0, second.stdout + second.stderr
    apply_ref, find_ref = (re.match(r"INC-\d{4}-\d{4}", r.stdout)[0] for r in (first, second))
    assert apply_ref != find_ref

    listed = run_cli(home, "list")
    assert listed.returncode == 0
    lines = listed.stdout.splitlines()
    assert lines[0] == "2 open incidents, most urgent first:"
    assert lines[1].startswith(f"{find_ref} P1 investigating: Find is down. Lead: {TECH}.")
    assert lines[2].startswith(f"{apply_ref} P2 investigating: Apply is down. Lead: {COMMS}.")
    assert "Next update due by" in lines[2]

    shown = run_cli(home, "status", apply_ref)
    assert shown.returncode == 0 and f"{apply_ref} Apply is down" in shown.stdout
    which = run_cli(home, "status")
    assert which.returncode == 1
    assert f"comms-assistant status {find_ref}" in which.stdout

    unsure = run_cli(home, "run", "log Checked the logs", "--as", COMMS)
    assert unsure.returncode == 1
    assert f"--incident {find_ref}" in unsure.stdout
    named = run_cli(home, "run", f"{apply_ref} log Checked the logs", "--as", COMMS, "--no-wait")
    assert named.returncode == 0 and named.stdout.startswith(f"{apply_ref}: ")

    typo = run_cli(home, "run", "stauts")
    assert typo.returncode == 1 and 'did you mean "status"' in typo.stdout
