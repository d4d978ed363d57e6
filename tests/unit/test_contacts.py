import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from comms_assistant.adapters.contacts import (
    ContactsError,
    default_contacts_dir,
    inspect_directory,
    load_directory,
    safe_csv_cell,
)
from comms_assistant.domain.audiences import Channels, ContactRole, audience_for
from comms_assistant.domain.incident import Incident, Priority

NOW = datetime(2026, 11, 23, 9, 5, tzinfo=UTC)
SERVICES = "key,name,owners\napply,Apply for teacher training,rowan.hale@example.org\n"
HEADER = "name,email,role,teams,services,min_priority,channels\n"


def write(folder: Path, contacts: str, services: str = SERVICES) -> Path:
    (folder / "services.csv").write_text(services, encoding="utf-8")
    (folder / "contacts.csv").write_text(contacts, encoding="utf-8")
    return folder


def problems(folder: Path) -> list[str]:
    with pytest.raises(ContactsError) as caught:
        load_directory(folder)
    return [str(p) for p in caught.value.problems]


def test_the_shipped_directory_loads_without_problems():
    directory = load_directory(None)
    assert {s.key for s in directory.services} == {"apply", "find", "register", "sign-in"}
    assert directory.service("apply").upstream == ("sign-in", "find")
    assert directory.service_name("find") == "Find teacher training courses"
    roles = {c.role for c in directory.contacts}
    assert {
        ContactRole.SERVICE_OWNER,
        ContactRole.PROGRAMME_DELIVERY_MANAGER,
        ContactRole.DEPUTY_DIRECTOR,
        ContactRole.SUPPORT,
        ContactRole.MAJOR_INCIDENT_TEAM,
        ContactRole.INFORMATION_SECURITY_MANAGER,
        ContactRole.DATA_PROTECTION_OFFICER,
        ContactRole.DISTRIBUTION_LIST,
    } <= roles
    assert all(c.email.endswith("@example.org") for c in directory.contacts)


def test_the_default_folder_is_the_top_level_contacts_folder():
    folder = default_contacts_dir()
    assert (folder / "contacts.csv").is_file() and (folder / "README.md").is_file()


def test_the_shipped_directory_follows_the_playbooks():
    directory = load_directory(None)

    def audience(priority: Priority, security: bool = False) -> set[ContactRole]:
        incident = Incident.declare(
            reference="INC-2026-0001",
            title="Apply is down",
            priority=priority,
            impact="",
            services=("apply",),
            who="x",
            now=NOW,
            security=security,
        )
        return {c.role for c in audience_for(incident, directory.contacts)}

    p1 = audience(Priority.P1)
    assert {
        ContactRole.PROGRAMME_DELIVERY_MANAGER,
        ContactRole.DEPUTY_DIRECTOR,
        ContactRole.SERVICE_OWNER,
        ContactRole.MAJOR_INCIDENT_TEAM,
    } <= p1
    p2 = audience(Priority.P2)
    assert ContactRole.SERVICE_OWNER in p2
    assert not {ContactRole.DEPUTY_DIRECTOR, ContactRole.MAJOR_INCIDENT_TEAM} & p2
    assert ContactRole.SERVICE_OWNER not in audience(Priority.P3)
    assert audience(Priority.P4, security=True) == {
        ContactRole.INFORMATION_SECURITY_MANAGER,
        ContactRole.DATA_PROTECTION_OFFICER,
    }


