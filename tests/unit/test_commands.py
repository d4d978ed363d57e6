import pytest

from comms_assistant.domain import commands as c
from comms_assistant.domain.incident import Priority, Role, Status


def test_open_with_priority_impact_and_services() -> None:
    command = c.parse(
        "open Apply for teacher training is down p2 impact: Candidates cannot submit "
        "applications services: apply, Find"
    )
    assert command == c.Open(
        title="Apply for teacher training is down",
        priority=Priority.P2,
        impact="Candidates cannot submit applications",
        services=("apply", "find"),
    )


def test_open_sections_in_any_order_and_security_flag() -> None:
    command = c.parse("open Leaked data P1 services: register security: yes impact: none known")
    assert isinstance(command, c.Open)
    assert command.security is True
    assert command.services == ("register",)
    assert command.impact == "none known"
    assert command.priority is Priority.P1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("open Apply is down", "p1, p2, p3 or p4"),
        ("open", "Say what is wrong"),
        ("open p1", "title"),
        ("open Apply is down p1 p2", "one priority"),
        ("open Apply p2 impact: a impact: b", '"impact:" is given twice'),
        ("open Apply p2 security: maybe", "security: yes"),
        ("update", "update <text>"),
        ("priority", "priority p1"),
        ("priority high", '"high" is not a priority'),
        ("lead bob", '"bob" is not a person'),
        ("tech", "tech me"),
        ("log", "log <text>"),
        ("close", "what fixed it"),
        ("status resolved", '"resolved" is not a status you can set'),
        ("review now", "takes no words"),
        ("launch the rockets", '"launch" is not a command'),
        ("   ", "Send a command"),
    ],
)
def test_wrong_or_incomplete_commands_say_what_was_expected(text: str, expected: str) -> None:
    with pytest.raises(c.ParseError) as error:
        c.parse(text)
    assert expected in str(error.value)


@pytest.mark.parametrize(
    ("text", "role", "person"),
    [
        ("lead me", Role.INCIDENT_LEAD, None),
        ("comms me", Role.COMMS_LEAD, None),
        ("tech @Ada.Lovelace@example.org", Role.TECH_LEAD, "ada.lovelace@example.org"),
        ("support sam@example.org", Role.SUPPORT_LEAD, "sam@example.org"),
        ("scribe ME", Role.SCRIBE, None),
        ("I am the incident lead", Role.INCIDENT_LEAD, None),
        ("I am the scribe.", Role.SCRIBE, None),
    ],
)
def test_role_commands_and_phrases(text: str, role: Role, person: str | None) -> None:
    assert c.parse(text) == c.Assign(role, person)


def test_moj_declaration_phrase() -> None:
    command = c.parse(
        "I am declaring an incident because live-1 is down. The impact is that nobody can deploy."
    )
    assert isinstance(command, c.Open)
    assert command.title == "Live-1 is down"
    assert command.impact == "nobody can deploy"
    assert command.priority_defaulted


def test_moj_resolution_phrase() -> None:
    command = c.parse("I am declaring this incident resolved because the node was replaced.")
    assert command == c.Close("the node was replaced")


def test_simple_commands() -> None:
    assert c.parse("update Candidates can sign in\nagain") == c.Update(
        "Candidates can sign in again"
    )
    assert c.parse("Priority P1 wider than thought") == c.SetPriority(
        Priority.P1, "wider than thought"
    )
    assert c.parse("status") == c.ShowStatus()
    assert c.parse("status Identified") == c.SetStatus(Status.IDENTIFIED)
    assert c.parse("log restarted it") == c.Log("restarted it")
    assert c.parse("review") == c.Review()
    assert c.parse("help") == c.Help()


def test_help_lists_every_verb() -> None:
    for verb in ("open", "update", "priority", "lead", "comms", "log", "status", "close", "review"):
        assert verb in c.HELP_TEXT


