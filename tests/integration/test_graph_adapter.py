"""The real Graph adapter (msgraph-sdk over HTTP) against the sandbox tenant.

No pytest-asyncio: each test runs its scenario with asyncio.run, building the adapters inside
the loop that uses them (httpx connection pools belong to one event loop).
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import io
import json
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from docx import Document

from comms_assistant.adapters.graph import GraphAdapters, build_graph_adapters
from comms_assistant.config import Settings
from comms_assistant.sandbox import seed
from comms_assistant.service import fencing
from comms_assistant.service.ports import (
    OutgoingMail,
    PreconditionFailed,
    Recipient,
    TeamsCard,
)

# msgraph's generated builders warn about their own deprecated config classes on import.
pytestmark = pytest.mark.filterwarnings("ignore:.*is deprecated:DeprecationWarning")

T = TypeVar("T")


def sandbox_root(sandbox: Any) -> Path:
    return Path(sandbox.root)


def run(sandbox: Any, scenario: Callable[[GraphAdapters], Awaitable[T]]) -> T:
    async def main() -> T:
        settings = Settings(home=sandbox_root(sandbox).parent)
        adapters = build_graph_adapters(settings, sandbox.graph_url, sandbox.token_url)
        try:
            return await scenario(adapters)
        finally:
            await adapters.aclose()

    return asyncio.run(main())


def make_docx(text: str) -> bytes:
    document = Document()
    document.add_heading("Incident report", level=1)
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def graph_calls(sandbox: Any, since: int) -> list[tuple[str, str, int]]:
    """Requests the sandbox saw after index `since`, without token or monitor traffic."""
    return [
        (logged.method, logged.path, logged.status)
        for logged in list(sandbox.requests)[since:]
        if logged.path.startswith("/v1.0")
    ]


def test_upload_copy_download_replace_round_trip(sandbox: Any) -> None:
    template = make_docx("Template body")
    name = f"test-{uuid.uuid4().hex[:8]}"
    counts: dict[str, int] = {}

    async def scenario(adapters: GraphAdapters) -> None:
        docs = adapters.documents
        mark = len(sandbox.requests)
        uploaded = await docs.upload(seed.TEMPLATES_FOLDER, f"{name} template.docx", template)
        counts["upload (cold: site + drive + folder + PUT)"] = len(graph_calls(sandbox, mark))
        assert uploaded.name == f"{name} template.docx" and uploaded.etag

        mark = len(sandbox.requests)
        copy = await docs.copy(
            f"{seed.TEMPLATES_FOLDER}/{name} template.docx", seed.REPORTS_FOLDER, f"{name}.docx"
        )
        counts["copy"] = len(graph_calls(sandbox, mark))
        assert copy.name == f"{name}.docx"
        assert copy.id != uploaded.id
        assert copy.pristine  # made by this call, untouched: its content is the template's
        assert await docs.read(f"{seed.TEMPLATES_FOLDER}/{name} template.docx") == template

        found = await docs.get_by_path(f"{seed.REPORTS_FOLDER}/{name}.docx")
        assert found is not None and found.id == copy.id

        mark = len(sandbox.requests)
        content, etag = await docs.download(copy.id)
        counts["download"] = len(graph_calls(sandbox, mark))
        assert content == template
        assert etag

        edited = make_docx("Edited by the assistant")
        mark = len(sandbox.requests)
        saved = await docs.replace(copy.id, edited, if_match=etag)
        counts["replace"] = len(graph_calls(sandbox, mark))
        assert saved.id == copy.id
        assert saved.etag != etag

        again, again_etag = await docs.download(copy.id)
        assert again == edited and again_etag == saved.etag

        with pytest.raises(PreconditionFailed):
            await docs.replace(copy.id, make_docx("stale"), if_match=etag)
        after_conflict, _ = await docs.download(copy.id)
        assert after_conflict == edited  # the 412 changed nothing

        assert await docs.get_by_path(f"{seed.REPORTS_FOLDER}/{name} missing.docx") is None

        # Copying again to the same name must not fail or overwrite: the outbox may retry.
        same = await docs.copy(
            f"{seed.TEMPLATES_FOLDER}/{name} template.docx", seed.REPORTS_FOLDER, f"{name}.docx"
        )
        assert same.id == copy.id
        assert not same.pristine  # not this call's copy: people may have written in it

    run(sandbox, scenario)
    on_disk = sandbox_root(sandbox) / "sharepoint" / seed.SITE_NAME / seed.LIBRARY
    report = on_disk / seed.REPORTS_FOLDER / f"{name}.docx"
    assert "Edited by the assistant" in "\n".join(p.text for p in Document(report).paragraphs)
    print("Graph calls per operation:", counts)


def test_create_makes_a_new_file_once_and_never_overwrites(sandbox: Any) -> None:
    name = f"Review & notes {uuid.uuid4().hex[:6]}.docx"

    async def scenario(adapters: GraphAdapters) -> None:
        docs = adapters.documents
        await docs.get_by_path(seed.REPORTS_FOLDER)  # the site and drive, resolved once
        mark = len(sandbox.requests)
        made = await docs.create(seed.REPORTS_FOLDER, name, b"people's words")
        assert made is not None and made.name == name
        # One request: by path from the root, no look-up of the folder first.
        assert [c[0] for c in graph_calls(sandbox, mark)] == ["PUT"]
        assert await docs.create(seed.REPORTS_FOLDER, name, b"the assistant's") is None
        content, _ = await docs.download(made.id)
        assert content == b"people's words"

    run(sandbox, scenario)


def test_upload_replaces_by_path_and_names_with_spaces(sandbox: Any) -> None:
    async def scenario(adapters: GraphAdapters) -> None:
        docs = adapters.documents
        first = await docs.upload(seed.REPORTS_FOLDER, "Review & notes (draft).docx", b"one")
        second = await docs.upload(seed.REPORTS_FOLDER, "Review & notes (draft).docx", b"two")
        assert second.id == first.id and second.etag != first.etag
        content, _ = await docs.download(second.id)
        assert content == b"two"

    run(sandbox, scenario)


def test_send_mail_lands_in_sent_items_and_was_sent_finds_it(sandbox: Any) -> None:
    delivery_id = f"INC-TEST-{uuid.uuid4().hex[:8]}:mail:stakeholders"
    mail = OutgoingMail(
        delivery_id=delivery_id,
        subject="P2 incident: Apply is down",
        html="<p>Apply is down. We are <b>working on it</b>.</p>",
        text="Apply is down. We are working on it.",
        to=(Recipient("service.owners@example.org", "Service owners"),),
        cc=(Recipient("lead@example.org"),),
        bcc=(Recipient("exec-a@example.org"), Recipient("exec-b@example.org")),
    )
    mailbox = seed.MAILBOXES[0]

    async def scenario(adapters: GraphAdapters) -> tuple[bool, bool, int]:
        mark = len(sandbox.requests)
        await adapters.mailer.send(mail)
        send_calls = len(graph_calls(sandbox, mark))
        return (
            await adapters.mailer.was_sent(delivery_id),
            await adapters.mailer.was_sent(delivery_id + "-other"),
            send_calls,
        )

    found, other, send_calls = run(sandbox, scenario)
    assert send_calls == 1
    assert found is True
    assert other is False

    sent_items = sandbox_root(sandbox) / "mail" / mailbox / "Sent Items"
    messages = []
    for path in sent_items.glob("*.eml"):
        parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if parsed["x-comms-assistant-delivery"] == delivery_id:
            messages.append(parsed)
    assert len(messages) == 1
    message = messages[0]
    assert message["Subject"] == mail.subject
    assert "service.owners@example.org" in message["To"]
    assert "lead@example.org" in message["Cc"]
    assert "exec-a@example.org" in message["Bcc"] and "exec-b@example.org" in message["Bcc"]
    html = message.get_body(preferencelist=("html",))
    assert html is not None and "working on it" in html.get_content()


def test_post_card_writes_the_card_to_the_channel(sandbox: Any) -> None:
    delivery_id = f"INC-TEST-{uuid.uuid4().hex[:8]}:teams"
    card = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": "1.5",
        "body": [{"type": "TextBlock", "text": f"Apply is down ({delivery_id})"}],
    }

    async def scenario(adapters: GraphAdapters) -> str:
        return await adapters.teams.post_card(TeamsCard(delivery_id, "Apply is down", card))

    message_id = run(sandbox, scenario)
    assert message_id

    written = [
        json.loads(path.read_text(encoding="utf-8"))
        for path in (sandbox_root(sandbox) / "teams").rglob("*.json")
        if delivery_id in path.read_text(encoding="utf-8")
    ]
    assert len(written) == 1
    text = json.dumps(written[0])
    assert "application/vnd.microsoft.card.adaptive" in text
    attachments = written[0].get("attachments") or []
    assert attachments, written[0]
    content = attachments[0]["content"]
    posted_card = json.loads(content) if isinstance(content, str) else content
    assert posted_card == card


def test_token_is_fetched_once_for_many_requests(sandbox: Any) -> None:
    async def scenario(adapters: GraphAdapters) -> int:
        for _ in range(3):
            await adapters.documents.get_by_path(f"{seed.TEMPLATES_FOLDER}/nothing.docx")
        return adapters.credential.fetches

    assert run(sandbox, scenario) == 1


def test_mail_and_cards_do_not_go_once_the_lease_has_passed(sandbox: Any) -> None:
    """At the point of no return each adapter renews its sender's lease (service/fencing.py):
    a sender whose lease passed to another sends nothing; one that still holds it sends."""
    mail = OutgoingMail(
        delivery_id=f"INC-TEST-{uuid.uuid4().hex[:8]}:mail:fenced",
        subject="P2 incident: Apply is down",
        html="<p>Apply is down.</p>",
        text="Apply is down.",
        to=(Recipient("service.owners@example.org"),),
    )
    card = {"type": "AdaptiveCard", "version": "1.5", "body": []}
    renewals: list[str] = []

    async def scenario(adapters: GraphAdapters) -> list[tuple[str, str, int]]:
        mark = len(sandbox.requests)
        with fencing.fenced(lambda: renewals.append("lost") is not None):
            with pytest.raises(fencing.LeaseLost):
                await adapters.mailer.send(mail)
            with pytest.raises(fencing.LeaseLost):
                await adapters.teams.post_card(TeamsCard("fenced-card", "Apply is down", card))
        # Looking a channel up may go first; nothing is posted.
        lost = [call for call in graph_calls(sandbox, mark) if call[0] != "GET"]
        with fencing.fenced(lambda: renewals.append("held") is None):
            await adapters.mailer.send(mail)
        return lost

    assert run(sandbox, scenario) == []
    assert renewals == ["lost", "lost", "held"]
    sent_items = sandbox_root(sandbox) / "mail" / seed.MAILBOXES[0] / "Sent Items"
    went = [
        p for p in sent_items.glob("*.eml")
        if email.message_from_bytes(p.read_bytes())["x-comms-assistant-delivery"]
        == mail.delivery_id
    ]  # fmt: skip
    assert len(went) == 1
