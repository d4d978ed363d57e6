from datetime import UTC, datetime, timedelta

import pytest

from comms_assistant.domain.file_names import clean_title, report_name
from comms_assistant.domain.incident import (
    DomainError,
    EntryKind,
    Incident,
    Priority,
    Role,
    Status,
    format_reference,
)
from comms_assistant.domain.policy import next_update_due

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def declared(**overrides: object) -> Incident:
    fields: dict = dict(
        reference="INC-2026-0001",
        title="  Apply   is down ",
        priority=Priority.P2,
        impact="Candidates cannot apply",
        services=("Apply", "apply", " find "),
        who="comms@example.org",
        now=T0,
    )
    fields.update(overrides)
    return Incident.declare(**fields)


def test_declare_normalises_and_records_the_first_entry() -> None:
    incident = declared()
    assert incident.title == "Apply is down"
    assert incident.services == ("apply", "find")
    assert incident.status is Status.INVESTIGATING
    assert [e.kind for e in incident.timeline] == [EntryKind.DECLARED]
    assert incident.timeline[0].seq == 1
    assert "P2" in incident.timeline[0].text


def test_whoever_declares_an_incident_leads_it_unless_they_name_someone_else() -> None:
    mine = declared()
    assert mine.leads == {Role.INCIDENT_LEAD: "comms@example.org"}
    assert mine.roles_of("comms@example.org") == {"incident lead"}
    assert "Incident lead" not in mine.timeline[0].text  # the declarer: said once, by "declared"

    theirs = declared(lead="tech@example.org")
    assert theirs.leads == {Role.INCIDENT_LEAD: "tech@example.org"}
    assert theirs.declared_by == "comms@example.org"
    assert theirs.timeline[0].text.endswith(". Incident lead: tech@example.org")
    assert [e.kind for e in theirs.timeline] == [EntryKind.DECLARED]  # one entry, as ever

    nobody = declared(lead="")
    assert nobody.leads == {}
    assert nobody.timeline[0].text.endswith(". Incident lead: nobody yet")
    # The role is there to be taken, by the declarer or anyone else.
    nobody.assign(Role.INCIDENT_LEAD, "tech@example.org", who="tech@example.org", now=T0)
    assert nobody.leads == {Role.INCIDENT_LEAD: "tech@example.org"}

    # The declarer's own address, however it was typed, is the declarer.
    assert "Incident lead" not in declared(lead="Comms@Example.org").timeline[0].text


def test_a_whole_life_numbers_entries_in_order() -> None:
    incident = declared()
    incident.assign(Role.COMMS_LEAD, "comms@example.org", who="comms@example.org", now=T0)
    incident.post_update("Some can sign in", who="comms@example.org", now=T0 + timedelta(minutes=5))
    incident.change_priority(Priority.P1, who="comms@example.org", now=T0 + timedelta(minutes=9))
    incident.log("Restarted", who="tech@example.org", now=T0 + timedelta(minutes=10))
    incident.resolve("Fixed the link", who="comms@example.org", now=T0 + timedelta(hours=1))
    incident.file_review(who="comms@example.org", now=T0 + timedelta(days=1))
    assert [e.seq for e in incident.timeline] == [1, 2, 3, 4, 5, 6, 7]
    assert incident.priority is Priority.P1
    # Whoever declared it leads it; the comms lead role was taken as well.
    assert incident.leads == {
        Role.INCIDENT_LEAD: "comms@example.org",
        Role.COMMS_LEAD: "comms@example.org",
    }
    assert incident.resolved_at == T0 + timedelta(hours=1)
    assert incident.status is Status.CLOSED
    assert "from P2 to P1" in incident.timeline[3].text


def test_resolved_incident_refuses_updates_but_takes_the_review() -> None:
    incident = declared()
    incident.resolve("Fixed", who="a@example.org", now=T0)
    with pytest.raises(DomainError, match="resolved"):
        incident.post_update("more", who="a@example.org", now=T0)
    with pytest.raises(DomainError, match="resolved"):
        incident.change_priority(Priority.P1, who="a@example.org", now=T0)
    incident.log("late note", who="a@example.org", now=T0)
    incident.file_review(who="a@example.org", now=T0)
    with pytest.raises(DomainError, match="already been filed"):
        incident.file_review(who="a@example.org", now=T0)


def test_review_needs_a_resolved_incident() -> None:
    with pytest.raises(DomainError, match="close it before the review"):
        declared().file_review(who="a@example.org", now=T0)


def test_refusals_change_nothing() -> None:
    incident = declared()
    with pytest.raises(DomainError, match="already P2"):
        incident.change_priority(Priority.P2, who="a@example.org", now=T0)
    with pytest.raises(DomainError, match="some words"):
        incident.post_update("   ", who="a@example.org", now=T0)
    assert len(incident.timeline) == 1


def test_naive_times_are_a_bug() -> None:
    with pytest.raises(ValueError):
        declared(now=datetime(2026, 11, 23, 9, 0))


def test_references_and_cadence() -> None:
    assert format_reference(2026, 7) == "INC-2026-0007"
    assert next_update_due(Priority.P1, T0) == T0 + timedelta(minutes=30)
    assert next_update_due(Priority.P4, T0) is None


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ('Login: "broken" <script>*?|', "Login broken script"),
        ("  ~$draft. ", "draft"),
        ("CON", "incident"),
        ("a" * 200, "a" * 80),
    ],
)
def test_titles_become_names_sharepoint_accepts(title: str, expected: str) -> None:
    assert clean_title(title) == expected


def test_report_name_has_date_reference_and_title() -> None:
    assert (
        report_name(T0.date(), "INC-2026-0001", "Apply: down")
        == "2026-11-23 INC-2026-0001 Apply down.docx"
    )
