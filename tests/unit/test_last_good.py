"""The last good contacts directory, profile and glossary (adapters/last_good.py), on real files:
a mistake keeps the good copy in use and is found once per content, a fix is used at once, the
copy saved under the home folder survives a restart, and with no copy at all the start refuses.
The notices of mistakes (service/bad_edits.py) go once to each open incident's lead, else to
admin_email."""

from __future__ import annotations

import logging
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from cli_helper import invoke
from fake_unit_of_work import FakeStore

from comms_assistant.adapters.edited_files import EditedFiles
from comms_assistant.adapters.last_good import NoGoodCopy
from comms_assistant.adapters.profiles import PROFILES
from comms_assistant.domain.incident import Incident, Priority, Role
from comms_assistant.resources import bundled
from comms_assistant.service import bad_edits
from comms_assistant.service.delivery_kinds import DeliveryKind

NOON = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def contacts(tmp_path: Path) -> Path:
    folder = tmp_path / "contacts"
    shutil.copytree(bundled("contacts"), folder)
    return folder


@pytest.fixture
def profile(tmp_path: Path) -> Path:
    path = tmp_path / "ours.toml"
    path.write_text((PROFILES / "default.toml").read_text())
    return path


def files(tmp_path: Path, contacts: Path, profile: Path) -> EditedFiles:
    """What one process (a worker, the bot) keeps: a new one is a restart."""
    return EditedFiles(contacts, str(profile), tmp_path / "home", LONDON, lambda: NOON)


def save(path: Path, text: str) -> None:
    path.write_text(text)
    # Two saves within the file system's clock tick look alike but for the size: move it on.
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def test_a_glossary_mistake_keeps_the_good_glossary_and_is_found_once_per_content(
    tmp_path: Path, contacts: Path, profile: Path
) -> None:
    edited = files(tmp_path, contacts, profile)
    glossary = contacts / "glossary.csv"
    good = glossary.read_text()
    assert "QTS" in edited.glossary().allowed
    save(glossary, good + "Sprint,allow,\nBacklog,permit,\n")
    assert edited.glossary().allowed == files(tmp_path, contacts, profile).glossary().allowed
    [(mistake, saved)] = edited.take_fresh()
    assert mistake.sentence(saved) == (
        f"The glossary {glossary} has a mistake on line {len(good.splitlines()) + 2}: "
        'type "permit" is not one of: allow, avoid, jargon. Until it is fixed, the assistant '
        "uses the last good copy (saved 12:00). Check it with: comms-assistant glossary check"
    )
    edited.glossary()
    assert edited.take_fresh() == []  # looked at again, the same content: nothing new to tell
    save(glossary, good + "Backlog,permit,\n")  # another mistaken content: told again
    edited.glossary()
    [(again, _)] = edited.take_fresh()
    assert again.digest != mistake.digest
    save(glossary, good + "Sprint,allow,\n")
    assert "Sprint" in edited.glossary().allowed
    assert edited.in_use() == []


def test_a_profile_mistake_names_its_line_and_the_saved_copy_outlives_a_restart(
    tmp_path: Path, contacts: Path, profile: Path
) -> None:
    assert files(tmp_path, contacts, profile).policy().name == "default"
    save(profile, profile.read_text().replace("[priorities.P2]", "[priorities.P2", 1))
    restarted = files(tmp_path, contacts, profile)
    assert restarted.policy().name == "default"  # the copy saved by the first process
    [(mistake, saved)] = restarted.in_use()
    assert (mistake.file, mistake.line, mistake.check) == (
        profile,
        10,
        "comms-assistant profile check",
    )
    assert "not valid TOML" in mistake.problem and saved == "12:00"


def test_with_no_good_copy_the_start_refuses_in_one_line(
    tmp_path: Path, contacts: Path, profile: Path
) -> None:
    people = contacts / "contacts.csv"
    save(people, people.read_text().replace(",P2,both", ",P9,both", 1))
    with pytest.raises(NoGoodCopy) as refused:
        files(tmp_path, contacts, profile).directory()
    assert str(refused.value) == (
        f"The contacts file {people} has a mistake on line 2: "
        'min_priority "P9" is not P1, P2, P3 or P4. '
        "Check it with: comms-assistant contacts check"
    )
    assert "\n" not in str(refused.value)


