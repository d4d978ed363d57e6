"""Benchmark sections about a whole incident: declaration to delivered, Graph calls per
lifecycle, and the footprint (cold start, worker memory). Registered by importing this module.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench_core import Result, request_log, sandbox_process, section

ROOT = Path(__file__).resolve().parents[1]
LATENCY = 0.1  # seconds per Graph call, like a real tenant seen from a UK office
COMMS = "comms.lead@example.org"


@contextmanager
def product(
    people: int, *, latency: float = 0.0, hears_from: str = "P1"
) -> Iterator[tuple[Any, Any]]:
    """The product on a sandbox tenant of its own (another process, as Graph is), with `people`
    stakeholders for service "bench" who hear of incidents at `hears_from` or above. Yields the
    app and the tenant's base URL."""
    from comms_assistant.bootstrap import bootstrap
    from comms_assistant.config import Settings

    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        contacts = root / "contacts"
        contacts.mkdir()
        shutil.copy(ROOT / "contacts" / "routing.csv", contacts / "routing.csv")
        (contacts / "services.csv").write_text(
            "key,name,owners,upstream,downstream\nbench,Bench service,,,\n"
        )
        (contacts / "contacts.csv").write_text(
            "name,email,role,teams,services,min_priority,channels\n"
            + "".join(
                f"Person {n},person.{n}@example.org,stakeholder,,bench,{hears_from},email\n"
                for n in range(people)
            )
        )
        faults = [{"path": "^/v1.0/", "delay": latency}] if latency else []
        with sandbox_process(root / "tenant", faults) as tenant:
            settings = Settings(
                home=root / "home",
                sandbox_url=tenant,
                contacts_dir=contacts,
                plain_english_check=False,
            )
            yield bootstrap(settings), tenant


def _declare(app: Any, text: str, *, one_by_one: bool) -> float:
    """Seconds from the command to its last delivery done, in a worker that has delivered an
    incident before (tokens, connections and imports warm, as in a running worker)."""
    from comms_assistant.adapters.sql import outbox

    async def main() -> float:
        async with app.dispatcher() as dispatcher:
            commands = app.commands()
            warm = commands.execute("open Warming up p1 services: bench", who=COMMS)
            await dispatcher.drain(set(warm.deliveries), timeout=120)
            started = time.perf_counter()
            reply = commands.execute(text, who=COMMS)
            assert reply.ok, reply.text
            ids = set(reply.deliveries)
            while any(r.status == outbox.PENDING for r in outbox.rows(app.engine, ids)):
                # The baseline takes one delivery at a time, each after the one before.
                if not await dispatcher.run_once(limit=1 if one_by_one else outbox.CLAIM_LIMIT):
                    await asyncio.sleep(0.005)
            return time.perf_counter() - started

    return asyncio.run(main())


@section("declaration", "P1 with 200 stakeholders: open to report, card and emails delivered")
def declaration(quick: bool) -> list[Result]:
    """Wall-clock at 100 ms per Graph call, from the `open` command to its report made and
    filled, channel card posted and emails sent; median of 3. Target: within 6x the latency
    (independent deliveries overlap; the report needs copy, monitor, read, write), against a
    one-after-the-other baseline measured in the same run."""
    people = 50 if quick else 200
    runs = 1 if quick else 3
    text = "open Everything is down p1 impact: Nobody can use the service services: bench"
    results = []
    for name, one_by_one in (("concurrent (the product)", False), ("one after another", True)):
        walls = []
        for _ in range(runs):
            with product(people, latency=LATENCY) as (app, _tenant):
                walls.append(_declare(app, text, one_by_one=one_by_one))
        wall, worst = statistics.median(walls), max(walls)
        target = 6 * LATENCY if not one_by_one else None
        results.append(Result("declaration", f"{name}, s", wall, worst, "s wall", runs, target))
        results.append(
            Result("declaration", f"{name}, x latency", wall / LATENCY, worst / LATENCY, "x", runs)
        )
    return results


LIFECYCLE = [
    "open Everything is down p2 impact: Nobody can use the service services: bench",
    *[f"update People can sign in again but step {n} still fails." for n in range(1, 7)],
    "priority p1 More people are affected than we first thought",
    "close People can use the service again.",
    "review",
]


