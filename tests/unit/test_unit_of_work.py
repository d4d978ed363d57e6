"""The unit of work's promises (service/unit_of_work.py), held by both implementations: the
database's (adapters/sql/unit_of_work.py, on SQLite and on PostgreSQL) and the in-memory one the
use-case tests run on (fake_unit_of_work.py). If the fake drifted from the real one, the
use-case tests would prove nothing; this file keeps them alike."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fake_unit_of_work import FakeStore
from postgres_cluster import Cluster

from comms_assistant.adapters.sql.database import open_engine
from comms_assistant.adapters.sql.unit_of_work import unit_of_work
from comms_assistant.domain.incident import Incident, Priority, Status
from comms_assistant.service.unit_of_work import DONE, PENDING, Draft, UnitOfWork

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
Factory = Callable[[], AbstractContextManager[UnitOfWork]]


@pytest.fixture(params=["sqlite", "postgresql", "memory"])
def uow(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Factory]:
    """The database's unit of work on each engine, and the in-memory one."""
    if request.param == "memory":
        yield FakeStore()
        return
    url = f"sqlite:///{tmp_path / 'state.db'}"
    cluster: Cluster | None = None
    if request.param == "postgresql":
        cluster = request.getfixturevalue("postgres_cluster")
        url = cluster.new_database()
    engine = open_engine(url, upgrade=True)
    yield lambda: unit_of_work(engine)
    engine.dispose()
    if cluster is not None:
        cluster.drop(url)


def declared(reference: str = "INC-2026-0001", title: str = "Apply is down") -> Incident:
    return Incident.declare(
        reference=reference,
        title=title,
        priority=Priority.P2,
        impact="Candidates cannot apply",
        services=("apply",),
        who="lead@example.org",
        now=NOW,
    )


def test_an_incident_and_its_record_come_back_as_they_were_stored(uow: Factory) -> None:
    with uow() as work:
        incident = declared()
        incident.record.report_name = "2026-11-23 INC-2026-0001 Apply is down.docx"
        work.incidents.add(incident)
        incident.log("Restarted the web servers", who="lead@example.org", now=NOW)
        incident.record.told = ["a@example.org", "teams:channel:Ops/General"]
        incident.record.updates_sent = 2
        incident.record.update_due_at = NOW + timedelta(hours=1)
        incident.record.cadence_done = ["nudge:1"]
    with uow() as work:
        found = work.incidents.get("inc-2026-0001")  # a reference in any case
        assert found is not None and found == incident
        assert [e.text for e in found.timeline][-1] == "Restarted the web servers"
        assert found.record == incident.record


def test_one_incident_is_one_object_within_a_unit_of_work(uow: Factory) -> None:
    with uow() as work:
        work.incidents.add(declared())
    with uow() as work:
        first = work.incidents.get("INC-2026-0001")
        assert first is not None
        assert work.incidents.open() == [first] and work.incidents.open()[0] is first
        assert work.incidents.latest() is first


def test_an_error_leaves_nothing_of_the_unit_of_work_behind(uow: Factory) -> None:
    with uow() as work:
        work.incidents.add(declared())
    with pytest.raises(RuntimeError), uow() as work:
        incident = work.incidents.get("INC-2026-0001")
        assert incident is not None
        incident.set_status(Status.MONITORING, who="lead@example.org", now=NOW)
        incident.record.updates_sent = 9
        work.deliveries.add(incident, key="k", lane="l", kind="mail", payload={}, now=NOW)
        work.drafts.put(Draft("lead@example.org", None, "update x", None, NOW))
        raise RuntimeError("the handler failed half-way")
    with uow() as work:
        again = work.incidents.get("INC-2026-0001")
        assert again is not None and again.status is Status.INVESTIGATING
        assert again.record.updates_sent == 0
        assert work.deliveries.by_key("k") is None and work.drafts.get("lead@example.org") is None


def test_numbers_follow_on_within_a_year(uow: Factory) -> None:
    with uow() as work:
        assert work.incidents.next_number(2026) == 1
        work.incidents.add(declared("INC-2026-0001"))
        work.incidents.add(declared("INC-2026-0002", "Find is slow"))
        assert work.incidents.next_number(2026) == 3
        assert work.incidents.next_number(2027) == 1


