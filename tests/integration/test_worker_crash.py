"""Kill the worker (SIGKILL) at random points while it delivers, many times, with faults on.

Afterwards every expected email, card and report row is present exactly once: a killed worker's
claims expire, and whoever takes a delivery over checks whether it already went.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import threading
import time
from collections import Counter
from email import policy
from email.parser import BytesParser
from pathlib import Path

import httpx
from cli_helper import cli_command

from comms_assistant.adapters.sql import outbox
from comms_assistant.adapters.word.read import read_timeline
from comms_assistant.bootstrap import bootstrap
from comms_assistant.config import Settings
from comms_assistant.entrypoints import worker as worker_module
from comms_assistant.sandbox import SandboxTenant, seed

KILLS = 8
INCIDENTS = 4


def started(worker: subprocess.Popen[str], timeout: float = 120.0) -> bool:
    """Wait for the worker's first pass (it says so on stdout first); False if it died first.

    A thread reads, so a worker that hangs before saying anything still meets the timeout, and
    the pipe is drained until the worker dies, so a chatty one never blocks on it.
    """
    said: list[str] = []
    settled = threading.Event()  # it said so, or its stdout closed (it died)

    def read() -> None:
        assert worker.stdout is not None
        try:
            for line in worker.stdout:
                if line.startswith(worker_module.READY) and not said:
                    said.append(line)
                    settled.set()
        finally:
            settled.set()

    threading.Thread(target=read, daemon=True).start()
    settled.wait(timeout)
    return bool(said)


def test_killing_the_worker_again_and_again_loses_nothing_and_sends_nothing_twice(
    tmp_path: Path,
) -> None:
    rng = random.Random(20261123)
    home = tmp_path / "home"
    with SandboxTenant(home / "sandbox") as sandbox:
        env = {k: v for k, v in os.environ.items() if not k.startswith("COMMS_ASSISTANT_")}
        env |= {
            "COMMS_ASSISTANT_HOME": str(home),
            "COMMS_ASSISTANT_SANDBOX_URL": sandbox.base_url,
            "COMMS_ASSISTANT_WORKER_INTERVAL": "0.2",
            "COMMS_ASSISTANT_DELIVERY_LEASE": "1",
        }
        settings = Settings(home=home, sandbox_url=sandbox.base_url)
        service = bootstrap(settings).commands()
        references = []
        for n in range(INCIDENTS):
            opened = service.execute(
                f"open Service {n} is down p2 impact: People cannot use service {n} "
                "services: apply",
                who="comms.lead@example.org",
            )
            assert opened.ok, opened.text
            references.append(opened.text.split()[0])  # its year is the service's clock's
            reply = service.execute(
                f"update People can sign in to service {n} again but cannot save their work.",
                who="comms.lead@example.org",
                incident=references[-1],
            )
            assert reply.ok and not reply.held, reply.text
            # A change with no message of its own: the incident's card is updated in place.
            changed = service.execute(
                "status identified", who="comms.lead@example.org", incident=references[-1]
            )
            assert changed.ok, changed.text
        # Faults a real tenant produces, including sends that are accepted and then fail.
        rules = [
            {
                "method": "POST",
                "path": "/sendMail$",
                "status": 503,
                "probability": 0.25,
                "seed": 1,
                "retry_after": 1,
            },
            {
                "method": "POST",
                "path": "/sendMail$",
                "status": 503,
                "after": True,
                "probability": 0.2,
                "seed": 2,
                "retry_after": 1,
            },
            {
                "method": "POST",
                "path": "/messages$",
                "status": 429,
                "probability": 0.2,
                "seed": 3,
                "retry_after": 1,
            },
            {
                "method": "PUT",
                "path": "/content$",
                "status": 503,
                "probability": 0.2,
                "seed": 4,
                "retry_after": 1,
            },
            # The incident's card: its updates in place, and the replies in its thread.
            {
                "method": "PATCH",
                "path": "/messages/[^/]+$",
                "status": 503,
                "probability": 0.3,
                "seed": 7,
                "retry_after": 1,
            },
            {
                "method": "POST",
                "path": "/replies$",
                "status": 503,
                "after": True,
                "probability": 0.3,
                "seed": 6,
                "retry_after": 1,
            },
        ]
        httpx.post(f"{sandbox.base_url}/_sandbox/faults", json=rules).raise_for_status()

        for kill in range(KILLS):
            errors = tmp_path / f"worker-{kill}.err"
            with errors.open("w") as stderr:
                worker = subprocess.Popen(
                    [*cli_command(), "worker"],
                    env=env,
                    cwd=tmp_path,
                    stdout=subprocess.PIPE,
                    stderr=stderr,
                    text=True,
                )
            try:
                # Killed only once at work: start-up alone takes seconds on a slow machine.
                assert started(worker), f"worker {kill} never started: {errors.read_text()}"
                time.sleep(rng.uniform(0.0, 1.5))
            finally:
                worker.send_signal(signal.SIGKILL)
                worker.wait(timeout=30)

        httpx.delete(f"{sandbox.base_url}/_sandbox/faults").raise_for_status()
        time.sleep(1.2)  # the last killed worker's leases run out
        finish = subprocess.run(
            [*cli_command(), "deliver", "--timeout", "120"],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert finish.returncode == 0, finish.stdout + finish.stderr

        app = bootstrap(settings)
        rows = outbox.rows(app.engine)
        print(
            f"\nworker crash: {len(rows)} deliveries, "
            f"{sum(r.claims > 1 for r in rows)} taken over from a killed or failed attempt, "
            f"{sum(r.attempts for r in rows)} attempts"
        )
        assert any(r.claims > 1 for r in rows), "the faults and kills made deliveries change hands"
        assert rows and all(r.status == outbox.DONE for r in rows), [
            (r.key, r.status, r.last_error) for r in rows if r.status != outbox.DONE
        ]

        sent_items = home / "sandbox" / "mail" / seed.MAILBOXES[0] / "Sent Items"
        parser = BytesParser(policy=policy.default)
        stamped = Counter(
            parser.parsebytes(p.read_bytes())["x-comms-assistant-delivery"]
            for p in sent_items.glob("*.eml")
        )
        expected_mail = {r.payload["delivery_id"] for r in rows if r.kind == "mail"}
        assert set(stamped) == expected_mail
        assert max(stamped.values()) == 1, [k for k, v in stamped.items() if v > 1]

        channel = home / "sandbox" / "teams" / seed.TEAM_NAME / seed.CHANNEL_NAME
        cards = Counter(
            json.loads(p.read_text(encoding="utf-8"))["attachments"][0]["id"]
            for p in channel.glob("*.json")
        )
        # The incidents channel's cards; others went to people's chats and teams' channels.
        expected_cards = sum(1 for r in rows if r.kind == "teams.card" and "to" not in r.payload)
        assert len(cards) == expected_cards and max(cards.values()) == 1
        # One card per incident there, showing the change no message told, the update a reply.
        posts = [json.loads(p.read_text(encoding="utf-8")) for p in channel.glob("*.json")]
        for reference in references:
            roots = [m for m in posts if not m["replyToId"] and reference in json.dumps(m)]
            assert len(roots) == 1, (reference, len(roots))
            card = json.loads(roots[0]["attachments"][0]["content"])
            facts = [f for b in card["body"] if b["type"] == "FactSet" for f in b["facts"]]
            assert {"title": "Status", "value": "Identified"} in facts, reference
            assert len([m for m in posts if m["replyToId"] == roots[0]["id"]]) == 1

        reports = home / "sandbox" / "sharepoint" / seed.SITE_NAME / seed.LIBRARY
        for reference in references:
            (report,) = (reports / seed.REPORTS_FOLDER).glob(f"* {reference} *.docx")
            seqs = [seq for seq, _ in read_timeline(report.read_bytes()) if seq is not None]
            assert seqs == sorted(set(seqs)) and seqs[:2] == [1, 2], seqs
