"""The whole life of an incident through `comms-assistant run`, one process per command."""

from __future__ import annotations

import email
import email.policy
import json
import subprocess
import sys
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from cli_helper import run_cli
from docx_text import document_text

from comms_assistant.adapters.card_rules import validate_card
from comms_assistant.adapters.render_cards import as_read
from comms_assistant.sandbox import seed

COMMS = "comms.lead@example.org"
TECH = "tech.lead@example.org"
TITLE = "Apply <script>alert(1)</script> is down"


# `comms-assistant` with its clock started at argv[1]: real time moved there, so waits and retries
# behave as ever while dates (and so incident references) are the test's. bootstrap() is where
# every command gets its clock, hence its default.
AT_ANOTHER_TIME = """
import sys
from datetime import UTC, datetime

import comms_assistant.bootstrap as bootstrap

offset = datetime.fromisoformat(sys.argv.pop(1)) - datetime.now(UTC)
bootstrap.bootstrap.__kwdefaults__["clock"] = lambda: datetime.now(UTC) + offset
from comms_assistant.entrypoints.cli import main

sys.argv[0] = "comms-assistant"
main()
"""


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def invoke(home: Path, *args: str, start: datetime | None = None) -> subprocess.CompletedProcess:
    """One `comms-assistant` process, with only the home folder set (and the clock's start)."""
    at_another_time = [sys.executable, "-c", AT_ANOTHER_TIME, start.isoformat()] if start else None
    return run_cli(home, *args, command=at_another_time)


def run(
    home: Path, command: str, who: str | None = None, *extra: str, start: datetime | None = None
) -> subprocess.CompletedProcess:
    return invoke(home, "run", command, *(["--as", who] if who else []), *extra, start=start)


def first_references(since: datetime) -> set[str]:
    """The first incident's reference under the real clock, read since `since`: its year is the
    clock's, whichever year that was while the test ran (it may have turned meanwhile)."""
    return {f"INC-{year}-0001" for year in range(since.year, datetime.now(UTC).year + 1)}


def ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def sent_mail(home: Path) -> list[EmailMessage]:
    folder = home / "sandbox" / "mail" / seed.MAILBOXES[0] / "Sent Items"
    return [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)  # type: ignore[misc]
        for p in sorted(folder.glob("*.eml"))
    ]


