"""A mistake saved into the contacts directory in the middle of an incident stops nothing (issue
23): the worker, running on and never restarted, sends the due holding update to the audience of
the last good copy, the comms lead gets one email naming the file and the line, and the fixed
file is used from the next tick. Real files, the real worker pass, the sandbox tenant's mail."""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import Awaitable, Callable, Iterator
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from cli_helper import run_cli
from test_reliability_harness import FakeClock, Product

from comms_assistant.adapters.profiles import PROFILES
from comms_assistant.bootstrap import bootstrap
from comms_assistant.config import Settings
from comms_assistant.entrypoints import bad_edits
from comms_assistant.entrypoints.worker import Pass
from comms_assistant.resources import bundled
from comms_assistant.sandbox import SandboxTenant

pytestmark = pytest.mark.filterwarnings("ignore:.*is deprecated:DeprecationWarning")

OPEN = "open Apply is down p2 impact: Candidates cannot submit applications services: apply"
NEWCOMER = "Noor Hassan,noor.hassan@example.org,service owner,,apply,P2,email\n"
NOTICE = "INC-2026-0001: a mistake in the contacts file"


@pytest.fixture
def contacts(tmp_path: Path) -> Path:
    folder = tmp_path / "contacts"
    shutil.copytree(bundled("contacts"), folder)
    return folder


@pytest.fixture
def product(tmp_path: Path, clock: FakeClock, contacts: Path) -> Iterator[Product]:
    with SandboxTenant(tmp_path / "tenant", faults=[], clock=clock.epoch) as tenant:
        settings = Settings(
            home=tmp_path / "home",
            sandbox_url=tenant.base_url,
            contacts_dir=contacts,
            admin_email="it.admin@example.org",
        )
        yield Product(bootstrap(settings, clock=clock), tenant, clock)


def worker(product: Product, body: Callable[[Callable[[int], Awaitable[None]]], Awaitable[None]]):
    """One worker, started once (as `comms-assistant worker` is): `body` gets `tick(minutes)`,
    which moves the clock on and runs one pass of it."""

    async def main() -> None:
        version = bad_edits.look_again(product.app)
        async with product.app.dispatcher() as dispatcher:
            running = Pass(product.app, dispatcher, version)

            async def tick(minutes: int) -> None:
                product.clock.now += timedelta(minutes=minutes)
                await running.run()

            await body(tick)

    asyncio.run(main())


def bcc(message: EmailMessage) -> set[str]:
    return {a.addr_spec for a in message["Bcc"].addresses} if message["Bcc"] else set()


def holding_updates(product: Product) -> list[EmailMessage]:
    return [m for m in product.emails() if "no change" in m.get_body().get_content().lower()]


def test_a_broken_contacts_file_mid_incident_stops_nothing(
    product: Product, contacts: Path
) -> None:
    product.deliver(product.run(OPEN) | product.run("comms me"))
    good = (contacts / "contacts.csv").read_text()
    lines = good.splitlines(keepends=True)
    # Someone adds a person for Apply and, on line 7, types a space for the @.
    lines[6] = lines[6].replace("@", " ")
    (contacts / "contacts.csv").write_text("".join(lines) + NEWCOMER)

    async def body(tick: Callable[[int], Awaitable[None]]) -> None:
        await tick(61)  # the P2's hourly update is due, and none came
        told = [m for m in product.emails() if m["Subject"] == NOTICE]
        assert len(told) == 1
        assert {a.addr_spec for a in told[0]["To"].addresses} == {"comms.lead@example.org"}
        text = told[0].get_body(preferencelist=("plain",)).get_content()
        assert f"The contacts file {contacts / 'contacts.csv'} has a mistake on line 7" in text
        assert 'email "callum.reyes example.org" is not an email address' in text
        assert "Check it with: comms-assistant contacts check" in text
        assert "uses the last good copy (saved 09:00)" in text

        [holding] = holding_updates(product)
        assert "rowan.hale@example.org" in bcc(holding)  # the last good copy's audience
        assert "callum.reyes@example.org" not in bcc(holding)  # not for Apply at P2 there
        assert "noor.hassan@example.org" not in bcc(holding)  # only in the broken edit

        await tick(1)
        await tick(30)
        assert [m["Subject"] for m in product.emails()].count(NOTICE) == 1  # told once

        # Fixed, newcomer kept: the same worker uses it from its next tick.
        (contacts / "contacts.csv").write_text(good + NEWCOMER)
        before = len(product.emails())
        await tick(30)
        assert len(holding_updates(product)) == 2
        # A late joiner hears with the next update: a catch-up of the story so far.
        [caught_up] = [m for m in product.emails()[before:] if "noor.hassan@example.org" in bcc(m)]
        assert "Apply is down" in caught_up["Subject"]
        assert [m["Subject"] for m in product.emails()].count(NOTICE) == 1

    worker(product, body)


