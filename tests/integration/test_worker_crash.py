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
import sys
import time
from collections import Counter
from email import policy
from email.parser import BytesParser
from pathlib import Path

import httpx

from comms_assistant.adapters import outbox
from comms_assistant.adapters.word import read_timeline
from comms_assistant.bootstrap import bootstrap
from comms_assistant.config import Settings
from comms_assistant.sandbox import SandboxTenant, seed

KILLS = 8
INCIDENTS = 4


def cli() -> list[str]:
    installed = Path(sys.executable).parent / "comms-assistant"
    return (
        [str(installed)]
        if installed.exists()
        else [sys.executable, "-m", "comms_assistant.entrypoints.cli"]
    )


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
        for n in range(INCIDENTS):
            service.execute(
                f"open Service {n} is down p2 impact: People cannot use service {n} "
                "services: apply",
                who="comms.lead@example.org",
            )
            reply = service.execute(
                f"update People can sign in to service {n} again but cannot save their work.",
                who="comms.lead@example.org",
                incident=f"INC-2026-{n + 1:04d}",
            )
            assert reply.ok and not reply.held, reply.text
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
        ]
        httpx.post(f"{sandbox.base_url}/_sandbox/faults", json=rules).raise_for_status()

        for _ in range(KILLS):
            worker = subprocess.Popen(
                [*cli(), "worker"],
                env=env,
                cwd=tmp_path,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            time.sleep(rng.uniform(1.0, 3.0))
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=30)

        httpx.delete(f"{sandbox.base_url}/_sandbox/faults").raise_for_status()
        time.sleep(1.2)  # the last killed worker's leases run out
        finish = subprocess.run(
            [*cli(), "deliver", "--timeout", "120"],
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

        reports = home / "sandbox" / "sharepoint" / seed.SITE_NAME / seed.LIBRARY
        for n in range(INCIDENTS):
            (report,) = (reports / seed.REPORTS_FOLDER).glob(f"* INC-2026-{n + 1:04d} *.docx")
            seqs = [seq for seq, _ in read_timeline(report.read_bytes()) if seq is not None]
            assert seqs == sorted(set(seqs)) and seqs[:2] == [1, 2], seqs
