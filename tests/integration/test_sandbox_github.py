"""The sandbox's GitHub issues API on the Upptime status repository, driven over HTTP."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from comms_assistant.sandbox import SandboxTenant, seed

REPO = f"/repos/{seed.STATUS_REPO}"
EVIL = "<img src=x onerror=alert(1)>"


@pytest.fixture
def github(sandbox: SandboxTenant) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {seed.GITHUB_TOKEN}"}
    with httpx.Client(base_url=sandbox.github_url, headers=headers) as client:
        yield client


def open_issue(client: httpx.Client, title: str = "Apply for teacher training is down",
               labels: tuple[str, ...] = ("status", "apply")) -> dict[str, Any]:  # fmt: skip
    reply = client.post(f"{REPO}/issues", json={"title": title, "body": "Slow pages.",
                                                 "labels": list(labels)})  # fmt: skip
    assert reply.status_code == 201, reply.text
    return dict(reply.json())


def stored(sandbox: SandboxTenant, number: int) -> dict[str, Any]:
    path = sandbox.root / "github" / seed.STATUS_REPO / "issues" / f"{number}.json"
    return dict(json.loads(path.read_text()))


def numbers(client: httpx.Client, **params: str) -> list[int]:
    reply = client.get(f"{REPO}/issues", params=params)
    assert reply.status_code == 200, reply.text
    return [issue["number"] for issue in reply.json()]


def test_the_seeded_repository_is_an_upptime_status_repository(
    github: httpx.Client, sandbox: SandboxTenant
) -> None:
    repo = github.get(REPO).json()
    assert repo["full_name"] == seed.STATUS_REPO and repo["private"] is False
    assert repo["permissions"]["push"] is True  # the token may set labels
    names = [label["name"] for label in github.get(f"{REPO}/labels").json()]
    assert names == ["status", *(slug for _name, slug, _url in seed.UPPTIME_SITES)]
    config = (sandbox.root / "github" / seed.STATUS_REPO / ".upptimerc.yml").read_text()
    assert "  - name: Apply for teacher training\n" in config and "    slug: sign-in\n" in config


def test_an_incident_opened_updated_by_comments_and_closed(
    github: httpx.Client, sandbox: SandboxTenant
) -> None:
    made = open_issue(github)
    assert made["number"] == 1 and made["state"] == "open"
    assert [label["name"] for label in made["labels"]] == ["status", "apply"]
    assert str(made["url"]).endswith(f"/github{REPO}/issues/1")
    assert made["html_url"] == f"https://github.com/{seed.STATUS_REPO}/issues/1"

    for text in ("We have found the cause.", "A fix is out."):
        reply = github.post(f"{REPO}/issues/1/comments", json={"body": text})
        assert reply.status_code == 201
        assert reply.headers["Location"] == reply.json()["url"]
        assert reply.json()["user"]["login"] == seed.GITHUB_LOGIN
    listed = github.get(f"{REPO}/issues/1/comments").json()
    assert [c["body"] for c in listed] == ["We have found the cause.", "A fix is out."]
    assert numbers(github, labels="status,apply") == [1]  # Upptime's look-up
    assert numbers(github, labels="status,find") == []

    closed = github.patch(f"{REPO}/issues/1", json={"state": "closed"}).json()

    assert closed["state"] == "closed" and closed["state_reason"] == "completed"
    assert closed["closed_at"] and closed["closed_by"]["login"] == seed.GITHUB_LOGIN
    assert closed["comments"] == 2
    assert numbers(github, labels="apply") == []  # open is the default
    assert numbers(github, labels="apply", state="closed") == [1]
    on_disk = stored(sandbox, 1)
    assert on_disk["issue"]["state"] == "closed"
    assert [c["body"] for c in on_disk["comments"]] == [
        "We have found the cause.",
        "A fix is out.",
    ]
    reopened = github.patch(f"{REPO}/issues/1", json={"state": "open"}).json()
    assert reopened["state_reason"] == "reopened" and reopened["closed_at"] is None


def test_listing_sorts_filters_and_pages_as_github_does(github: httpx.Client) -> None:
    for title in ("First", "Second", "Third"):
        open_issue(github, title, ("status", "find"))
    github.patch(f"{REPO}/issues/2", json={"state": "closed", "state_reason": "not_planned"})
    assert numbers(github) == [3, 1]  # open only, newest first
    assert numbers(github, state="all", direction="asc") == [1, 2, 3]
    assert numbers(github, state="all", labels="FIND") == [3, 2, 1]  # names match in any case
    first = github.get(f"{REPO}/issues", params={"state": "all", "per_page": "2"})
    assert [i["number"] for i in first.json()] == [3, 2]
    assert 'rel="next"' in first.headers["Link"] and "page=2" in first.headers["Link"]
    second = github.get(f"{REPO}/issues", params={"state": "all", "per_page": "2", "page": "2"})
    assert [i["number"] for i in second.json()] == [1] and 'rel="prev"' in second.headers["Link"]
    assert github.get(f"{REPO}/issues/2").json()["state_reason"] == "not_planned"
    assert github.get(f"{REPO}/issues", params={"state": "shut"}).status_code == 422


def test_labels_the_repository_lacks_are_made(github: httpx.Client) -> None:
    made = open_issue(github, labels=("status", "apply", "maintenance"))
    assert [label["name"] for label in made["labels"]] == ["status", "apply", "maintenance"]
    assert "maintenance" in [label["name"] for label in github.get(f"{REPO}/labels").json()]
    relabelled = github.patch(f"{REPO}/issues/1", json={"labels": ["STATUS"]}).json()
    assert [label["name"] for label in relabelled["labels"]] == ["status"]


def test_bad_requests_are_refused_as_github_does(github: httpx.Client) -> None:
    no_title = github.post(f"{REPO}/issues", json={"body": "x"})
    assert no_title.status_code == 422 and no_title.json()["status"] == "422"
    open_issue(github)
    no_body = github.post(f"{REPO}/issues/1/comments", json={})
    assert no_body.status_code == 422
    assert no_body.json()["errors"] == [
        {"resource": "IssueComment", "code": "missing_field", "field": "body"}
    ]
    assert github.patch(f"{REPO}/issues/1", json={"state": "done"}).status_code == 422
    missing = github.get(f"{REPO}/issues/99")
    assert missing.status_code == 404 and missing.json()["message"] == "Not Found"
    assert github.get("/repos/example-org/nothing/issues").status_code == 404
    assert github.get(f"{REPO}/issues/1/comments").json() == []  # the bad ones made nothing


def test_tokens_are_checked_and_reads_of_the_public_repository_need_none(
    sandbox: SandboxTenant,
) -> None:
    url = f"{sandbox.github_url}{REPO}/issues"
    bad = httpx.get(url, headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401 and bad.json()["message"] == "Bad credentials"
    basic = httpx.post(url, json={"title": "x"}, headers={"Authorization": "Basic x"})
    assert basic.status_code == 401
    anonymous_write = httpx.post(url, json={"title": "x"})
    assert anonymous_write.status_code == 401
    assert anonymous_write.json()["message"] == "Requires authentication"
    anonymous_read = httpx.get(url)
    assert anonymous_read.status_code == 200 and anonymous_read.headers["x-ratelimit-limit"] == "60"
    as_token = httpx.get(url, headers={"Authorization": f"token {seed.GITHUB_TOKEN}"})
    assert as_token.status_code == 200 and as_token.headers["x-ratelimit-limit"] == "5000"
    assert as_token.headers["x-ratelimit-resource"] == "core"


def test_the_primary_limit_counts_down_and_refuses_at_zero(
    github: httpx.Client, control: httpx.Client
) -> None:
    control.patch("/_sandbox/ratelimits", json={"github": {"core": 3}})
    remaining = [github.get(REPO).headers["x-ratelimit-remaining"] for _ in range(3)]
    assert remaining == ["2", "1", "0"]
    refused = github.get(REPO)
    assert refused.status_code == 403 and refused.headers["x-ratelimit-remaining"] == "0"
    assert "rate limit exceeded" in refused.json()["message"]
    assert int(refused.headers["x-ratelimit-reset"]) > 0


def test_the_secondary_limit_on_creating_content_answers_with_retry_after(
    github: httpx.Client, control: httpx.Client
) -> None:
    control.patch("/_sandbox/ratelimits", json={"github": {"content_per_minute": 2,
                                                           "status": 429}})  # fmt: skip
    open_issue(github)
    assert github.post(f"{REPO}/issues/1/comments", json={"body": "one"}).status_code == 201
    refused = github.post(f"{REPO}/issues/1/comments", json={"body": "two"})
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert "secondary rate limit" in refused.json()["message"]
    assert [c["body"] for c in github.get(f"{REPO}/issues/1/comments").json()] == ["one"]
    assert github.get(f"{REPO}/issues/1").status_code == 200  # reading is not creating


def add_fault(control: httpx.Client, rule: dict[str, object]) -> None:
    assert control.post("/_sandbox/faults", json=rule).status_code == 201


def test_faults_answer_in_githubs_shape_with_retry_after(
    github: httpx.Client, control: httpx.Client
) -> None:
    open_issue(github)
    add_fault(control, {"method": "POST", "path": "^/github/.*/comments$", "status": 429,
                        "retry_after": 5, "times": 1})  # fmt: skip
    throttled = github.post(f"{REPO}/issues/1/comments", json={"body": "Update"})
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "5"
    assert throttled.json()["status"] == "429" and "documentation_url" in throttled.json()
    assert "x-ratelimit-remaining" in throttled.headers
    assert github.get(f"{REPO}/issues/1/comments").json() == []
    add_fault(control, {"method": "GET", "path": "^/github/", "status": 503, "times": 1})
    assert github.get(f"{REPO}/issues").status_code == 503
    assert numbers(github) == [1]


def test_accept_then_fail_stores_the_comment_though_the_client_sees_503(
    github: httpx.Client, control: httpx.Client, sandbox: SandboxTenant
) -> None:
    open_issue(github)
    add_fault(control, {"method": "POST", "path": "/comments$", "status": 503, "after": True,
                        "times": 1})  # fmt: skip
    reply = github.post(f"{REPO}/issues/1/comments", json={"body": "We have found the cause."})
    assert reply.status_code == 503
    assert [c["body"] for c in github.get(f"{REPO}/issues/1/comments").json()] == [
        "We have found the cause."
    ]
    assert len(stored(sandbox, 1)["comments"]) == 1


def test_the_page_shows_the_repository_issues_and_comments(
    github: httpx.Client, control: httpx.Client
) -> None:
    assert "No issues yet." in control.get("/").text
    open_issue(github, f"Apply is down {EVIL}")
    github.post(f"{REPO}/issues/1/comments", json={"body": "We have found the cause."})
    open_issue(github, "Find was slow", ("status", "find"))
    github.patch(f"{REPO}/issues/2", json={"state": "closed"})
    html = control.get("/").text

    assert "<h2>Upptime status repository (GitHub issues)</h2>" in html
    assert f"<caption>Sites in {seed.STATUS_REPO}&#x27;s .upptimerc.yml</caption>" in html
    assert "<td>Apply for teacher training</td><td>apply</td>" in html
    assert "<td>https://apply.example.org</td><td>#1</td>" in html
    assert html.index("#2 Find was slow") < html.index("#1 Apply is down")  # newest first
    assert "Closed (completed)" in html and "We have found the cause." in html
    assert "<img" not in html and "&lt;img" in html


def test_state_survives_a_restart(tmp_path: Path) -> None:
    root = tmp_path / "sandbox"
    headers = {"Authorization": f"Bearer {seed.GITHUB_TOKEN}"}
    with SandboxTenant(root, faults=[]) as tenant:
        httpx.post(f"{tenant.github_url}{REPO}/issues", json={"title": "Kept"}, headers=headers)
    with SandboxTenant(root, faults=[]) as tenant:
        again = httpx.get(f"{tenant.github_url}{REPO}/issues", headers=headers).json()
        assert [i["title"] for i in again] == ["Kept"]
        made = httpx.post(
            f"{tenant.github_url}{REPO}/issues", json={"title": "Next"}, headers=headers
        )
        assert made.json()["number"] == 2 and made.json()["id"] != again[0]["id"]


def test_comments_sent_at_once_are_all_kept(github: httpx.Client, sandbox: SandboxTenant) -> None:
    open_issue(github)
    headers = {"Authorization": f"Bearer {seed.GITHUB_TOKEN}"}

    async def send_all() -> list[int]:
        async with httpx.AsyncClient(base_url=sandbox.github_url, headers=headers) as client:
            replies = await asyncio.gather(
                *(
                    client.post(f"{REPO}/issues/1/comments", json={"body": f"Update {n}"})
                    for n in range(8)
                )
            )
        return [reply.status_code for reply in replies]

    assert asyncio.run(send_all()) == [201] * 8
    kept = github.get(f"{REPO}/issues/1/comments").json()
    assert sorted(c["body"] for c in kept) == [f"Update {n}" for n in range(8)]
    assert len({c["id"] for c in kept}) == 8
    assert github.get(f"{REPO}/issues/1").json()["comments"] == 8
