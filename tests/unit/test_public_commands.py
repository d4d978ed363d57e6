"""The status page's words in commands: `public:` in open, update and close; publish, unpublish."""

from __future__ import annotations

import pytest

from comms_assistant.domain import commands as c


def test_open_public_yes_publishes_from_the_start() -> None:
    command = c.parse("open Apply is down p2 impact: Nobody can apply services: apply public: yes")
    assert isinstance(command, c.Open)
    assert command.public is True and command.services == ("apply",)
    assert command.impact == "Nobody can apply"


def test_open_without_public_is_not_published() -> None:
    command = c.parse("open Apply is down p2 services: apply")
    assert isinstance(command, c.Open) and command.public is False
    command = c.parse("open Apply is down p2 public: no")
    assert isinstance(command, c.Open) and command.public is False


def test_a_security_incident_cannot_be_opened_public() -> None:
    with pytest.raises(c.ParseError) as error:
        c.parse("open Suspicious sign-ins p2 security: yes public: yes")
    assert '"public: yes" cannot go with "security: yes"' in str(error.value)
    assert "publish <what the public may read>" in str(error.value)


def test_public_at_open_names_the_wrong_word_and_what_was_expected() -> None:
    with pytest.raises(c.ParseError) as error:
        c.parse("open Apply is down p2 public: maybe")
    assert '"public: maybe" should be "public: yes" or "public: no"' in str(error.value)


def test_update_public_gives_the_page_its_own_words() -> None:
    command = c.parse(
        "update The database is back public: Most people can apply again do: Try again later"
    )
    assert command == c.Update(
        "The database is back", advice="Try again later", public="Most people can apply again"
    )


def test_update_public_no_leaves_it_off_the_page() -> None:
    assert c.parse("update Still looking public: no") == c.Update("Still looking", public="")
    assert c.parse("update Still looking") == c.Update("Still looking", public=None)


def test_update_public_with_nothing_after_it_is_refused() -> None:
    with pytest.raises(c.ParseError) as error:
        c.parse("update Still looking public:")
    assert "after public:" in str(error.value) and "'public: no'" in str(error.value)


def test_update_names_public_among_what_it_takes() -> None:
    with pytest.raises(c.ParseError) as error:
        c.parse("update Still looking services: apply")
    assert '"services:" does not go in an update' in str(error.value)
    assert '"public:"' in str(error.value)


def test_close_public_gives_the_resolution_its_public_words() -> None:
    command = c.parse("close Restarted the database public: Everyone can apply again")
    assert command == c.Close("Restarted the database", public="Everyone can apply again")
    assert c.parse("close Restarted the database") == c.Close("Restarted the database")


def test_close_needs_what_fixed_it_before_public() -> None:
    with pytest.raises(c.ParseError) as error:
        c.parse("close public: Everyone can apply again")
    assert "before public:" in str(error.value)


def test_publish_with_and_without_words() -> None:
    assert c.parse("publish") == c.Publish("")
    assert c.parse("publish Some people cannot sign in.") == c.Publish(
        "Some people cannot sign in."
    )
    assert c.parse("publish public: Some people cannot sign in") == c.Publish(
        "Some people cannot sign in"
    )
    assert c.parse("INC-2026-0002 publish") == c.Publish("")


def test_publish_no_points_to_unpublish() -> None:
    with pytest.raises(c.ParseError) as error:
        c.parse("publish no")
    assert "'unpublish'" in str(error.value)


def test_unpublish_takes_no_words() -> None:
    assert c.parse("unpublish") == c.Unpublish()
    with pytest.raises(c.ParseError) as error:
        c.parse("unpublish please")
    assert "'unpublish' takes no words after it" in str(error.value)


def test_a_near_miss_is_pointed_to_publish() -> None:
    with pytest.raises(c.ParseError) as error:
        c.parse("publsh")
    assert 'did you mean "publish"' in str(error.value)


def test_help_lists_the_status_page_commands() -> None:
    assert "publish [<what the public may read>] | unpublish" in c.HELP_TEXT
    assert "[public: yes]" in c.HELP_TEXT