def test_an_incident_from_open_to_review(home: Path) -> None:
    since = datetime.now(UTC)
    out = ok(
        run(
            home,
            f"open {TITLE} p2 impact: Candidates cannot submit applications services: apply",
            COMMS,
        )
    )
    reference = out.split()[0]
    assert reference in first_references(since), out
    assert out.startswith(f"{reference} is open at P2"), out
    assert "sent     report" in out and "sent     email" in out and "sent     teams" in out

    ok(run(home, "lead me", TECH))
    ok(run(home, "update Candidates can sign in again but still cannot submit", COMMS))

    status = ok(run(home, "status"))
    assert TITLE in status and f"Incident lead: {TECH}" in status

    refused = run(home, "priority p9", COMMS)
    assert refused.returncode == 1 and '"p9" is not a priority' in refused.stdout

    ok(run(home, "priority p1 More candidates are affected", COMMS))
    ok(run(home, "close Restored the connection to the applications database", COMMS))
    ok(run(home, "review", COMMS))

    reports = home / "sandbox" / "sharepoint" / seed.SITE_NAME / seed.LIBRARY / "Incident reports"
    names = sorted(p.name for p in reports.glob("*.docx"))
    # It was a P1 when closed, so there is a Major Incident report beside the report and review.
    assert len(names) == 3, names
    report, review, major = (reports / n for n in sorted(names, key=len))
    assert reference in report.name and report.name.endswith(".docx")
    assert review.name.endswith(" - incident review.docx")
    assert major.name == report.name.removesuffix(".docx") + " - major incident report.docx"
    assert "Restored the connection to the applications database" in document_text(major)

    text = document_text(report)
    assert TITLE in text, "the title is written as literal text, markup and all"
    for expected in (
        "Candidates cannot submit applications",
        "Candidates can sign in again but still cannot submit",
        "Tom Achebe",  # the incident lead, by the name the contacts directory gives
        "P1",
        "Restored the connection to the applications database",
    ):
        assert expected in text, expected
    assert text.count("Candidates can sign in again but still cannot submit") == 1
    assert TECH not in text
    assert "Restored the connection to the applications database" in document_text(review)

    messages = sent_mail(home)
    bodies = [m.get_body(("plain",)).get_content() for m in messages]
    # One subject for the whole incident, so mail clients keep its messages in one thread.
    assert {m["Subject"] for m in messages} == {f"{reference}: {' '.join(TITLE.split())}"}
    banners = [
        "New incident",
        "Update 1: ",
        "Update 2, priority raised to P1: ",
        "What has happened so far",  # to the people a P1 adds
        "Major incident notification",  # to the central team, once
        "Resolved: ",
        "Major incident report filed",  # to the central team, as the notification promised
    ]
    assert len(messages) == len(banners), bodies
    for banner in banners:
        assert sum(banner in b for b in bodies) == 1, banner
    for message in messages:
        assert message["From"].addresses[0].addr_spec == seed.MAILBOXES[0]
        assert message["Bcc"], "stakeholders are in Bcc"
        html = message.get_body(("html",)).get_content()
        assert "&lt;script&gt;" in html and "<script>" not in html
        assert TITLE in message.get_body(("plain",)).get_content()
    resolved = next(i for i, b in enumerate(bodies) if "Resolved: " in b)
    told = {a.addr_spec for m in messages[:resolved] for a in m["Bcc"].addresses}
    assert {a.addr_spec for a in messages[resolved]["Bcc"].addresses} == told
    (filed,) = messages[resolved + 1 :]
    assert [a.addr_spec for a in filed["Bcc"].addresses] == ["major-incidents@example.org"]
    assert f'">{major.name.removesuffix(".docx")}</a>' in filed.get_body(("html",)).get_content()
    chats = home / "sandbox" / "chats"
    assert any("nadia.farrow@example.org" in p.read_text() for p in chats.glob("*/chat.meta"))

    channel = home / "sandbox" / "teams" / seed.TEAM_NAME / seed.CHANNEL_NAME
    posts = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(channel.glob("*.json"))]
    assert len(posts) == 4
    for post in posts:
        (attachment,) = post["attachments"]
        assert f'<attachment id="{attachment["id"]}">' in post["body"]["content"]
        card = json.loads(attachment["content"])
        assert card["version"] == "1.5"
        assert validate_card(card) == []
        # As Teams shows it: the title as typed, markup and all, never run as Markdown.
        # Where things stand, then the title exactly as typed.
        titles = [as_read(block.get("text", "")) for block in card["body"]]
        assert any(t.endswith(f": {TITLE}") for t in titles), titles


def test_a_refused_command_changes_nothing_and_says_why(home: Path) -> None:
    result = run(home, "update Is anything open?", COMMS)
    assert result.returncode == 1
    assert "No incident is open" in result.stdout
    assert "Traceback" not in result.stderr
    assert "No incident is open" in run(home, "status").stdout


@pytest.mark.parametrize("start", [None, "another year"], ids=["now", "another-year"])
def test_queued_deliveries_go_out_with_deliver(home: Path, start: str | None) -> None:
    since = datetime.now(UTC)
    # Whatever year it is now, a different one: early in the next.
    at = datetime(since.year + 1, 1, 6, 10, 0, tzinfo=UTC) if start else None
    out = ok(run(home, "open Find is slow p3 services: find", COMMS, "--no-wait", start=at))
    assert "waiting  report" in out and "sent " not in out
    assert not (home / "sandbox" / "mail").exists() or not sent_mail(home)
    reference = out.split()[0]
    assert reference in ({f"INC-{at.year}-0001"} if at else first_references(since)), out

    delivered = invoke(home, "deliver", start=at)
    assert delivered.returncode == 0, delivered.stdout + delivered.stderr
    assert "sent     report" in delivered.stdout and "waiting" not in delivered.stdout
    assert sent_mail(home)[0]["Subject"] == f"{reference}: Find is slow"
    reports = home / "sandbox" / "sharepoint" / seed.SITE_NAME / seed.LIBRARY / "Incident reports"
    [report] = reports.glob("*.docx")
    if at:
        assert report.name == f"{at:%Y-%m-%d} {reference} Find is slow.docx"
