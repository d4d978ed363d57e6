"""/metrics, /healthz and JSON log lines, scraped over HTTP while the real delivery path works
against the sandbox tenant with faults switched on (issue 23's "Done when").

The worker's own metrics server (entrypoints/watch.py) runs on the dispatcher's event loop and
is scraped with httpx; the text is read with prometheus-client's own parser. Counters belong to
the process, so each check compares what moved since a scrape taken before the storm.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import socket
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from cli_helper import cli_command
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select
from test_reliability_harness import Product

from comms_assistant.adapters.metrics.exposition import Watch
from comms_assistant.adapters.metrics.ticks import TickRecorder
from comms_assistant.adapters.sql import outbox
from comms_assistant.adapters.sql.engine import transaction
from comms_assistant.adapters.sql.models import IncidentRow
from comms_assistant.bootstrap import bootstrap
from comms_assistant.config import Settings
from comms_assistant.entrypoints import logs, watch
from comms_assistant.entrypoints.worker import one_pass
from comms_assistant.sandbox import SandboxTenant
from comms_assistant.service.health import LEAST_SILENCE

pytestmark = pytest.mark.filterwarnings("ignore:.*is deprecated:DeprecationWarning")

OPEN = (
    "open Apply for teacher training is down p2 impact: Candidates cannot submit applications "
    "services: apply"
)
UPDATE = "update Candidates can sign in again but still cannot submit"
SEND_MAIL = r"/users/[^/]+/sendMail$"
CHANNEL_POST = r"/teams/[^/]+/channels/19:incidents[^/]*/messages(/[^/]+/replies)?$"
STORM = [
    # The update's mail is refused for good (parked, and the lead is told); the report's saves
    # meet 503s; the cards (the update's, the notice to the lead) meet 429s with Retry-After.
    {"id": "mail-403", "method": "POST", "path": SEND_MAIL, "status": 403, "times": 1},
    {"id": "save-503", "method": "PUT", "path": "/content$", "status": 503, "times": 2},
    {"id": "teams-429", "method": "POST", "path": CHANNEL_POST, "status": 429,
     "retry_after": 30, "times": 4},
]  # fmt: skip

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse(text: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def moved(after: Samples, before: Samples, name: str) -> dict[tuple[str, str], float]:
    """(kind, outcome) -> how far the deliveries counter moved between two scrapes."""
    found: dict[tuple[str, str], float] = {}
    for (sample, labels), number in after.items():
        if sample != name:
            continue
        delta = number - before.get((sample, labels), 0.0)
        if delta:
            by = dict(labels)
            found[by["kind"], by["outcome"]] = delta
    return found


def outcomes_since(
    product: Product, before: dict[int, tuple[str, int]]
) -> Counter[tuple[str, str]]:
    """What the outbox says happened since `before` (id -> (status, attempts)): each attempt
    that left a row pending is a retry; a row now done or parked is one of those."""
    counted: Counter[tuple[str, str]] = Counter()
    for row in outbox.rows(product.app.engine):
        status, attempts = before.get(row.id, (outbox.PENDING, 0))
        tries = row.attempts - attempts
        if status != row.status and row.status in (outbox.DONE, outbox.FAILED):
            counted[row.kind, "done" if row.status == outbox.DONE else "parked"] += 1
            tries -= 1
        if tries:
            counted[row.kind, "retry"] += tries
    return counted


def snapshot(product: Product) -> dict[int, tuple[str, int]]:
    return {row.id: (row.status, row.attempts) for row in outbox.rows(product.app.engine)}


def reference_of(product: Product, incident_id: int) -> str:
    with transaction(product.app.engine) as session:
        found = session.scalar(select(IncidentRow.reference).where(IncidentRow.id == incident_id))
    assert found is not None
    return found


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """The product's log as the log_format = "json" setting writes it, at INFO."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logs.configure(Settings(log_format="json"), handlers=[handler])
    logger = logging.getLogger("comms_assistant")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def test_metrics_move_as_the_deliveries_do_through_a_storm_of_faults(
    product: Product, json_log: io.StringIO
) -> None:
    product.deliver(product.run(OPEN))
    product.control("POST", "faults", json=STORM)
    start = snapshot(product)
    ids = product.run(UPDATE)
    scrapes: list[Samples] = []

    async def main() -> None:
        runner = await watch.start(product.app, "127.0.0.1", 0)
        port = runner.addresses[0][1]
        try:
            async with (
                httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http,
                product.app.dispatcher() as dispatcher,
            ):

                async def scrape() -> Samples:
                    reply = await http.get("/metrics")
                    assert reply.status_code == 200
                    assert reply.headers["content-type"].startswith("text/plain")
                    return parse(reply.text)

                before = await scrape()
                for _ in range(60):
                    while await dispatcher.run_once():
                        pass
                    # Mid-storm: the counters say what the outbox says, and the gauges are
                    # the outbox's own numbers.
                    now = await scrape()
                    scrapes.append(now)
                    moves = moved(now, before, "comms_assistant_deliveries_total")
                    assert moves == outcomes_since(product, start)
                    rows = outbox.rows(product.app.engine)
                    pending = sum(r.status == outbox.PENDING for r in rows)
                    parked = sum(r.status == outbox.FAILED for r in rows)
                    assert value(now, "comms_assistant_outbox_pending_deliveries") == pending
                    assert value(now, "comms_assistant_outbox_parked_deliveries") == parked
                    ahead = [
                        r.next_attempt_at
                        for r in rows
                        if r.status == outbox.PENDING and r.next_attempt_at > product.clock()
                    ]
                    if not pending:
                        break
                    assert ahead, "pending deliveries that are neither due nor scheduled"
                    product.clock.now = min(ahead)
                scrapes.insert(0, before)
        finally:
            await runner.cleanup()

    asyncio.run(main())

    first, last = scrapes[0], scrapes[-1]
    rows = outbox.rows(product.app.engine, ids | outbox.caused_by(product.app.engine, ids))
    fired = {rule["id"]: rule["hits"] for rule in product.control("GET", "faults").json()["value"]}
    assert fired == {"mail-403": 1, "save-503": 2, "teams-429": 4}
    moves = moved(last, first, "comms_assistant_deliveries_total")
    # Every fault shows: the mail parked, 2 retries of the report after 503s, 4 of the cards
    # after 429s; and what went in the end.
    assert moves["mail", "parked"] == 1
    retries = {kind: n for (kind, outcome), n in moves.items() if outcome == "retry"}
    assert retries.pop("report.sync") == 2
    assert retries == {"teams.card": 2, "lead.card": 2}  # the update's card, the lead's notice
    # Delivered since the storm began: the update's, what they caused, the notice to the lead.
    done = Counter(
        r.kind
        for r in outbox.rows(product.app.engine)
        if r.status == outbox.DONE and start.get(r.id, ("", 0))[0] != outbox.DONE
    )
    assert {r.kind for r in rows} <= set(done) | {"mail"}
    assert {kind: n for (kind, outcome), n in moves.items() if outcome == "done"} == done
    # Seen mid-storm, not only at the end: a scrape with work still waiting and retries counted.
    assert any(
        value(s, "comms_assistant_outbox_pending_deliveries") > 0
        and moved(s, first, "comms_assistant_deliveries_total").get(("teams.card", "retry"))
        for s in scrapes[1:-1]
    )
    throttled = "comms_assistant_throttled_responses_total"
    assert value(last, throttled, service="graph") - value(first, throttled, service="graph") == 4
    assert value(last, "comms_assistant_outbox_parked_deliveries") == 1
    assert value(last, "comms_assistant_outbox_oldest_due_seconds") == 0

    # The log, as JSON lines: each line about a delivery names it and its incident.
    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    by_key = {r.key: r for r in outbox.rows(product.app.engine)}
    about = [line for line in lines if line["message"].startswith("delivery ")]
    assert len(about) >= 7  # 6 retries and 1 parked
    for line in about:
        row = by_key[line["message"].split()[1].rstrip(":")]
        assert line["delivery"] == row.id
        assert line["incident"] == reference_of(product, row.incident_id)
        assert line["level"] in {"INFO", "WARNING"} and line["time"].endswith("+00:00")


