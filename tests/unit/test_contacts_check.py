"""`comms-assistant contacts check`: every problem with its file and line, then who hears what."""

from __future__ import annotations

import shutil
from pathlib import Path

from cli_helper import invoke

from comms_assistant.adapters.contacts import default_contacts_dir, load_directory


def test_the_shipped_directory_checks_clean_and_shows_who_hears_each_priority() -> None:
    result = invoke("contacts", "check", str(default_contacts_dir()))
    assert result.exit_code == 0, result.output
    assert "No problems found." in result.output
    apply = result.output.split("Apply for teacher training (apply)")[1].split("\n\n")[0]
    p1, p4 = apply.split("\n  P1: ")[1].split("\n")[0], apply.split("\n  P4: ")[1].split("\n")[0]
    assert "Marcus Ellery (email)" in p1 and "Marcus Ellery" not in p4
    assert "Teacher services support (email, Teams Incident response/Support desk)" in p4
    assert "security incident: Gideon Marsh" in apply


def next_line(folder: Path) -> int:
    """The line number a row appended to the copied contacts.csv will have."""
    return len((folder / "contacts.csv").read_text(encoding="utf-8").splitlines()) + 1


def test_every_problem_is_reported_with_its_file_and_line(tmp_path: Path) -> None:
    folder = tmp_path / "contacts"
    shutil.copytree(default_contacts_dir(), folder)
    n = next_line(folder)
    with (folder / "contacts.csv").open("a") as csv:
        csv.write("Sam,sam.example.org,stakeholder,,apply,P2,email\n")  # line n
        csv.write("Kit,kit@example.org,director,,nowhere,P2,email\n")  # line n + 1
        csv.write("Rowan again,ROWAN.HALE@example.org,service owner,,apply,P2,email\n")
    with (folder / "services.csv").open("a") as csv:
        csv.write("payments,Teacher payments,,billing,\n")  # line 6
    with (folder / "routing.csv").open("a") as csv:
        csv.write("director,P1,no,no\n")  # line 16
    result = invoke("contacts", "check", str(folder))
    assert result.exit_code == 1
    for expected in (
        f'contacts.csv, line {n}: email "sam.example.org" is not an email address',
        f'contacts.csv, line {n + 1}: role "director" is not one of',
        f'contacts.csv, line {n + 1}: service "nowhere" is not in services.csv',
        f'contacts.csv, line {n + 2}: email "ROWAN.HALE@example.org" is also on line 2',
        'services.csv, line 6: upstream service "billing" is not a key',
        'routing.csv, line 16: role "director" is not one of',
    ):
        assert expected in result.output, expected


def test_a_blank_min_priority_takes_the_role_default_from_routing(tmp_path: Path) -> None:
    folder = tmp_path / "contacts"
    shutil.copytree(default_contacts_dir(), folder)
    routing = (folder / "routing.csv").read_text().replace("service owner,P2", "service owner,P1")
    (folder / "routing.csv").write_text(routing)
    directory = load_directory(folder)
    by_email = {c.email: c for c in directory.contacts}
    assert by_email["priya.anand@example.org"].min_priority.label == "P1"  # blank: role default
    assert by_email["rowan.hale@example.org"].min_priority.label == "P2"  # its own wins


def test_a_control_character_is_a_problem_and_a_formula_a_warning(tmp_path: Path) -> None:
    folder = tmp_path / "contacts"
    shutil.copytree(default_contacts_dir(), folder)
    n = next_line(folder)
    with (folder / "contacts.csv").open("a", encoding="utf-8") as csv:
        csv.write("Sam\x00 Jones,sam@example.org,stakeholder,,apply,P2,email\n")  # line n
        csv.write("=cmd|' /C calc'!A0,kit@example.org,stakeholder,,apply,P2,email\n")  # line n + 1
    result = invoke("contacts", "check", str(folder))
    assert result.exit_code == 1  # for the control character
    problems, rest = result.output.split("1 warning(s) to check:")
    assert problems.startswith("1 problem(s) to fix:")
    assert f"contacts.csv, line {n}: name has an invisible control character (U+0000" in problems
    warning = rest.split("\n")[1]
    expected = f"  - contacts.csv, line {n + 1}: name \"=cmd|' /C calc'!A0\" starts with"
    assert warning.startswith(expected)
    assert "\x00" not in result.output
    assert "Sam" not in rest  # the refused row is not used: nobody hears through it
    assert "=cmd|' /C calc'!A0 (email)" in rest  # a warning stops nothing


def test_warnings_alone_leave_the_exit_status_at_zero(tmp_path: Path) -> None:
    folder = tmp_path / "contacts"
    shutil.copytree(default_contacts_dir(), folder)
    n = next_line(folder)
    with (folder / "contacts.csv").open("a", encoding="utf-8") as csv:
        csv.write("@Kit,kit@example.org,stakeholder,,apply,P2,email\n")  # line n
    result = invoke("contacts", "check", str(folder))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("No problems found.\n\n1 warning(s) to check:\n")
    assert f'  - contacts.csv, line {n}: name "@Kit" starts with "@"' in result.output
