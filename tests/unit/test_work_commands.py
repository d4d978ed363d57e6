"""The words of the work around an incident (issue 21): `bridge`, `action`, `actions`,
`invite`, `review meeting`, and the dates and times they take. Pure: no clock, no store."""

from __future__ import annotations

from datetime import date, time

import pytest

from comms_assistant.domain import commands as c
from comms_assistant.domain.dates import SaidDate, parse_date, parse_moment, parse_time

TUESDAY = date(2026, 12, 22)


@pytest.mark.parametrize(
    ("said", "meant"),
    [
        ("2026-12-14", date(2026, 12, 14)),
        ("14/12/2026", date(2026, 12, 14)),
        ("24/12", date(2026, 12, 24)),  # day first, as in the UK
        ("14 December", date(2027, 12, 14)),  # no year: the next one, and 14 Dec 2026 is past
        ("24 Dec", date(2026, 12, 24)),
        ("5th January 2027", date(2027, 1, 5)),
        ("January 5", date(2027, 1, 5)),
        ("today", TUESDAY),
        ("tomorrow", date(2026, 12, 23)),
        ("tuesday", date(2026, 12, 29)),  # a day's name is the next one after today
        ("friday", date(2026, 12, 25)),
        ("29 February", date(2028, 2, 29)),  # the next leap day there is
    ],
)
def test_dates_as_people_type_them(said: str, meant: date) -> None:
    assert parse_date(said).resolve(TUESDAY) == meant


@pytest.mark.parametrize("said", ["31/02", "soon", "14 Smarch", "2026-13-01", "next week"])
def test_a_wrong_date_is_named_with_the_forms_understood(said: str) -> None:
    with pytest.raises(c.ParseError) as refused:
        parse_date(said)
    assert f'"{said}" is not a date' in str(refused.value)
    assert "14 December" in str(refused.value)


@pytest.mark.parametrize(
    ("said", "meant"),
    [("10:00", time(10)), ("14:30", time(14, 30)), ("2:30pm", time(14, 30)),
     ("10am", time(10)), ("12pm", time(12)), ("12am", time(0)), ("midday", time(12))],
)  # fmt: skip
def test_times_of_day(said: str, meant: time) -> None:
    assert parse_time(said) == meant


@pytest.mark.parametrize("said", ["10", "25:00", "10:75", "teatime", "13pm"])
def test_a_wrong_time_is_named(said: str) -> None:
    with pytest.raises(c.ParseError, match="is not a time of day"):
        parse_time(said)


def test_a_moment_is_a_date_then_a_time() -> None:
    assert parse_moment("14 December 10 am").at == time(10)
    assert parse_moment("2026-12-14 at 14:30").day == SaidDate(14, 12, 2026)
    with pytest.raises(c.ParseError, match="needs a date and a time"):
        parse_moment("friday")


def test_an_action_with_its_owner_and_due_date_taken_off_the_end() -> None:
    command = c.parse("action Add an alert on queue depth owner tech.lead@example.org due 14 Dec")
    assert command == c.AddAction(
        "Add an alert on queue depth", owner="tech.lead@example.org", due=SaidDate(14, 12)
    )
    either_order = c.parse("action Add an alert due 2027-01-05 owner me")
    assert either_order == c.AddAction("Add an alert", owner="me", due=SaidDate(5, 1, 2027))
    colons = c.parse("action Add an alert owner: Tech.Lead@Example.org due: tomorrow")
    assert colons == c.AddAction(
        "Add an alert", owner="tech.lead@example.org", due=SaidDate(days_from_today=1)
    )


def test_owner_and_due_inside_the_text_stay_words() -> None:
    for text in (
        "Check why the due date was missed",
        "Tell finance what is due to them",
        "Ask the product owner about the rollback",
    ):
        assert c.parse(f"action {text}") == c.AddAction(text)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("action Fix it owner bob", '"bob" is not a person'),
        ("action Fix it due 31/02", '"31/02" is not a date'),
        ("action Fix it due: soon", '"soon" is not a date'),
        ("action Fix it owner: due 2026-12-24", 'Say what goes after "owner:"'),
        ("action owner me", "Say what needs doing before owner or due"),
        ("action Fix owner a@example.org owner b@example.org", '"owner" is given twice'),
        ("action", "Say what needs doing"),
        ("action 2", "'action 2 done' marks it done"),
    ],
)
def test_a_wrong_action_is_refused_naming_the_word(text: str, said: str) -> None:
    with pytest.raises(c.ParseError) as refused:
        c.parse(text)
    assert said in str(refused.value)


@pytest.mark.parametrize(
    "text", ["action 1 done", "action #1 done", "ACTION 1 Done.", "action 1 completed"]
)
def test_completing_an_action(text: str) -> None:
    assert c.parse(text) == c.CompleteAction(1)


def test_two_words_after_a_number_are_an_action_of_their_own() -> None:
    assert c.parse("action 2 servers need patching") == c.AddAction("2 servers need patching")


def test_the_other_words() -> None:
    assert c.parse("bridge") == c.Bridge()
    assert c.parse("actions") == c.ListActions()
    assert c.parse("review") == c.Review()
    assert c.parse("invite a@example.org, B@Example.org") == c.Invite(
        ("a@example.org", "b@example.org")
    )
    assert c.parse("review meeting off") == c.CancelReviewMeeting()
    moved = c.parse("review meeting 14 January 2027 2pm")
    assert moved == c.MoveReviewMeeting(parse_moment("14 January 2027 2pm"))


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("bridge now", "'bridge' takes no words after it"),
        ("actions please", "'actions' takes no words after it"),
        ("invite bob", '"bob" is not an email address'),
        ("invite", "Say who to invite"),
        ("review it", "'review meeting <date and time>'"),
        ("review meeting", "Say when the review meeting is"),
        ("review meeting whenever 10am", '"whenever" is not a date'),
        ("review meeting friday teatime", '"teatime" is not a time of day'),
    ],
)
def test_the_other_words_refused_with_what_was_expected(text: str, said: str) -> None:
    with pytest.raises(c.ParseError) as refused:
        c.parse(text)
    assert said in str(refused.value)


def test_help_names_them_all() -> None:
    said = ("bridge", "action <what needs doing>", "action <number> done", "actions",
            "invite <email>", "review meeting <date and time>", "review meeting off")  # fmt: skip
    for words in said:
        assert words in c.HELP_TEXT, words
    with pytest.raises(c.ParseError, match='did you mean "action"'):
        c.parse("actoin Fix it")