@section("graph-calls", "Graph calls for one incident's life (open, 6 updates, P1, close, review)")
def graph_calls(quick: bool) -> list[Result]:
    """Counted from the sandbox's request log (token and copy-monitor requests left out), each
    command's deliveries made before the next command, as in a real incident; the worker's
    start-up (the sandbox publishing its templates) is left out. Against the fewest the features
    need: per report write a read and a write (plus copy and look-up when the report is made),
    one sendMail per audience, one post per card, two for a document filed from a template
    (read it, create the new one), three to add the lessons (read two documents, write one)."""
    from comms_assistant.adapters.sql import outbox

    async def lifecycle(app: Any, tenant: str) -> list[dict[str, Any]]:
        async with app.dispatcher() as dispatcher:
            mark = len(request_log(tenant))
            commands = app.commands()
            for text in LIFECYCLE:
                reply = commands.execute(text, who=COMMS)
                assert reply.ok, reply.text
                await dispatcher.drain(set(reply.deliveries), timeout=120)
            return request_log(tenant)[mark:]

    with product(10) as (app, tenant):
        logged = asyncio.run(lifecycle(app, tenant))
        rows = outbox.rows(app.engine)
        assert all(r.status == outbox.DONE for r in rows), "every delivery made"
    calls = [r for r in logged if r["path"].startswith("/v1.0/")]
    fewest = {"report.sync": 2, "review.file": 2, "major.file": 2, "major.lessons": 3}
    minimum = 2 + 2  # the site and its library, once; the first report's copy and look-up
    minimum += sum(fewest.get(row.kind, 1) for row in rows)
    return [
        Result("graph-calls", "calls made", len(calls), len(calls), "calls", 1),
        Result("graph-calls", "fewest the features need", minimum, minimum, "calls", 1),
        Result("graph-calls", "made / fewest", len(calls) / minimum, len(calls) / minimum, "x", 1),
    ]


@section("footprint", "cold start of `comms-assistant --help` and the worker's peak memory")
def footprint(quick: bool) -> list[Result]:
    """--help: median wall time of 5 starts (target < 0.3 s: heavy packages load lazily).
    Memory: peak RSS of `worker --once` delivering what N incidents queued (target < 200 MB),
    against the same worker with nothing to deliver (its fixed cost: interpreter, packages,
    Graph client)."""
    exe = Path(sys.executable).parent / "comms-assistant"
    starts = []
    for _ in range(5):
        started = time.perf_counter()
        subprocess.run([str(exe), "--help"], capture_output=True, check=True)
        starts.append(time.perf_counter() - started)
    incidents = 10 if quick else 100
    with product(5) as (app, tenant):
        idle = _worker_peak(app, tenant)
    # A tenant of its own (no templates published already); P2s that email the 5 stakeholders.
    with product(5, hears_from="P2") as (app, tenant):
        commands = app.commands()
        for n in range(incidents):
            reply = commands.execute(
                f"open Service {n} is down p2 impact: People cannot use it services: bench",
                who=COMMS,
            )
            assert reply.ok, reply.text
        peak = _worker_peak(app, tenant)
    return [
        Result(
            "footprint", "comms-assistant --help", statistics.median(starts), max(starts), "s wall",
            len(starts), 0.3,
        ),
        Result(
            "footprint", f"worker peak memory, {incidents} incidents", peak, peak, "MB", 1, 200,
        ),
        Result("footprint", "worker peak memory, nothing to deliver", idle, idle, "MB", 1),
    ]  # fmt: skip


# Runs `comms-assistant <args...>` and, as it exits, writes the process's peak resident set
# (VmHWM, kB) to the file named first. Not wait4's ru_maxrss: Linux carries the high-water mark
# of the image a child was forked from across exec, so that figure was this harness's size once
# it had grown past the worker's (347 MB for both runs after the bot section, 141 MB measured so).
_PEAK_WRAPPER = """
import atexit, sys
from pathlib import Path
out = Path(sys.argv.pop(1))
def peak():
    status = Path("/proc/self/status").read_text().splitlines()
    out.write_text(next(line.split()[1] for line in status if line.startswith("VmHWM:")))
atexit.register(peak)
from comms_assistant.entrypoints.cli import main
sys.argv[0] = "comms-assistant"
main()
"""


def _worker_peak(app: Any, tenant: str) -> float:
    """Peak RSS, in MB, of one `comms-assistant worker --once` (a process of its own: the figure
    is the worker's, not this harness's or the sandbox's) on the app's store and tenant."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMMS_ASSISTANT_")}
    env |= {
        "COMMS_ASSISTANT_HOME": str(app.settings.home),
        "COMMS_ASSISTANT_SANDBOX_URL": tenant,
        "COMMS_ASSISTANT_CONTACTS_DIR": str(app.settings.contacts_dir),
        "COMMS_ASSISTANT_PLAIN_ENGLISH_CHECK": "false",
    }
    peak = Path(app.settings.home) / "worker-peak-kb"
    command = [sys.executable, "-c", _PEAK_WRAPPER, str(peak), "worker", "--once"]
    worker = subprocess.run(command, env=env, stdout=subprocess.DEVNULL)
    assert worker.returncode == 0, "the worker failed"
    return int(peak.read_text()) / 1024
