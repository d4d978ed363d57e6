"""The soak's Teams side: `serve` instances on the soak's database behind a load balancer,
SIGKILLed and started again at random, and people sending each incident's commands in a channel
thread of its own, waiting for the bot's answer before the next as a person does.

The bots run anonymously (no token: the soak tests delivery, not sign-in, which the bot tests
cover) against the sandbox tenant's Bot Connector. A command whose turn a kill cut short is
answered "something went wrong ... ask 'status'" by the instance that takes it over; the sender
then does what that answer asks: looks whether it was done (here, in the database) and sends it
again only if it was not.
"""

from __future__ import annotations

import json
import random
import socket
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx
from soak_procs import LOST_RACE, REFERENCE, Worker
from sqlalchemy import select

from comms_assistant.adapters.sql import store
from comms_assistant.adapters.sql.unit_of_work import unit_of_work
from comms_assistant.entrypoints.bot.sdk import UNSURE_OPENING
from comms_assistant.sandbox.bot_connector import BOT_CONNECTOR
from comms_assistant.sandbox.teams_message import Sender, Team, channel_message
from comms_assistant.service.cadence import ASSISTANT
from comms_assistant.service.delivery_kinds import DeliveryKind

TEAM = Team(
    app_id="50a50000-0000-4000-8000-000000000b07",
    tenant="50a50000-0000-4000-8000-00000000000e",
    team="19:soakteam@thread.tacv2",
    channel="19:soakincidents@thread.tacv2",
)
COMMS_LEAD = Sender("29:1-soak-comms-lead", "Casey Comms", "50a50000-0000-4000-8000-000000000001")
ANSWER_WITHIN = 240.0  # seconds: a takeover after a kill, behind a busy machine's queue


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def bot_instances(count: int, env: dict[str, str], cwd: Path, who: str) -> list[tuple[Worker, str]]:
    """`count` `serve` processes (not started) and the address of each."""
    made = []
    for k in range(count):
        port = free_port()
        bot_env = env | {
            "COMMS_ASSISTANT_BOT_ANONYMOUS": "true",
            "COMMS_ASSISTANT_BOT_PORT": str(port),
            "COMMS_ASSISTANT_BOT_ALLOWED": json.dumps([who]),
        }
        made.append((Worker(bot_env, cwd, cwd / f"serve-{k}.err", command="serve", port=port),
                     f"http://127.0.0.1:{port}"))  # fmt: skip
    return made


def add_the_sender(control: httpx.Client, who: str) -> None:
    """The comms lead in the tenant's directory and in the team, as the Bot Connector's member
    look-up answers for them."""
    person = {"id": COMMS_LEAD.teams_id, "aadObjectId": COMMS_LEAD.object_id,
              "name": COMMS_LEAD.name, "email": who}  # fmt: skip
    control.post("/_sandbox/users", json={"value": [person]}).raise_for_status()


class LoadBalancer:
    """Sends an activity to one of the instances, another when that one does not answer: as a
    load balancer in front of them does, and as Teams does when a post fails (the same
    activity, the same id, again).

    `kill_after_accept`: the share of commands whose instance is SIGKILLed within a few tenths
    of a second of accepting them (and started again): before the turn runs, while it runs, or
    just after, which random kills seldom hit. A command's first send only: a person sending
    it again after a check gets on (the random kills still apply)."""

    def __init__(
        self, instances: list[tuple[Worker, str]], rng: random.Random, kill_after_accept: float
    ) -> None:
        self.instances, self.rng, self.kill_after_accept = instances, rng, kill_after_accept
        self.resent = self.killed_after_accept = 0
        self.lock = threading.Lock()

    def post(self, activity: dict[str, Any], *, first_send: bool) -> None:
        deadline = time.monotonic() + ANSWER_WITHIN
        while time.monotonic() < deadline:
            with self.lock:
                instance, address = self.rng.choice(self.instances)
                kill_in = self.rng.uniform(0.0, 0.6)
                kill = first_send and self.rng.random() < self.kill_after_accept
            try:
                answer = httpx.post(f"{address}/api/messages", json=activity, timeout=30)
            except httpx.TransportError:  # killed, or starting again
                answer = None
            if answer is not None and answer.status_code in (200, 202):
                if kill:
                    time.sleep(kill_in)
                    instance.restart()
                    with self.lock:
                        self.killed_after_accept += 1
                return
            if answer is not None and answer.status_code < 500:
                raise RuntimeError(f"the bot refused an activity: {answer.status_code}")
            with self.lock:
                self.resent += 1
            time.sleep(0.3)
        raise RuntimeError("no bot instance took the activity")


@dataclass
class TeamsCounts:
    commands: int = 0
    cut_short: int = 0  # answered UNSURE
    sent_again: int = 0  # of those, not done: sent again
    lost_races: int = 0
    seconds_to_answer: list[float] = field(default_factory=list)


