"""`graph check`'s steps for the work around an incident (issue 21): the meetings' organiser
and its Teams meetings, and the follow-up actions' Planner plan.

Nothing reaches anyone: the test event has no attendees and the test task no owner, and both
are deleted again. Each failure names the permission or setting to fix (docs/setup.md).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from comms_assistant.entrypoints.graph_check_steps import FAIL, PASS, SKIP, WARN, CheckerBase
from comms_assistant.entrypoints.graph_check_steps import status_of as _status

SETUP = "docs/setup.md, 'Meetings'"
CALENDAR_FIX = (
    "give the app Calendars.ReadWrite (application) and limit it to {organiser} with Exchange "
    "RBAC for Applications: New-ManagementRoleAssignment -App <id> -Role 'Application "
    f"Calendars.ReadWrite' -CustomResourceScope <scope> ({SETUP})"
)
LICENCE_FIX = (
    "set meeting_organiser to a licensed user's mailbox that can hold Teams meetings (a "
    "service account with a Teams licence): a shared mailbox cannot organise one "
    f"({SETUP})"
)
PLAN_FIX = (
    "sign the service account (teams_account) in with delegated Tasks.ReadWrite and make it a "
    "member of the plan's Microsoft 365 group; or give the app Tasks.ReadWrite.All "
    "(application), which reaches every plan (docs/setup.md, 'Follow-up actions')"
)
PEOPLE_FIX = (
    "grant User.ReadBasic.All, so each action's task can be assigned to its owner "
    "(docs/setup.md, 'Follow-up actions')"
)
REGISTER_FIX = (
    "run 'comms-assistant register create' once (it makes the list with its columns), or make "
    "it by hand from the column list in docs/register.md"
)
RBAC_FIX = (
    "limit Calendars.ReadWrite to the organiser's mailbox with an Exchange RBAC for "
    f"Applications management scope ({SETUP})"
)


async def check_work(checker: CheckerBase) -> None:
    await _meetings(checker)
    await _planner(checker)
    await _register(checker)


async def _register(checker: CheckerBase) -> None:
    """The incident register's list is there (made by `register create`, never here)."""
    from comms_assistant.adapters.graph.lists import GraphRegister

    name = checker.settings.register_list.strip()
    if not name:
        checker.add(SKIP, "incident register", "register_list is empty: no register")
        return
    register = GraphRegister(checker.adapters.client, checker.settings.site, name)
    try:
        url = await register.web_url() if await register.exists() else None
    except Exception as error:  # noqa: BLE001 - reported with its fix, not raised
        checker.add(FAIL, "incident register", str(error), REGISTER_FIX)
        return
    if url is None:
        # A warning, not a failure: incidents are handled all the same, and `register create`
        # writes every incident's item once the list is made.
        checker.add(WARN, "incident register", f"no list {name!r} in the site", REGISTER_FIX)
    else:
        checker.add(PASS, "incident register", f"the list {name!r}: {url}")


async def _meetings(checker: CheckerBase) -> None:
    s, calendar = checker.settings, checker.adapters.calendar
    if calendar is None:
        checker.add(SKIP, "meeting organiser", "meeting_organiser is not set: no meetings")
        return
    organiser = calendar.organiser
    if organiser.lower() == s.mailbox.lower():
        checker.add(WARN, "meeting organiser", f"{organiser} is the mail's mailbox", LICENCE_FIX)
    try:
        providers = await calendar.allowed_providers()
    except Exception as error:  # noqa: BLE001 - reported with its fix, not raised
        fix = CALENDAR_FIX.format(organiser=organiser)
        if _status(error) == 404:
            fix = f"no mailbox {organiser}: check meeting_organiser"
        checker.add(FAIL, "meeting organiser", str(error)[:200], fix)
        return
    if "teamsForBusiness" not in providers:
        shown = ", ".join(providers) or "none"
        checker.add(FAIL, "meeting organiser", f"{organiser} allows no Teams meetings ({shown})",
                    LICENCE_FIX)  # fmt: skip
        return
    checker.add(PASS, "meeting organiser", f"{organiser} can hold Teams meetings")
    await _test_meeting(checker)
    if not s.uses_sandbox and s.mailbox.lower() != organiser.lower():
        await _rbac(checker)


async def _test_meeting(checker: CheckerBase) -> None:
    """An event with a Teams meeting and nobody invited, made and deleted again: the answer
    must carry a join link (Outlook makes the event without one, silently, when it cannot)."""
    from comms_assistant.service.work_ports import OutgoingEvent

    calendar = checker.adapters.calendar
    assert calendar is not None
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    event = OutgoingEvent(
        transaction_id=str(uuid.uuid4()),
        subject="comms-assistant pre-flight check (safe to delete)",
        html="<p>comms-assistant's pre-flight check. You can delete this event.</p>",
        start=start,
        end=start + timedelta(minutes=15),
        time_zone="UTC",
    )
    try:
        made = await calendar.create(event)
        await calendar.delete(made.id)
    except Exception as error:  # noqa: BLE001
        fix = CALENDAR_FIX.format(organiser=calendar.organiser)
        checker.add(FAIL, "make and delete a Teams meeting", str(error)[:200], fix)
        return
    if not made.join_url:
        checker.add(FAIL, "make and delete a Teams meeting", "the event came back with no "
                    "Teams meeting link", LICENCE_FIX)  # fmt: skip
        return
    checker.add(PASS, "make and delete a Teams meeting", "the event had its join link")


async def _rbac(checker: CheckerBase) -> None:
    """The app should not reach calendars besides the organiser's: try the mail's mailbox."""
    calendar = checker.adapters.calendar
    assert calendar is not None
    other = type(calendar)(checker.adapters.client, checker.settings.mailbox)
    try:
        await other.allowed_providers()
    except Exception:  # noqa: BLE001 - refused, as it should be
        checker.add(PASS, "calendar permission", "limited: other mailboxes are refused")
        return
    checker.add(WARN, "calendar permission", "reaches other mailboxes' calendars", RBAC_FIX)


async def _planner(checker: CheckerBase) -> None:
    s, board = checker.settings, checker.adapters.board
    if board is None:
        checker.add(SKIP, "Planner plan", "actions_plan is not set: actions stay in documents")
        return
    try:
        title = await board.title()
    except Exception as error:  # noqa: BLE001
        fix = (
            f"no plan with the id {board.plan}: check actions_plan"
            if _status(error) == 404
            else PLAN_FIX
        )
        checker.add(FAIL, "Planner plan", str(error)[:200], fix)
        return
    checker.add(PASS, "Planner plan", f"{title!r} ({board.plan})")
    await _test_task(checker, s.actions_bucket or "")
    try:
        found = await board.user_id(checker.settings.organiser or checker.settings.mailbox)
    except Exception as error:  # noqa: BLE001
        checker.add(FAIL, "find owners in the directory", str(error)[:200], PEOPLE_FIX)
        return
    mark = PASS if found else WARN
    checker.add(mark, "find owners in the directory", "" if found else "not found", PEOPLE_FIX)


async def _test_task(checker: CheckerBase, bucket: str) -> None:
    from comms_assistant.service.work_ports import NewTask

    board = checker.adapters.board
    assert board is not None
    try:
        task = await board.create(NewTask("comms-assistant pre-flight check", bucket))
        await board.delete(task.id, if_match=task.etag)
    except Exception as error:  # noqa: BLE001
        checker.add(FAIL, "make and delete a task", str(error)[:200], PLAN_FIX)
        return
    checker.add(PASS, "make and delete a task", f"in {board.plan}")
