"""Delivers the follow-up actions to Planner, and reads back where each has got to.

- **Making a task, once.** Planner has no idempotency key: a create whose answer was lost (a
  503 after Planner made it, a dropped connection, a worker killed) is there already, and a
  blind retry makes a second. So the task's title starts with the incident's reference and the
  action's number ("INC-2026-0001 action 2: ..."), and a retry after an uncertain try looks
  for it in the plan first. Once made, its id is kept with the action.
- **Changing a task.** Planner needs `If-Match` with the task's current eTag on every change,
  and answers 412 when someone changed it since: the product reads it again and applies its
  change again, as the report does with a document people are editing.
- **Where an action has got to.** The documents show each action's progress as Planner has
  it: `read_states` reads the tasks before the report or the review is written.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from comms_assistant.domain.actions import Action, ActionState, find_action, task_marker, task_title
from comms_assistant.domain.incident import Incident
from comms_assistant.service.outbox_port import Delivery
from comms_assistant.service.ports import DeliveryError, NotFound, PreconditionFailed
from comms_assistant.service.retries import retrying
from comms_assistant.service.unit_of_work import PENDING, UnitOfWorkFactory
from comms_assistant.service.work_planner import WorkPlanner
from comms_assistant.service.work_ports import NewTask, Task, TaskBoard

log = logging.getLogger(__name__)

# A task changed by someone between our read and our write is read again this many times.
REAPPLY_LIMIT = 5
NO_PLAN = (
    "no Planner plan is set: set actions_plan to the plan's id (docs/setup.md, 'Follow-up actions')"
)
# A due date is a day; Planner keeps a moment. Midday in the organisation's zone is the same
# day wherever in the world someone reads the plan.
DUE_AT = time(12, 0)


@dataclass(frozen=True)
class _Seen:
    """What a delivery reads of the incident and its action, in one unit of work."""

    reference: str
    action: Action
    bucket_name: str
    description: str
    links: dict[str, str]


@dataclass
class ActionTasks:
    uow: UnitOfWorkFactory
    board: TaskBoard | None
    work: WorkPlanner | None
    tz: ZoneInfo
    clock: Callable[[], datetime]
    bucket: str | None = None  # the actions_bucket setting: one bucket for every incident

    def _board(self) -> TaskBoard:
        if self.board is None:
            raise DeliveryError(NO_PLAN, retryable=False)
        return self.board

    async def create(self, delivery: Delivery) -> dict[str, Any]:
        board = self._board()
        number = int(delivery.payload["number"])
        seen = self._seen(delivery.incident_id, number)
        task_id, result = seen.action.task_id, {"number": number}
        if task_id is None:
            task, result = await self._find_or_make(board, seen, uncertain=delivery.uncertain)
            retrying(lambda: self._keep(delivery.incident_id, number, task), what=delivery.key)
            task_id = task.id
        # Its description only with a task made now (or maybe by a lost try): afterwards it is
        # the owner's to write.
        described = seen.description if "made" in result or delivery.uncertain else None
        await self._describe(board, task_id, described, seen.links)
        return {**result, "task_id": task_id}

    async def _find_or_make(
        self, board: TaskBoard, seen: _Seen, *, uncertain: bool
    ) -> tuple[Task, dict[str, Any]]:
        action = seen.action
        if uncertain:
            found = await board.find(task_marker(seen.reference, action.number))
            if found is not None:
                return found, {"number": action.number, "found": True}
        bucket = self.bucket or await board.bucket_named(seen.bucket_name)
        assignee = await board.user_id(action.owner) if action.owner else None
        due = None
        if action.due is not None:
            due = datetime.combine(action.due, DUE_AT, tzinfo=self.tz).astimezone(UTC)
        title = task_title(seen.reference, action)
        task = await board.create(NewTask(title, bucket, due, assignee))
        made: dict[str, Any] = {"number": action.number, "made": True}
        if action.owner and assignee is None:
            made["unassigned"] = action.owner  # nobody in the directory has that address
        return task, made

    def _keep(self, incident_id: int, number: int, task: Task) -> None:
        with self.uow() as uow:
            incident = uow.incidents.by_id(incident_id)
            action = find_action(incident.actions, number, incident.reference)
            action.task_id, action.task_etag = task.id, task.etag
            action.state = ActionState.from_percent(task.percent_complete)

    async def _describe(
        self, board: TaskBoard, task_id: str, description: str | None, links: dict[str, str]
    ) -> None:
        if description is None and not links:
            return
        for _ in range(REAPPLY_LIMIT):
            etag = await board.details_etag(task_id)
            try:
                await board.describe(task_id, description, links, if_match=etag)
                return
            except PreconditionFailed:
                continue  # someone changed the details in between: read them again
        raise DeliveryError("the task's details kept changing under us; will try again later")

    async def complete(self, delivery: Delivery) -> dict[str, Any]:
        board = self._board()
        number = int(delivery.payload["number"])
        action = self._seen(delivery.incident_id, number).action
        if action.task_id is None:
            raise DeliveryError(
                f"action {number}'s task was never made in Planner, so it cannot be completed "
                "there: see why its task failed, and send it again with 'comms-assistant "
                "deliver --failed'",
                retryable=False,
            )
        task, reread = await self._completed(board, action.task_id, action.task_etag)
        retrying(lambda: self._done(delivery, number, task), what=delivery.key)
        return {"number": number, "task_id": task.id, "read_again": reread}

    async def _completed(
        self, board: TaskBoard, task_id: str, etag: str | None
    ) -> tuple[Task, int]:
        """The task marked complete, with the If-Match Planner needs: a stale eTag (412) is
        read again and the change applied again. Returns it and how often it was read again."""
        for reread in range(REAPPLY_LIMIT):
            if etag is None:
                current = await board.get(task_id)
                if current is None:
                    raise NotFound(f"the task {task_id} is no longer in the plan")
                if current.percent_complete >= 100:
                    return current, reread  # done already (by its owner, or a lost try)
                etag = current.etag
            try:
                return await board.complete(task_id, if_match=etag), reread
            except PreconditionFailed:
                etag = None  # someone changed it since: read it again, apply ours again
        raise DeliveryError("the task kept changing under us; will try again later")

    def _done(self, delivery: Delivery, number: int, task: Task) -> None:
        """Keep its state and eTag, and refresh the documents, which read it from Planner."""
        with self.uow() as uow:
            incident = uow.incidents.by_id(delivery.incident_id)
            action = find_action(incident.actions, number, incident.reference)
            action.state = ActionState.from_percent(task.percent_complete)
            action.task_etag = task.etag
            if self.work is not None:
                key = f"action:{number}:done"
                now = self.clock()
                self.work.documents_refresh(uow, incident, key, now, cause=delivery.id)

    async def link_review(self, delivery: Delivery) -> dict[str, Any]:
        """Every task made so far gets the filed review's link (later ones get it when made)."""
        board = self._board()
        with self.uow() as uow:
            incident = uow.incidents.by_id(delivery.incident_id)
            links = _links(incident)
            tasks = [a.task_id for a in incident.actions if a.task_id]
        for task_id in tasks:
            await self._describe(board, task_id, None, links)
        return {"linked": len(tasks)}

    async def read_states(self, incident_id: int) -> None:
        """Each action's progress as Planner has it now, kept with the action. A task that
        cannot be read keeps the progress last known: the document still goes."""
        if self.board is None:
            return
        with self.uow() as uow:
            incident = uow.incidents.by_id(incident_id)
            mine = {f"{incident.reference}:action:{a.number}:done" for a in incident.actions}
            waiting = {k for k in mine if _pending(uow.deliveries.by_key(k))}
            wanted = {
                a.number: a.task_id
                for a in incident.actions
                if a.task_id and f"{incident.reference}:action:{a.number}:done" not in waiting
            }
        found: dict[int, Task] = {}
        for number, task_id in wanted.items():
            try:
                task = await self.board.get(task_id)
            except DeliveryError as error:
                log.warning("could not read the task of action %s: %s", number, error)
                continue
            if task is not None:
                found[number] = task
        if found:
            retrying(lambda: self._keep_states(incident_id, found), what="actions' progress")

    def _keep_states(self, incident_id: int, found: dict[int, Task]) -> None:
        with self.uow() as uow:
            for action in uow.incidents.by_id(incident_id).actions:
                task = found.get(action.number)
                if task is not None:
                    action.state = ActionState.from_percent(task.percent_complete)
                    action.task_etag = task.etag

    def _seen(self, incident_id: int, number: int) -> _Seen:
        with self.uow() as uow:
            incident = uow.incidents.by_id(incident_id)
            action = find_action(incident.actions, number, incident.reference)
            return _Seen(
                reference=incident.reference,
                action=action,
                bucket_name=bucket_name(incident),
                description=description(incident, action),
                links=_links(incident),
            )


def _pending(queued: Any) -> bool:
    return queued is not None and queued.status == PENDING


def bucket_name(incident: Incident) -> str:
    """A bucket per incident: its reference and, unless it is a security incident, its title
    (Planner allows 255 characters; the title is cut well before)."""
    if incident.security:
        return incident.reference
    return f"{incident.reference} {incident.title}"[:120]


def description(incident: Incident, action: Action) -> str:
    about = "a security incident" if incident.security else incident.title
    added = action.added_at.strftime("%d %B %Y").lstrip("0")
    return (
        f"A follow-up action from {incident.reference} ({about}), added by {action.added_by} "
        f"on {added}. Mark the task complete here when it is done: the incident's report and "
        "review show where it has got to."
    )


def _links(incident: Incident) -> dict[str, str]:
    """The review's link once it is filed, else the running report's."""
    record = incident.record
    if record.review_url:
        return {record.review_url: "Incident review"}
    if record.report_url:
        return {record.report_url: "Incident report"}
    return {}
