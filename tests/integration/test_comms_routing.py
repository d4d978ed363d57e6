"""Who hears what, proven from what the sandbox tenant received: the Bcc of each .eml in Sent
Items, the cards in each channel's folder and the cards in each 1:1 chat."""

from __future__ import annotations

import json
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from test_reliability_harness import Product

from comms_assistant.adapters.card_rules import validate_card
from comms_assistant.adapters.sql import outbox

pytestmark = pytest.mark.filterwarnings("ignore:.*is deprecated:DeprecationWarning")

OPEN = (
    "open Apply for teacher training is down p2 impact: Candidates cannot submit applications "
    "services: apply"
)
MAJOR = "major-incidents@example.org"
SECURITY = {"gideon.marsh@example.org", "florence.quill@example.org"}


def bcc(message: EmailMessage) -> set[str]:
    return {a.addr_spec for a in message["Bcc"].addresses}


def plain(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()  # type: ignore[union-attr]


def by_banner(product: Product, banner: str) -> list[EmailMessage]:
    return [m for m in product.emails() if banner in plain(m)]


def chats(product: Product) -> dict[str, list[dict[str, Any]]]:
    """Person → the cards posted in the 1:1 chat with them."""
    found: dict[str, list[dict[str, Any]]] = {}
    for meta in (product.tenant.root / "chats").glob("*/chat.meta"):
        (person,) = json.loads(meta.read_text())["members"]
        posts = sorted(meta.parent.glob("*.json"))
        found[person] = [json.loads(p.read_text()) for p in posts]
    return found


def channel_folders(product: Product) -> dict[str, int]:
    root = product.tenant.root / "teams"
    return {
        str(folder.relative_to(root)): len(list(folder.glob("*.json")))
        for folder in root.glob("*/*")
        if folder.is_dir()
    }


def card_of(post: dict[str, Any]) -> dict[str, Any]:
    (attachment,) = post["attachments"]
    return json.loads(attachment["content"])


def test_escalation_catches_up_new_people_and_tells_the_central_team_once(
    product: Product,
) -> None:
    ids = product.run(OPEN)
    for command in (
        "priority p1 More candidates are affected",
        "priority p2 Fewer candidates are affected",
        "priority p1 It is spreading again",
        "update Candidates can sign in but still cannot submit",
    ):
        ids |= product.run(command)
    rows = product.deliver(ids)
    assert {r.status for r in rows} == {outbox.DONE}, [(r.key, r.last_error) for r in rows]

    (opened,) = by_banner(product, "New incident")
    (caught_up,) = by_banner(product, "What has happened so far")
    (major,) = by_banner(product, "Major incident notification")  # P2→P1→P2→P1: once
    assert bcc(major) == {MAJOR}
    assert "Candidates cannot submit applications" in plain(major)
    assert "Incident lead" in plain(major) or "declared it" in plain(major)
    # The P1 adds the programme delivery manager and deputy director: they are caught up.
    assert {"harriet.vance@example.org", "marcus.ellery@example.org"} <= bcc(caught_up)
    assert not bcc(caught_up) & bcc(opened)
    # The second escalation finds everyone told already: no second catch-up, no second notice.
    told = bcc(opened) | bcc(caught_up) | {MAJOR}
    (lowered,) = by_banner(product, "priority lowered to P2")
    assert bcc(lowered) == told, "lowering the priority drops nobody already told"
    (update,) = by_banner(product, "Update 4: ")
    assert bcc(update) == told

    # Nadia reads Teams only: her chat has the opening card and each update since.
    nadia = chats(product)["nadia.farrow@example.org"]
    assert len(nadia) == 5 and all(validate_card(card_of(p)) == [] for p in nadia)
    # Harriet joined at P1: her chat starts with the catch-up card.
    harriet = chats(product)["harriet.vance@example.org"]
    assert "What has happened so far" in json.dumps(card_of(harriet[0]))

    ids = product.run("close Restored the connection to the applications database")
    product.deliver(ids)
    (resolved,) = by_banner(product, "Resolved: Apply")
    assert bcc(resolved) == told, "everyone told by email hears it is over by email"
    for person, posts in chats(product).items():
        assert '"Resolved: ' in json.dumps(card_of(posts[-1])), person
    assert channel_folders(product)["Incident response/Support desk"] == 6


def test_a_security_incident_reaches_no_channel_and_says_restricted(product: Product) -> None:
    ids = product.run("open Candidate data may have leaked p2 services: apply security: yes")
    ids |= product.run("lead gideon.marsh@example.org")
    ids |= product.run(
        "update Candidates can use the service. We are checking what the leak showed"
    )
    rows = product.deliver(ids)
    assert {r.status for r in rows} == {outbox.DONE}

    assert sum(channel_folders(product).values()) == 0, "nothing in any channel"
    for message in product.emails():
        assert bcc(message) <= SECURITY | {"comms.lead@example.org"}
    gideon = chats(product)["gideon.marsh@example.org"]
    assert gideon and all("RESTRICTED" in json.dumps(card_of(p)) for p in gideon)
    assert set(chats(product)) == {"gideon.marsh@example.org"}


def test_a_security_p1_tells_the_central_team_only_that_it_exists_and_that_it_ended(
    product: Product,
) -> None:
    secret = "Candidates cannot tell if other people saw their passport scans"
    ids = product.run(
        f"open Candidate data may have leaked p2 impact: {secret} services: apply security: yes"
    )
    ids |= product.run("lead gideon.marsh@example.org")
    ids |= product.run("priority p1 The leak is wider than the apply service")
    ids |= product.run("update We have closed the bucket that held the scans")
    ids |= product.run("close Turned off public access to the storage")
    rows = product.deliver(ids)
    assert {r.status for r in rows} == {outbox.DONE}

    central = [m for m in product.emails() if MAJOR in bcc(m)]
    # The notification, the end and that its report is filed; no update, and never together
    # with the security contacts.
    assert len(central) == 3 and all(bcc(m) == {MAJOR} for m in central)
    (notification,) = [m for m in central if "Major incident notification" in plain(m)]
    assert any("Resolved" in plain(m) for m in central)
    (filed,) = [m for m in central if "Major incident report filed" in plain(m)]
    # Filed where they cannot read it: whom to ask, and no link to the security folder.
    assert "ask Gideon Marsh" in plain(filed)
    assert 'href="http' not in filed.get_body(("html",)).get_content()  # type: ignore[union-attr]
    for message in central:
        shown = plain(message) + str(message["Subject"])
        shown += message.get_body(("html",)).get_content()  # type: ignore[union-attr]
        for detail in ("leak", "passport", "apply", "bucket", "public access", "docx", "wider"):
            assert detail not in shown.lower(), (detail, str(message["Subject"]))
        assert "Restricted security incident" in str(message["Subject"])
        assert "Do not share or forward this message" in plain(message)
    # Who leads it, by name, the address only as the link to write to.
    assert "Gideon Marsh" in plain(notification)
    html = notification.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert 'href="mailto:gideon.marsh@example.org"' in html
    assert "Services\tRestricted" in plain(notification)
    assert "We will tell you when it is over" in plain(notification)
    assert "report" not in plain(notification).lower().replace("major incident report", "")
    # The security audience heard everything, as before.
    told = [m for m in product.emails() if bcc(m) & SECURITY]
    assert any(secret in plain(m) for m in told)
    assert sum(channel_folders(product).values()) == 0


def test_notify_will_not_give_the_central_team_a_security_incidents_details(
    product: Product,
) -> None:
    product.deliver(
        product.run("open Candidate data may have leaked p2 services: apply security: yes")
    )
    before = len(product.emails())
    reply = product.app.commands().execute(f"notify {MAJOR}", who="comms.lead@example.org")
    assert not reply.ok and reply.deliveries == ()
    assert "hears only that it exists" in reply.text
    assert len(product.emails()) == before


def test_notify_tells_a_downstream_team_what_happened_so_far(product: Product) -> None:
    product.deliver(product.run(OPEN))
    reply = product.app.commands().execute("status", who=None)
    assert reply.ok
    product.deliver(product.run("notify register"))
    (caught_up,) = by_banner(product, "What has happened so far")
    assert bcc(caught_up) == {"tobias.wren@example.org"}
    assert "Candidates cannot submit applications" in plain(caught_up)
    assert "callum.reyes@example.org" in chats(product)


def test_a_big_fan_out_is_paced_under_exchanges_limit_not_refused(
    product: Product, tmp_path: Path
) -> None:
    # 36 incidents at once, each one mail to support: more than Exchange's 30 a minute.
    ids: set[int] = set()
    for n in range(36):
        ids |= product.run(f"open Service {n} is slow p4 services: find")
    start = product.clock()
    rows = product.deliver(ids, rounds=200)
    assert {r.status for r in rows} == {outbox.DONE}
    sends = product.calls("POST", r"/sendMail$")
    assert len(sends) == 36 and {r.status for r in sends} == {202}, "no 429 at all"
    times = sorted(r.time for r in sends)
    assert times[30] - times[0] >= 60, "the 31st waited for the minute to pass"
    assert len(product.emails()) == 36
    assert (product.clock() - start).total_seconds() < 130
