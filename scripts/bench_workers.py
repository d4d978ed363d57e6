"""Benchmark section about several workers on PostgreSQL: one queued backlog drained by 1 worker
process, and the same backlog on a fresh database by 3 worker processes at once. Registered by
importing this module.

    python scripts/bench.py workers            two mixes of 330 deliveries (several minutes)
    python scripts/bench.py workers --quick    one mix of 70 deliveries (about a minute)

Each run: a fresh database in a throwaway PostgreSQL cluster (tests/postgres_cluster.py),
`comms-assistant db upgrade`, a fresh sandbox tenant in a process of its own, 30 incidents opened
and then logged or updated through the real CommandService (so the outbox's lanes are the
product's: each incident's documents, its cards), then `comms-assistant worker` processes
started on that backlog. Wall-clock: deliveries per second from the first worker's first pass to
the last delivery done. Latency is each delivery's done_at - created_at from the outbox: the whole
backlog was queued before the workers started, so it includes that wait and the workers'
start-up. CPU seconds of the workers and of the sandbox tenant per delivery show where the time
went on a machine with 2 cores.

The mixes have no mail on purpose. Exchange takes 30 messages a minute per mailbox, and the
product keeps to that across every worker (send_slots): mail would go at 0.5 a second however
many workers there are. The stakeholders hear of P1s only and the incidents are P3, so each
incident queues report writes and Teams cards. Teams' pace (4 posts a second per channel, also
shared by every worker) still applies to the cards: each mix prints the ceiling it sets, to read
the figures against. No sandbox or product limit is raised.
"""

from __future__ import annotations

import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench_core import Result, sandbox_process, section

ROOT = Path(__file__).resolve().parents[1]
COMMS = "comms.lead@example.org"
READY = "Worker running:"  # comms_assistant/entrypoints/worker.py's first words
TEAMS_PER_SECOND = 4  # comms_assistant/adapters/graph/pace.py, per channel, all workers together


# What each incident is put through: its name, the command after `open`, how many of them.
# "reports": timeline entries (`log`), each a report write; one card per incident (the open's).
# "cards and reports": updates, each a report write, a card in the thread and the card refreshed.
MIXES = {"reports": ("log Tried step {n} of the fix.", 9), "cards and reports":
         ("update Still slow, step {n} of the fix.", 3)}  # fmt: skip


@section("workers", "PostgreSQL: queued deliveries drained by 1 and by 3 worker processes")
def workers(quick: bool) -> list[Result]:
    incidents = 10 if quick else 30
    mixes = {"reports": ("log Tried step {n} of the fix.", 5)} if quick else MIXES
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from tests.postgres_cluster import start_cluster

    cluster = start_cluster()
    results = []
    try:
        for mix, (command, steps) in mixes.items():
            runs = {n: _drain(cluster, n, incidents, command, steps) for n in (1, 3)}
            results += _results(mix, runs)
    finally:
        try:
            cluster.stop()
        finally:
            shutil.rmtree(cluster.folder, ignore_errors=True)
    return results


def _results(mix: str, runs: dict[int, dict[str, Any]]) -> list[Result]:
    results = []
    for count, run in runs.items():
        who = f"{mix}, {count} worker{'s' if count > 1 else ''}"
        n = run["deliveries"]
        results += [
            Result("workers", f"{who}: {n} deliveries, per second", run["rate"], run["rate"],
                   "/s wall", 1),
            Result("workers", f"{who}: queue to delivered, p50", run["p50"], run["p50"],
                   "s wall", n),
            Result("workers", f"{who}: queue to delivered, p90", run["p90"], run["p90"],
                   "s wall", n),
            Result("workers", f"{who}: start-up, first to last ready", run["startup"],
                   run["startup"], "s wall", 1),
            Result("workers", f"{who}: workers' CPU per delivery", run["worker_cpu"],
                   run["worker_cpu"], "s CPU", n),
            Result("workers", f"{who}: sandbox tenant's CPU per delivery", run["tenant_cpu"],
                   run["tenant_cpu"], "s CPU", n),
            Result("workers", f"{who}: machine's load average at the end ({os.cpu_count()} "
                   "cores)", run["load"], run["load"], "runnable", 1),
        ]  # fmt: skip
    ratio = runs[3]["rate"] / runs[1]["rate"]
    teams, n = runs[1]["teams"], runs[1]["deliveries"]
    ceiling = n * TEAMS_PER_SECOND / teams if teams else math.inf
    return results + [
        Result("workers", f"{mix}: 3 workers / 1 worker, per second", ratio, ratio, "x", 1),
        Result("workers", f"{mix}: ceiling set by Teams' 4 posts a second ({teams} of {n})",
               ceiling, ceiling, "/s", 1),
    ]  # fmt: skip