def test_a_bad_file_reports_every_problem_with_its_line(tmp_path):
    folder = write(
        tmp_path,
        HEADER
        + "Good Person,good@example.org,service owner,,apply,P2,both\n"  # line 2
        + "Bad Email,not-an-address,support,,all,P4,email\n"  # line 3
        + "Odd Role,odd@example.org,director,,all,P1,email\n"  # line 4
        + "\n"  # line 5: blank rows are skipped but still counted
        + "Wrong Service,wrong@example.org,support,,apply;publish,P3,email\n"  # line 6
        + "Bad Priority,bad.priority@example.org,support,,all,P5,email\n"  # line 7
        + "Again,GOOD@example.org,support,,all,P4,email\n"  # line 8
        + "Pigeon,pigeon@example.org,support,,all,P4,pigeon\n",  # line 9
    )
    found = problems(folder)
    assert len(found) == 6
    assert found[0].startswith('contacts.csv, line 3: email "not-an-address"')
    assert found[1].startswith('contacts.csv, line 4: role "director" is not one of:')
    assert found[2].startswith('contacts.csv, line 6: service "publish" is not in services.csv')
    assert found[3].startswith('contacts.csv, line 7: min_priority "P5"')
    assert found[4] == 'contacts.csv, line 8: email "GOOD@example.org" is also on line 2'
    assert found[5].startswith('contacts.csv, line 9: channels "pigeon"')


def test_the_error_message_lists_every_problem(tmp_path):
    folder = write(tmp_path, HEADER + "A,a,support,,all,P4,email\nB,b,support,,all,P4,email\n")
    with pytest.raises(ContactsError) as caught:
        load_directory(folder)
    message = str(caught.value)
    assert "2 problem(s)" in message
    assert "contacts.csv, line 2" in message and "contacts.csv, line 3" in message


def test_services_problems_are_reported_too(tmp_path):
    services = "key,name,owners\napply,Apply,owner@example.org\napply,Apply again,\nall,All,\n"
    found = problems(write(tmp_path, HEADER, services))
    assert found == [
        'services.csv, line 3: service key "apply" is also on line 2',
        'services.csv, line 4: "all" is reserved: it means every service in contacts.csv',
    ]


def test_excel_csv_utf8_with_renamed_headers_loads(tmp_path):
    contacts = (
        "\ufeffName,Email,Role,Teams,Services,Min Priority,Channels\r\n"
        'Zoë Ångström,zoe@example.org,Service Owner,"Apply team/Incidents",apply,p2,Both\r\n'
    )
    directory = load_directory(write(tmp_path, contacts))
    (contact,) = directory.contacts
    assert contact.name == "Zoë Ångström"
    assert contact.role is ContactRole.SERVICE_OWNER
    assert contact.min_priority is Priority.P2
    assert contact.channels is Channels.BOTH
    assert contact.teams == "Apply team/Incidents"


def test_a_file_saved_with_semicolons_is_explained(tmp_path):
    contacts = HEADER.replace(",", ";") + "A;a@example.org;support;;all;P4;email\n"
    (found,) = problems(write(tmp_path, contacts))
    assert 'separated by ";"' in found and "CSV UTF-8" in found


def test_a_file_not_saved_as_utf8_is_explained(tmp_path):
    write(tmp_path, HEADER)
    (tmp_path / "contacts.csv").write_bytes(
        (HEADER + "Zoë,zoe@example.org,support,,all,P4,email\n").encode("cp1252")
    )
    (found,) = problems(tmp_path)
    assert found.startswith("contacts.csv: is not UTF-8")


def test_missing_files_and_columns_are_reported(tmp_path):
    (tmp_path / "contacts.csv").write_text("name,email,role\n", encoding="utf-8")
    found = problems(tmp_path)
    assert found[0].startswith("services.csv: not found")
    assert found[1] == (
        "contacts.csv, line 1: missing column(s): teams, services, min_priority, channels"
    )


def test_an_unquoted_comma_is_explained(tmp_path):
    contacts = HEADER + "Hale, Rowan,rowan@example.org,support,,all,P4,email\n"
    (found,) = problems(write(tmp_path, contacts))
    assert found.startswith("contacts.csv, line 2: has 8 cells but the header has 7")


