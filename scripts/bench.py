"""Benchmarks: how much work the assistant does, measured, printed, never a pass/fail test.

    python scripts/bench.py                  every section, full size
    python scripts/bench.py --quick          fewer repetitions (a smoke run: seconds)
    python scripts/bench.py --json           machine-readable, for comparing runs
    python scripts/bench.py report-update    only the named sections

Add a section by writing a function that takes `quick` and returns Results, decorated with
@section("name", "what it measures"). Figures are CPU seconds (time.process_time) unless a
section says otherwise, so a busy machine or a slow disk does not blur them.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx

ROOT = Path(__file__).resolve().parents[1]


# Result, Section and the registry live in bench_core, shared with bench_lifecycle.py's sections.
from bench_core import SECTIONS, Result, request_log, sandbox_process, section  # noqa: E402

# --- sections -------------------------------------------------------------------------------


@section("fan-out", "an update to 2,000 stakeholders across 40 services, 100 ms per Graph call")
def fan_out(quick: bool) -> list[Result]:
    """Wall-clock. sendMail calls per audience (target ceil(recipients / 500)) and the update's
    delivery time against the slowest single chain of calls (target: within 2x of it)."""
    import asyncio
    import math
    import shutil
    import tempfile

    from comms_assistant.adapters.sql import outbox
    from comms_assistant.bootstrap import bootstrap
    from comms_assistant.config import Settings

    services, per_service = (40, 50) if not quick else (10, 20)
    runs = 5 if not quick else 2
    people = services * per_service
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        contacts = root / "contacts"
        contacts.mkdir()
        shutil.copy(ROOT / "contacts" / "routing.csv", contacts / "routing.csv")
        keys = [f"service-{n:02d}" for n in range(services)]
        (contacts / "services.csv").write_text(
            "key,name,owners,upstream,downstream\n" + "".join(f"{k},Service {k},,,\n" for k in keys)
        )
        (contacts / "contacts.csv").write_text(
            "name,email,role,teams,services,min_priority,channels\n"
            + "".join(
                f"Person {k} {n},person.{n}@{k}.example.org,stakeholder,,{k},P2,email\n"
                for k in keys
                for n in range(per_service)
            )
        )
        with sandbox_process(root / "tenant") as tenant:
            settings = Settings(
                home=root / "home",
                sandbox_url=tenant,
                contacts_dir=contacts,
                plain_english_check=False,
            )
            app = bootstrap(settings)
            commands = app.commands()

            def run(text: str) -> set[int]:
                reply = commands.execute(text, who="comms.lead@example.org")
                assert reply.ok, reply.text
                return set(reply.deliveries)

            async def deliver(ids: set[int]) -> float:
                async with app.dispatcher() as dispatcher:
                    started = time.perf_counter()
                    while any(r.status == outbox.PENDING for r in outbox.rows(app.engine, ids)):
                        if not await dispatcher.run_once():
                            await asyncio.sleep(0.01)
                    return time.perf_counter() - started

            def settle() -> None:
                asyncio.run(deliver({r.id for r in outbox.rows(app.engine)}))

            asyncio.run(deliver(run(f"open Everything is slow p2 services: {', '.join(keys)}")))
            settle()  # its refreshes too
            delay = [{"path": "/v1.0/", "delay": 0.1}]
            httpx.post(f"{tenant}/_sandbox/faults", json=delay).raise_for_status()
            chains, walls, sends = [], [], []
            for n in range(runs):
                settle()  # the last update's report refreshes would run inside the chain
                # The slowest single chain: a report refresh alone (find, read, write the file).
                chains.append(asyncio.run(deliver(run(f"log A chain on its own ({n})"))))
                mark = len(request_log(tenant))
                walls.append(asyncio.run(deliver(run(f"update Everything is slow ({n})"))))
                calls = request_log(tenant)[mark:]
                sends.append(sum(1 for r in calls if r["path"].endswith("/sendMail")))
                if os.environ.get("BENCH_DEBUG"):  # each call's offset and path
                    for r in calls:
                        print(r["time"], r["method"], r["path"][-50:])
    allowed = math.ceil(people / 500)
    chain = statistics.median(chains)
    return [
        Result("fan-out", f"sendMail calls for {people} people", max(sends), max(sends), "calls",
               runs, allowed + 0.5),
        Result("fan-out", "slowest single chain (report refresh)", chain, max(chains), "s", runs),
        Result("fan-out", "update delivered to everyone", statistics.median(walls), max(walls),
               "s", runs, 2 * chain),
    ]  # fmt: skip


@section("report-update", "refresh a running report that already has N timeline rows")
def report_update(quick: bool) -> list[Result]:
    from comms_assistant.adapters.word.comms import SentMessage
    from comms_assistant.adapters.word.read import read_timeline
    from comms_assistant.adapters.word.report import refresh_report
    from comms_assistant.domain.incident import Incident, Priority

    template = (ROOT / "templates" / "word" / "Incident report template.docx").read_bytes()
    tz = ZoneInfo("Europe/London")
    start = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    runs = 3 if quick else 10
    results = []
    for rows in (10, 100, 1000):
        incident = Incident.declare(
            reference="INC-2026-0001", title="Apply for teacher training is down",
            priority=Priority.P1, impact="Candidates cannot submit applications",
            services=("apply",), who="comms.lead@example.org", now=start,
        )  # fmt: skip
        for n in range(1, rows):
            at = start + timedelta(minutes=n)
            incident.log(f"Entry {n}: what was tried and what it showed", who="scribe", now=at)
        # One message for every ten entries, as the comms table grows with the incident.
        comms = [
            SentMessage(
                n, start + timedelta(minutes=n), f"Update {n}", "40 people by email", "Email"
            )
            for n in range(1, rows // 10 + 1)
        ]
        document = refresh_report(template, incident, tz, comms)  # set-up, not measured
        times = []
        for run in range(runs):
            at = start + timedelta(minutes=rows + run)
            incident.post_update(f"Update after {rows + run} rows", who="comms", now=at)
            began = time.process_time()
            document = refresh_report(document, incident, tz, comms)
            times.append(time.process_time() - began)
        shown = len(read_timeline(document)) - 1
        assert shown == rows + runs, f"the report shows {shown} rows, not {rows + runs}"
        results.append(
            Result(
                "report-update",
                f"{rows:,} timeline rows",
                statistics.median(times),
                max(times),
                "s CPU per update",
                runs,
                target=0.5,
            )  # fmt: skip
        )
    return results


@dataclass(frozen=True)
class PercentileResult(Result):
    """`value` is the p50, `worst` the p99, and the target is for the p99."""

    @property
    def verdict(self) -> str:
        if self.target is None:
            return ""
        return "ok" if self.worst < self.target else "OVER TARGET"


@section("bot-answer", "Teams bot: p50 (median) / p99 (worst) wall-clock, 1, 10, 50 senders")
def bot_answer(quick: bool) -> list[Result]:
    """The issue's target: p99 under 200 ms with 50 concurrent commands. Wall-clock, not CPU:
    the time Teams waits for the HTTP answer. Each sender has its own thread (conversation) and,
    like a person, sends its next command once the reply to the last one reached the Bot
    Connector (a local stand-in); "reply" rows are that time, which Teams does not wait for.
    The bot, the connector and the senders each run on their own thread and event loop; the
    deliveries the commands cause (reports, in the sandbox tenant) run meanwhile."""
    import asyncio
    import math
    import os
    import tempfile
    import threading

    import aiohttp
    from aiohttp import web

    from comms_assistant.config import Settings
    from comms_assistant.entrypoints.bot import server as bot

    mix = int(os.environ.get("BENCH_BOT_MIX", "2"))  # every MIX-th command changes the incident
    arrived: dict[str, float] = {}  # reply-to activity id -> when the reply reached the connector
    waiters: dict[str, tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = {}

    class Loop:
        """An event loop on a thread of its own, serving one aiohttp app on 127.0.0.1."""

        def __init__(self, app: web.Application) -> None:
            self.loop = asyncio.new_event_loop()
            threading.Thread(target=self.loop.run_forever, daemon=True).start()
            self.runner = web.AppRunner(app, access_log=None)
            self.call(self.runner.setup())
            self.call(web.TCPSite(self.runner, "127.0.0.1", 0).start())
            self.url = f"http://127.0.0.1:{self.runner.addresses[0][1]}"

        def call(self, coro: object) -> object:
            return asyncio.run_coroutine_threadsafe(coro, self.loop).result(120)  # type: ignore[arg-type]

        def close(self) -> None:
            self.call(self.runner.cleanup())
            self.loop.call_soon_threadsafe(self.loop.stop)

    async def sent(request: web.Request) -> web.Response:
        await request.read()
        if "reply_to" in request.match_info:
            reply_to = request.match_info["reply_to"]
            arrived[reply_to] = time.perf_counter()
            if reply_to in waiters:
                loop, future = waiters[reply_to]
                loop.call_soon_threadsafe(lambda: future.done() or future.set_result(None))
        return web.json_response({"id": "1"})

    connector = web.Application()
    connector.router.add_post("/v3/conversations/{c}/activities/{reply_to}", sent)
    connector.router.add_post("/v3/conversations/{c}/activities", sent)

    def activity(activity_id: str, sender: int, text: str, service_url: str) -> dict:
        return {
            "type": "message", "id": activity_id, "channelId": "msteams",
            "serviceUrl": service_url, "from": {"id": "29:lead", "aadObjectId": "lead-object-id"},
            "recipient": {"id": "28:bot", "name": "Comms"},
            "conversation": {"id": f"19:bench@thread.tacv2;messageid={sender}",
                             "conversationType": "channel"},
            "text": text,
        }  # fmt: skip

    async def senders(url: str, service_url: str, count: int, each: int) -> tuple[list, list]:
        answers: list[float] = []
        replies: list[float] = []
        # aiohttp's client, not httpx's: with 50 requests in flight httpx's own overhead on this
        # loop showed up in the figures.
        connections = aiohttp.TCPConnector(limit=count + 1)
        async with aiohttp.ClientSession(connector=connections) as client:

            async def one(activity_id: str, sender: int, text: str) -> None:
                replied = asyncio.get_running_loop().create_future()
                waiters[activity_id] = (asyncio.get_running_loop(), replied)
                body = activity(activity_id, sender, text, service_url)
                began = time.perf_counter()
                async with client.post(f"{url}/api/messages", json=body) as response:
                    await response.read()
                answers.append(time.perf_counter() - began)
                assert response.status == 202, response.status
                if activity_id not in arrived:  # the person reads the reply, then types
                    await asyncio.wait_for(replied, 60)
                replies.append(arrived[activity_id] - began)

            async def person(sender: int, round_: int) -> None:
                for n in range(each):
                    text = f"log bench {sender}.{n}" if (sender + n) % mix == 0 else "status"
                    await one(f"c{count}-r{round_}-s{sender}-{n}", sender, text)

            if count == 1:
                await one("open", 0, "open Bench incident p3")
            await asyncio.gather(*(person(s, 0) for s in range(count)))  # warms caches
            answers.clear(), replies.clear()
            await asyncio.gather(*(person(s, 1) for s in range(count)))
        return answers, replies

    async def pressers(url: str, service_url: str, count: int, each: int) -> list[float]:
        """Card button presses (adaptiveCard/action invokes): answered in the HTTP response
        once the command has run, so this is the time Teams waits for the press's answer."""
        answers: list[float] = []
        connections = aiohttp.TCPConnector(limit=count + 1)
        async with aiohttp.ClientSession(connector=connections) as client:

            async def person(sender: int) -> None:
                for n in range(each):
                    text = f"log press {sender}.{n}" if (sender + n) % mix == 0 else "status"
                    body = activity(f"p{count}-s{sender}-{n}", sender, "", service_url) | {
                        "type": "invoke", "name": "adaptiveCard/action",
                        "value": {"action": {"type": "Action.Execute", "verb": "command",
                                             "data": {"command": text}}},
                    }  # fmt: skip
                    began = time.perf_counter()
                    async with client.post(f"{url}/api/messages", json=body) as response:
                        answer = await response.json()
                    answers.append(time.perf_counter() - began)
                    assert response.status == 200 and answer["statusCode"] == 200, answer

            await asyncio.gather(*(person(s) for s in range(count)))
        return answers

    def pct(times: list[float], p: float) -> float:
        ordered = sorted(times)
        return ordered[min(len(ordered) - 1, math.ceil(p * len(ordered)) - 1)]

    results: list[Result] = []
    with tempfile.TemporaryDirectory() as home:
        conn = Loop(connector)
        settings = Settings(
            home=Path(home), bot_anonymous=True, bot_allowed=["comms.lead@example.org"],
            bot_people={"lead-object-id": "comms.lead@example.org"},
            bot_service_urls=[conn.url + "/"],  # this stand-in connector is the one it answers
        )  # fmt: skip
        bot.share_the_interpreter()  # as `comms-assistant serve` does
        served = Loop(bot.build(settings))
        try:
            for count in (1, 10, 50):
                each = max(2 if quick else 4, (40 if quick else 150) // count)
                answers, replies = asyncio.run(senders(served.url, conn.url + "/", count, each))
                case = f"{count} sender{'s' if count > 1 else ''}"
                n = len(answers)
                target = 0.2 if count == 50 else None
                results.append(PercentileResult(
                    "bot-answer", f"{case}: HTTP answer", pct(answers, 0.5), pct(answers, 0.99),
                    "s wall", n, target=target,
                ))  # fmt: skip
                results.append(PercentileResult(
                    "bot-answer", f"{case}: reply arrives", pct(replies, 0.5),
                    pct(replies, 0.99), "s wall", n,
                ))  # fmt: skip
                if count in (1, 50):  # presses wait for their command: Teams gives ~5 s
                    presses = asyncio.run(
                        pressers(served.url, conn.url + "/", count, max(2, 40 // count))
                    )
                    results.append(PercentileResult(
                        "bot-answer", f"{case}: button press answered", pct(presses, 0.5),
                        pct(presses, 0.99), "s wall", len(presses), target=4.0,
                    ))  # fmt: skip
        finally:
            served.close()
            conn.close()
    return results


# --- running and printing -------------------------------------------------------------------


import bench_lifecycle  # noqa: E402, F401  (its sections register themselves)
import bench_workers  # noqa: E402, F401


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sections", nargs="*", help=f"any of: {', '.join(SECTIONS)}")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    unknown = [s for s in args.sections if s not in SECTIONS]
    if unknown:
        parser.error(f"no section {', '.join(unknown)}; there are: {', '.join(SECTIONS)}")
    results: list[Result] = []
    for name in args.sections or SECTIONS:
        results += SECTIONS[name].run(args.quick)
    if args.json:
        print(json.dumps([asdict(r) | {"verdict": r.verdict} for r in results], indent=2))
    else:
        print(table(results))
    return 0


def table(results: list[Result]) -> str:
    header = ("section", "case", "median", "worst", "unit", "runs", "target", "")
    rows = [
        (r.section, r.case, f"{r.value:.3f}", f"{r.worst:.3f}", r.unit, str(r.runs),
         "" if r.target is None else f"< {r.target:g}", r.verdict)
        for r in results
    ]  # fmt: skip
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    rule = "  ".join("-" * w for w in widths)
    head = "  ".join(cell.ljust(w) for cell, w in zip(header, widths, strict=True))
    about = [
        f"{s.name}: {s.about}"
        for s in SECTIONS.values()
        if any(r.section == s.name for r in results)
    ]
    return "\n".join([*about, "", head, rule, *lines]).rstrip()


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))  # run from a checkout without installing
    raise SystemExit(main())