def test_with_no_incident_open_the_admin_email_hears_once(product: Product) -> None:
    home = product.app.settings.home
    profile = home.parent / "ours.toml"
    profile.write_text((PROFILES / "dfe.toml").read_text())
    product.app = bootstrap(
        product.app.settings.model_copy(update={"profile": str(profile)}), clock=product.clock
    )
    subject = "comms-assistant: a mistake in the profile"

    async def body(tick: Callable[[int], Awaitable[None]]) -> None:
        await tick(1)
        text = profile.read_text()
        profile.write_text(text.replace('update_every = "1h"', 'update_every = "an hour"', 1))
        await tick(1)
        await tick(1)
        [told] = [m for m in product.emails() if m["Subject"] == subject]
        assert {a.addr_spec for a in told["To"].addresses} == {"it.admin@example.org"}
        said = told.get_body(preferencelist=("plain",)).get_content()
        assert (
            f'The profile {profile} has a mistake: priorities.P1.update_every: "an hour" is not '
            "a time such as 30m, 1h or 1h30m"
        ) in said
        assert "Check it with: comms-assistant profile check" in said

    worker(product, body)
    # A restart with the mistake still there: the saved copy is used, and nobody hears again.
    product.app = bootstrap(product.app.settings, clock=product.clock)

    async def again(tick: Callable[[int], Awaitable[None]]) -> None:
        await tick(5)
        assert [m["Subject"] for m in product.emails()].count(subject) == 1
        assert product.app.files.policy().name == "DfE Teacher Services"

    worker(product, again)


def test_an_incident_opened_while_a_mistake_is_there_is_told_once(
    product: Product, contacts: Path
) -> None:
    good = (contacts / "contacts.csv").read_text()
    lines = good.splitlines(keepends=True)
    lines[6] = lines[6].replace("@", " ")

    async def body(tick: Callable[[int], Awaitable[None]]) -> None:
        await tick(1)
        (contacts / "contacts.csv").write_text("".join(lines))
        await tick(1)  # no incident open: the admin hears
        admin = "comms-assistant: a mistake in the contacts file"
        assert [m["Subject"] for m in product.emails()].count(admin) == 1
        product.run(OPEN)
        product.run("comms me")
        await tick(1)  # the worker's pass tells the new lead and sends what is due
        await tick(1)
        told = [m for m in product.emails() if m["Subject"] == NOTICE]
        assert len(told) == 1  # its lead hears, once, though the file did not change again
        assert {a.addr_spec for a in told[0]["To"].addresses} == {"comms.lead@example.org"}
        assert "has a mistake on line 7" in told[0].get_body(("plain",)).get_content()
        assert [m["Subject"] for m in product.emails()].count(admin) == 1

    worker(product, body)


def test_a_start_with_no_good_copy_refuses_in_one_line(tmp_path: Path, contacts: Path) -> None:
    text = (contacts / "contacts.csv").read_text().replace("rowan.hale@", "rowan.hale ", 1)
    (contacts / "contacts.csv").write_text(text)
    done = run_cli(
        tmp_path / "home", "worker", "--once", COMMS_ASSISTANT_CONTACTS_DIR=str(contacts)
    )
    assert done.returncode == 2
    assert done.stderr.strip() == (
        f"The contacts file {contacts / 'contacts.csv'} has a mistake on line 2: "
        'email "rowan.hale example.org" is not an email address. '
        "Check it with: comms-assistant contacts check"
    )
    assert "Traceback" not in done.stderr


def test_run_says_it_used_the_last_good_copy(tmp_path: Path, contacts: Path) -> None:
    home, env = tmp_path / "home", {"COMMS_ASSISTANT_CONTACTS_DIR": str(contacts)}
    assert run_cli(home, "run", "list", **env).stdout.startswith("No incident is open.")
    people = contacts / "contacts.csv"
    people.write_text(people.read_text().replace("rowan.hale@", "rowan.hale ", 1))
    answered = run_cli(home, "run", "list", **env)
    assert answered.returncode == 0, answered.stderr
    assert answered.stdout.splitlines()[1:] == [
        f"The contacts file {people} has a mistake on line 2: "
        'email "rowan.hale example.org" is not an email address. Until it is fixed, the '
        f"assistant uses the last good copy (saved {saved_at(home)}). "
        "Check it with: comms-assistant contacts check"
    ]


def saved_at(home: Path) -> str:
    marker = json.loads((home / "last-good" / "contacts" / "current.json").read_text())
    return (
        f"{datetime.fromisoformat(marker['saved_at']).astimezone(ZoneInfo('Europe/London')):%H:%M}"
    )
