"""The sandbox's Atlassian Statuspage API, driven over HTTP as the product will drive it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from comms_assistant.sandbox import SandboxTenant, seed

PAGE = f"/pages/{seed.STATUSPAGE_PAGE_ID}"
APPLY, FIND = seed.STATUSPAGE_COMPONENTS[0][1], seed.STATUSPAGE_COMPONENTS[1][1]
EVIL = '<script>alert("x")</script>'


@pytest.fixture
def statuspage(sandbox: SandboxTenant) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"OAuth {seed.STATUSPAGE_API_KEY}"}
    with httpx.Client(base_url=sandbox.statuspage_url, headers=headers) as client:
        yield client


def open_incident(client: httpx.Client, **fields: object) -> dict[str, Any]:
    incident = {
        "name": "Apply for teacher training is slow",
        "status": "investigating",
        "body": "We are looking into slow pages.",
        "components": {APPLY: "degraded_performance"},
        **fields,
    }
    reply = client.post(f"{PAGE}/incidents", json={"incident": incident})
    assert reply.status_code == 201, reply.text
    return dict(reply.json())


def component_status(client: httpx.Client, component_id: str) -> str:
    return str(client.get(f"{PAGE}/components/{component_id}").json()["status"])


def folder(sandbox: SandboxTenant) -> Path:
    return sandbox.root / "statuspage" / seed.STATUSPAGE_PAGE_ID


def test_the_seeded_page_has_one_operational_component_per_service(
    statuspage: httpx.Client, sandbox: SandboxTenant
) -> None:
    components = statuspage.get(f"{PAGE}/components").json()
    assert [(c["id"], c["name"]) for c in components] == [
        (cid, name) for _key, cid, name in seed.STATUSPAGE_COMPONENTS
    ]
    assert {c["status"] for c in components} == {"operational"}
    assert statuspage.get(PAGE).json()["name"] == seed.STATUSPAGE_PAGE_NAME
    on_disk = json.loads((folder(sandbox) / "components.json").read_text())
    assert [c["id"] for c in on_disk] == [c["id"] for c in components]


def test_an_incident_from_investigating_to_resolved(
    statuspage: httpx.Client, sandbox: SandboxTenant
) -> None:
    made = open_incident(statuspage)
    assert made["status"] == "investigating" and made["impact"] == "minor"
    assert [c["id"] for c in made["components"]] == [APPLY]
    [first] = made["incident_updates"]
    assert first["body"] == "We are looking into slow pages."
    assert first["affected_components"] == [
        {"code": APPLY, "name": "Apply for teacher training",
         "old_status": "operational", "new_status": "degraded_performance"}
    ]  # fmt: skip
    assert component_status(statuspage, APPLY) == "degraded_performance"
    incident = f"{PAGE}/incidents/{made['id']}"

    identified = {"status": "identified", "body": "A database is overloaded.",
                  "components": {APPLY: "partial_outage"}}  # fmt: skip
    reply = statuspage.patch(incident, json={"incident": identified})
    assert reply.status_code == 200
    assert reply.json()["impact"] == "major"
    assert [u["body"] for u in reply.json()["incident_updates"]] == [
        "A database is overloaded.",  # newest first, as the API lists them
        "We are looking into slow pages.",
    ]
    assert [i["id"] for i in statuspage.get(f"{PAGE}/incidents/unresolved").json()] == [made["id"]]

    resolved = {"status": "resolved", "body": "Fixed.", "components": {APPLY: "operational"}}
    done = statuspage.patch(incident, json={"incident": resolved}).json()

    assert done["status"] == "resolved" and done["resolved_at"]
    assert done["impact"] == "major"  # the worst it reached
    assert [u["status"] for u in done["incident_updates"]] == [
        "resolved", "identified", "investigating"
    ]  # fmt: skip
    assert component_status(statuspage, APPLY) == "operational"
    assert statuspage.get(f"{PAGE}/incidents/unresolved").json() == []
    assert [i["id"] for i in statuspage.get(f"{PAGE}/incidents").json()] == [made["id"]]
    stored = json.loads((folder(sandbox) / "incidents" / f"{made['id']}.json").read_text())
    assert [u["body"] for u in stored["incident_updates"]][0] == "Fixed."
    assert stored["component_ids"] == [APPLY]


def test_resolving_leaves_components_alone_unless_told(statuspage: httpx.Client) -> None:
    made = open_incident(statuspage)
    reply = statuspage.patch(
        f"{PAGE}/incidents/{made['id']}", json={"incident": {"status": "resolved"}}
    )
    assert reply.json()["status"] == "resolved"
    assert component_status(statuspage, APPLY) == "degraded_performance"


def test_a_name_change_adds_no_update(statuspage: httpx.Client) -> None:
    made = open_incident(statuspage)
    reply = statuspage.patch(
        f"{PAGE}/incidents/{made['id']}", json={"incident": {"name": "Apply is slow"}}
    )
    assert reply.json()["name"] == "Apply is slow"
    assert len(reply.json()["incident_updates"]) == 1


def test_form_encoded_bodies_and_json_suffixes_work(statuspage: httpx.Client) -> None:
    form = {
        "incident[name]": "Find is down",
        "incident[status]": "identified",
        "incident[body]": "Find is not answering.",
        f"incident[components][{FIND}]": "major_outage",
        "incident[component_ids][]": APPLY,
    }
    reply = statuspage.post(f"{PAGE}/incidents.json", data=form)
    assert reply.status_code == 201, reply.text
    made = reply.json()
    assert made["status"] == "identified" and made["impact"] == "critical"
    assert [c["id"] for c in made["components"]] == [APPLY, FIND]
    assert component_status(statuspage, FIND) == "major_outage"
    assert component_status(statuspage, APPLY) == "operational"  # named, not changed
    assert statuspage.get(f"{PAGE}/incidents/{made['id']}.json").json()["id"] == made["id"]


def test_components_as_a_list_of_ids_name_them_without_changing_them(
    statuspage: httpx.Client,
) -> None:
    # The reference's "Sending Data" example sends `components` as a list of ids.
    incident = {"name": "Find and Apply", "components": [FIND], "component_ids": [APPLY]}
    made = statuspage.post(f"{PAGE}/incidents", json={"incident": incident}).json()
    assert sorted(c["id"] for c in made["components"]) == sorted([APPLY, FIND])
    assert made["impact"] == "none"
    assert component_status(statuspage, FIND) == "operational"


def test_components_can_be_set_on_their_own(statuspage: httpx.Client) -> None:
    reply = statuspage.patch(
        f"{PAGE}/components/{FIND}", json={"component": {"status": "under_maintenance"}}
    )
    assert reply.status_code == 200 and reply.json()["status"] == "under_maintenance"
    assert component_status(statuspage, FIND) == "under_maintenance"
    bad = statuspage.patch(f"{PAGE}/components/{FIND}", json={"component": {"status": "down"}})
    assert bad.status_code == 422 and "message" in bad.json()


def test_bad_requests_are_refused_as_the_api_does(statuspage: httpx.Client) -> None:
    def create(incident: dict[str, object]) -> httpx.Response:
        return statuspage.post(f"{PAGE}/incidents", json={"incident": incident})

    assert create({"status": "investigating"}).status_code == 422  # no name
    unknown = create({"name": "x", "components": {"nosuchthing1": "major_outage"}})
    assert unknown.status_code == 422 and "nosuchthing1" in unknown.json()["message"]
    assert create({"name": "x", "status": "scheduled"}).status_code == 422
    assert create({"name": "x", "body": "y" * 25_001}).status_code == 422
    assert statuspage.post(f"{PAGE}/incidents", json={"name": "x"}).status_code == 400
    assert statuspage.get("/pages/nosuchpage00/incidents").status_code == 404
    missing = statuspage.get(f"{PAGE}/incidents/nosuchincid1")
    assert missing.status_code == 404 and missing.json() == {
        "message": "The requested resource could not be found."
    }
    assert statuspage.get(f"{PAGE}/metrics").status_code == 404
    assert statuspage.get(f"{PAGE}/incidents").json() == []  # nothing was made


def test_delete_removes_the_incident_and_its_file(
    statuspage: httpx.Client, sandbox: SandboxTenant
) -> None:
    made = open_incident(statuspage)
    reply = statuspage.delete(f"{PAGE}/incidents/{made['id']}")
    assert reply.status_code == 200 and reply.json()["id"] == made["id"]
    assert statuspage.get(f"{PAGE}/incidents").json() == []
    assert not (folder(sandbox) / "incidents" / f"{made['id']}.json").exists()


def test_the_key_is_checked_and_oauth_is_case_sensitive(sandbox: SandboxTenant) -> None:
    url = f"{sandbox.statuspage_url}{PAGE}/incidents"
    key = seed.STATUSPAGE_API_KEY
    for headers in ({}, {"Authorization": "OAuth wrong"}, {"Authorization": f"Oauth {key}"},
                    {"Authorization": f"Bearer {key}"}):  # fmt: skip
        reply = httpx.get(url, headers=headers)
        assert reply.status_code == 401, headers
        assert reply.json() == {"message": "Could not authenticate"}
    assert httpx.get(url, params={"api_key": key}).status_code == 200


def test_the_61st_request_in_60_seconds_gets_420_and_the_window_rolls(tmp_path: Path) -> None:
    now = [1_800_000_000.0]
    with SandboxTenant(tmp_path / "sandbox", faults=[], clock=lambda: now[0]) as tenant:
        headers = {"Authorization": f"OAuth {seed.STATUSPAGE_API_KEY}"}
        with httpx.Client(base_url=tenant.statuspage_url, headers=headers) as client:
            for second in range(60):  # one a second: fine
                now[0] = 1_800_000_000.0 + second * 0.5  # even in a burst
                assert client.get(f"{PAGE}/components").status_code == 200
            refused = client.get(f"{PAGE}/components")
            assert refused.status_code == 420
            assert "Retry-After" not in refused.headers  # Atlassian documents none
            assert "message" in refused.json()
            now[0] = 1_800_000_060.0  # the first request has left the window
            assert client.get(f"{PAGE}/components").status_code == 200
            assert client.get(f"{PAGE}/components").status_code == 420  # the second has not


def test_the_limit_can_be_lowered_and_answer_429(
    statuspage: httpx.Client, control: httpx.Client
) -> None:
    changed = control.patch(
        "/_sandbox/ratelimits", json={"statuspage": {"requests": 2, "status": 429}}
    )
    assert changed.status_code == 200 and changed.json()["statuspage"]["requests"] == 2
    assert [statuspage.get(PAGE).status_code for _ in range(3)] == [200, 200, 429]
    assert control.patch("/_sandbox/ratelimits", json={"statuspage": {"status": 418}}).is_error
    assert control.delete("/_sandbox/ratelimits").status_code == 204
    assert control.get("/_sandbox/ratelimits").json()["statuspage"] == {
        "requests": 60, "window": 60.0, "status": 420
    }  # fmt: skip
    assert statuspage.get(PAGE).status_code == 200  # the counts were forgotten


def add_fault(control: httpx.Client, rule: dict[str, object]) -> None:
    assert control.post("/_sandbox/faults", json=rule).status_code == 201


def test_faults_answer_in_statuspage_shape(statuspage: httpx.Client, control: httpx.Client) -> None:
    add_fault(control, {"method": "POST", "path": "^/statuspage/v1/pages/[^/]+/incidents$",
                        "status": 429, "retry_after": 3, "times": 1})  # fmt: skip
    throttled = statuspage.post(f"{PAGE}/incidents", json={"incident": {"name": "x"}})
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "3"
    assert set(throttled.json()) == {"message"}  # not Graph's {"error": ...}
    assert statuspage.get(f"{PAGE}/incidents").json() == []  # refused: nothing made

    made = open_incident(statuspage)
    add_fault(control, {"method": "PATCH", "path": "/incidents/", "status": 503, "times": 1})
    update = {"incident": {"status": "identified", "body": "Found."}}
    assert statuspage.patch(f"{PAGE}/incidents/{made['id']}", json=update).status_code == 503
    assert len(statuspage.get(f"{PAGE}/incidents/{made['id']}").json()["incident_updates"]) == 1


def test_accept_then_fail_stores_the_update_though_the_client_sees_503(
    statuspage: httpx.Client, control: httpx.Client, sandbox: SandboxTenant
) -> None:
    made = open_incident(statuspage)
    add_fault(control, {"method": "PATCH", "path": "/incidents/", "status": 503,
                        "after": True, "times": 1})  # fmt: skip
    update = {"incident": {"status": "identified", "body": "Found it."}}
    reply = statuspage.patch(f"{PAGE}/incidents/{made['id']}", json=update)
    assert reply.status_code == 503
    # Look before posting again (no idempotency key): the update is there.
    updates = statuspage.get(f"{PAGE}/incidents/{made['id']}").json()["incident_updates"]
    assert [u["body"] for u in updates] == ["Found it.", "We are looking into slow pages."]
    stored = json.loads((folder(sandbox) / "incidents" / f"{made['id']}.json").read_text())
    assert stored["status"] == "identified"


def test_the_page_shows_the_status_page_as_a_visitor_sees_it(
    statuspage: httpx.Client, control: httpx.Client
) -> None:
    calm = control.get("/").text
    assert "All systems operational" in calm and "No open incidents." in calm

    made = open_incident(statuspage, name=f"Apply is slow {EVIL}")
    update = {"status": "monitoring", "body": "A fix is out; watching.",
              "components": {APPLY: "operational"}}  # fmt: skip
    statuspage.patch(f"{PAGE}/incidents/{made['id']}", json={"incident": update})
    statuspage.patch(f"{PAGE}/components/{FIND}", json={"component": {"status": "major_outage"}})
    html = control.get("/").text

    assert "<h2>Public status page (Statuspage)</h2>" in html
    assert f"<caption>Components of {seed.STATUSPAGE_PAGE_NAME}</caption>" in html
    assert "<td>Find teacher training courses</td><td>Major outage</td>" in html
    assert "All systems operational" not in html
    assert "<h4>Open incidents</h4>" in html and "&lt;script&gt;" in html and "<script" not in html
    newest, oldest = html.index("A fix is out; watching."), html.index("We are looking into")
    assert newest < oldest  # newest first
    assert "<strong>Monitoring</strong>" in html


def test_updates_sent_at_once_are_all_kept(
    statuspage: httpx.Client, sandbox: SandboxTenant
) -> None:
    made = open_incident(statuspage)
    headers = {"Authorization": f"OAuth {seed.STATUSPAGE_API_KEY}"}

    async def send_all() -> list[int]:
        async with httpx.AsyncClient(base_url=sandbox.statuspage_url, headers=headers) as client:
            replies = await asyncio.gather(
                *(
                    client.patch(
                        f"{PAGE}/incidents/{made['id']}",
                        json={"incident": {"body": f"Update {n}"}},
                    )
                    for n in range(6)
                )
            )
        return [reply.status_code for reply in replies]

    assert asyncio.run(send_all()) == [200] * 6
    updates = statuspage.get(f"{PAGE}/incidents/{made['id']}").json()["incident_updates"]
    assert sorted(u["body"] for u in updates[:6]) == [f"Update {n}" for n in range(6)]
    assert len(updates) == 7
