"""The sandbox tenant writes what Exchange puts in MIME for a message's sensitivity and its
sender's display name, so the product's .eml files can be read as Outlook would show them."""

from __future__ import annotations

from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

import httpx
import pytest

from comms_assistant.sandbox import SandboxTenant, seed

MAILBOX = seed.MAILBOXES[0]


def message(**extra: Any) -> dict[str, Any]:
    return {
        "subject": "OFFICIAL-SENSITIVE: INC-1: Data incident",
        "body": {
            "contentType": "HTML",
            "content": "<html><head><title>OFFICIAL-SENSITIVE: INC-1: Data incident</title>"
            "</head><body><p><strong>OFFICIAL-SENSITIVE</strong></p><h1>New incident</h1>"
            "</body></html>",
        },
        "toRecipients": [{"emailAddress": {"address": MAILBOX}}],
        **extra,
    }


def sensitivity(value: str) -> dict[str, Any]:
    return {"singleValueExtendedProperties": [{"id": "Integer 0x0036", "value": value}]}


def sent(sandbox: SandboxTenant) -> list[EmailMessage]:
    folder = sandbox.root / "mail" / MAILBOX / "Sent Items"
    parser = BytesParser(policy=policy.default)
    return [parser.parsebytes(p.read_bytes()) for p in sorted(folder.glob("*.eml"))]


@pytest.mark.parametrize(
    ("value", "header"),
    [("3", "Company-Confidential"), ("2", "Private"), ("1", "Personal"), ("0", None)],
)
def test_pidtagsensitivity_is_the_sensitivity_header(
    graph: httpx.Client, sandbox: SandboxTenant, value: str, header: str | None
) -> None:
    reply = graph.post(
        f"/users/{MAILBOX}/sendMail", json={"message": message(**sensitivity(value))}
    )
    assert reply.status_code == 202, reply.text
    [eml] = sent(sandbox)
    assert eml["Sensitivity"] == header


def test_a_sensitivity_that_is_not_a_number_is_refused(
    graph: httpx.Client, sandbox: SandboxTenant
) -> None:
    body = {"message": message(**sensitivity("Confidential"))}
    reply = graph.post(f"/users/{MAILBOX}/sendMail", json=body)
    assert reply.status_code == 400
    assert reply.json()["error"]["code"] == "ErrorInvalidExtendedPropertyValue"
    assert sent(sandbox) == []


def test_from_names_the_mailbox_and_is_listed_so(
    graph: httpx.Client, sandbox: SandboxTenant
) -> None:
    sender = {"emailAddress": {"address": MAILBOX.upper(), "name": "Incident communications"}}
    reply = graph.post(f"/users/{MAILBOX}/sendMail", json={"message": message(**{"from": sender})})
    assert reply.status_code == 202, reply.text
    [eml] = sent(sandbox)
    [address] = eml["From"].addresses
    assert (address.display_name, address.addr_spec) == ("Incident communications", MAILBOX)
    listed = graph.get(f"/users/{MAILBOX}/mailFolders/sentitems/messages").json()["value"]
    assert listed[0]["from"]["emailAddress"] == {
        "name": "Incident communications",
        "address": MAILBOX,
    }


def test_from_another_address_is_refused_without_send_as(
    graph: httpx.Client, sandbox: SandboxTenant
) -> None:
    sender = {"emailAddress": {"address": "ceo@example.org", "name": "The CEO"}}
    reply = graph.post(f"/users/{MAILBOX}/sendMail", json={"message": message(**{"from": sender})})
    assert reply.status_code == 403
    assert reply.json()["error"]["code"] == "ErrorSendAsDenied"
    assert sent(sandbox) == []


def test_the_text_part_starts_where_the_body_does_not_with_the_title(
    graph: httpx.Client, sandbox: SandboxTenant
) -> None:
    assert graph.post(f"/users/{MAILBOX}/sendMail", json={"message": message()}).status_code == 202
    [eml] = sent(sandbox)
    text = eml.get_body(preferencelist=("plain",))
    assert text is not None
    assert text.get_content().splitlines()[:2] == ["OFFICIAL-SENSITIVE", "New incident"]


def test_without_from_the_sender_is_the_bare_mailbox(
    graph: httpx.Client, sandbox: SandboxTenant
) -> None:
    assert graph.post(f"/users/{MAILBOX}/sendMail", json={"message": message()}).status_code == 202
    [eml] = sent(sandbox)
    assert eml["From"] == MAILBOX
