"""The meetings and Planner tasks through the product's real delivery path (bootstrap → commands
→ outbox → dispatcher → msgraph-sdk → the sandbox tenant) under throttling, outages and answers
that never came: no meeting and no task is made twice, and a Planner 412 is read again and the
change applied again. Time is simulated (test_reliability_harness.FakeClock)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from test_reliability_harness import FakeClock, Product

from comms_assistant.adapters.sql import outbox
from comms_assistant.bootstrap import bootstrap
from comms_assistant.config import Settings
from comms_assistant.sandbox import SandboxTenant, seed

pytestmark = pytest.mark.filterwarnings("ignore:.*is deprecated:DeprecationWarning")

OPEN_P1 = "open Apply is down p1 impact: Candidates cannot submit applications services: apply"
OPEN_P2 = OPEN_P1.replace(" p1 ", " p2 ")
ACTION = "action Add an alert on the queue depth owner tech.lead@example.org due 2026-12-14"
EVENTS = r"/users/[^/]+/events$"
TASKS = r"/planner/tasks$"


def events(product: Product) -> list[dict[str, Any]]:
    folder = product.tenant.root / "calendar" / seed.SERVICE_ACCOUNT
    return [json.loads(p.read_text()) for p in sorted(folder.rglob("*.json"))]


def tasks(product: Product) -> list[dict[str, Any]]:
    folder = product.tenant.root / "planner" / seed.PLAN_ID / "tasks"
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]


def faults(product: Product, *rules: dict[str, Any]) -> None:
    product.control("POST", "faults", json=list(rules))


def hits(product: Product) -> dict[str, int]:
    return {r["id"]: r["hits"] for r in product.control("GET", "faults").json()["value"]}


def settled(rows: list[Any]) -> None:
    assert {r.status for r in rows} == {outbox.DONE}, [(r.key, r.last_error) for r in rows]


@pytest.mark.parametrize(
    "rule",
    [
        {"status": 503, "retry_after": 5, "times": 2},
        {"status": 429, "retry_after": 30, "times": 3},
        {"status": 503, "after": True, "times": 1},  # Outlook made it; the answer was lost
        {"drop": True, "after": True, "times": 1},
    ],
    ids=["503", "429", "503-after", "dropped-after"],
)
def test_the_bridge_is_made_once_whatever_creating_it_meets(
    product: Product, rule: dict[str, Any]
) -> None:
    faults(product, {"id": "events", "method": "POST", "path": EVENTS, **rule})
    settled(product.deliver(product.run(OPEN_P1)))
    assert hits(product) == {"events": rule["times"]}
    [bridge] = events(product)
    assert bridge["onlineMeeting"]["joinUrl"]
    # Asked again with its transactionId each time: the same event came back.
    posts = product.calls("POST", EVENTS)
    assert len(posts) == rule["times"] + 1


@pytest.mark.parametrize(
    "rule",
    [
        {"status": 503, "times": 2},
        {"status": 429, "retry_after": 30, "times": 2},
        {"status": 503, "after": True, "times": 1},  # Planner made it; the answer was lost
        {"drop": True, "after": True, "times": 1},
    ],
    ids=["503", "429", "503-after", "dropped-after"],
)
def test_an_actions_task_is_made_once_whatever_creating_it_meets(
    product: Product, rule: dict[str, Any]
) -> None:
    settled(product.deliver(product.run(OPEN_P2)))
    faults(product, {"id": "tasks", "method": "POST", "path": TASKS, **rule})
    rows = product.deliver(product.run(ACTION))
    settled(rows)
    assert hits(product) == {"tasks": rule["times"]}
    [task] = tasks(product)
    assert task["title"].endswith("action 1: Add an alert on the queue depth")
    if rule.get("after"):
        # The retry looked in the plan first, found the task, and made no second one.
        assert product.calls("GET", r"/planner/plans/[^/]+/tasks$")
        assert len(product.calls("POST", TASKS)) == 1
    [row] = [r for r in rows if r.kind == "planner.task"]
    assert row.result["task_id"] == task["id"]


def test_the_review_meeting_is_booked_once_through_503s_and_a_lost_answer(
    product: Product,
) -> None:
    settled(product.deliver(product.run(OPEN_P2)))
    faults(
        product,
        {"id": "down", "method": "POST", "path": EVENTS, "status": 503, "times": 2},
        {"id": "lost", "method": "POST", "path": EVENTS, "status": 503, "after": True, "times": 1},
    )
    settled(product.deliver(product.run("close Restored the connection")))
    reply = product.app.commands().execute("review", who="comms.lead@example.org")
    settled(product.deliver(set(reply.deliveries)))
    [meeting] = [e for e in events(product) if "review meeting" in e["subject"]]
    assert meeting["attendees"] and meeting["onlineMeeting"]["joinUrl"]
    assert hits(product) == {"down": 2, "lost": 1}


def test_a_planner_412_is_read_again_and_the_completion_applied_again(product: Product) -> None:
    settled(product.deliver(product.run(OPEN_P2)))
    settled(product.deliver(product.run(ACTION)))
    [task] = tasks(product)
    # Its owner moves the due date in Planner: its eTag moves past the one the product kept.
    edited = product.control(
        "POST",
        f"planner/tasks/{task['id']}",
        json={"by": "tech.lead@example.org", "dueDateTime": "2026-12-18T12:00:00Z"},
    ).json()
    assert edited["@odata.etag"] != task["@odata.etag"]
    mark = len(product.tenant.requests)

    rows = product.deliver(product.run("action 1 done"))

    settled(rows)
    patches = [r.status for r in product.calls("PATCH", r"/planner/tasks/[^/]+$", mark)]
    assert patches[0] == 412 and patches[-1] in (200, 204) and len(patches) == 2
    assert product.calls("GET", rf"/planner/tasks/{task['id']}$", mark)
    [done] = tasks(product)
    assert done["percentComplete"] == 100
    assert done["dueDateTime"].startswith("2026-12-18")  # the owner's change stays
    [row] = [r for r in rows if r.kind == "planner.done"]
    assert row.result["read_again"] == 1


def test_a_shared_mailbox_organiser_makes_no_bridge_and_the_lead_is_told(
    tmp_path: Path, clock: FakeClock
) -> None:
    with SandboxTenant(tmp_path / "tenant", faults=[], clock=clock.epoch) as tenant:
        settings = Settings(
            home=tmp_path / "home",
            sandbox_url=tenant.base_url,
            meeting_organiser=seed.MAILBOXES[0],  # the shared mailbox the mail goes from
        )
        product = Product(bootstrap(settings, clock=clock), tenant, clock)
        product.deliver(product.run(OPEN_P1))
        bridge = next(r for r in outbox.rows(product.app.engine) if r.kind == "meeting.bridge")
        assert bridge.status == outbox.FAILED
        assert "shared mailbox" in (bridge.last_error or "")
        told = [r for r in outbox.rows(product.app.engine) if ":parked:" in r.key]
        product.deliver({r.id for r in told})
        [card] = told
        assert "a licensed user's mailbox" in json.dumps(card.payload)
