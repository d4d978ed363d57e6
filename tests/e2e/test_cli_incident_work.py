"""Issue 21's "Done when", through `comms-assistant run` (one process per command) against the
sandbox tenant and the real msgraph-sdk, checked from the sandbox's files: a P1's bridge, two
follow-up actions in Planner, the review meeting booked once on a working day, and an action
completed and shown in the review."""

from __future__ import annotations

import email
import email.policy
import json
import subprocess
import sys
from datetime import UTC, date, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import holidays
import pytest
from cli_helper import run_cli
from docx_text import reading_order

from comms_assistant.sandbox import seed
from comms_assistant.sandbox.bot_connector import USERS

COMMS, TECH, SCRIBE = "comms.lead@example.org", "tech.lead@example.org", "visitor@example.org"
TECH_ID, COMMS_ID = USERS[1][1], USERS[0][1]
# A Tuesday before Christmas: 5 working days after it skip the weekend and two bank holidays
# (Christmas Day, and Boxing Day's Monday), landing on Thursday 31 December.
START = datetime(2026, 12, 22, 11, 0, tzinfo=UTC)
REVIEW_DAY = date(2026, 12, 31)
ACTION_1 = "Add an alert on the applications queue depth"
ACTION_2 = "Write down how to restart the database safely"

AT_START = """
import sys
from datetime import UTC, datetime

import comms_assistant.bootstrap as bootstrap

offset = datetime.fromisoformat(sys.argv.pop(1)) - datetime.now(UTC)
bootstrap.bootstrap.__kwdefaults__["clock"] = lambda: datetime.now(UTC) + offset
from comms_assistant.entrypoints.cli import main

sys.argv[0] = "comms-assistant"
main()
"""

pytestmark = pytest.mark.filterwarnings("ignore:.*is deprecated:DeprecationWarning")


def run(home: Path, command: str, who: str, *extra: str) -> subprocess.CompletedProcess[str]:
    at_start = [sys.executable, "-c", AT_START, START.isoformat()]
    return run_cli(home, "run", command, "--as", who, *extra, command=at_start)


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def sandbox(home: Path) -> Path:
    return home / "sandbox"


def events(home: Path) -> list[dict[str, Any]]:
    """The organiser's events, cancelled ones (in Deleted Items) included."""
    folder = sandbox(home) / "calendar" / seed.SERVICE_ACCOUNT
    return [json.loads(p.read_text()) for p in sorted(folder.rglob("*.json"))]


def tasks(home: Path) -> list[dict[str, Any]]:
    folder = sandbox(home) / "planner" / seed.PLAN_ID / "tasks"
    found = [json.loads(p.read_text()) for p in folder.glob("*.json")]
    return sorted(found, key=lambda t: t["title"])


def sent_mail(home: Path) -> list[EmailMessage]:
    folder = sandbox(home) / "mail" / seed.MAILBOXES[0] / "Sent Items"
    parse = email.message_from_bytes
    return [
        parse(p.read_bytes(), policy=email.policy.default) for p in sorted(folder.glob("*.eml"))
    ]  # type: ignore[misc]


def body_text(message: EmailMessage) -> str:
    return "\n".join(
        part.get_content() for part in message.walk() if part.get_content_maintype() == "text"
    )


def channel_posts(home: Path) -> list[dict[str, Any]]:
    folder = sandbox(home) / "teams" / seed.TEAM_NAME / seed.CHANNEL_NAME
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]


def cards_of(post: dict[str, Any]) -> list[dict[str, Any]]:
    return [json.loads(a["content"]) for a in post.get("attachments") or []]


def buttons(card: dict[str, Any]) -> dict[str, str]:
    return {a["title"]: a.get("url", "") for a in card.get("actions", [])}


def review_document(home: Path) -> Path:
    library = sandbox(home) / "sharepoint" / seed.SITE_NAME / seed.LIBRARY / "Incident reports"
    [review] = library.glob("* - incident review.docx")
    return review


