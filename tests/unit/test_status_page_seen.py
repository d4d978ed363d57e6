"""Where people see the public status page's posts: the report's "Communications sent" (with
the message they followed, or a row of their own when no message went) and `status`."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from world import World
from world_build import build_world

from comms_assistant.adapters.word.read import read_comms

OPEN = (
    "open Apply for teacher training is down p2 impact: Candidates cannot submit applications "
    "services: apply public: yes"
)


@pytest.fixture
def world(tmp_path: Path) -> World:
    start = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    return build_world(tmp_path / "home", start, status_page="statuspage")


def comms_rows(world: World) -> list[list[str]]:
    report = world.documents.content(world.report_path())
    return [cells for number, cells in read_comms(report) if number is not None]


def test_a_published_message_lists_the_status_page_with_it(world: World) -> None:
    world.run(OPEN)
    world.deliver()
    world.run("update Candidates can sign in again but still cannot submit")
    world.deliver()
    rows = comms_rows(world)
    # Columns: sent at, message, to, by (the template's order).
    assert [cells[1] for cells in rows] == ["New incident", "Update 1"]
    for cells in rows:
        assert cells[2].endswith("; the public status page"), cells
        assert cells[3].split(", ")[-1] == "Status page", cells


def test_a_post_with_no_message_has_a_row_of_its_own(world: World) -> None:
    world.run(OPEN)
    world.deliver()
    world.run("unpublish")
    world.deliver()
    rows = comms_rows(world)
    assert [cells[1] for cells in rows] == [
        "New incident",
        "Taken off the public status page",
    ]
    assert rows[1][2:] == ["the public status page", "Status page"]


def test_a_message_not_published_lists_no_status_page(world: World) -> None:
    world.run(OPEN.replace(" public: yes", ""))
    world.deliver()
    [cells] = comms_rows(world)
    assert "status page" not in " ".join(cells).lower()


def page_line(world: World) -> str:
    text = world.run("status").text
    [line] = [line for line in text.splitlines() if line.startswith("Public status page")]
    return line


def test_status_says_whether_the_incident_is_on_the_page(world: World) -> None:
    world.run(OPEN.replace(" public: yes", ""))
    assert page_line(world) == (
        "Public status page (Statuspage): not on it. Send 'publish' to put it there."
    )
    world.run("publish")
    assert (
        page_line(world) == "Public status page (Statuspage): on it, 1 post, 1 not taken by it yet."
    )
    world.deliver()
    world.run("update Candidates can sign in again but still cannot submit")
    world.deliver()
    assert page_line(world) == "Public status page (Statuspage): on it, 2 posts."
    world.run("unpublish")
    assert page_line(world) == "Public status page (Statuspage): taken off with 'unpublish'."


def test_status_names_no_page_when_none_is_set_up(tmp_path: Path) -> None:
    plain = build_world(tmp_path / "plain", datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
    plain.run(OPEN.replace(" public: yes", ""))
    assert "status page" not in plain.run("status").text.lower()