def test_healthz_turns_unhealthy_when_the_worker_stops_ticking_or_the_outbox_stands_still(
    product: Product,
) -> None:
    interval = product.app.settings.worker_interval
    answers: list[tuple[int, dict[str, Any]]] = []

    async def main() -> None:
        runner = await watch.start(product.app, "127.0.0.1", 0)
        port = runner.addresses[0][1]
        ticks = TickRecorder(product.app.engine, product.app.clock, interval)
        try:
            async with (
                httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http,
                product.app.dispatcher() as dispatcher,
            ):

                async def health() -> None:
                    reply = await http.get("/healthz")
                    answers.append((reply.status_code, reply.json()))

                await health()  # just started: no tick missed yet
                product.clock.advance(3 * interval + 1)
                await health()  # nobody ticked since it started
                await one_pass(product.app.cadence(), dispatcher, None, ticks)
                await health()  # the worker's pass ticked
                product.clock.advance(3 * interval + 1)
                await health()  # the worker stopped
                await one_pass(product.app.cadence(), dispatcher, None, ticks)
                await health()  # back
                # A delivery due now that nobody makes for 16 minutes, while the worker ticks.
                product.run(OPEN)
                for _ in range(2):
                    product.clock.advance(8 * 60)
                    await asyncio.to_thread(ticks.record, ok=True)
                await health()
        finally:
            await runner.cleanup()

    asyncio.run(main())

    codes = [code for code, _ in answers]
    assert codes == [200, 503, 200, 503, 200, 503]
    assert answers[0][1]["status"] == "ok"
    assert "No worker has ticked" in answers[1][1]["reasons"][0]
    assert answers[2][1]["last_tick_seconds_ago"] == 0
    stopped = answers[3][1]
    assert stopped["status"] == "unhealthy"
    assert stopped["reasons"] == [
        f"The worker's last tick was {3 * interval + 1:.0f} seconds ago (it ticks every "
        f"{interval:.0f} seconds): it has stopped or cannot reach the database."
    ]
    stuck = answers[5][1]
    assert stuck["oldest_due_delivery_seconds"] == 16 * 60
    assert stuck["pending_deliveries"] > 0
    assert len(stuck["reasons"]) == 1 and "has waited 16 minutes" in stuck["reasons"][0]