def test_a_p1_with_its_bridge_actions_and_review_meeting(tmp_path: Path) -> None:
    home = tmp_path / "home"
    out = ok(run(home, "open Apply is down p1 impact: Candidates cannot submit applications "
                 "services: apply", COMMS))  # fmt: skip
    reference = out.split()[0]
    assert "Making a Teams meeting for the responders" in out

    # The bridge: one event with a Teams meeting in the organiser's calendar.
    [bridge] = events(home)
    join = bridge["onlineMeeting"]["joinUrl"]
    assert bridge["isOnlineMeeting"] and join.startswith("https://teams.microsoft.com/")
    assert f"join: {join}" in out
    # On the incident's card (updated in place) and in a post in its thread: the responders'.
    posts = channel_posts(home)
    root = next(p for p in posts if not p.get("replyToId"))
    assert buttons(cards_of(root)[0])["Join the responders' Teams meeting"] == join
    assert any(p.get("replyToId") == root["id"] and join in json.dumps(cards_of(p)) for p in posts)

    ok(run(home, "tech me", TECH))
    ok(run(home, f"scribe {SCRIBE}", COMMS))
    added = ok(run(home, f"action {ACTION_1} owner {TECH} due 14 January", COMMS))
    assert "Action 1 added" in added and "sent     planner task for action 1" in added
    ok(run(home, f"action {ACTION_2} owner me due 2027-01-08", COMMS))

    one, two = tasks(home)
    assert one["title"] == f"{reference} action 1: {ACTION_1}"
    assert list(one["assignments"]) == [TECH_ID]
    assert one["dueDateTime"].startswith("2027-01-14")
    assert two["title"] == f"{reference} action 2: {ACTION_2}"
    assert list(two["assignments"]) == [COMMS_ID]
    assert two["dueDateTime"].startswith("2027-01-08")
    assert one["percentComplete"] == two["percentComplete"] == 0

    closed = ok(run(home, "close Restored the connection to the applications database", COMMS))
    assert "Review meeting booked for Thursday 31 December 2026 at 10am UK time" in closed

    def review_meetings() -> list[dict[str, Any]]:
        return [e for e in events(home) if "review meeting" in e["subject"]]

    [meeting] = review_meetings()
    start = datetime.fromisoformat(meeting["start"]["dateTime"][:19]).date()
    assert start == REVIEW_DAY and start.weekday() < 5
    assert start not in holidays.country_holidays("GB", subdiv="ENG", years=start.year)
    invited = {a["emailAddress"]["address"] for a in meeting["attendees"]}
    assert invited == {COMMS, TECH, SCRIBE}  # the leads and the scribe
    assert meeting["isOnlineMeeting"] and meeting["onlineMeeting"]["joinUrl"]

    # Again: close is refused (it is resolved), review files the review, once.
    again = run(home, "close Restored it again", COMMS, "--incident", reference)
    assert again.returncode == 1 and "resolved" in again.stdout
    ok(run(home, "review", COMMS))
    assert run(home, "review", COMMS, "--incident", reference).returncode == 1
    [meeting] = review_meetings()
    assert "incident review" in meeting["bodyPreview"]  # its link, once the review was filed
    assert [n["kind"] for n in meeting["sandboxNotices"]] == ["invitation", "update"]

    done = ok(run(home, "action 1 done", COMMS))
    assert "sent     planner action 1 marked complete" in done
    one, two = tasks(home)
    assert one["percentComplete"] == 100 and one["completedDateTime"]
    assert two["percentComplete"] == 0
    lines = reading_order(review_document(home))
    heading = lines.index("Follow-up actions")
    table = lines[heading : heading + 8]
    assert f"1. {ACTION_1} | Tom Achebe | 14 January 2027 | Done" in table, table
    assert f"2. {ACTION_2} | Sam Okafor | 8 January 2027 | Not started" in table, table

    # The join link went to the responders only: never in an email or another Teams message.
    messages = sent_mail(home)
    assert messages and all(join not in body_text(m) for m in messages)
    chats = sandbox(home) / "chats"
    others = [
        p for p in (sandbox(home) / "teams").rglob("*.json") if seed.CHANNEL_NAME not in p.parts
    ]
    for path in [*chats.rglob("*.json"), *others]:
        assert join not in path.read_text(), path
    assert len(events(home)) == 2  # the bridge and one review meeting, nothing twice
    assert len(tasks(home)) == 2
