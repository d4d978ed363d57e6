"""Reliability soak: incidents through their whole life while the tenant misbehaves and the
workers are killed again and again. Then count, from the sandbox's own records, what arrived.

    python scripts/soak.py            # 100 incidents (half an hour: 30 mails a minute)
    python scripts/soak.py --quick    # 3 incidents, about a minute (CI runs this)
    python scripts/soak.py --engine postgresql --quick    # 3 workers on one PostgreSQL

Faults: 10% of Graph writes get 429 or 503, 2% of sends are accepted and then fail, people save
the report between the assistant's read and write (412), reports are opened in Word (423), and
the worker is SIGKILLed and restarted every few seconds. Exit 1 on any loss or duplicate.

On PostgreSQL (a throwaway cluster, its schema made by `comms-assistant db upgrade`) several
workers (3 unless --workers) share the database, each SIGKILLed and restarted at random, and the
commands arrive from 3 `comms-assistant run` processes at once, several incidents interleaved.
Also counted, on both engines: each lane's deliveries went in order (done_at order is id order),
no process wrote a traceback, and the tenant gave no 429 for its own 30 mails a minute.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
from soak_count import EDIT, count, failures, reports_dir, throttled, tracebacks
from soak_pg import URL_VARIABLE, database, upgrade
from soak_procs import Killer, Worker, cli, issue_concurrently
from soak_teams import LoadBalancer, Person, add_the_sender, bot_instances, teams_people

from comms_assistant.adapters.sql import outbox
from comms_assistant.bootstrap import bootstrap
from comms_assistant.config import Settings
from comms_assistant.sandbox import SandboxTenant, seed
from comms_assistant.service import pacing

COMMS = "comms.lead@example.org"
WRITES = r"/(sendMail|messages|content|copy)$"
ISSUERS = 3  # `comms-assistant run` processes at once, on PostgreSQL
BOTS = 2  # `serve` instances behind the load balancer, on PostgreSQL
TEAMS_SENDERS = 2  # people in Teams at once, each on their own incidents' threads


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


def soak(
    incidents: int,
    *,
    kill_every: tuple[float, float],
    drain_for: float,
    seed_value: int,
    engine: str = "sqlite",
    workers: int = 1,
    kill_after_accept: float = 0.15,
) -> dict:
    rng, began = random.Random(seed_value), time.monotonic()
    root = Path(tempfile.mkdtemp(prefix="comms-soak-"))
    home = root / "home"
    with (
        database(engine) as url,
        SandboxTenant(home / "sandbox") as sandbox,
        contextlib.ExitStack() as running,  # whatever happens, no process outlives the soak
    ):
        control = httpx.Client(base_url=sandbox.base_url, timeout=30)
        env = {k: v for k, v in os.environ.items() if not k.startswith("COMMS_ASSISTANT_")}
        env |= {
            "COMMS_ASSISTANT_HOME": str(home),
            "COMMS_ASSISTANT_SANDBOX_URL": sandbox.base_url,
            "COMMS_ASSISTANT_WORKER_INTERVAL": "0.5",
            "COMMS_ASSISTANT_DELIVERY_LEASE": str(_lease(workers)),
        }
        if url:
            env[URL_VARIABLE] = url
            upgrade(env, root)
        settings = Settings(home=home, sandbox_url=sandbox.base_url, database_url=url)
        control.post("/_sandbox/faults", json=faults(seed_value)).raise_for_status()
        pool = [Worker(env, root, root / f"worker-{i}.err") for i in range(workers)]
        running.callback(_kill_all, pool)
        for worker in pool:
            worker.start()
        stop = threading.Event()
        locks = threading.Thread(
            target=_lock_reports, args=(control, reports_dir(home), rng, stop), daemon=True
        )
        locks.start()
        logs = [w.log for w in pool if w.log]
        store = bootstrap(settings).engine
        bots: list[Worker] = []
        if url is None:
            _commands_in_process(settings, incidents, pool, kill_every, rng)
            killers: list[Killer] = []
            person = None
        else:
            add_the_sender(control, COMMS)
            instances = bot_instances(BOTS, env, root, COMMS)
            bots = [bot for bot, _ in instances]
            running.callback(_kill_all, bots)
            for bot in bots:
                bot.start()
            balancer = LoadBalancer(instances, rng, kill_after_accept)
            person = Person(home / "sandbox", sandbox.base_url + "/", balancer, store)
            killers = [Killer(pool, kill_every, rng), Killer(bots, BOT_KILL_EVERY, rng)]
            for killer in killers:
                killer.start()
                running.callback(killer.stop)
            numbers = list(range(incidents))
            # Even incidents from `run` processes, odd ones from people in Teams, all at once.
            with teams_people(TEAMS_SENDERS, numbers[1::2], lifecycle, person, seed_value):
                logs += issue_concurrently(
                    numbers[0::2], lifecycle, who=COMMS, env=env, cwd=root, processes=ISSUERS,
                    seed_value=seed_value,
                )  # fmt: skip
            logs += [b.log for b in bots if b.log]

        print(f"commands issued after {time.monotonic() - began:.0f} s", file=sys.stderr)
        # Keep killing the workers while they work through what the commands queued.
        # Exchange takes 30 messages a minute from the mailbox and the worker keeps to that:
        # 100 incidents' mail alone needs over 20 minutes, whatever the faults.
        deadline = time.monotonic() + max(drain_for, _paced_seconds(store) + 60)
        while time.monotonic() < deadline and _pending(store):
            time.sleep(rng.uniform(*kill_every) if not killers else 1.0)
            if not killers:
                for worker in pool:
                    worker.kill()
                    worker.start()
        for killer in killers:
            killer.stop()
        for worker in [*pool, *bots]:
            worker.kill()
        stop.set()
        locks.join()
        edits = sum(
            r["hits"] for r in control.get("/_sandbox/faults").json()["value"] if r.get("edit")
        )
        control.delete("/_sandbox/faults").raise_for_status()
        print(f"drained after {time.monotonic() - began:.0f} s", file=sys.stderr)
        # The last locks close and the last killed worker's leases run out.
        time.sleep(_lease(workers) + 2.5)
        # Mail at 30 a minute, and the rest at the few a second one process manages on 2 busy
        # cores (the 100-incident run's final deliver ran out of time with a mail bound only).
        wait = max(300, _paced_seconds(store) + 120, _pending_count(store) * 0.75)
        finish = subprocess.run(
            [*cli(), "deliver", "--timeout", str(wait)], env=env, cwd=root,
            capture_output=True, text=True, timeout=wait + 100,
        )  # fmt: skip
        (root / "deliver.err").write_text(finish.stderr, encoding="utf-8")
        counts = count(home, settings, edits)
        ours, injected = throttled(sandbox.requests)
        store.dispose()
        counts |= {
            "incidents": incidents,
            "engine": engine,
            "workers": workers,
            "worker kills": sum(w.kills for w in pool),
            "bot instances": len(bots),
            "bot instance kills": sum(b.kills for b in bots),
            "429s injected": injected,
            "429s from our pacing": ours,
            "tracebacks": tracebacks([*logs, root / "deliver.err"]),
        }
        if person is not None:
            counts |= person.report() | {
                "bot kills just after a 202": balancer.killed_after_accept,
                "posts sent again by the balancer": balancer.resent,
            }
        counts["final deliver exit"] = finish.returncode
        return counts


# Each `serve` instance on its own clock; a start costs a few seconds of CPU on 2 cores.
BOT_KILL_EVERY = (15.0, 30.0)


def _lease(workers: int) -> float:
    """Seconds a worker holds a delivery (120 by default). One worker's 2 s lease only ever
    passes from a killed worker. Several live workers: a sender renews its lease just before
    its request (service/fencing.py), so one stalled past its lease (a long wait for Teams'
    pace) sends nothing; but the request itself must land within the renewed lease, or the
    next sender's look ("did it go?") can come first. On 2 busy cores a post can take over 2 s:
    10 s still lets killed workers' deliveries go soon."""
    return 2.0 if workers == 1 else 10.0


