"""Outlook mail in the sandbox tenant: sendMail writes .eml files; Sent Items can be searched."""

from __future__ import annotations

import json
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import httpx

from comms_assistant.sandbox import SandboxTenant, seed

MAILBOX = seed.MAILBOXES[0]
PROP = "String {66f5a359-4659-4830-9070-00047ec6ac6e} Name DeliveryId"


def message(delivery_id: str, subject: str = "Update") -> dict[str, object]:
    return {
        "subject": subject,
        "body": {"contentType": "HTML", "content": "<p>The <b>payroll</b> service is back.</p>"},
        "toRecipients": [{"emailAddress": {"address": "ops@example.org", "name": "Ops"}}],
        "ccRecipients": [{"emailAddress": {"address": "lead@example.org"}}],
        "bccRecipients": [{"emailAddress": {"address": "hidden@example.org"}}],
        "internetMessageHeaders": [{"name": "X-Comms-Delivery", "value": delivery_id}],
        "singleValueExtendedProperties": [{"id": PROP, "value": delivery_id}],
    }


def sent_items(sandbox: SandboxTenant) -> list[Path]:
    return sorted((sandbox.root / "mail" / MAILBOX / "Sent Items").glob("*.eml"))


def test_send_mail_pascal_case_writes_a_parseable_eml(
    graph: httpx.Client, sandbox: SandboxTenant
) -> None:
    reply = graph.post(
        "/users/incidents%40example.org/sendMail",
        json={"Message": message("d-1"), "SaveToSentItems": True},
    )
    assert reply.status_code == 202 and reply.content == b""
    [path] = sent_items(sandbox)
    assert ":" not in path.name
    eml = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    assert isinstance(eml, EmailMessage)
    assert eml["From"] == MAILBOX
    assert eml["Bcc"] == "hidden@example.org"
    assert "ops@example.org" in eml["To"] and eml["Cc"] == "lead@example.org"
    assert eml["X-Comms-Delivery"] == "d-1"
    assert eml["Message-ID"] and eml["Date"]
    assert eml.get_content_type() == "multipart/alternative"
    assert "payroll" in eml.get_body(preferencelist=("plain",)).get_content()
    assert "<b>payroll</b>" in eml.get_body(preferencelist=("html",)).get_content()
    props = [json.loads(value) for value in eml.get_all("X-Sandbox-Extended-Property")]
    assert props == [{"id": PROP, "value": "d-1"}]


def test_awkward_display_names_survive_the_eml_exactly(
    graph: httpx.Client, sandbox: SandboxTenant
) -> None:
    # Commas, quotes, backslashes and accents in names: the .eml must parse back to exactly
    # these people (the recipient headers are written pre-folded, not by the header parser).
    names = ["Smith, Jo", 'Ann "Nan" Lee', "Zoë Ó'Brien", "Back\\slash", ""]
    people = [
        {"emailAddress": {"address": f"p{n}@example.org", "name": name}}
        for n, name in enumerate(names)
    ]
    body = {"message": {**message("d-n"), "bccRecipients": people * 99}}
    assert graph.post(f"/users/{MAILBOX}/sendMail", json=body).status_code == 202
    [path] = sent_items(sandbox)
    eml = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    got = [(a.display_name, a.addr_spec) for a in eml["Bcc"].addresses]
    assert got == [(name, f"p{n}@example.org") for n, name in enumerate(names)] * 99
    assert max(len(line) for line in path.read_bytes().splitlines()) <= 998


def test_sent_items_filter_finds_exactly_the_stamped_message(graph: httpx.Client) -> None:
    for delivery_id in ("d-1", "d-2", "d-3"):
        body = {"message": message(delivery_id, subject=delivery_id), "saveToSentItems": True}
        assert graph.post(f"/users/{MAILBOX}/sendMail", json=body).status_code == 202
    query = f"singleValueExtendedProperties/any(ep:ep/id eq '{PROP}' and ep/value eq 'd-2')"
    found = graph.get(
        f"/users/{MAILBOX}/mailFolders/sentitems/messages", params={"$filter": query}
    ).json()["value"]
    assert [item["subject"] for item in found] == ["d-2"]
    assert found[0]["toRecipients"][0]["emailAddress"]["address"] == "ops@example.org"
    assert found[0]["internetMessageId"].startswith("<") and found[0]["sentDateTime"]
    quoted = graph.get(
        f"/users/{MAILBOX}/mailFolders('SentItems')/messages", params={"$filter": query}
    ).json()["value"]
    assert [item["id"] for item in quoted] == [found[0]["id"]]
    none = query.replace("d-2", "d-9")
    assert graph.get(
        f"/users/{MAILBOX}/mailFolders/SentItems/messages", params={"$filter": none}
    ).json() == {"value": []}