def test_deliveries_are_found_by_key_lane_and_incident(uow: Factory) -> None:
    with uow() as work:
        incident = declared()
        work.incidents.add(incident)
        add = work.deliveries.add
        first = add(incident, key="R:1:mail:0", lane="R:mail:0", kind="mail", payload={}, now=NOW)
        add(incident, key="R:1:teams", lane="R:teams", kind="teams_card", payload={}, now=NOW)
        later = add(incident, key="R:2:mail:0", lane="R:mail:0", kind="mail", payload={}, now=NOW)
        work.flush()
        assert first.id < later.id and first.status == PENDING
        assert [d.key for d in work.deliveries.keyed("R:1:")] == ["R:1:mail:0", "R:1:teams"]
        assert work.deliveries.keyed("R:1_") == []  # a prefix, not a pattern
        assert work.deliveries.last_in_lane("R:mail:0") is not None
        assert work.deliveries.pending_after(first)
        assert not work.deliveries.pending_after(later)
        assert len(work.deliveries.of_incident(incident, ["mail"])) == 2
        assert work.deliveries.waiting(incident, "mail")
        assert not work.deliveries.waiting(incident, "report_sync")


def test_settled_deliveries_are_listed_in_the_order_they_went(uow: Factory) -> None:
    with uow() as work:
        incident = declared()
        work.incidents.add(incident)
        ids = [
            work.deliveries.add(
                incident, key=f"c{n}", lane="L", kind="teams_card", payload={}, now=NOW
            )
            for n in range(3)
        ]
        work.flush()
        order = [ids[2].id, ids[0].id]  # the third went first
    with uow() as work:
        for step, delivery_id in enumerate(order):
            work.deliveries.settle_done(
                delivery_id, now=NOW + timedelta(minutes=step), result={"message_id": f"m{step}"}
            )
    with uow() as work:
        done = work.deliveries.of_lane("L", ["teams_card"], DONE)
        assert [d.id for d in done] == order
        assert [d.key for d in work.deliveries.of_lane("L", ["teams_card"])][-1] == "c1"
        assert {d.key for d in work.deliveries.done_since("teams_card", NOW)} == {"c0", "c2"}
        work.deliveries.mark_failed(ids[1].id, error="403", now=NOW)
    with uow() as work:
        assert work.deliveries.get(ids[1].id).status == "failed"
        assert work.deliveries.get(ids[1].id).last_error == "403"


def test_a_new_draft_replaces_its_authors_last(uow: Factory) -> None:
    with uow() as work:
        work.drafts.put(Draft("a@example.org", "INC-2026-0001", "update one", None, NOW))
        work.drafts.put(Draft("a@example.org", None, "update two", "update 2", NOW))
    with uow() as work:
        draft = work.drafts.get("a@example.org")
        assert draft is not None and (draft.command, draft.suggested) == ("update two", "update 2")
        work.drafts.remove("a@example.org")
        work.drafts.remove("nobody@example.org")  # nothing waiting: nothing to do
    with uow() as work:
        assert work.drafts.get("a@example.org") is None


def test_actions_and_meetings_come_back_as_they_were_stored(uow: Factory) -> None:
    """Issue 21: the actions table and the meetings column, on each engine."""
    from datetime import date

    from comms_assistant.domain.actions import ActionState, add_action
    from comms_assistant.domain.meetings import ReviewMeeting, invite

    with uow() as work:
        incident = declared()
        work.incidents.add(incident)
        first = add_action(
            incident.actions, "Add an alert", owner="t@example.org", due=date(2026, 12, 14),
            who="lead@example.org", now=NOW, today=NOW.date(),
        )  # fmt: skip
        add_action(incident.actions, "Write it down", owner="", due=None, who="x", now=NOW,
                   today=NOW.date())  # fmt: skip
        first.task_id, first.task_etag = "task-1", 'W/"1"'
        meetings = incident.record.meetings
        meetings.bridge_url, meetings.bridge_event_id = "https://teams.example/j/1", "ev1"
        meetings.review = ReviewMeeting(NOW + timedelta(days=7), 60, booking=2, event_id="ev2")
        invite(meetings, ("guest@example.org",))
    with uow() as work:
        found = work.incidents.get("INC-2026-0001")
        assert found is not None and found == incident
        assert found.record.meetings == incident.record.meetings
        found.actions[0].state = ActionState.DONE  # changed in place, written back
        found.record.meetings.review.cancelled = True  # type: ignore[union-attr]
    with uow() as work:
        again = work.incidents.get("INC-2026-0001")
        assert again is not None
        assert [a.state for a in again.actions] == [ActionState.DONE, ActionState.NOT_STARTED]
        assert again.actions[0].due == date(2026, 12, 14) and again.actions[1].due is None
        assert again.record.meetings.review is not None and again.record.meetings.review.cancelled
        assert again.record.meetings.invitees == ["guest@example.org"]
