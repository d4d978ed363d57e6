"""Reliability soak: incidents through their whole life while the tenant misbehaves and the
worker is killed again and again. Then count, from the sandbox's own records, what arrived.

    python scripts/soak.py            # 100 incidents (half an hour: 30 mails a minute)
    python scripts/soak.py --quick    # 3 incidents, about a minute (CI runs this)

Faults: 10% of Graph writes get 429 or 503, 2% of sends are accepted and then fail, people save
the report between the assistant's read and write (412), reports are opened in Word (423), and
the worker is SIGKILLed and restarted every few seconds. Exit 1 on any loss or duplicate.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from email import policy
from email.parser import BytesParser
from pathlib import Path

import httpx

from comms_assistant.adapters.sql import outbox
from comms_assistant.adapters.word.read import read_timeline
from comms_assistant.bootstrap import bootstrap
from comms_assistant.config import Settings
from comms_assistant.sandbox import SandboxTenant, seed
from comms_assistant.service import pacing

COMMS = "comms.lead@example.org"
EDIT = "A colleague's note typed into the report during the soak."
WRITES = r"/(sendMail|messages|content|copy)$"


def faults(seed_value: int) -> list[dict]:
    return [
        {"method": "POST", "path": r"/(sendMail|messages)$", "status": 503, "after": True,
         "probability": 0.02, "seed": seed_value},
        {"method": "PUT", "path": r"/items/[^/:]+/content$", "edit": EDIT, "probability": 0.15,
         "seed": seed_value + 1},
        {"path": WRITES, "status": 429, "retry_after": 1, "probability": 0.05,
         "seed": seed_value + 2},
        {"path": WRITES, "status": 503, "retry_after": 1, "probability": 0.05,
         "seed": seed_value + 3},
    ]  # fmt: skip


def lifecycle(n: int) -> list[str]:
    return [
        f"open Service {n} is down p2 impact: People cannot use service {n} services: apply",
        "comms me",
        f"update People can sign in to service {n} again but cannot save their work.",
        "log The supplier is looking at it",
        "priority p1 More people are affected than we first thought",
        f"update People can save their work in service {n} again but it is slow.",
        f"close People can use service {n} normally again.",
        "review",
    ]


def cli() -> list[str]:
    installed = Path(sys.executable).parent / "comms-assistant"
    if installed.exists():
        return [str(installed)]
    return [sys.executable, "-m", "comms_assistant.entrypoints.cli"]


class Worker:
    """The worker process, killed without warning and started again."""

    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        self.env, self.cwd, self.kills = env, cwd, 0
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [*cli(), "worker"], env=self.env, cwd=self.cwd,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)
            self.kills += 1


def soak(
    incidents: int, *, kill_every: tuple[float, float], drain_for: float, seed_value: int
) -> dict:
    rng = random.Random(seed_value)
    root = Path(tempfile.mkdtemp(prefix="comms-soak-"))
    home = root / "home"
    with SandboxTenant(home / "sandbox") as sandbox:
        control = httpx.Client(base_url=sandbox.base_url, timeout=30)
        env = {k: v for k, v in os.environ.items() if not k.startswith("COMMS_ASSISTANT_")}
        env |= {
            "COMMS_ASSISTANT_HOME": str(home),
            "COMMS_ASSISTANT_SANDBOX_URL": sandbox.base_url,
            "COMMS_ASSISTANT_WORKER_INTERVAL": "0.5",
            "COMMS_ASSISTANT_DELIVERY_LEASE": "2",
        }
        settings = Settings(home=home, sandbox_url=sandbox.base_url)
        service = bootstrap(settings).commands()
        control.post("/_sandbox/faults", json=faults(seed_value)).raise_for_status()
        worker = Worker(env, root)
        worker.start()
        stop = threading.Event()
        folder = _reports_dir(home)
        locks = threading.Thread(
            target=_lock_reports, args=(control, folder, rng, stop), daemon=True
        )
        locks.start()

        steps = [(n, step) for step in range(8) for n in range(incidents)]
        next_kill = time.monotonic() + rng.uniform(*kill_every)
        for n, step in steps:
            reply = service.execute(
                lifecycle(n)[step], who=COMMS, incident=None if step == 0 else _ref(n)
            )
            if not reply.ok or reply.held:
                raise SystemExit(f"the soak's own command was refused: {reply.text}")
            if time.monotonic() >= next_kill:
                worker.kill()
                worker.start()
                next_kill = time.monotonic() + rng.uniform(*kill_every)
            time.sleep(rng.uniform(0.0, 0.05))

        # Keep killing the worker while it works through what the commands queued.
        engine = bootstrap(settings).engine
        # Exchange takes 30 messages a minute from the mailbox and the worker keeps to that:
        # 100 incidents' mail alone needs over 20 minutes, whatever the faults.
        deadline = time.monotonic() + max(drain_for, _paced_seconds(engine) + 60)
        while time.monotonic() < deadline and _pending(engine):
            time.sleep(rng.uniform(*kill_every))
            worker.kill()
            worker.start()
        worker.kill()
        stop.set()
        locks.join()
        edits = sum(
            r["hits"] for r in control.get("/_sandbox/faults").json()["value"] if r.get("edit")
        )
        control.delete("/_sandbox/faults").raise_for_status()
        # The last locks close and the last killed worker's leases run out.
        time.sleep(4.5)
        wait = max(300, _paced_seconds(engine) + 120)
        finish = subprocess.run(
            [*cli(), "deliver", "--timeout", str(wait)], env=env, cwd=root,
            capture_output=True, text=True, timeout=wait + 100,
        )  # fmt: skip
        counts = _count(home, settings, edits)
        counts |= {"incidents": incidents, "worker kills": worker.kills}
        counts["final deliver exit"] = finish.returncode
        return counts


def _lock_reports(
    control: httpx.Client, folder: Path, rng: random.Random, stop: threading.Event
) -> None:
    """Now and then someone opens a report in Word for a few seconds."""
    while not stop.wait(rng.uniform(2.0, 5.0)):
        reports = sorted(folder.glob("*.docx"))
        if reports:
            target = rng.choice(reports).name
            control.post(
                "/_sandbox/lock",
                json={"path": f"{seed.REPORTS_FOLDER}/{target}", "seconds": rng.uniform(1, 4)},
            )


def _paced_seconds(engine: object) -> float:
    """The least time the pending mail can take at Exchange's 30 messages a minute."""
    rows = outbox.rows(engine)  # type: ignore[arg-type]
    mail = sum(1 for r in rows if r.status == outbox.PENDING and r.kind in pacing.MAIL_KINDS)
    return mail * 60 / pacing.PER_MINUTE


