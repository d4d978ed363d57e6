"""Stakeholder messages pass the plain-English check before they go (never holding a P1)."""

from __future__ import annotations

from world import World

from comms_assistant.adapters.sql import outbox
from comms_assistant.adapters.sql.store import DraftRow, transaction

OPEN = "open Apply is down p2 impact: Candidates cannot submit applications services: apply"
JARGON = (
    "update Some candidates cannot sign in. The cause is a DNS failover. We are testing a hotfix."
)


def timeline_length(world: World) -> int:
    from comms_assistant.adapters.sql.store import find_incident

    with transaction(world.app.engine) as session:
        return len(find_incident(session, "INC-2026-0001").timeline)


def test_an_update_with_jargon_is_held_with_suggestions_and_nothing_changes(world: World) -> None:
    world.run(OPEN)
    before, rows = timeline_length(world), len(world.outbox())
    reply = world.run(JARGON)
    assert reply.ok and reply.held and reply.deliveries == ()
    assert "Not sent yet" in reply.text and '"DNS"' in reply.text and "failover" in reply.text
    assert "'send anyway'" in reply.text and "'send suggested'" in reply.text
    assert "Readers may not understand this" in reply.text  # what holds it, said as such
    assert timeline_length(world) == before and len(world.outbox()) == rows
    with transaction(world.app.engine) as session:
        draft = session.get(DraftRow, "comms.lead@example.org")
        assert draft is not None and draft.command == JARGON and draft.incident == "INC-2026-0001"


def test_send_anyway_sends_the_words_as_written_once(world: World) -> None:
    world.run(OPEN)
    world.run(JARGON)
    reply = world.run("send anyway")
    assert reply.ok and not reply.held and reply.deliveries
    world.deliver()
    assert "The cause is a DNS failover." in world.mailer.sent[-1].html
    assert not world.run("send anyway").ok, "the draft is gone once sent"


def test_send_suggested_shows_the_final_words_and_sends_them_only_when_confirmed(
    world: World,
) -> None:
    world.run(OPEN)
    world.run(JARGON)
    rows = len(world.outbox())
    shown = world.run("send suggested")
    assert shown.ok and shown.held and shown.deliveries == ()
    # The whole final text, as it would go, and what a second check still finds in it.
    assert "We are testing a quick fix." in shown.text and "hotfix" not in shown.text
    assert "still need a look" in shown.text and '"DNS"' in shown.text
    assert "'send these words'" in shown.text
    assert len(world.outbox()) == rows, "nothing goes before the yes"
    with transaction(world.app.engine) as session:
        assert session.get(DraftRow, "comms.lead@example.org") is not None
    sent = world.run("send these words")
    assert sent.ok and not sent.held and sent.deliveries, sent.text
    world.deliver()
    html = world.mailer.sent[-1].html
    assert "hotfix" not in html and "We are testing a quick fix." in html
    assert not world.run("send these words").ok, "the draft is gone once sent"


def test_send_these_words_without_suggestions_says_so(world: World) -> None:
    world.run(OPEN)
    world.run("update Some candidates cannot sign in. The cause is a DNS failover.")
    reply = world.run("send these words")
    assert not reply.ok and "no suggested words" in reply.text


def test_advice_alone_never_holds_a_message_but_is_shown(world: World) -> None:
    world.run(OPEN)
    reply = world.run("update Some candidates cannot sign in. We are fixing the issue.")
    assert reply.ok and not reply.held and reply.deliveries
    assert "Sent. Advice for the next message" in reply.text
    assert '"issue"' in reply.text and "does not hold a message back" in reply.text


def test_a_p1_is_never_held_but_annotated(world: World) -> None:
    world.run(OPEN.replace(" p2 ", " p1 "))
    reply = world.run(JARGON)
    assert reply.ok and not reply.held and reply.deliveries
    assert "Sent now, as this is a P1" in reply.text and "DNS" in reply.text
    world.deliver()
    assert any("DNS failover" in m.html for m in world.mailer.sent)
    assert all(r.status == outbox.DONE for r in world.outbox())


def test_a_held_open_leaves_no_incident_and_a_clean_one_goes(world: World) -> None:
    reply = world.run("open Apply is down p3 impact: Latency on the API gateway services: apply")
    assert reply.held and world.outbox() == []
    assert "No incident is open" in world.run("status", who=None).text
    shown = world.run("send suggested")
    assert shown.held and "impact: Delay on the API gateway" in shown.text
    assert "No incident is open" in world.run("status", who=None).text
    reply = world.run("send these words")
    assert reply.ok and "INC-2026-0001 is open at P3" in reply.text


def test_nothing_waiting_is_a_clear_answer(world: World) -> None:
    reply = world.run("send anyway")
    assert not reply.ok and "no message waiting" in reply.text


def test_the_confirmation_word_is_understood_and_listed_in_help() -> None:
    from comms_assistant.domain import commands as c

    assert c.parse("send these words") == c.SendDraft(suggested=True, confirmed=True)
    assert c.parse("send confirmed") == c.SendDraft(suggested=True, confirmed=True)
    assert c.parse("send suggested") == c.SendDraft(suggested=True)
    assert "send these words" in c.HELP_TEXT


def test_the_held_card_asks_for_the_yes_once_the_final_words_are_shown() -> None:
    from comms_assistant.entrypoints.bot import cards as bot_cards

    held = bot_cards.held_card("Not sent yet. x", author="a@x.org", draft="d", suggested=True)
    assert [a["title"] for a in held["actions"]] == ["Send as written", "Send suggested", "Edit"]
    shown = bot_cards.held_card(
        "Not sent yet. With the suggested words it reads:\n\nupdate y\n\n"
        "Send these words: 'send these words'.",
        author="a@x.org",
        draft="d",
        suggested=True,
    )
    titles = [a["title"] for a in shown["actions"]]
    assert titles == ["Send as written", "Send these words", "Edit"]
    assert shown["actions"][1]["data"]["how"] == "confirmed"


def test_the_suggested_words_keep_what_was_said_about_who_is_affected_and_what_to_do(
    world: World,
) -> None:
    """Sending the suggestion used to rebuild 'update <text>' alone, dropping impact: and do:
    (and an open's do: and lead:): readers would have been told the old impact."""
    world.run(OPEN)
    world.run(f"{JARGON} impact: Candidates cannot sign in do: Ask candidates to wait")
    shown = world.run("send suggested")
    assert "impact: Candidates cannot sign in do: Ask candidates to wait" in shown.text
    world.run("send these words")
    world.deliver()
    assert "Ask candidates to wait" in world.mailer.sent[-1].html
    from comms_assistant.adapters.sql.store import find_incident

    with transaction(world.app.engine) as session:
        assert find_incident(session, "INC-2026-0001").impact == "Candidates cannot sign in"


def test_a_held_open_sent_with_the_suggested_words_keeps_its_lead_and_advice(
    world: World,
) -> None:
    held = world.run(
        "open Apply needs a hotfix p2 impact: Candidates cannot submit "
        "do: Ask candidates to wait lead: tech.lead@example.org"
    )
    assert held.held
    shown = world.run("send suggested")
    assert "do: Ask candidates to wait lead: tech.lead@example.org" in shown.text, shown.text