def _drain(cluster: Any, count: int, incidents: int, command: str, steps: int) -> dict[str, Any]:
    """One run: a fresh database and tenant, the backlog queued, `count` workers drain it."""
    from sqlalchemy import text

    from comms_assistant.bootstrap import bootstrap
    from comms_assistant.config import Settings

    url = cluster.new_database()
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        contacts = _contacts(root)
        home = root / "home"
        home.mkdir()
        env = {k: v for k, v in os.environ.items() if not k.startswith("COMMS_ASSISTANT_")}
        env |= {
            "COMMS_ASSISTANT_DATABASE_URL": url,
            "COMMS_ASSISTANT_HOME": str(home),
            "COMMS_ASSISTANT_CONTACTS_DIR": str(contacts),
            "COMMS_ASSISTANT_PLAIN_ENGLISH_CHECK": "false",
        }
        exe = str(Path(sys.executable).parent / "comms-assistant")
        subprocess.run([exe, "db", "upgrade"], env=env, check=True, capture_output=True)
        with sandbox_process(root / "tenant") as tenant:
            env["COMMS_ASSISTANT_SANDBOX_URL"] = tenant
            settings = Settings(
                home=home,
                sandbox_url=tenant,
                contacts_dir=contacts,
                plain_english_check=False,
                database_url=url,
            )
            app = bootstrap(settings)
            commands = app.commands()
            for n in range(incidents):
                reply = commands.execute(
                    f"open Service {n} is slow p3 impact: People wait services: bench", who=COMMS
                )
                assert reply.ok, reply.text
                reference = reply.text.split()[0]
                for step in range(steps):
                    reply = commands.execute(f"{reference} {command.format(n=step)}", who=COMMS)
                    assert reply.ok, reply.text
            with app.engine.connect() as db:
                queued = [r.id for r in db.execute(text("SELECT id FROM outbox"))]
                teams = db.execute(
                    text("SELECT count(*) FROM outbox WHERE kind LIKE 'teams.%'")
                ).scalar_one()
            sandbox = _children("sandbox")
            tenant_before = sum(_cpu(pid) for pid in sandbox)
            ready, processes = _start(exe, env, root, count)
            try:
                pending = _wait(app.engine, queued, timeout=900)
                workers_cpu = sum(_cpu(p.pid) for p in processes)
                tenant_cpu = sum(_cpu(pid) for pid in sandbox) - tenant_before
            finally:
                for process in processes:
                    process.terminate()
                for process in processes:
                    try:
                        process.wait(timeout=30)
                    except subprocess.TimeoutExpired:
                        process.kill()
                        process.wait()
            assert not pending, f"{pending} deliveries not done; the workers' logs: {root}"
            with app.engine.connect() as db:
                rows = db.execute(
                    text("SELECT created_at, done_at, status FROM outbox WHERE id = ANY(:ids)"),
                    {"ids": queued},
                ).all()
            failed = [r for r in rows if r.status != "done"]
            assert not failed, f"{len(failed)} deliveries failed; the workers' logs: {root}"
            app.engine.dispose()
    cluster.drop(url)
    done = [_utc(r.done_at) for r in rows]
    waits = sorted((_utc(r.done_at) - _utc(r.created_at)).total_seconds() for r in rows)
    started = min(ready)
    wall = (max(done) - started).total_seconds()
    return {
        "deliveries": len(rows),
        "teams": teams,
        "rate": len(rows) / wall,
        "p50": statistics.median(waits),
        "p90": waits[min(len(waits) - 1, math.ceil(0.9 * len(waits)) - 1)],
        "startup": (max(ready) - started).total_seconds(),
        "worker_cpu": workers_cpu / len(rows),
        "tenant_cpu": tenant_cpu / len(rows),
        "wall": wall,
        # Others' work on the machine shows here: above the cores' count, the workers waited.
        "load": os.getloadavg()[0],
    }


def _children(word: str) -> list[int]:
    """This process's children whose command line holds `word` (the sandbox tenant's)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            command = (stat.parent / "cmdline").read_bytes().split(b"\0")
        except (OSError, ValueError, IndexError):
            continue
        if parent == os.getpid() and word.encode() in command:
            found.append(int(stat.parent.name))
    return found


def _cpu(pid: int) -> float:
    """CPU seconds (user + system) a live process has used so far (Linux's /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _contacts(root: Path) -> Path:
    """Five stakeholders of service "bench" who hear of P1s only: P3 incidents send no mail."""
    contacts = root / "contacts"
    contacts.mkdir()
    shutil.copy(ROOT / "contacts" / "routing.csv", contacts / "routing.csv")
    (contacts / "services.csv").write_text(
        "key,name,owners,upstream,downstream\nbench,Bench service,,,\n"
    )
    (contacts / "contacts.csv").write_text(
        "name,email,role,teams,services,min_priority,channels\n"
        + "".join(
            f"Person {n},person.{n}@example.org,stakeholder,,bench,P1,email\n" for n in range(5)
        )
    )
    return contacts


def _start(
    exe: str, env: dict[str, str], root: Path, count: int
) -> tuple[list[datetime], list[subprocess.Popen[str]]]:
    """`count` `comms-assistant worker` processes at once; returns when each said it is at work
    (the time each did), and the processes."""
    ready: list[datetime] = []
    processes = []
    for n in range(count):
        process = subprocess.Popen(
            [exe, "worker"],
            env=env,
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=(root / f"worker-{n}.log").open("w"),
            text=True,
        )
        processes.append(process)

    def watch(process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith(READY) and len(ready) < count:
                ready.append(datetime.now(UTC))

    for process in processes:
        threading.Thread(target=watch, args=(process,), daemon=True).start()
    deadline = time.monotonic() + 120
    while len(ready) < count:
        if time.monotonic() > deadline or any(p.poll() is not None for p in processes):
            for process in processes:
                process.kill()
            raise RuntimeError(f"the workers did not start; their logs: {root}")
        time.sleep(0.05)
    return ready, processes


def _wait(engine: Any, ids: list[int], *, timeout: float) -> int:
    """Polls the outbox until no queued delivery is pending; returns how many still are."""
    from sqlalchemy import text

    deadline = time.monotonic() + timeout
    while True:
        with engine.connect() as db:
            left = db.execute(
                text("SELECT count(*) FROM outbox WHERE id = ANY(:ids) AND status = 'pending'"),
                {"ids": ids},
            ).scalar_one()
        if not left or time.monotonic() > deadline:
            return int(left)
        time.sleep(0.5)


def _utc(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)
