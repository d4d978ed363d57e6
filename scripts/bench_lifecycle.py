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
def product(people: int, *, latency: float = 0.0) -> Iterator[tuple[Any, Any]]:
    """The product on a sandbox tenant of its own (another process, as Graph is), with `people`
    stakeholders for service "bench". Yields the app and the tenant's base URL."""
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
                f"Person {n},person.{n}@example.org,stakeholder,,bench,P1,email\n"
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


def _deliver_all(app: Any, ids: set[int], *, one_by_one: bool) -> float:
    from comms_assistant.adapters import outbox

    async def main() -> float:
        async with app.dispatcher() as dispatcher:
            # Warm up (site and drive look-ups, token) before the clock starts.
            await dispatcher.documents.get_by_path("Templates")
            started = time.perf_counter()
            batches = [{i} for i in sorted(ids)] if one_by_one else [ids]
            for batch in batches:
                while any(r.status == outbox.PENDING for r in outbox.rows(app.engine, batch)):
                    if not await dispatcher.run_once():
                        await asyncio.sleep(0.005)
            return time.perf_counter() - started

    return asyncio.run(main())


@section("declaration", "P1 with 200 stakeholders: open to report, card and emails delivered")
def declaration(quick: bool) -> list[Result]:
    """Wall-clock at 100 ms per Graph call. Target: within 6x the latency (independent deliveries
    overlap; the report needs copy, monitor, read, write), against a one-after-the-other baseline
    measured in the same run."""
    people = 50 if quick else 200
    text = "open Everything is down p1 impact: Nobody can use the service services: bench"
    results = []
    for name, one_by_one in (("concurrent (the product)", False), ("one after another", True)):
        with product(people, latency=LATENCY) as (app, _tenant):
            reply = app.commands().execute(text, who=COMMS)
            assert reply.ok, reply.text
            wall = _deliver_all(app, set(reply.deliveries), one_by_one=one_by_one)
        target = 6 * LATENCY if not one_by_one else None
        results.append(Result("declaration", f"{name}, s", wall, wall, "s wall", 1, target))
        results.append(
            Result("declaration", f"{name}, x latency", wall / LATENCY, wall / LATENCY, "x", 1)
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
    """Counted from the sandbox's request log (token and copy-monitor requests left out), against
    the fewest the features need: per report write a read and a write (plus copy and look-up
    when the report is made), one sendMail per audience, one post per card, two for a document
    filed from a template."""
    from comms_assistant.adapters import outbox

    with product(10) as (app, tenant):
        commands = app.commands()
        ids: set[int] = set()
        for text in LIFECYCLE:
            reply = commands.execute(text, who=COMMS)
            assert reply.ok, reply.text
            ids |= set(reply.deliveries)
        _deliver_all(app, ids, one_by_one=False)
        rows = outbox.rows(app.engine)
        _deliver_all(app, {r.id for r in rows}, one_by_one=False)  # the refreshes they caused
        rows = outbox.rows(app.engine)
        calls = [r for r in request_log(tenant) if r["path"].startswith("/v1.0/")]
    minimum = 2  # the site and its library, once
    for row in rows:
        if row.kind == "report.sync" or row.kind in ("review.file", "major.file"):
            minimum += 2
        else:
            minimum += 1
    minimum += 2  # the first report: copy the template, then find the copy
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
        idle = _worker_peak(exe, app, tenant)
    with product(5) as (app, tenant):  # a tenant of its own: no templates published already
        commands = app.commands()
        for n in range(incidents):
            reply = commands.execute(
                f"open Service {n} is down p2 impact: People cannot use it services: bench",
                who=COMMS,
            )
            assert reply.ok, reply.text
        peak = _worker_peak(exe, app, tenant)
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


def _worker_peak(exe: Path, app: Any, tenant: str) -> float:
    """Peak RSS, in MB, of one `comms-assistant worker --once` (a process of its own: the figure
    is the worker's, not this harness's or the sandbox's) on the app's store and tenant."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMMS_ASSISTANT_")}
    env |= {
        "COMMS_ASSISTANT_HOME": str(app.settings.home),
        "COMMS_ASSISTANT_SANDBOX_URL": tenant,
        "COMMS_ASSISTANT_CONTACTS_DIR": str(app.settings.contacts_dir),
        "COMMS_ASSISTANT_PLAIN_ENGLISH_CHECK": "false",
    }
    worker = subprocess.Popen([str(exe), "worker", "--once"], env=env, stdout=subprocess.DEVNULL)
    # wait4 reports the child's own peak resident set (ru_maxrss, kilobytes on Linux).
    _, status, usage = os.wait4(worker.pid, 0)
    assert status == 0, "the worker failed"
    return usage.ru_maxrss / 1024