def test_huge_input_gets_a_short_answer() -> None:
    for text in ("status " + "x " * 30000, "x" * 70000, "priority " + "p" * 5000):
        with pytest.raises(c.ParseError) as error:
            c.parse(text)
        assert len(str(error.value)) < 300


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("notify register", "register"),
        ("notify  DfE   Sign-in ", "DfE Sign-in"),
        ("notify @priya.anand@example.org", "priya.anand@example.org"),
        (
            "NOTIFY teacher-services-stakeholders@example.org",
            "teacher-services-stakeholders@example.org",
        ),
    ],
)
def test_notify_names_a_service_a_person_or_a_group(text: str, target: str) -> None:
    assert c.parse(text) == c.Notify(target)


def test_notify_without_a_target_says_what_to_write() -> None:
    with pytest.raises(c.ParseError, match="notify <service>"):
        c.parse("notify")
    assert "notify <service|email|group>" in c.HELP_TEXT


def test_an_organisations_priority_names_are_accepted() -> None:
    names = {"Critical": Priority.P1, "Major": Priority.P2}
    assert c.parse("priority critical now", priority_names=names) == c.SetPriority(
        Priority.P1, "now"
    )
    opened = c.parse("open Site down priority: Major impact: nobody can buy", priority_names=names)
    assert isinstance(opened, c.Open) and opened.priority is Priority.P2
    assert opened.title == "Site down"
    with pytest.raises(c.ParseError, match="or critical, major"):
        c.parse("priority urgent", priority_names=names)
    with pytest.raises(c.ParseError, match="not several"):
        c.parse("open Site down p1 priority: major", priority_names=names)
    with pytest.raises(c.ParseError, match='"critical" is not a priority'):
        c.parse("priority critical")  # without the profile's names


def test_a_role_of_the_organisations_own() -> None:
    assert c.parse("role delivery manager me") == c.AssignExtra("delivery manager", None)
    assert c.parse("role Delivery Manager @Sam@Example.org") == c.AssignExtra(
        "delivery manager", "sam@example.org"
    )
    with pytest.raises(c.ParseError, match="role delivery manager me"):
        c.parse("role me")
    with pytest.raises(c.ParseError, match='"sam" is not a person'):
        c.parse("role delivery manager sam")


@pytest.mark.parametrize(
    ("typed", "title"),
    [
        ("open Apply \x07is \x1b[31mdown\x1b[0m p2", "Apply is down"),
        ("open \u202egnp.exe report\u200b p2", "gnp.exe report"),
        ("open Ap\u200bply\u200c is\u2060 do\u00adwn\ufeff p2", "Apply is down"),
        ("open a\u2066b\u2069c \u200e\u200fd\u061c p2", "abc d"),
        ("open \x1b]8;;https://evil.example/\x07Apply\x1b]8;;\x07 is down p2", "Apply is down"),
        ("open Apply\x85is\x0bdown\tnow p2", "Apply is down now"),
        ("open Cafe\u0301 is down p2", "Caf\u00e9 is down"),  # NFC: one character, as typed
    ],
)
def test_invisible_and_control_characters_never_reach_a_title(typed: str, title: str) -> None:
    command = c.parse(typed)
    assert isinstance(command, c.Open) and command.title == title


def test_every_field_is_cleaned_once_for_every_command() -> None:
    dirty = "\x1b[1m\u202eBold\u200b\x00"
    assert c.parse(f"update {dirty} text") == c.Update("Bold text")
    assert c.parse(f"log {dirty}") == c.Log("Bold")
    assert c.parse(f"close {dirty}") == c.Close("Bold")
    assert c.parse(f"notify {dirty}") == c.Notify("Bold")
    assert c.parse(f"priority p1 {dirty}") == c.SetPriority(Priority.P1, "Bold")
    assert c.parse(f"open x p2 impact: {dirty} services: a{dirty}") == c.Open(
        title="x", priority=Priority.P2, impact="Bold", services=("abold",)
    )
    assert c.parse(f"lead sam@exam\u200bple.org{dirty[:4]}") == c.Assign(
        Role.INCIDENT_LEAD, "sam@example.org"
    )
    assert c.parse(
        f"I am declaring an incident because {dirty} broke.\r\nThe impact is that x"
    ) == (c.Open(title="Bold broke", priority=Priority.P3, impact="x", priority_defaulted=True))
    with pytest.raises(c.ParseError) as refused:
        c.parse(f"\x1b[31m{dirty}frobnicate")
    assert '"Boldfrobnicate" is not a command' in str(refused.value)
