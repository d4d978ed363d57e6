"""The domain's status page rules: what reaches the page, the component table, the public text
with names, addresses, links and internal services taken out."""

from __future__ import annotations

import pytest

from comms_assistant.domain.incident import Priority, Status
from comms_assistant.domain.messages import MessageKind
from comms_assistant.domain.public_text import sanitise
from comms_assistant.domain.publication import (
    ComponentStatus,
    ComponentTable,
    Event,
    PageState,
    PublicAsk,
    decide,
    happening,
    state_of,
)

PUBLISHED, NEVER, UNPUBLISHED = PageState.PUBLISHED, PageState.NEVER, PageState.UNPUBLISHED


def test_the_state_is_the_last_thing_queued_for_the_page() -> None:
    assert state_of([]) is NEVER
    assert state_of(["publish", "update"]) is PUBLISHED
    assert state_of(["publish", "update", "unpublish"]) is UNPUBLISHED
    assert state_of(["publish", "unpublish", "publish"]) is PUBLISHED


@pytest.mark.parametrize(
    ("kind", "event"),
    [
        (MessageKind.UPDATE, Event.UPDATE),
        (MessageKind.HOLDING, Event.UPDATE),
        (MessageKind.PRIORITY, Event.UPDATE),
        (MessageKind.RESOLVED, Event.RESOLVE),
        (MessageKind.CATCH_UP, None),
        (MessageKind.MAJOR_INCIDENT, None),
    ],
)
def test_a_published_incident_s_messages_reach_the_page(kind, event) -> None:
    assert decide(kind, PUBLISHED, PublicAsk(), security=False, auto=False).event == event


def test_nothing_reaches_the_page_of_an_incident_never_published() -> None:
    for kind in MessageKind:
        assert decide(kind, NEVER, PublicAsk(), security=False, auto=False).event is None


def test_public_yes_at_open_publishes() -> None:
    ask = PublicAsk(publish=True)
    assert decide(MessageKind.OPENED, NEVER, ask, security=False, auto=False).event is Event.PUBLISH


def test_the_profile_publishes_an_ordinary_incident_on_a_public_service() -> None:
    opened = decide(MessageKind.OPENED, NEVER, PublicAsk(), security=False, auto=True)
    assert opened.event is Event.PUBLISH
    # ... but not one taken off the page, nor a security incident, nor at resolution.
    assert (
        decide(MessageKind.UPDATE, UNPUBLISHED, PublicAsk(), security=False, auto=True).event
        is None
    )
    assert decide(MessageKind.OPENED, NEVER, PublicAsk(), security=True, auto=True).event is None
    assert decide(MessageKind.RESOLVED, NEVER, PublicAsk(), security=False, auto=True).event is None


def test_a_published_security_incident_shows_only_its_public_words() -> None:
    said = decide(MessageKind.UPDATE, PUBLISHED, PublicAsk(), security=True, auto=False)
    assert said.event is None and "only words given with 'public:'" in said.why_not
    worded = PublicAsk(text="We are still looking into a problem with signing in.")
    assert (
        decide(MessageKind.UPDATE, PUBLISHED, worded, security=True, auto=False).event
        is Event.UPDATE
    )
    # Its resolution goes in the template's own words, which name nothing.
    assert (
        decide(MessageKind.RESOLVED, PUBLISHED, PublicAsk(), security=True, auto=False).event
        is Event.RESOLVE
    )


def test_public_no_leaves_one_update_off_the_page() -> None:
    said = decide(MessageKind.UPDATE, PUBLISHED, PublicAsk(skip=True), security=False, auto=False)
    assert said.event is None and said.why_not == "left off the status page, as asked"


def test_the_default_component_table() -> None:
    table = ComponentTable()
    assert table.status_for(Priority.P1, Status.INVESTIGATING) is ComponentStatus.MAJOR
    assert table.status_for(Priority.P2, Status.IDENTIFIED) is ComponentStatus.PARTIAL
    assert table.status_for(Priority.P3, Status.INVESTIGATING) is ComponentStatus.DEGRADED
    assert table.status_for(Priority.P4, Status.INVESTIGATING) is ComponentStatus.DEGRADED
    # A status row wins: a fix being watched, and a resolved incident.
    assert table.status_for(Priority.P1, Status.MONITORING) is ComponentStatus.DEGRADED
    assert table.status_for(Priority.P1, Status.RESOLVED) is ComponentStatus.OPERATIONAL
    assert table.status_for(Priority.P1, Status.CLOSED) is ComponentStatus.OPERATIONAL


def test_the_table_s_rows_can_be_overridden() -> None:
    table = ComponentTable.with_overrides(
        {"P2": "degraded_performance", "identified": "major_outage"}
    )
    assert table.status_for(Priority.P2, Status.INVESTIGATING) is ComponentStatus.DEGRADED
    assert table.status_for(Priority.P4, Status.IDENTIFIED) is ComponentStatus.MAJOR
    assert table.status_for(Priority.P1, Status.INVESTIGATING) is ComponentStatus.MAJOR


def test_a_wrong_override_names_the_row_or_status() -> None:
    with pytest.raises(ValueError, match='"p5" is not a row'):
        ComponentTable.with_overrides({"p5": "major_outage"})
    with pytest.raises(ValueError, match='"down" \\(for p1\\) is not one of operational'):
        ComponentTable.with_overrides({"p1": "down"})


def test_what_is_happening_is_the_update_else_the_impact_else_the_title() -> None:
    assert happening(MessageKind.UPDATE, "Most can apply", "None can", "Apply") == "Most can apply"
    assert (
        happening(MessageKind.OPENED, "x declared it", "None can apply", "Apply")
        == "None can apply"
    )
    assert happening(MessageKind.PRIORITY, "x changed it", "", "Apply is down") == "Apply is down"


def test_sanitising_takes_out_addresses_links_mentions_names_and_internal_services() -> None:
    found = sanitise(
        "Rowan Hale is fixing it. Write to rowan.hale@example.org or see "
        "https://apply.example.org/admin (the admin page). Ask @priya. "
        "The Billing engine is down.",
        people=["Rowan Hale", "Support"],
        internal=["Billing engine"],
    )
    assert found.text == (
        "Our team is fixing it. Write to or see (the admin page). Ask. "
        "The one of our systems is down."
    )
    assert set(found.removed) == {
        "a person's name",
        "an email address",
        "a link",
        "an @mention",
        "an internal service's name",
    }


def test_sanitising_leaves_plain_words_alone() -> None:
    text = "Some people cannot sign in. Support is looking at it: try again at 3pm."
    found = sanitise(text, people=["Support", "Rowan Hale"], internal=["Register trainee teachers"])
    assert found.text == text and not found.changed


def test_sanitising_finds_names_whatever_their_capitals_and_spacing() -> None:
    found = sanitise("Paged rowan  HALE about it", people=["Rowan Hale"])
    assert found.text == "Paged our team about it"


def test_a_host_with_a_path_is_a_link_too() -> None:
    assert sanitise("See apply.example.org/status for more.").text == "See for more."
