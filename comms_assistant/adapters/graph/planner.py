"""Follow-up actions as tasks in a Planner plan: the `TaskBoard` port.

Graph's Planner API ("Use the Planner REST API"): application permission Tasks.ReadWrite.All,
or a delegated token of a member of the plan's group (docs/setup.md). Every change names the
object's current eTag (`If-Match`); a stale one is 412, which becomes PreconditionFailed for
the caller to read again and apply again. Creating a task or a bucket has no idempotency key,
so those go with kiota's retry off: the caller looks before making one again.

A task's links are its details' `references`, keyed by the URL with `%`, `.`, `:`, `@` and `#`
percent-encoded, each a `plannerExternalReference`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from comms_assistant.adapters.graph.client import no_retry_config
from comms_assistant.adapters.graph.errors import translated
from comms_assistant.service import fencing
from comms_assistant.service.ports import DeliveryError, NotFound
from comms_assistant.service.work_ports import NewTask, Task

if TYPE_CHECKING:
    from msgraph import GraphServiceClient

_ASSIGNMENT = {"@odata.type": "#microsoft.graph.plannerAssignment", "orderHint": " !"}
_REFERENCE = "#microsoft.graph.plannerExternalReference"


class GraphTaskBoard:
    def __init__(self, client: GraphServiceClient, plan: str) -> None:
        self._client = client
        self._plan = plan

    @property
    def plan(self) -> str:
        return self._plan

    async def title(self) -> str:
        """The plan's title (`graph check`)."""
        with translated(f"read the plan {self._plan}"):
            plan = await self._client.planner.plans.by_planner_plan_id(self._plan).get()
        return str(plan.title or "") if plan is not None else ""

    async def delete(self, task_id: str, *, if_match: str) -> None:
        """Remove a task (`graph check`'s test task)."""
        builder = self._client.planner.tasks.by_planner_task_id(task_id)
        with translated(f"delete the task {task_id}"):
            await builder.delete(_matching(if_match))

    async def bucket_named(self, name: str) -> str:
        from msgraph.generated.models.planner_bucket import PlannerBucket

        plan = self._client.planner.plans.by_planner_plan_id(self._plan)
        with translated(f"list the buckets of the plan {self._plan}"):
            page = await plan.buckets.get()
        buckets = await _all(page, plan.buckets)
        for bucket in buckets:
            if (bucket.name or "").casefold() == name.casefold():
                return str(bucket.id)
        made = PlannerBucket(name=name, plan_id=self._plan, order_hint=" !")
        with translated(f"make the bucket {name!r} in the plan {self._plan}"):
            bucket = await self._client.planner.buckets.post(made, no_retry_config())
        if bucket is None or not bucket.id:
            raise DeliveryError(f"Planner made the bucket {name!r} but gave no id")
        return str(bucket.id)

    async def find(self, title_start: str) -> Task | None:
        plan = self._client.planner.plans.by_planner_plan_id(self._plan)
        with translated(f"list the tasks of the plan {self._plan}"):
            page = await plan.tasks.get()
        for task in await _all(page, plan.tasks):
            if (task.title or "").startswith(title_start):
                return _task(task)
        return None

    async def create(self, task: NewTask) -> Task:
        from msgraph.generated.models.planner_assignments import PlannerAssignments
        from msgraph.generated.models.planner_task import PlannerTask

        body = PlannerTask(plan_id=self._plan, title=task.title, due_date_time=task.due)
        if task.bucket_id:
            body.bucket_id = task.bucket_id
        if task.assignee:
            body.assignments = PlannerAssignments(additional_data={task.assignee: _ASSIGNMENT})
        fencing.before_sending()  # Planner has no idempotency key: a second POST, a second task
        with translated(f"make the task {task.title!r} in the plan {self._plan}"):
            made = await self._client.planner.tasks.post(body, no_retry_config())
        return _task(made)

    async def get(self, task_id: str) -> Task | None:
        try:
            with translated(f"read the task {task_id}"):
                found = await self._client.planner.tasks.by_planner_task_id(task_id).get()
        except NotFound:
            return None
        return _task(found) if found is not None else None

    async def complete(self, task_id: str, *, if_match: str) -> Task:
        from msgraph.generated.models.planner_task import PlannerTask

        builder = self._client.planner.tasks.by_planner_task_id(task_id)
        with translated(f"mark the task {task_id} complete"):
            changed = await builder.patch(
                PlannerTask(percent_complete=100), _matching(if_match, representation=True)
            )
        if changed is None:  # answered 204 after all: read what it is now
            found = await self.get(task_id)
            if found is None:
                raise NotFound(f"the task {task_id} is no longer in the plan")
            return found
        return _task(changed)

    async def details_etag(self, task_id: str) -> str:
        details = self._client.planner.tasks.by_planner_task_id(task_id).details
        with translated(f"read the details of the task {task_id}"):
            found = await details.get()
        return _etag(found)

    async def describe(
        self, task_id: str, description: str | None, links: dict[str, str], *, if_match: str
    ) -> None:
        from msgraph.generated.models.planner_external_references import (
            PlannerExternalReferences,
        )
        from msgraph.generated.models.planner_task_details import PlannerTaskDetails

        body = PlannerTaskDetails()
        if description is not None:
            body.description = description
        if links:
            references = {
                reference_key(url): {"@odata.type": _REFERENCE, "alias": alias, "type": "Other"}
                for url, alias in links.items()
            }
            body.references = PlannerExternalReferences(additional_data=references)
        details = self._client.planner.tasks.by_planner_task_id(task_id).details
        with translated(f"describe the task {task_id}"):
            await details.patch(body, _matching(if_match))

    async def user_id(self, email: str) -> str | None:
        try:
            with translated(f"find {email} in the directory"):
                person = await self._client.users.by_user_id(email).get()
        except NotFound:
            return None
        return str(person.id) if person is not None and person.id else None


async def _all(page: Any, builder: Any) -> list[Any]:
    """Every item of a listing, following its next links with the listing's own builder."""
    items = list(page.value or []) if page else []
    while page is not None and page.odata_next_link:
        with translated("read the next page of a listing"):
            page = await builder.with_url(page.odata_next_link).get()
        items += list(page.value or []) if page else []
    return items


def reference_key(url: str) -> str:
    """Planner's key for a link: the URL with % . : @ # percent-encoded (% first)."""
    for character, code in (("%", "%25"), (".", "%2E"), (":", "%3A"), ("@", "%40"), ("#", "%23")):
        url = url.replace(character, code)
    return url


def _matching(if_match: str, *, representation: bool = False) -> Any:
    from kiota_abstractions.base_request_configuration import RequestConfiguration
    from kiota_abstractions.headers_collection import HeadersCollection

    headers = HeadersCollection()
    headers.add("If-Match", if_match)
    if representation:
        headers.add("Prefer", "return=representation")
    return RequestConfiguration(headers=headers)


def _etag(obj: Any) -> str:
    data = getattr(obj, "additional_data", None) or {}
    return str(data.get("@odata.etag") or "")


def _task(task: Any) -> Task:
    return Task(
        id=str(task.id),
        etag=_etag(task),
        title=str(task.title or ""),
        percent_complete=int(task.percent_complete or 0),
    )