def test_all_and_service_keys_together_are_refused(tmp_path):
    contacts = HEADER + "A,a@example.org,support,,all;apply,P4,email\n"
    (found,) = problems(write(tmp_path, contacts))
    assert 'mixes "all"' in found


@pytest.mark.parametrize(
    ("row", "found"),
    [
        ("Sam\x00 Jones,sam@example.org", "name has an invisible control character (U+0000)"),
        ("Sam Jones,sam@exam\u202eelpmaxe.org", "email has an invisible control character"),
        ("Sam \x1b[31mJones,sam@example.org", "(U+001B)"),
        ("Sam\u200bJones,sam@example.org", "(U+200B ZERO WIDTH SPACE)"),
    ],
)
def test_a_control_character_in_a_cell_is_refused_and_the_row_not_used(tmp_path, row, found):
    good = "Good,good@example.org,support,,all,P4,email\n"
    contacts = HEADER + good + row + ",support,,all,P4,email\n"
    folder = write(tmp_path, contacts)
    (problem,) = problems(folder)
    assert problem.startswith("contacts.csv, line 3: ") and found in problem
    assert problem.isprintable()  # what is reported can be shown on a terminal
    directory, _ = inspect_directory(folder)
    assert [c.email for c in directory.contacts] == ["good@example.org"]


def test_control_characters_are_refused_in_services_and_routing_too(tmp_path):
    services = SERVICES + "find\x07,Find,owner@example.org\n"
    write(tmp_path, HEADER, services)
    (tmp_path / "routing.csv").write_text("role,min_priority\nsupport,P4\x00\n", encoding="utf-8")
    found = problems(tmp_path)
    assert [p.split(":")[0] for p in found] == ["routing.csv, line 2", "services.csv, line 3"]
    assert all("invisible control character" in p for p in found)


def test_line_breaks_and_tabs_in_a_cell_are_not_control_characters(tmp_path):
    contacts = HEADER + '"Sam\n\tJones",sam@example.org,support,,all,P4,email\n'
    (contact,) = load_directory(write(tmp_path, contacts)).contacts
    assert contact.name == "Sam Jones"


def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_a_warning_not_an_error(tmp_path):
    contacts = (
        HEADER
        + "Good,good@example.org,support,,all,P4,email\n"
        + '"=HYPERLINK(""https://evil.example/"",""Sam"")",sam@example.org,support,,all,P4,email\n'
        + "@Kit,kit@example.org,support,,all,P4,email\n"
        + "+Lee,lee@example.org,support,,all,P4,email\n"
        + " -Mo,mo@example.org,support,,all,P4,email\n"
    )
    folder = write(tmp_path, contacts)
    directory = load_directory(folder)  # warnings stop nothing
    assert len(directory.contacts) == 5
    _, found = inspect_directory(folder)
    assert all(p.warning for p in found)
    assert [str(p).split(":")[0] for p in found] == [
        f"contacts.csv, line {n}" for n in (3, 4, 5, 6)
    ]
    first = str(found[0])
    assert first.startswith('contacts.csv, line 3: name "=HYPERLINK("https://evil.example/",')
    assert 'starts with "=", so a spreadsheet may run it as a formula' in first


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ('=HYPERLINK("https://evil.example/")', '\'=HYPERLINK("https://evil.example/")'),
        ("+44 20 7946 0000", "'+44 20 7946 0000"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("  =1+1", "'  =1+1"),
        ("\t=1+1", "'\t=1+1"),
        ("\rcmd", "'\rcmd"),
        ("Sam Jones", "Sam Jones"),
        ("sam@example.org", "sam@example.org"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_a_cell_the_product_writes_is_never_a_formula(value, written):
    assert safe_csv_cell(value) == written
    out = io.StringIO()
    csv.writer(out).writerow([safe_csv_cell(value)])
    (cell,) = next(csv.reader(io.StringIO(out.getvalue())))
    assert cell == written and cell.lstrip()[:1] not in ("=", "+", "-", "@")
