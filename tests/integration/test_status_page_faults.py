"""The public status page against the sandbox tenant's Statuspage and GitHub, with its faults:
429 with Retry-After, 503, and accept-then-fail. Whatever happens, every public update reaches
the page once: none lost, none twice. Checked from the sandbox's files."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_reliability_harness import FakeClock, Product

from comms_assistant.adapters.sql import outbox
from comms_assistant.bootstrap import bootstrap
from comms_assistant.config import Settings
from comms_assistant.sandbox import SandboxTenant, seed

OPEN = (
    "open Apply is down p2 impact: Candidates cannot submit applications services: apply "
    "public: yes"
)
UPDATES = (
    "update Candidates can sign in again but still cannot submit",
    "update Most candidates can submit again",
)
APPLY = seed.STATUSPAGE_COMPONENTS[0][1]
# msgraph's generated builders warn about their own deprecated config classes.
pytestmark = pytest.mark.filterwarnings("ignore:.*is deprecated:DeprecationWarning")


def product_with(tmp_path: Path, kind: str) -> Iterator[Product]:
    clock = FakeClock()
    with SandboxTenant(tmp_path / "tenant", faults=[], clock=clock.epoch) as tenant:
        settings = Settings(home=tmp_path / "home", sandbox_url=tenant.base_url, status_page=kind)
        yield Product(bootstrap(settings, clock=clock), tenant, clock)


@pytest.fixture
def statuspage(tmp_path: Path) -> Iterator[Product]:
    yield from product_with(tmp_path, "statuspage")


@pytest.fixture
def upptime(tmp_path: Path) -> Iterator[Product]:
    yield from product_with(tmp_path, "upptime")


def fault(product: Product, **rule: Any) -> None:
    product.control("POST", "faults", json=rule)


def page_incidents(product: Product) -> list[dict[str, Any]]:
    folder = product.tenant.root / "statuspage" / seed.STATUSPAGE_PAGE_ID / "incidents"
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]


def component(product: Product) -> str:
    folder = product.tenant.root / "statuspage" / seed.STATUSPAGE_PAGE_ID
    components = json.loads((folder / "components.json").read_text())
    return str(next(c["status"] for c in components if c["id"] == APPLY))


def issues(product: Product) -> list[dict[str, Any]]:
    folder = product.tenant.root / "github" / seed.STATUS_REPO / "issues"
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]


def run_all(product: Product, *commands: str) -> None:
    for command in commands:
        rows = product.deliver(product.run(command))
        assert {r.status for r in rows} == {outbox.DONE}, [(r.key, r.last_error) for r in rows]


def bodies(incident: dict[str, Any]) -> list[str]:
    return [u["body"] for u in reversed(incident["incident_updates"])]  # oldest first


def test_statuspage_a_whole_incident(statuspage: Product) -> None:
    run_all(statuspage, OPEN)
    [incident] = page_incidents(statuspage)
    assert incident["name"] == "Problem with Apply for teacher training"
    assert component(statuspage) == "partial_outage"
    run_all(statuspage, *UPDATES, "close Restored the connection")
    [incident] = page_incidents(statuspage)
    assert bodies(incident) == [
        "Candidates cannot submit applications.",
        "Candidates can sign in again but still cannot submit.",
        "Most candidates can submit again.",
        "Apply for teacher training is working normally again. This is fixed.",
    ]
    assert incident["status"] == "resolved"
    assert component(statuspage) == "operational"


def test_statuspage_429_with_retry_after_on_the_create(statuspage: Product) -> None:
    fault(statuspage, method="POST", path="/statuspage/v1/pages/[^/]+/incidents$", status=429,
          retry_after=7, times=1)  # fmt: skip
    started = statuspage.clock()
    run_all(statuspage, OPEN)
    [incident] = page_incidents(statuspage)
    assert len(incident["incident_updates"]) == 1
    made = statuspage.calls("POST", r"/statuspage/v1/pages/[^/]+/incidents$")
    assert [r.status for r in made] == [429, 201]
    # Retried when it was told to, not before.
    assert made[1].time - made[0].time >= 7 and statuspage.clock() >= started


def test_statuspage_503s_lose_nothing(statuspage: Product) -> None:
    run_all(statuspage, OPEN)
    fault(statuspage, method="PATCH", path="/statuspage/v1/pages/.*/incidents/", status=503,
          times=2)  # fmt: skip
    run_all(statuspage, *UPDATES)
    [incident] = page_incidents(statuspage)
    assert bodies(incident)[1:] == [
        "Candidates can sign in again but still cannot submit.",
        "Most candidates can submit again.",
    ]


def test_statuspage_accept_then_fail_posts_nothing_twice(statuspage: Product) -> None:
    # The create is taken and its answer lost: the retry finds the incident by its metadata.
    fault(statuspage, method="POST", path="/statuspage/v1/pages/[^/]+/incidents$", status=503,
          after=True, times=1)  # fmt: skip
    run_all(statuspage, OPEN)
    # Each update is taken and its answer lost: the retry finds the update on the incident.
    fault(statuspage, method="PATCH", path="/statuspage/v1/pages/.*/incidents/", status=503,
          after=True, times=2)  # fmt: skip
    run_all(statuspage, *UPDATES, "close Restored the connection")
    [incident] = page_incidents(statuspage)
    assert len(bodies(incident)) == 4 and len(set(bodies(incident))) == 4
    assert incident["status"] == "resolved" and component(statuspage) == "operational"
    patched = statuspage.calls("PATCH", r"/statuspage/v1/pages/.*/incidents/")
    assert [r.status for r in patched] == [503, 503, 200]  # the two retries looked, then sent


def test_statuspage_a_security_incident_on_the_same_service_publishes_nothing(
    statuspage: Product,
) -> None:
    run_all(statuspage, OPEN, "close Restored the connection")
    run_all(
        statuspage,
        "open Suspicious sign-ins on Apply p2 impact: Candidates cannot sign in services: apply "
        "security: yes",
        "update Candidates still cannot sign in while we check the accounts",
    )
    assert len(page_incidents(statuspage)) == 1
    assert component(statuspage) == "operational"


def test_upptime_a_whole_incident(upptime: Product) -> None:
    run_all(upptime, OPEN, *UPDATES)
    [record] = issues(upptime)
    issue = record["issue"]
    assert issue["labels"] == ["status", "apply"] and issue["state"] == "open"
    assert issue["title"] == "Problem with Apply for teacher training"
    texts = [c["body"].split("\n\n<!--")[0] for c in record["comments"]]
    assert texts == [
        "Candidates cannot submit applications.",
        "Candidates can sign in again but still cannot submit.",
        "Most candidates can submit again.",
    ]
    run_all(upptime, "close Restored the connection")
    [record] = issues(upptime)
    assert record["issue"]["state"] == "closed"
    assert record["issue"]["state_reason"] == "completed"
    assert len(record["comments"]) == 4


def test_upptime_uses_the_site_s_open_issue(upptime: Product) -> None:
    opened = upptime.control("GET", "ratelimits")  # the tenant is up; open an issue as Upptime
    assert opened.status_code == 200
    import httpx

    headers = {"Authorization": f"Bearer {seed.GITHUB_TOKEN}"}
    made = httpx.post(
        f"{upptime.tenant.github_url}/repos/{seed.STATUS_REPO}/issues",
        json={"title": "🛑 Apply is down", "labels": ["status", "apply"]},
        headers=headers,
    )
    assert made.status_code == 201
    run_all(upptime, OPEN)
    [record] = issues(upptime)
    assert record["issue"]["title"] == "🛑 Apply is down" and len(record["comments"]) == 1


def test_upptime_faults_lose_nothing_and_post_nothing_twice(upptime: Product) -> None:
    fault(upptime, method="POST", path="/github/repos/.*/issues$", status=503, after=True,
          times=1)  # fmt: skip
    fault(upptime, method="POST", path="/github/repos/.*/comments$", status=429, retry_after=5,
          times=1)  # fmt: skip
    run_all(upptime, OPEN)
    fault(upptime, method="POST", path="/github/repos/.*/comments$", status=503, after=True,
          times=2)  # fmt: skip
    fault(upptime, method="PATCH", path="/github/repos/.*/issues/", status=503, times=1)
    run_all(upptime, *UPDATES, "close Restored the connection")
    [record] = issues(upptime)  # the issue whose create answer was lost was found, not made again
    texts = [c["body"].split("\n\n<!--")[0] for c in record["comments"]]
    assert len(texts) == 4 and len(set(texts)) == 4
    assert record["issue"]["state"] == "closed"


def test_statuspage_a_resolution_made_after_a_parked_publish_is_made_once(
    statuspage: Product,
) -> None:
    # The publish is refused for good: parked, and the lead told.
    fault(statuspage, method="POST", path="/statuspage/v1/pages/[^/]+/incidents$", status=422,
          times=1)  # fmt: skip
    rows = statuspage.deliver(statuspage.run(OPEN))
    [parked] = [r for r in rows if r.kind == "status.page"]
    assert parked.status == outbox.FAILED and "422" in (parked.last_error or "")
    assert page_incidents(statuspage) == []
    # The resolution makes the incident itself; its answer is lost, and the retry finds it
    # (resolved, so no longer among the unresolved) instead of making a second one.
    fault(statuspage, method="POST", path="/statuspage/v1/pages/[^/]+/incidents$", status=503,
          after=True, times=1)  # fmt: skip
    run_all(statuspage, "close Restored the connection")
    [incident] = page_incidents(statuspage)
    assert incident["status"] == "resolved" and len(incident["incident_updates"]) == 1
    assert component(statuspage) == "operational"