def test_unknown_mailbox_is_404_invalid_user(graph: httpx.Client) -> None:
    reply = graph.post("/users/nobody%40example.org/sendMail", json={"message": message("x")})
    assert reply.status_code == 404
    assert reply.json()["error"]["code"] == "ErrorInvalidUser"


def test_custom_header_must_start_with_x(graph: httpx.Client, sandbox: SandboxTenant) -> None:
    bad = message("x")
    bad["internetMessageHeaders"] = [{"name": "Delivery", "value": "x"}]
    reply = graph.post(f"/users/{MAILBOX}/sendMail", json={"message": bad})
    assert reply.status_code == 400
    assert sent_items(sandbox) == []


def test_not_saved_to_sent_items_when_asked(graph: httpx.Client, sandbox: SandboxTenant) -> None:
    body = {"message": message("x"), "saveToSentItems": False}
    assert graph.post(f"/users/{MAILBOX}/sendMail", json=body).status_code == 202
    assert sent_items(sandbox) == []


def test_more_than_500_recipients_is_refused(graph: httpx.Client, sandbox: SandboxTenant) -> None:
    crowd = message("big")
    crowd["bccRecipients"] = [
        {"emailAddress": {"address": f"person{n}@example.org"}} for n in range(500)
    ]  # with the To and Cc above: 502 recipients
    reply = graph.post(f"/users/{MAILBOX}/sendMail", json={"message": crowd})
    assert reply.status_code == 400
    assert reply.json()["error"]["code"] == "ErrorTooManyRecipients"
    assert sent_items(sandbox) == []


def test_the_31st_message_in_a_minute_is_throttled_with_retry_after(tmp_path: Path) -> None:
    now = [1_800_000_000.0]
    with SandboxTenant(tmp_path / "t", faults=[], clock=lambda: now[0]) as tenant:
        token = httpx.post(
            tenant.token_url,
            data={"grant_type": "client_credentials", "client_id": "c", "client_secret": "s"},
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=tenant.graph_url, headers=headers) as graph:
            url = f"/users/{MAILBOX}/sendMail"
            statuses = []
            for n in range(31):
                now[0] += 1.0  # one a second: 31 inside one minute
                statuses.append(graph.post(url, json={"message": message(f"m{n}")}).status_code)
            assert statuses == [202] * 30 + [429]
            refused = graph.post(url, json={"message": message("again")})
            assert refused.json()["error"]["code"] == "ErrorExceededMessageLimit"
            assert 1 <= int(refused.headers["Retry-After"]) <= 30
            now[0] += int(refused.headers["Retry-After"])
            assert graph.post(url, json={"message": message("later")}).status_code == 202
        assert len(list((tenant.root / "mail").rglob("*.eml"))) == 31


def test_text_body_with_the_sdk_camel_and_pascal_case(sandbox: SandboxTenant) -> None:
    import asyncio

    from msgraph.generated.models.body_type import BodyType
    from msgraph.generated.models.email_address import EmailAddress
    from msgraph.generated.models.item_body import ItemBody
    from msgraph.generated.models.message import Message
    from msgraph.generated.models.recipient import Recipient
    from msgraph.generated.users.item.send_mail.send_mail_post_request_body import (
        SendMailPostRequestBody,
    )
    from test_sandbox_sdk import make_client

    async def send() -> None:
        message = Message(
            subject="Plain",
            body=ItemBody(content_type=BodyType.Text, content="Line one\n<not a tag>"),
            to_recipients=[Recipient(email_address=EmailAddress(address="ops@example.org"))],
        )
        client = make_client(sandbox)
        body = SendMailPostRequestBody(message=message, save_to_sent_items=True)
        await client.users.by_user_id(MAILBOX).send_mail.post(body)  # PascalCase on the wire
        listed = await (
            client.users.by_user_id(MAILBOX).mail_folders.by_mail_folder_id("sentitems").messages
        ).get()
        assert listed.value[0].body.content_type == BodyType.Text
        assert listed.value[0].body.content.startswith("Line one\n<not a tag>")

    asyncio.run(send())
    [path] = sent_items(sandbox)
    eml = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    assert eml.get_content_type() == "text/plain"