def test_a_failed_cadence_tick_is_counted_and_still_recorded(product: Product) -> None:
    class BrokenCadence:
        def run_tick(self) -> list[str]:
            raise RuntimeError("the database went away")

    ticks = TickRecorder(product.app.engine, product.app.clock, 30)

    async def main() -> tuple[Samples, Samples, int]:
        runner = await watch.start(product.app, "127.0.0.1", 0)
        port = runner.addresses[0][1]
        try:
            async with (
                httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http,
                product.app.dispatcher() as dispatcher,
            ):
                before = parse((await http.get("/metrics")).text)
                await one_pass(BrokenCadence(), dispatcher, None, ticks)  # type: ignore[arg-type]
                after = parse((await http.get("/metrics")).text)
                return before, after, (await http.get("/healthz")).status_code
        finally:
            await runner.cleanup()

    before, after, health = asyncio.run(main())
    ticked = "comms_assistant_cadence_ticks_total"
    assert value(after, ticked, outcome="failed") - value(before, ticked, outcome="failed") == 1
    assert value(after, ticked, outcome="ok") == value(before, ticked, outcome="ok")
    # The worker is alive (it ticked, if in vain): /healthz is about whether it runs.
    assert health == 200
    assert value(after, "comms_assistant_worker_last_tick_age_seconds") == 0


def test_the_worker_serves_healthz_and_metrics_on_its_own_port_and_logs_json(
    tmp_path: Path,
) -> None:
    """`comms-assistant worker --metrics-port N`, as a unit file or a container runs it; then
    stopped, any other process's /healthz (here the same code in this one) says so."""
    home = tmp_path / "home"
    with SandboxTenant(home / "sandbox") as sandbox:
        settings = Settings(home=home, sandbox_url=sandbox.base_url, worker_interval=0.2)
        app = bootstrap(settings)
        opened = app.commands().execute(OPEN, who="comms.lead@example.org")
        assert opened.ok, opened.text
        reference = opened.text.split()[0]
        httpx.post(f"{sandbox.base_url}/_sandbox/faults", json=STORM[0]).raise_for_status()
        port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("COMMS_ASSISTANT_")}
        env |= {
            "COMMS_ASSISTANT_HOME": str(home),
            "COMMS_ASSISTANT_SANDBOX_URL": sandbox.base_url,
            "COMMS_ASSISTANT_WORKER_INTERVAL": "0.2",
            "COMMS_ASSISTANT_LOG_FORMAT": "json",
        }
        worker = subprocess.Popen(
            [*cli_command(), "worker", "--metrics-port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            health = _poll(f"http://127.0.0.1:{port}/healthz", lambda r: r.status_code == 200)
            assert health.json()["status"] == "ok"
            # Everything the incident's opening queued has been tried (the mail parked).
            metrics = _poll(
                f"http://127.0.0.1:{port}/metrics",
                lambda r: (
                    value(parse(r.text), "comms_assistant_outbox_pending_deliveries") == 0
                    and value(parse(r.text), "comms_assistant_outbox_parked_deliveries") == 1
                ),
            )
            samples = parse(metrics.text)
            assert value(samples, "comms_assistant_cadence_ticks_total", outcome="ok") >= 1
            counted = moved(samples, {}, "comms_assistant_deliveries_total")
            rows = outbox.rows(app.engine)
            assert counted["mail", "parked"] == 1
            assert sum(n for (_, outcome), n in counted.items() if outcome == "done") == sum(
                r.status == outbox.DONE for r in rows
            )
        finally:
            worker.terminate()
            _, stderr = worker.communicate(timeout=30)
        # Looked at a little over a minute later (the least silence that is a stop).
        later = datetime.now(UTC) + timedelta(seconds=LEAST_SILENCE + 1)
        stopped = Watch(app.engine, lambda: later, 0.2).health()
        assert not stopped.ok and "The worker's last tick was" in stopped.reasons[0]
        assert "(it ticks every 0.2 seconds)" in stopped.reasons[0]

    lines = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    parked = [line for line in lines if line["message"].startswith("delivery ")]
    assert parked, stderr
    mail = next(r for r in rows if r.status == outbox.FAILED)
    assert (parked[0]["incident"], parked[0]["delivery"]) == (reference, mail.id)
    assert all(line["level"] for line in lines)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _poll(url: str, ready: Callable[[httpx.Response], bool], timeout: float = 90) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while True:
        try:
            reply = httpx.get(url, timeout=5)
            if ready(reply):
                return reply
        except httpx.TransportError:
            reply = None
        assert time.monotonic() < deadline, f"{url}: {reply.text if reply else 'no answer'}"
        time.sleep(0.2)