def _pending(engine: object) -> bool:
    return any(r.status == outbox.PENDING for r in outbox.rows(engine))  # type: ignore[arg-type]


def _reports_dir(home: Path) -> Path:
    library = home / "sandbox" / "sharepoint" / seed.SITE_NAME / seed.LIBRARY
    return library / seed.REPORTS_FOLDER


def _ref(n: int) -> str:
    return f"INC-{time.gmtime().tm_year}-{n + 1:04d}"


def _count(home: Path, settings: Settings, edits: int) -> dict:
    rows = outbox.rows(bootstrap(settings).engine)
    sandbox = home / "sandbox"
    parser = BytesParser(policy=policy.default)
    mail_files = (sandbox / "mail" / seed.MAILBOXES[0] / "Sent Items").glob("*.eml")
    mails = Counter(
        parser.parsebytes(p.read_bytes())["x-comms-assistant-delivery"] for p in mail_files
    )
    # Cards to channels (teams/) and to people (chats/), each known by its attachment id.
    posts = [*(sandbox / "teams").rglob("*.json"), *(sandbox / "chats").rglob("*.json")]
    cards = Counter(
        attachments[0]["id"]
        for p in posts
        if (attachments := json.loads(p.read_text(encoding="utf-8")).get("attachments"))
    )
    expected_mail = {r.payload["delivery_id"] for r in rows if r.kind == "mail"}
    expected_cards = sum(1 for r in rows if r.kind in ("teams.card", "lead.card"))
    reports = _reports_dir(home)
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
    }


def _paragraph_count(docx: Path, text: str) -> int:
    import docx as python_docx

    document = python_docx.Document(str(docx))
    return sum(p.text == text for p in document.paragraphs)


def failures(counts: dict) -> list[str]:
    problems = []
    for key in ("deliveries not done", "emails missing", "emails duplicated", "cards duplicated",
                "reports with bad timelines"):  # fmt: skip
        if counts[key]:
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


def main(argv: list[str] | None = None) -> int:
    # Killed workers drop their connections: the sandbox would log each as an error.
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 incidents, about a minute")
    parser.add_argument("--incidents", type=int, default=None)
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--json", action="store_true", help="print the counts as JSON")
    args = parser.parse_args(argv)
    incidents = args.incidents or (3 if args.quick else 100)
    kill_every = (3.0, 5.0) if args.quick else (3.0, 8.0)
    started = time.monotonic()
    counts = soak(
        incidents,
        kill_every=kill_every,
        drain_for=30.0 if args.quick else 600.0,
        seed_value=args.seed,
    )
    counts["seconds"] = round(time.monotonic() - started, 1)
    problems = failures(counts)
    if args.json:
        print(json.dumps(counts | {"problems": problems}, indent=2))
    else:
        width = max(len(k) for k in counts)
        for key, value in counts.items():
            print(f"{key:<{width}}  {value}")
        print(
            "\n" + ("\n".join(f"FAIL {p}" for p in problems) or "OK: nothing lost, nothing twice")
        )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