class Person:
    """The comms lead in Teams, running incidents' lifecycles, one thread each."""

    def __init__(
        self, sandbox_root: Path, service_url: str, balancer: LoadBalancer, engine: Any
    ) -> None:
        self.root, self.service_url, self.balancer, self.engine = (
            sandbox_root, service_url, balancer, engine,
        )  # fmt: skip
        self.counts = TeamsCounts()
        self.lock = threading.Lock()

    def run_lifecycles(
        self, numbers: list[int], lifecycle: Callable[[int], list[str]], rng: random.Random
    ) -> None:
        """Each incident's steps in its own thread, the incidents' steps interleaved."""
        threads = {n: f"{TEAM.channel};messageid={1700000000000 + n}" for n in numbers}
        refs: dict[int, str | None] = {}
        for step in range(len(lifecycle(0))):
            for n in numbers:
                text = lifecycle(n)[step]
                title = _title(text) if step == 0 else None
                refs[n] = self._command(text, threads[n], refs.get(n), title)
                time.sleep(rng.uniform(0.0, 0.2))

    def report(self) -> dict[str, Any]:
        took = sorted(self.counts.seconds_to_answer)
        return {
            "Teams commands answered": self.counts.commands,
            "Teams turns cut short by a kill": self.counts.cut_short,
            "of those not done, sent again": self.counts.sent_again,
            "Teams lost races sent again": self.counts.lost_races,
            "Teams answer p50 s": round(statistics.median(took), 2) if took else None,
            "Teams answer p90 s": round(took[int(len(took) * 0.9)], 2) if took else None,
            "Teams answer max s": round(took[-1], 2) if took else None,
        }

    def _command(self, text: str, thread: str, ref: str | None, title: str | None) -> str:
        """Send `text` until it is done; the incident's reference."""
        for attempt in range(6):
            before = self._state(ref, title)
            answer = self._say(text, thread, first_send=attempt == 0)
            if LOST_RACE in answer:
                self._count("lost_races")
                continue
            if answer.startswith(UNSURE_OPENING):
                self._count("cut_short")
                if self._state(ref, title) != before:
                    return ref or self._opened(title)
                self._count("sent_again")
                continue
            found = REFERENCE.search(answer)
            if not found or "send anyway" in answer:
                raise RuntimeError(f"{text!r} was not done: {answer}")
            return found.group(0)
        raise RuntimeError(f"{text!r} was not done after 6 tries")

    def _say(self, text: str, thread: str, *, first_send: bool) -> str:
        activity = channel_message(
            text, sender=COMMS_LEAD, team=TEAM, service_url=self.service_url, conversation=thread
        )
        sent = time.monotonic()
        self.balancer.post(activity, first_send=first_send)
        while time.monotonic() - sent < ANSWER_WITHIN:
            answer = self._answer(thread, activity["id"])
            if answer is not None:
                with self.lock:
                    self.counts.commands += 1
                    self.counts.seconds_to_answer.append(time.monotonic() - sent)
                return answer
            time.sleep(0.1)
        raise RuntimeError(f"no answer to {text!r} within {ANSWER_WITHIN:.0f} s")

    def _answer(self, thread: str, activity_id: str) -> str | None:
        """The first answer to the activity, as the sandbox's connector stored it."""
        found = []
        for folder in _thread_folders(self.root, thread):
            for path in folder.glob("*.json"):
                stored = _json(path)
                if (stored or {}).get("replyToId") == activity_id and stored.get(
                    "source"
                ) == BOT_CONNECTOR:
                    found.append(stored)
        if not found:
            return None
        first = min(found, key=lambda a: int(a["id"]))
        return first.get("text") or json.dumps(first.get("attachments"))

    def _state(self, ref: str | None, title: str | None) -> object:
        """What the sender's commands change: the incident's facts without the assistant's own
        timeline entries, and whether its review was asked for; before an open, the incidents
        with its title."""
        if ref is None:
            return self._opened(title)
        with unit_of_work(self.engine) as uow:
            incident = uow.incidents.get(ref)
            assert incident is not None, ref
            people = [e for e in incident.timeline if e.who != ASSISTANT]
            reviews = uow.deliveries.of_incident(incident, [DeliveryKind.REVIEW_FILE])
            return replace(incident, timeline=people), len(reviews)

    def _opened(self, title: str | None) -> Any:
        with store.transaction(self.engine) as session:
            rows = session.scalars(
                select(store.IncidentRow.reference).where(store.IncidentRow.title == title)
            )
            found = list(rows)
        return found[0] if found else None

    def _count(self, name: str) -> None:
        with self.lock:
            setattr(self.counts, name, getattr(self.counts, name) + 1)


def _title(open_command: str) -> str:
    """The title an `open` of the soak's lifecycle gives: what comes before the priority."""
    return open_command.removeprefix("open ").split(" p", 1)[0]


def _thread_folders(root: Path, thread: str) -> Iterator[Path]:
    chats = root / "chats"
    marker = thread.rsplit(";", 1)[-1]
    return (p for p in chats.glob(f"*{marker}") if p.is_dir()) if chats.is_dir() else iter(())


def _json(path: Path) -> dict[str, Any] | None:
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # being written
        return None
    return stored if isinstance(stored, dict) else None


@contextmanager
def teams_people(
    senders: int,
    numbers: list[int],
    lifecycle: Callable[[int], list[str]],
    person: Person,
    seed_value: int,
) -> Iterator[list[threading.Thread]]:
    """`senders` threads, each running its share of `numbers`' lifecycles in Teams."""
    errors: list[str] = []

    def send(k: int) -> None:
        try:
            mine = [n for i, n in enumerate(numbers) if i % senders == k]
            person.run_lifecycles(mine, lifecycle, random.Random(seed_value + 200 + k))
        except Exception as error:  # reported after the join
            errors.append(f"Teams sender {k}: {error}")

    threads = [threading.Thread(target=send, args=(k,)) for k in range(senders)]
    for thread in threads:
        thread.start()
    yield threads
    for thread in threads:
        thread.join()
    if errors:
        raise SystemExit("the soak's Teams commands failed:\n" + "\n".join(errors))
