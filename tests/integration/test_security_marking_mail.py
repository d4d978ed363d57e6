"""Issue 15: a security incident's every email is marked, read from the .eml files the sandbox
tenant wrote for the product's real path (bootstrap, commands, dispatcher, msgraph-sdk over HTTP):
the subject and the first line start with the marking, Outlook's sensitivity is Confidential,
and its words invite nobody to pass it on. An ordinary incident's emails carry none of it."""

from __future__ import annotations

from collections.abc import Iterator
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path

import pytest
from test_reliability_harness import FakeClock, Product

from comms_assistant.adapters.sql import outbox
from comms_assistant.bootstrap import bootstrap
from comms_assistant.config import Settings
from comms_assistant.sandbox import SandboxTenant, seed

pytestmark = pytest.mark.filterwarnings("ignore:.*is deprecated:DeprecationWarning")

MARKING = "OFFICIAL-SENSITIVE"
SECURITY = "INC-2026-0001"
ORDINARY = "INC-2026-0002"
CENTRAL_TEAM = "major-incidents@example.org"
# A review of the words: what a reader of a security incident's email must never be told.
PASSES_IT_ON = ("working again", "tell them", "as normal again")


@pytest.fixture
def told(tmp_path: Path) -> Iterator[Product]:
    clock = FakeClock()
    with SandboxTenant(tmp_path / "tenant", faults=[], clock=clock.epoch) as tenant:
        # The wording check would hold some of these back as drafts: not what is under test.
        settings = Settings(
            home=tmp_path / "home", sandbox_url=tenant.base_url, plain_english_check=False
        )
        product = Product(bootstrap(settings, clock=clock), tenant, clock)
        ids = product.run(
            "open Candidate data may have leaked p2 impact: Someone may have copied the "
            "passport scans of candidates services: apply security: yes"
        )
        for command in (
            "update We have closed the storage that held the scans",
            "priority p1 More records may be involved",
            "holding",
            "notify marcus.ellery@example.org",
            "close Turned off public access to the storage",
            "open Apply is down p2 impact: Candidates cannot send applications services: apply",
            "close We restarted the application form",
        ):
            clock.advance(600)
            ids |= product.run(command)
        rows = product.deliver(ids)
        assert {r.status for r in rows} == {outbox.DONE}, [(r.key, r.last_error) for r in rows]
        yield product


def about(product: Product, reference: str) -> list[EmailMessage]:
    found = [eml for eml in product.emails() if reference in str(eml["Subject"])]
    assert found, f"no email about {reference}"
    return found


def plain(eml: EmailMessage) -> str:
    part = eml.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def html(eml: EmailMessage) -> str:
    part = eml.get_body(preferencelist=("html",))
    assert part is not None
    return str(part.get_content())


class _BodyText(HTMLParser):
    """The body's text, one entry per run of text, as a reader sees it from the top."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._in_body = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_body = self._in_body or tag == "body"

    def handle_data(self, data: str) -> None:
        if self._in_body and data.strip():
            self.texts.append(data.strip())


def first_html_line(eml: EmailMessage) -> str:
    parser = _BodyText()
    parser.feed(html(eml))
    return parser.texts[0]


def heading(eml: EmailMessage) -> str:
    """The first line after the marking: what kind of message it is."""
    lines = [line for line in plain(eml).splitlines() if line.strip()]
    return lines[1] if lines[0] == MARKING else lines[0]


def test_every_email_of_a_security_incident_is_marked_and_confidential(told: Product) -> None:
    emails = about(told, SECURITY)
    # Every kind of message it sends: the central team's two restricted words among them.
    headings = {heading(eml).split(":")[0] for eml in emails}
    assert headings >= {
        "New incident",
        "Update 1",
        "Update 2, priority raised to P1",
        "Update 3, no change yet",
        "What has happened so far",
        "Major incident",
        "Resolved",
    }, headings
    central = [eml for eml in emails if CENTRAL_TEAM in str(eml["Bcc"])]
    assert {heading(eml) for eml in central} >= {
        "Major incident: Restricted security incident",
        "Resolved: Restricted security incident",
    }
    for eml in emails:
        assert str(eml["Subject"]).startswith(f"{MARKING}: {SECURITY}: "), eml["Subject"]
        assert plain(eml).splitlines()[0] == MARKING, plain(eml)[:200]
        assert first_html_line(eml) == MARKING, html(eml)[:800]
        assert eml["Sensitivity"] == "Company-Confidential", eml["Subject"]
    # One subject from the first email to the last, so Outlook keeps one conversation.
    stakeholder = [eml for eml in emails if eml not in central]
    assert {str(eml["Subject"]) for eml in stakeholder} == {
        f"{MARKING}: {SECURITY}: Candidate data may have leaked"
    }


def test_an_ordinary_incidents_emails_have_no_marking_and_no_sensitivity(told: Product) -> None:
    for eml in about(told, ORDINARY):
        assert str(eml["Subject"]).startswith(ORDINARY), eml["Subject"]
        assert MARKING not in plain(eml) and MARKING not in html(eml)
        assert eml["Sensitivity"] is None
        assert first_html_line(eml) == heading(eml)


def test_a_security_incidents_words_invite_nobody_to_pass_it_on(told: Product) -> None:
    for eml in about(told, SECURITY):
        words = f"{plain(eml)}\n{html(eml)}".lower()
        for phrase in PASSES_IT_ON:
            assert phrase not in words, (phrase, heading(eml))
    # The review can fail: the ordinary incident's resolved email says these things.
    ordinary = " ".join(plain(eml).lower() for eml in about(told, ORDINARY))
    assert "working again" in ordinary and "tell them" in ordinary


def test_from_and_the_mailbox_in_to_show_the_mailbox_name(told: Product) -> None:
    for eml in told.emails():
        [sender] = eml["From"].addresses
        assert (sender.display_name, sender.addr_spec) == (
            "Incident communications",
            seed.MAILBOXES[0],
        )
        to = {a.addr_spec: a.display_name for a in eml["To"].addresses} if eml["To"] else {}
        assert to.get(seed.MAILBOXES[0], "Incident communications") == "Incident communications"
    assert any(eml["To"] for eml in told.emails()), "the mailbox is in To of some email"
