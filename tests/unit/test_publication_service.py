"""The public status page through the service and the dispatcher, on in-memory fakes: what is
published, in which words, and when nothing is."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from fake_status_page import FakeStatusPage
from world import World
from world_build import build_world

from comms_assistant.adapters.sql import outbox
from comms_assistant.domain.publication import Event
from comms_assistant.service.ports import DeliveryError

START = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
OPEN = "open Apply is down p2 impact: Candidates cannot submit applications services: apply"
REFERENCE = "INC-2026-0001"


@pytest.fixture
def world(tmp_path: Path) -> World:
    return build_world(tmp_path / "home", START, status_page="statuspage")


def page(world: World) -> FakeStatusPage:
    assert world.status_page is not None
    return world.status_page


def test_a_public_incident_is_published_with_its_impact_and_advice(world: World) -> None:
    reply = world.run(OPEN + " do: Try again after 3pm public: yes")
    assert "Publishing it on the public status page" in reply.text
    world.deliver()
    [post] = page(world).posts
    assert post.event is Event.PUBLISH
    assert post.name == "Problem with Apply for teacher training"
    assert post.body == (
        "Candidates cannot submit applications.\n\nWhat you need to do: Try again after 3pm."
    )
    assert post.status == "investigating"
    [service] = post.services
    assert (service.component, service.site, service.status) == (
        "sbxapply0001",
        "apply",
        "partial_outage",
    )
    assert REFERENCE not in post.page_ref and post.page_ref.startswith("ca-")


def test_an_incident_not_made_public_never_reaches_the_page(world: World) -> None:
    reply = world.run(OPEN)
    assert "status page" not in reply.text
    world.run("update Candidates can sign in but still cannot submit")
    world.run("priority p1 More candidates are affected")
    world.run("close Restored the connection")
    world.deliver()
    assert page(world).posts == []
    assert not [r for r in world.outbox() if r.kind == "status.page"]


def test_each_update_reaches_the_page_in_order_then_the_resolution(world: World) -> None:
    world.run(OPEN + " public: yes")
    world.run("update Candidates can sign in again but still cannot submit")
    world.run("update Most candidates can submit again public: Most people can apply again.")
    world.run("update A few candidates still cannot submit public: no")
    world.run("close Restored the connection to the database")
    world.deliver()
    posts = page(world).posts
    assert [p.event for p in posts] == [Event.PUBLISH, Event.UPDATE, Event.UPDATE, Event.RESOLVE]
    assert posts[1].body == "Candidates can sign in again but still cannot submit."
    assert posts[2].body == "Most people can apply again."
    resolved = posts[3]
    assert resolved.status == "resolved"
    assert resolved.body == "Apply for teacher training is working normally again. This is fixed."
    assert [s.status for s in resolved.services] == ["operational"]
    # One publication: every post names the same incident on the page.
    assert len({p.page_ref for p in posts}) == 1
    # The resolution's internal words never reach the page.
    assert all("database" not in p.body for p in posts)


def test_public_no_says_so(world: World) -> None:
    world.run(OPEN + " public: yes")
    reply = world.run("update A few candidates still cannot submit public: no")
    assert "Not on the public status page: left off the status page, as asked." in reply.text


def test_a_priority_change_shows_on_the_components(world: World) -> None:
    world.run(OPEN + " public: yes")
    world.run("priority p1 Nobody can apply now")
    world.run("status monitoring")  # not a message: nothing goes
    world.run("update Applications work again and we are watching them")
    world.deliver()
    posts = page(world).posts
    assert [p.event for p in posts] == [Event.PUBLISH, Event.UPDATE, Event.UPDATE]
    assert posts[1].services[0].status == "major_outage"
    assert posts[1].body == "Candidates cannot submit applications."
    assert (posts[2].status, posts[2].services[0].status) == ("monitoring", "degraded_performance")


def test_a_security_incident_is_never_published_unless_asked_in_its_own_words(
    world: World,
) -> None:
    world.run(OPEN.replace(" p2 ", " p2 security: yes "))
    world.run("update Candidates cannot submit while we check the accounts")
    world.deliver()
    assert page(world).posts == []
    refused = world.run("publish")
    assert not refused.ok and "security incident: say what the public may read" in refused.text

    assert world.run("publish Some people cannot submit applications.").ok
    said = world.run("update Candidates still cannot submit while we lock the accounts")
    assert "only words given with 'public:'" in said.text
    world.run("update Candidates still cannot submit public: Applications are still slow.")
    world.run("close Locked the accounts and reset the passwords")
    world.deliver()
    posts = page(world).posts
    assert [p.event for p in posts] == [Event.PUBLISH, Event.UPDATE, Event.RESOLVE]
    assert [p.body for p in posts[:2]] == [
        "Some people cannot submit applications.",
        "Applications are still slow.",
    ]
    # Its name names no service, and nothing of its own words goes.
    assert {p.name for p in posts} == {"Problem with one of our services"}
    assert all("accounts" not in p.body for p in posts)


def test_publish_later_uses_the_latest_update(world: World) -> None:
    world.run(OPEN)
    world.run("update Candidates can sign in but still cannot submit do: Save your answers")
    reply = world.run("publish")
    assert reply.ok and "Publishing it on the public status page" in reply.text
    again = world.run("publish")
    assert not again.ok and "already on the public status page" in again.text
    world.deliver()
    [post] = page(world).posts
    assert post.body == (
        "Candidates can sign in but still cannot submit.\n\nWhat you need to do: Save your answers."
    )


def test_unpublish_takes_it_off_and_nothing_follows(world: World) -> None:
    world.run(OPEN + " public: yes")
    assert world.run("unpublish").ok
    world.run("update Candidates can sign in but still cannot submit")
    refused = world.run("unpublish")
    assert not refused.ok and "is not on the public status page" in refused.text
    world.deliver()
    posts = page(world).posts
    assert [p.event for p in posts] == [Event.PUBLISH, Event.UNPUBLISH]
    assert [s.status for s in posts[1].services] == ["operational"]
    # Published again: a new incident on the page.
    world.run("publish")
    world.deliver()
    assert page(world).posts[-1].page_ref != posts[0].page_ref


def test_a_closed_incident_cannot_be_published(world: World) -> None:
    world.run(OPEN)
    world.run("close Restored the connection")
    refused = world.run(f"{REFERENCE} publish")
    assert not refused.ok and "only an open incident can be published" in refused.text


def test_without_a_status_page_publish_says_how_to_set_one_up(tmp_path: Path) -> None:
    world = build_world(tmp_path / "home", START)
    said = world.run(OPEN + " public: yes")  # nothing to publish to: nothing queued
    assert "Nothing goes on a public status page: none is set up" in said.text
    assert not [r for r in world.outbox() if r.kind == "status.page"]
    refused = world.run("publish")
    assert not refused.ok and "set status_page" in refused.text


def test_names_addresses_and_links_are_taken_out_and_the_reply_says_so(world: World) -> None:
    world.run(OPEN + " public: yes")
    reply = world.run(
        "update Candidates can sign in again public: Candidates cannot submit yet. Rowan Hale "
        "is fixing it: see https://apply.example.org/admin or write to rowan.hale@example.org."
    )
    assert "Taken out of its words: an email address, a link, a person's name" in reply.text
    world.deliver()
    body = page(world).posts[-1].body
    assert body == "Candidates cannot submit yet. Our team is fixing it: see or write to."
    assert "Rowan" not in body and "example.org" not in body


def test_the_profile_can_publish_incidents_on_public_services(tmp_path: Path) -> None:
    profile = tmp_path / "profile.toml"
    default = (Path(__file__).parents[2] / "comms_assistant/profiles/default.toml").read_text()
    profile.write_text(default + "\n[status_page]\npublish_public_services = true\n")
    world = build_world(tmp_path / "home", START, status_page="statuspage", profile=str(profile))
    world.run(OPEN)  # apply is public in the bundled catalogue
    world.run(OPEN.replace("services: apply", "services: apply security: yes"))
    world.run("open Something internal is slow p3")  # no service named: not public
    world.deliver()
    assert [p.event for p in page(world).posts] == [Event.PUBLISH]


def test_upptime_needs_a_site_for_the_incident(tmp_path: Path) -> None:
    world = build_world(tmp_path / "home", START, status_page="upptime")
    reply = world.run("open Something internal is slow p3 public: yes")
    assert "Nothing can go on Upptime: none of INC-2026-0001's services has an upptime_site" in (
        reply.text
    )
    refused = world.run("publish")
    assert not refused.ok and "upptime_site" in refused.text


def test_an_uncertain_post_is_not_made_twice(world: World) -> None:
    world.run(OPEN + " public: yes")
    world.deliver()
    # The page takes the update, then the answer is lost: the retry looks and finds it.
    page(world).faults.after["update"].append(DeliveryError("503 after taking it"))
    world.run("update Candidates can sign in but still cannot submit")
    world.deliver()
    world.clock.advance(minutes=5)
    world.deliver()
    updates = [p for p in page(world).posts if p.event is Event.UPDATE]
    assert len(updates) == 1
    row = next(r for r in world.outbox() if r.key == f"{REFERENCE}:2:status-page")
    assert row.status == outbox.DONE and row.result["found_on_page"] is True


def test_a_refused_post_is_parked_and_the_lead_told(world: World) -> None:
    world.run(OPEN + " public: yes")
    page(world).faults.before["publish"].append(
        DeliveryError("HTTP 422 Component x is not a component of this page", retryable=False)
    )
    world.deliver()
    [row] = [r for r in world.outbox() if r.kind == "status.page"]
    assert row.status == outbox.FAILED and "422" in (row.last_error or "")
    told = [r for r in world.outbox() if r.key == f"{REFERENCE}:parked:{row.key}"]
    assert len(told) == 1
    assert "the public status page's publish" in str(told[0].payload)
    # The next update does not wait on it, and makes the incident on the page itself.
    world.run("update Candidates can sign in but still cannot submit")
    world.deliver()
    assert [p.event for p in page(world).posts] == [Event.UPDATE]


def test_the_public_words_are_checked_like_any_message(world: World) -> None:
    world.run(OPEN + " public: yes")
    held = world.run(
        "update Candidates can sign in but still cannot submit public: The underlying "
        "microservice latency is degraded"
    )
    assert held.held and "Not sent yet" in held.text
    shown = world.run("send suggested")
    assert "public:" in shown.text  # the suggestion keeps the public words' place
    world.deliver()
    assert [p.event for p in page(world).posts] == [Event.PUBLISH]


def test_services_taken_off_the_incident_go_back_to_operational(world: World) -> None:
    world.run(OPEN + " public: yes")
    world.run("services find")
    world.run("update Candidates cannot search for courses but can submit applications")
    world.run("close Candidates can search for courses again")
    world.deliver()
    update, resolved = page(world).posts[1:]
    assert {(s.component, s.status) for s in update.services} == {
        ("sbxfind00001", "partial_outage"),
        ("sbxapply0001", "operational"),
    }
    assert {s.status for s in resolved.services} == {"operational"}
    assert {s.component for s in resolved.services} == {"sbxfind00001", "sbxapply0001"}


def test_the_hand_over_prompt_asks_for_the_public_page_too(world: World) -> None:
    from comms_assistant.service.cadence import CadenceService

    world.clock.now = datetime(2026, 11, 23, 16, 30, tzinfo=UTC)
    world.run(OPEN + " public: yes")
    world.run("open Find is slow p3 services: find")
    world.clock.now = datetime(2026, 11, 23, 17, 0, 30, tzinfo=UTC)
    app = world.app
    CadenceService(app.unit_of_work, app.planner(), app.policy(), app.tz, world.clock).run_tick()
    prompts = {
        r.key.split(":")[0]: str(r.payload) for r in world.outbox() if ":end-of-day:" in r.key
    }
    assert (
        "It is on the public status page: tell the public where things stand"
        in (prompts["INC-2026-0001"])
    )
    assert "public status page" not in prompts["INC-2026-0002"]