def _kill_all(processes: list[Worker]) -> None:
    for process in processes:
        process.kill()


def _commands_in_process(
    settings: Settings,
    incidents: int,
    pool: list[Worker],
    kill_every: tuple[float, float],
    rng: random.Random,
) -> None:
    """The lifecycles from this process, one command at a time (the SQLite soak)."""
    service = bootstrap(settings).commands()
    steps = [(n, step) for step in range(8) for n in range(incidents)]
    next_kill = time.monotonic() + rng.uniform(*kill_every)
    for n, step in steps:
        reply = service.execute(
            lifecycle(n)[step], who=COMMS, incident=None if step == 0 else _ref(n)
        )
        if not reply.ok or reply.held:
            raise SystemExit(f"the soak's own command was refused: {reply.text}")
        if time.monotonic() >= next_kill:
            for worker in pool:
                worker.kill()
                worker.start()
            next_kill = time.monotonic() + rng.uniform(*kill_every)
        time.sleep(rng.uniform(0.0, 0.05))


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


def _pending_count(engine: object) -> int:
    return sum(r.status == outbox.PENDING for r in outbox.rows(engine))  # type: ignore[arg-type]


def _pending(engine: object) -> bool:
    return any(r.status == outbox.PENDING for r in outbox.rows(engine))  # type: ignore[arg-type]


def _ref(n: int) -> str:
    return f"INC-{time.gmtime().tm_year}-{n + 1:04d}"


def main(argv: list[str] | None = None) -> int:
    # Killed workers drop their connections: the sandbox would log each as an error.
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 incidents, about a minute")
    parser.add_argument("--incidents", type=int, default=None)
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--workers", type=int, default=None, help="1 on SQLite, 3 on PostgreSQL")
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument(
        "--kill-after-accept", type=float, default=0.15, metavar="SHARE",
        help="PostgreSQL: the share of Teams commands whose bot instance is SIGKILLed just "
        "after it answered 202 (default 0.15)",
    )  # fmt: skip
    parser.add_argument("--json", action="store_true", help="print the counts as JSON")
    args = parser.parse_args(argv)
    incidents = args.incidents or (3 if args.quick else 100)
    workers = args.workers or (3 if args.engine == "postgresql" else 1)
    kill_every = (3.0, 5.0) if args.quick else (3.0, 8.0)
    if workers > 1:
        # Each worker on its own clock: 3 workers restarting every 3-5 s on 2 cores would spend
        # their lives starting (a start costs over a second of CPU); one of the 3 is still
        # killed every 5 s or so.
        kill_every = (12.0, 20.0) if args.quick else (12.0, 30.0)
    started = time.monotonic()
    counts = soak(
        incidents,
        kill_every=kill_every,
        drain_for=30.0 if args.quick else 600.0,
        seed_value=args.seed,
        engine=args.engine,
        workers=workers,
        kill_after_accept=args.kill_after_accept,
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