def test_a_saved_copy_that_does_not_load_is_no_copy(
    tmp_path: Path, contacts: Path, profile: Path
) -> None:
    files(tmp_path, contacts, profile).directory()
    for saved in (tmp_path / "home" / "last-good" / "contacts").glob("*/contacts.csv"):
        saved.write_text("name\n")
    people = contacts / "contacts.csv"
    save(people, people.read_text().replace("@", " ", 1))
    with pytest.raises(NoGoodCopy):
        files(tmp_path, contacts, profile).directory()


def test_touching_a_file_without_changing_it_loads_nothing_again(
    tmp_path: Path, contacts: Path, profile: Path
) -> None:
    edited = files(tmp_path, contacts, profile)
    first = edited.directory()
    version = edited.version
    save(contacts / "services.csv", (contacts / "services.csv").read_text())
    assert edited.directory() is first and edited.version == version


def incident(reference: str, lead: str) -> Incident:
    opened = Incident.declare(
        reference=reference,
        title="Apply is down",
        priority=Priority.P2,
        impact="",
        services=("apply",),
        who="someone@example.org",
        now=NOON,
    )
    opened.assign(Role.COMMS_LEAD, lead, who=lead, now=NOON)
    return opened


def mistake(digest: str = "ab" * 32) -> bad_edits.Mistake:
    return bad_edits.Mistake(
        "contacts file", Path("contacts/contacts.csv"), 7, "email is not valid", "check", digest
    )


def test_each_open_incidents_lead_hears_once_by_email() -> None:
    store = FakeStore()
    with store() as uow:
        uow.incidents.add(incident("INC-2026-0001", "ana@example.org"))
        uow.incidents.add(incident("INC-2026-0002", "ben@example.org"))
        told = bad_edits.tell(uow, [(mistake(), "09:12")], admin="admin@example.org", now=NOON)
        again = bad_edits.tell(uow, [(mistake(), "09:12")], admin="admin@example.org", now=NOON)
    assert (told, again) == (2, 0)
    sent = store.stored.deliveries
    assert {d.kind for d in sent} == {DeliveryKind.NOTICE}
    assert [d.payload["to"][0]["email"] for d in sent] == ["ana@example.org", "ben@example.org"]
    assert sent[0].payload["text"] == (
        "The contacts file contacts/contacts.csv has a mistake on line 7: email is not valid."
        "\n\nUntil it is fixed, the assistant uses the last good copy (saved 09:12)."
        "\n\nCheck it with: check"
    )


def test_with_none_open_admin_email_hears_and_with_no_admin_a_warning_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = FakeStore()
    with store() as uow:
        assert bad_edits.tell(uow, [(mistake(), None)], admin="admin@example.org", now=NOON) == 1
        assert bad_edits.tell(uow, [(mistake(), None)], admin="admin@example.org", now=NOON) == 0
        with caplog.at_level(logging.WARNING):
            assert bad_edits.tell(uow, [(mistake("cd" * 32), None)], admin=None, now=NOON) == 0
    [sent] = store.stored.deliveries
    assert sent.incident_id is None and sent.payload["to"][0]["email"] == "admin@example.org"
    assert "admin_email is not set" in caplog.text


def test_a_mistake_that_could_not_be_queued_is_given_again(
    tmp_path: Path, contacts: Path, profile: Path
) -> None:
    edited = files(tmp_path, contacts, profile)
    edited.glossary()
    save(contacts / "glossary.csv", "term,type\nSprint,permit\n")
    edited.glossary()
    fresh = edited.take_fresh()
    edited.untold(fresh)  # the store was away
    assert edited.take_fresh() == fresh
    assert edited.take_fresh() == []


def test_the_check_commands_name_the_line_or_say_all_is_well(
    tmp_path: Path, contacts: Path, profile: Path
) -> None:
    assert invoke("profile", "check", str(profile)).exit_code == 0
    assert invoke("glossary", "check", str(contacts)).output.startswith("No problems found")
    save(profile, profile.read_text().replace('update_every = "1h"', 'update_every = "1 hr"'))
    checked = invoke("profile", "check", str(profile))
    assert checked.exit_code == 1
    assert "priorities.P2.update_every" in checked.output and "30m, 1h or 1h30m" in checked.output
    save(contacts / "glossary.csv", "term,type\nSprint,permit\n")
    checked = invoke("glossary", "check", str(contacts))
    assert checked.exit_code == 1 and 'glossary.csv, line 2: type "permit"' in checked.output
