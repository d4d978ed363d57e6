"""Planner in the sandbox tenant, driven by the real msgraph-sdk: the seeded plan, tasks for an
incident review's actions, If-Match eTags, a person's changes, permissions, faults, the page."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from test_sandbox_sdk import make_client

from comms_assistant.sandbox import SandboxTenant, seed
from comms_assistant.sandbox.bot_connector import USERS

TECH_LEAD_ID = USERS[1][1]  # Tariq Tech's Entra object id
COMMS_LEAD_ID = USERS[0][1]
ASSIGNMENT = {"@odata.type": "#microsoft.graph.plannerAssignment", "orderHint": " !"}
REVIEW_URL = "https://example.sharepoint.com/sites/incidents/Shared Documents/review.docx"
REVIEW_KEY = "https%3A//example%2Esharepoint%2Ecom/sites/incidents/Shared Documents/review%2Edocx"


def new_task(title: str = "Add an alert on payroll queue depth", **extra: Any) -> Any:
    from msgraph.generated.models.planner_assignments import PlannerAssignments
    from msgraph.generated.models.planner_task import PlannerTask

    return PlannerTask(
        plan_id=seed.PLAN_ID,
        bucket_id=seed.BUCKET_ID,
        title=title,
        due_date_time=datetime(2026, 12, 15, 17, 0, tzinfo=UTC),
        assignments=PlannerAssignments(additional_data={TECH_LEAD_ID: dict(ASSIGNMENT)}),
        **extra,
    )


def etag(obj: Any) -> str:
    return str(obj.additional_data["@odata.etag"])


def config(if_match: str | None = None, prefer: str | None = None) -> Any:
    from kiota_abstractions.base_request_configuration import RequestConfiguration
    from kiota_abstractions.headers_collection import HeadersCollection

    headers = HeadersCollection()
    if if_match:
        headers.add("If-Match", if_match)
    if prefer:
        headers.add("Prefer", prefer)
    return RequestConfiguration(headers=headers)


def task_file(sandbox: SandboxTenant, task_id: str, kind: str = "tasks") -> dict[str, Any]:
    path = sandbox.root / "planner" / seed.PLAN_ID / kind / f"{task_id}.json"
    return dict(json.loads(path.read_text()))


def task_ids_on_disk(sandbox: SandboxTenant) -> list[str]:
    folder = sandbox.root / "planner" / seed.PLAN_ID / "tasks"
    return sorted(p.stem for p in folder.glob("*.json"))


def test_the_seeded_group_has_the_incident_actions_plan_and_a_bucket(
    sandbox: SandboxTenant,
) -> None:
    from msgraph.generated.models.planner_bucket import PlannerBucket

    async def scenario() -> tuple[Any, Any, Any, Any]:
        client = make_client(sandbox)
        plans = await client.groups.by_group_id(seed.GROUP_ID).planner.plans.get()
        plan = client.planner.plans.by_planner_plan_id(seed.PLAN_ID)
        made = await client.planner.buckets.post(
            PlannerBucket(name="Follow-ups", plan_id=seed.PLAN_ID, order_hint=" !")
        )
        return plans, await plan.get(), made, await plan.buckets.get()

    plans, plan, made, buckets = asyncio.run(scenario())
    assert [(p.id, p.title) for p in plans.value] == [(seed.PLAN_ID, "Incident actions")]
    assert plan.container.container_id == seed.GROUP_ID and etag(plan).startswith('W/"')
    assert len(made.id) == 28 and etag(made).startswith('W/"')
    assert {b.name for b in buckets.value} == {seed.BUCKET_NAME, "Follow-ups"}
    on_disk = sandbox.root / "planner" / seed.PLAN_ID
    assert (on_disk / "plan.json").is_file()
    assert (on_disk / "buckets" / f"{made.id}.json").is_file()


def test_sdk_creates_an_assigned_task_stored_as_files(sandbox: SandboxTenant) -> None:
    async def scenario() -> tuple[Any, Any, Any]:
        client = make_client(sandbox)
        made = await client.planner.tasks.post(new_task())
        fetched = await client.planner.tasks.by_planner_task_id(made.id).get()
        listed = await client.planner.plans.by_planner_plan_id(seed.PLAN_ID).tasks.get()
        return made, fetched, listed

    made, fetched, listed = asyncio.run(scenario())
    assert len(made.id) == 28 and made.plan_id == seed.PLAN_ID
    assert made.due_date_time == datetime(2026, 12, 15, 17, 0, tzinfo=UTC)
    assert list(made.assignments.additional_data) == [TECH_LEAD_ID]
    assert made.percent_complete == 0 and made.completed_date_time is None
    assert made.created_by.application.id == "sdk"  # the app's client id
    assert etag(fetched) == etag(made) and [t.id for t in listed.value] == [made.id]
    stored = task_file(sandbox, made.id)
    assert stored["title"] == "Add an alert on payroll queue depth"
    assert (
        stored["assignments"][TECH_LEAD_ID]["@odata.type"] == "#microsoft.graph.plannerAssignment"
    )
    assert task_file(sandbox, made.id, "details")["description"] == ""


def test_patch_needs_the_current_etag_and_completing_sets_the_completed_time(
    sandbox: SandboxTenant,
) -> None:
    from msgraph.generated.models.o_data_errors.o_data_error import ODataError
    from msgraph.generated.models.planner_task import PlannerTask

    async def scenario() -> tuple[Any, ...]:
        tasks = make_client(sandbox).planner.tasks
        made = await tasks.post(new_task())
        item = tasks.by_planner_task_id(made.id)
        with pytest.raises(ODataError) as missing:
            await item.patch(PlannerTask(title="Renamed"))
        renamed = await item.patch(PlannerTask(title="Renamed"), config(etag(made)))
        with pytest.raises(ODataError) as stale:  # the eTag moved with the rename
            await item.patch(PlannerTask(percent_complete=100), config(etag(made)))
        current = await item.get()
        done = await item.patch(
            PlannerTask(percent_complete=100), config(etag(current), "return=representation")
        )
        return missing.value, renamed, stale.value, current, done

    missing, renamed, stale, current, done = asyncio.run(scenario())
    assert missing.response_status_code == 412
    assert "If-Match header must be specified" in missing.error.message
    assert renamed is None  # 204: Planner answers a PATCH with no body by default
    assert stale.response_status_code == 412 and current.title == "Renamed"
    assert done.percent_complete == 100 and done.completed_date_time is not None
    assert done.completed_by.application.id == "sdk"
    assert etag(done) != etag(current)
    assert task_file(sandbox, done.id)["percentComplete"] == 100


def test_a_person_completing_the_task_in_planner_makes_the_products_etag_stale(
    control: httpx.Client, graph: httpx.Client, sandbox: SandboxTenant
) -> None:
    made = graph.post("/planner/tasks", json={"planId": seed.PLAN_ID, "title": "Write up",
                      "assignments": {TECH_LEAD_ID: ASSIGNMENT}}).json()  # fmt: skip
    person = control.post(
        f"/_sandbox/planner/tasks/{made['id']}", json={"by": TECH_LEAD_ID, "percentComplete": 100}
    )
    assert person.status_code == 200
    ticked = person.json()
    assert ticked["@odata.etag"] != made["@odata.etag"]
    assert ticked["completedBy"]["user"]["id"] == TECH_LEAD_ID and ticked["completedDateTime"]
    url = f"/planner/tasks/{made['id']}"
    late = graph.patch(url, json={"title": "Write up the review"},
                       headers={"If-Match": made["@odata.etag"]})  # fmt: skip
    assert late.status_code == 412 and late.json()["error"]["code"] == "PreconditionFailed"
    fresh = graph.get(url).json()
    assert fresh["percentComplete"] == 100  # what the person did is kept
    again = graph.patch(url, json={"title": "Write up the review"},
                        headers={"If-Match": fresh["@odata.etag"]})  # fmt: skip
    assert again.status_code == 204 and graph.get(url).json()["title"] == "Write up the review"
    unknown = control.post(f"/_sandbox/planner/tasks/{made['id']}", json={"by": "nobody"})
    assert unknown.status_code == 400


def test_details_carry_the_description_and_a_link_back_to_the_review(
    sandbox: SandboxTenant,
) -> None:
    from msgraph.generated.models.o_data_errors.o_data_error import ODataError
    from msgraph.generated.models.planner_checklist_items import PlannerChecklistItems
    from msgraph.generated.models.planner_external_references import PlannerExternalReferences
    from msgraph.generated.models.planner_task_details import PlannerTaskDetails

    reference = {"@odata.type": "microsoft.graph.plannerExternalReference",
                 "alias": "Incident review", "type": "Word"}  # fmt: skip
    item = {"@odata.type": "#microsoft.graph.plannerChecklistItem", "title": "Draft"}
    checklist = {"1": item, "2": {**item, "title": "Agree", "isChecked": True}}
    change = PlannerTaskDetails(
        description="From the review of the payroll outage.",
        references=PlannerExternalReferences(additional_data={REVIEW_KEY: reference}),
        checklist=PlannerChecklistItems(additional_data=checklist),
    )

    async def scenario() -> tuple[Any, ...]:
        tasks = make_client(sandbox).planner.tasks
        made = await tasks.post(new_task())
        details = tasks.by_planner_task_id(made.id).details
        empty = await details.get()
        with pytest.raises(ODataError) as missing:
            await details.patch(change)
        shown = await details.patch(change, config(etag(empty), "return=representation"))
        return made, empty, missing.value, shown, await tasks.by_planner_task_id(made.id).get()

    made, empty, missing, shown, task = asyncio.run(scenario())
    assert empty.description == "" and missing.response_status_code == 412
    assert shown.description == "From the review of the payroll outage."
    assert etag(shown) != etag(empty)
    assert shown.references.additional_data[REVIEW_KEY]["alias"] == "Incident review"
    assert task.has_description is True and task.reference_count == 1
    assert task.checklist_item_count == 2 and task.active_checklist_item_count == 1
    assert etag(task) == etag(made)  # the task's own eTag is its own
    stored = task_file(sandbox, made.id, "details")
    assert list(stored["references"]) == [REVIEW_KEY]
    from urllib.parse import unquote

    assert unquote(REVIEW_KEY) == REVIEW_URL


def test_planner_refuses_what_planner_refuses(graph: httpx.Client, sandbox: SandboxTenant) -> None:
    def create(**fields: Any) -> httpx.Response:
        return graph.post("/planner/tasks", json={"planId": seed.PLAN_ID, "title": "x", **fields})

    nobody = create(assignments={"11111111-0000-4000-8000-000000000000": ASSIGNMENT})
    untyped = create(assignments={TECH_LEAD_ID: {"orderHint": " !"}})
    backwards = create(startDateTime="2026-12-10T00:00:00Z", dueDateTime="2026-12-01T00:00:00Z")
    bad_bucket = create(bucketId="notABucketOfThisPlan00000000")
    assert [r.status_code for r in (nobody, untyped, backwards, bad_bucket)] == [400] * 4
    no_plan = graph.post("/planner/tasks", json={"planId": "noSuchPlan000000000000000000"})
    assert no_plan.status_code == 404
    assert task_ids_on_disk(sandbox) == []
    details = f"/planner/tasks/{create().json()['id']}/details"
    unencoded = {
        "https://example.org/x": {"@odata.type": "#microsoft.graph.plannerExternalReference"}
    }
    current = {"If-Match": graph.get(details).json()["@odata.etag"]}
    bad_link = graph.patch(details, json={"references": unencoded}, headers=current)
    assert bad_link.status_code == 400  # the URL's . and : must be encoded


def test_delete_needs_the_etag_too(graph: httpx.Client, sandbox: SandboxTenant) -> None:
    made = graph.post("/planner/tasks", json={"planId": seed.PLAN_ID, "title": "Oops"}).json()
    url = f"/planner/tasks/{made['id']}"
    assert graph.delete(url).status_code == 412
    assert graph.delete(url, headers={"If-Match": 'W/"old"'}).status_code == 412
    assert graph.delete(url, headers={"If-Match": made["@odata.etag"]}).status_code == 204
    assert graph.get(url).status_code == 404
    assert task_ids_on_disk(sandbox) == []
    assert not list((sandbox.root / "planner" / seed.PLAN_ID / "details").glob("*.json"))


def test_planner_needs_tasks_readwrite_all(control: httpx.Client, sandbox: SandboxTenant) -> None:
    from msgraph.generated.models.o_data_errors.o_data_error import ODataError

    roles = [r for r in control.get("/_sandbox/app").json()["roles"] if r != "Tasks.ReadWrite.All"]
    control.patch("/_sandbox/app", json={"roles": roles})

    async def scenario() -> ODataError:
        with pytest.raises(ODataError) as refused:
            await make_client(sandbox).planner.tasks.post(new_task())
        return refused.value

    refused = asyncio.run(scenario())
    assert refused.response_status_code == 403
    assert task_ids_on_disk(sandbox) == []


def test_assignees_are_found_in_the_directory_by_address(sandbox: SandboxTenant) -> None:
    from msgraph.generated.models.o_data_errors.o_data_error import ODataError

    async def scenario() -> tuple[Any, ODataError]:
        client = make_client(sandbox)
        found = await client.users.by_user_id("tech.lead@example.org").get()
        with pytest.raises(ODataError) as missing:
            await client.users.by_user_id("nobody@example.org").get()
        return found, missing.value

    found, missing = asyncio.run(scenario())
    assert (found.id, found.display_name) == (TECH_LEAD_ID, "Tariq Tech")
    assert missing.response_status_code == 404


def test_faults_on_planner_routes(control: httpx.Client, sandbox: SandboxTenant) -> None:
    from kiota_abstractions.base_request_configuration import RequestConfiguration
    from kiota_http.middleware.options.retry_handler_option import RetryHandlerOption
    from msgraph.generated.models.o_data_errors.o_data_error import ODataError
    from msgraph.generated.models.planner_task import PlannerTask

    rules = [
        {"method": "GET", "path": "/planner/tasks/", "status": 429, "retry_after": 1, "times": 1},
        {"method": "POST", "path": "/planner/tasks$", "status": 503, "after": True, "times": 1},
        {"method": "PATCH", "path": "/planner/tasks/", "status": 412, "times": 1},
    ]
    control.post("/_sandbox/faults", json=rules)
    no_retry = RequestConfiguration(options=[RetryHandlerOption(should_retry=False)])

    async def scenario() -> tuple[ODataError, Any, ODataError]:
        tasks = make_client(sandbox).planner.tasks
        with pytest.raises(ODataError) as lost:  # accepted, then the answer is lost
            await tasks.post(new_task(), no_retry)
        [stored] = task_ids_on_disk(sandbox)
        fetched = await tasks.by_planner_task_id(stored).get()  # 429 once, the SDK retries
        with pytest.raises(ODataError) as injected:
            await tasks.by_planner_task_id(stored).patch(
                PlannerTask(title="x"), config(etag(fetched))
            )
        return lost.value, fetched, injected.value

    lost, fetched, injected = asyncio.run(scenario())
    assert lost.response_status_code == 503
    assert fetched.title == "Add an alert on payroll queue depth"  # it was created after all
    assert injected.response_status_code == 412
    assert task_file(sandbox, fetched.id)["title"] == fetched.title  # the 412 changed nothing
    statuses = [(r.method, r.status) for r in sandbox.requests if "/planner/tasks" in r.path]
    assert statuses == [("POST", 503), ("GET", 429), ("GET", 200), ("PATCH", 412)]


def test_the_page_lists_tasks_with_assignee_due_and_done(
    graph: httpx.Client, control: httpx.Client
) -> None:
    open_task = {"planId": seed.PLAN_ID, "title": "Rotate <b>keys</b>",
                 "dueDateTime": "2026-12-20T12:00:00Z",
                 "assignments": {TECH_LEAD_ID: ASSIGNMENT}}  # fmt: skip
    graph.post("/planner/tasks", json=open_task)
    done = graph.post("/planner/tasks", json={"planId": seed.PLAN_ID, "title": "Page the DBA",
                      "assignments": {COMMS_LEAD_ID: ASSIGNMENT}}).json()  # fmt: skip
    control.post(f"/_sandbox/planner/tasks/{done['id']}", json={"percentComplete": 100})
    html = control.get("/").text
    section = html[html.index("<h2>Planner</h2>") :]
    assert "<h3>Incident actions</h3>" in section and '<th scope="col">Assigned to</th>' in section
    rows = section.split("<tr>")[2:]
    assert "Rotate &lt;b&gt;keys&lt;/b&gt;" in rows[0] and "Tariq Tech" in rows[0]
    assert "2026-12-20" in rows[0] and "No (0%)" in rows[0]
    assert "Page the DBA" in rows[1] and "Casey Comms" in rows[1] and "Yes, " in rows[1]
