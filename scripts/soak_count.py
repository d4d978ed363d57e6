"""The soak's counts: what the sandbox tenant's own records say arrived, against the outbox."""

from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from email import policy
from email.parser import BytesParser
from pathlib import Path

from comms_assistant.adapters.sql import outbox
from comms_assistant.adapters.word.read import read_timeline
from comms_assistant.bootstrap import bootstrap
from comms_assistant.config import Settings
from comms_assistant.sandbox import seed
from comms_assistant.sandbox.bot_connector import BOT_CONNECTOR

EDIT = "A colleague's note typed into the report during the soak."


def reports_dir(home: Path) -> Path:
    library = home / "sandbox" / "sharepoint" / seed.SITE_NAME / seed.LIBRARY
    return library / seed.REPORTS_FOLDER


def count(home: Path, settings: Settings, edits: int) -> dict:
    rows = outbox.rows(bootstrap(settings).engine)
    sandbox = home / "sandbox"
    parser = BytesParser(policy=policy.default)
    mail_files = (sandbox / "mail" / seed.MAILBOXES[0] / "Sent Items").glob("*.eml")
    mails = Counter(
        parser.parsebytes(p.read_bytes())["x-comms-assistant-delivery"] for p in mail_files
    )
    # Cards to channels (teams/) and to people (chats/), each known by its attachment id. The
    # bot's answers to commands are not deliveries: the Teams side of the soak counts those.
    posts = [*(sandbox / "teams").rglob("*.json"), *(sandbox / "chats").rglob("*.json")]
    stored = (json.loads(p.read_text(encoding="utf-8")) for p in posts)
    cards = Counter(
        attachments[0]["id"]
        for activity in stored
        if (attachments := activity.get("attachments")) and not _bot_answer(activity)
    )
    expected_mail = {r.payload["delivery_id"] for r in rows if r.kind == "mail"}
    # A living card's refresh posts a new card when the first was never posted (living_card.py).
    refreshes_posted = sum(
        1 for r in rows if r.kind == "teams.refresh" and (r.result or {}).get("posted")
    )
    expected_cards = (
        sum(1 for r in rows if r.kind in ("teams.card", "lead.card")) + refreshes_posted
    )
    reports = reports_dir(home)
    row_problems, edits_found, reviews = 0, 0, 0
    for docx in reports.glob("*.docx"):
        # A person may edit any document the assistant rewrites, the Major Incident report too.
        edits_found += _paragraph_count(docx, EDIT)
        if docx.name.endswith(" - incident review.docx"):
            reviews += 1
            continue
        if docx.name.endswith(" - major incident report.docx"):
            continue
        seqs = [seq for seq, _ in read_timeline(docx.read_bytes()) if seq is not None]
        row_problems += int(seqs != sorted(set(seqs)) or not seqs)
    for row in rows:
        if row.status != outbox.DONE:
            print(f"not done: {row.kind} {row.key} {row.status} {row.last_error}", file=sys.stderr)
    for what, seen in (("email", mails), ("card", cards)):
        for key, times in seen.items():
            if times > 1:
                print(f"{what} {key} arrived {times} times", file=sys.stderr)
    lanes, disordered = lane_order(rows)
    return {
        "deliveries expected": len(rows),
        "deliveries done": sum(r.status == outbox.DONE for r in rows),
        "deliveries not done": sum(r.status != outbox.DONE for r in rows),
        "emails expected": len(expected_mail),
        "emails missing": len(expected_mail - set(mails)),
        "emails duplicated": sum(v - 1 for v in mails.values() if v > 1),
        "cards expected": expected_cards,
        "cards posted": len(cards),
        "cards duplicated": sum(v - 1 for v in cards.values() if v > 1),
        "reports with bad timelines": row_problems,
        "reviews filed": reviews,
        "human edits made": edits,
        "human edits kept": edits_found,
        "lanes checked": lanes,
        "lanes out of order": disordered,
    }


def _bot_answer(activity: dict) -> bool:
    return activity.get("source") == BOT_CONNECTOR and activity.get("replyToId") is not None


def lane_order(rows: Iterable[outbox.OutboxRow]) -> tuple[int, int]:
    """(lanes, lanes out of order): within a lane, the deliveries that went went in id order."""
    went: dict[str, list[outbox.OutboxRow]] = defaultdict(list)
    for row in rows:
        if row.status == outbox.DONE and row.done_at is not None:
            went[row.lane].append(row)
    disordered = 0
    for lane, done in went.items():
        by_id = [r.id for r in sorted(done, key=lambda r: r.id)]
        by_time = [r.id for r in sorted(done, key=lambda r: (r.done_at, r.id))]
        if by_id != by_time:
            disordered += 1
            print(f"lane {lane} out of order: by id {by_id}, by done_at {by_time}", file=sys.stderr)
    return len(went), disordered


def throttled(requests: Iterable[object]) -> tuple[int, int]:
    """(429s the tenant gave for its own limits, 429s injected): the sandbox logs each request
    with the fault rule that acted on it; a 429 without one is Exchange's 30 a minute."""
    ours = injected = 0
    for request in requests:
        if getattr(request, "status", None) == 429:
            if getattr(request, "fault", None) is None:
                ours += 1
            else:
                injected += 1
    return ours, injected


def tracebacks(logs: Iterable[Path]) -> int:
    found = 0
    for log in logs:
        text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
        if "Traceback" in text:
            print(f"traceback in {log}:\n{text[-3000:]}", file=sys.stderr)
        found += text.count("Traceback (most recent call last)")
    return found


def _paragraph_count(docx: Path, text: str) -> int:
    import docx as python_docx

    document = python_docx.Document(str(docx))
    return sum(p.text == text for p in document.paragraphs)


def failures(counts: dict) -> list[str]:
    problems = []
    for key in ("deliveries not done", "emails missing", "emails duplicated", "cards duplicated",
                "reports with bad timelines", "lanes out of order", "tracebacks",
                "429s from our pacing"):  # fmt: skip
        if counts.get(key):
            problems.append(f"{key}: {counts[key]}")
    if counts["cards posted"] != counts["cards expected"]:
        problems.append("cards lost")
    if counts["reviews filed"] != counts["incidents"]:
        problems.append("reviews missing or duplicated")
    if counts["human edits kept"] != counts["human edits made"]:
        problems.append("human edits lost or duplicated")
    if counts["final deliver exit"] != 0:
        problems.append("the final deliver did not finish")
    return problems
