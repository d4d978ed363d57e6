"""Outlook: sendMail writes the sender's Sent Items copy as an RFC 5322 .eml file, and Sent Items
can be searched by single-value extended property (how the product makes sends idempotent).

Extended properties have no place in RFC 5322, so each is kept as an
`X-Sandbox-Extended-Property: {"id": ..., "value": ...}` header; the Graph message id is kept as
`X-Sandbox-Message-Id`. PidTagSensitivity is also written as Exchange writes it in MIME, a
`Sensitivity:` header (RFC 2156; [MS-OXCMAIL]): 1 Personal, 2 Private, 3 Company-Confidential.
`from` must be the mailbox itself (anything else needs Send As: ErrorSendAsDenied); its name is
the From header's display name.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import (
    format_datetime,
    formataddr,
    getaddresses,
    make_msgid,
    parsedate_to_datetime,
)
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from aiohttp import web

from comms_assistant.sandbox import seed
from comms_assistant.sandbox.odata import GraphError, ci_get, file_stamp, iso, json_ok, now
from comms_assistant.sandbox.odata import read_json as read_body
from comms_assistant.sandbox.paging import page_of
from comms_assistant.sandbox.routing import Router, context
from comms_assistant.sandbox.state import atomic_write

PROPERTY_HEADER = "X-Sandbox-Extended-Property"
ID_HEADER = "X-Sandbox-Message-Id"
_RECIPIENT_FIELDS = (("toRecipients", "To"), ("ccRecipients", "Cc"), ("bccRecipients", "Bcc"))
_LITERAL = r"'((?:[^']|'')*)'"
_PROPERTY_FILTER = re.compile(
    r"singleValueExtendedProperties/any\(\s*(\w+)\s*:\s*\1/id\s+eq\s+"
    + _LITERAL
    + r"\s+and\s+\1/value\s+eq\s+"
    + _LITERAL
    + r"\s*\)",
    re.IGNORECASE,
)
# Exchange Online's sending limits per mailbox (the 500 recipients are checked in build_eml).
MESSAGES_PER_MINUTE = 30
# PidTagSensitivity as Graph names it ("Integer 0x36" names the same tag).
_SENSITIVITY_ID = re.compile(r"integer\s+0x0*36", re.IGNORECASE)
_SENSITIVITY_HEADER = {1: "Personal", 2: "Private", 3: "Company-Confidential"}
_MESSAGE_ID_FILTER = re.compile(r"internetMessageId\s+eq\s+" + _LITERAL, re.IGNORECASE)


def register(router: Router) -> None:
    user = r"/v1\.0/users/(?P<user>[^/]+)"
    router.add("POST", user + r"/sendMail", send_mail)
    folder = r"/mailFolders(?:/(?P<folder>[^/()]+)|\('(?P<quoted>[^']+)'\))"
    router.add("GET", user + f"(?:{folder})?/messages", list_messages)


def _mailbox_dir(request: web.Request, user: str) -> tuple[str, Path]:
    for mailbox in seed.MAILBOXES:
        if mailbox.lower() == user.lower():
            return mailbox, context(request).state.mail_dir / mailbox / "Sent Items"
    raise GraphError(404, "ErrorInvalidUser", f"The requested user '{user}' is invalid.")


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_data(self, data: str) -> None:
        # A document's <title> is not part of what a text-only reader sees.
        if not self._hidden:
            self.parts.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in {"title", "style", "script"}:
            self._hidden = max(0, self._hidden - 1)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"title", "style", "script"}:
            self._hidden += 1
        elif tag in {"br", "p", "div", "li", "tr", "h1", "h2", "h3"}:
            self.parts.append("\n")
        elif tag in {"td", "th"}:
            # Outlook's plain-text view keeps table cells apart.
            self.parts.append("\t")


def _plain_text(html: str) -> str:
    parser = _TextOnly()
    parser.feed(html)
    return re.sub(r"\n{3,}", "\n\n", "".join(parser.parts)).strip() + "\n"


def _addresses(recipients: Any, field: str) -> list[str]:
    if recipients is None:
        return []
    if not isinstance(recipients, list):
        raise GraphError(400, "ErrorInvalidRecipients", f"'{field}' must be a list of recipients.")
    out = []
    for recipient in recipients:
        email_address = ci_get(recipient, "emailAddress") or {}
        address = str(ci_get(email_address, "address") or "")
        if "@" not in address:
            raise GraphError(
                400, "ErrorInvalidRecipients", f"At least one recipient in '{field}' is not valid."
            )
        name = str(ci_get(email_address, "name") or "")
        # formataddr quotes and RFC 2047-encodes the name as the header needs.
        out.append(formataddr((name, address), charset="utf-8"))
    return out


def _sender(mailbox: str, message: dict[str, Any]) -> str:
    sender = ci_get(message, "from")
    if not sender:
        return mailbox
    email_address = ci_get(sender, "emailAddress") or {}
    address = str(ci_get(email_address, "address") or "")
    if address.lower() != mailbox.lower():
        raise GraphError(
            403,
            "ErrorSendAsDenied",
            "The user account which was used to submit this request does not have the right "
            "to send mail on behalf of the specified sending account.",
        )
    return formataddr((str(ci_get(email_address, "name") or ""), mailbox), charset="utf-8")


def _sensitivity(properties: list[dict[str, str]]) -> str | None:
    for prop in properties:
        if _SENSITIVITY_ID.fullmatch(prop["id"].strip()):
            try:
                value = int(prop["value"])
            except ValueError:
                raise GraphError(
                    400,
                    "ErrorInvalidExtendedPropertyValue",
                    f"The extended property value '{prop['value']}' is not valid for its type.",
                ) from None
            return _SENSITIVITY_HEADER.get(value)
    return None


def build_eml(mailbox: str, message: dict[str, Any], message_id: str) -> EmailMessage:
    eml = EmailMessage(policy=policy.default)
    eml["From"] = _sender(mailbox, message)
    count = 0
    for key, header in _RECIPIENT_FIELDS:
        addresses = _addresses(ci_get(message, key), key)
        count += len(addresses)
        if addresses:
            # Set already folded, one address a line: the header registry's parse of 500
            # addresses costs ~50 ms of CPU a message, which held up every other request the
            # tenant was answering (Exchange does this work on servers of its own).
            eml.set_raw(header, ",\n ".join(addresses))
    if count == 0:
        raise GraphError(400, "ErrorInvalidRecipients", "At least one recipient is required.")
    if count > 500:
        raise GraphError(
            400, "ErrorTooManyRecipients", "A message can have at most 500 recipients."
        )
    eml["Subject"] = str(ci_get(message, "subject") or "")
    eml["Date"] = format_datetime(now())
    eml["Message-ID"] = make_msgid(domain=mailbox.rpartition("@")[2])
    eml[ID_HEADER] = message_id
    importance = ci_get(message, "importance")
    if importance:
        eml["Importance"] = str(importance)
    for header in ci_get(message, "internetMessageHeaders") or []:
        name, value = str(ci_get(header, "name") or ""), str(ci_get(header, "value") or "")
        if not name.lower().startswith("x-"):
            raise GraphError(
                400,
                "InvalidInternetMessageHeader",
                f"The internet message header name '{name}' should start with 'x-' or 'X-'.",
            )
        eml[name] = value
    properties = [
        {"id": str(ci_get(prop, "id") or ""), "value": str(ci_get(prop, "value") or "")}
        for prop in ci_get(message, "singleValueExtendedProperties") or []
    ]
    if sensitivity := _sensitivity(properties):
        eml["Sensitivity"] = sensitivity
    for entry in properties:
        eml[PROPERTY_HEADER] = json.dumps(entry)
    body = ci_get(message, "body") or {}
    content = str(ci_get(body, "content") or "")
    if str(ci_get(body, "contentType") or "text").lower() == "html":
        eml.set_content(_plain_text(content))
        eml.add_alternative(content, subtype="html")
    else:
        eml.set_content(content)
    return eml


async def send_mail(request: web.Request, match: re.Match[str]) -> web.StreamResponse:
    mailbox, sent_items = _mailbox_dir(request, match["user"])
    payload = await read_body(request)
    message = ci_get(payload, "message")
    if not isinstance(message, dict):
        raise GraphError(400, "ErrorInvalidRequest", "The request body must contain a message.")
    message_id = "AAMkAGSandbox" + secrets.token_urlsafe(24).replace("-", "x").replace("_", "y")
    # Building a message for hundreds of recipients takes tens of milliseconds of CPU: off the
    # loop, so the tenant keeps answering other requests meanwhile (as Graph would).
    eml = await asyncio.to_thread(lambda: bytes(build_eml(mailbox, message, message_id)))
    _count_against_rate_limit(request, mailbox)
    if ci_get(payload, "saveToSentItems", True) not in (False, "false", "False"):
        path = sent_items / f"{file_stamp(now())}-{message_id}.eml"
        await asyncio.to_thread(atomic_write, path, eml, context(request).state.tmp_dir)
    return web.Response(status=202)


def _count_against_rate_limit(request: web.Request, mailbox: str) -> None:
    """Exchange accepts 30 messages a minute from one mailbox; the 31st is throttled (429)."""
    ctx = context(request)
    moment = ctx.clock()
    sent = [t for t in ctx.mail_sent.get(mailbox.lower(), []) if t > moment - 60]
    if len(sent) >= MESSAGES_PER_MINUTE:
        wait = max(1, int(sent[0] + 60 - moment + 0.999))
        ctx.mail_sent[mailbox.lower()] = sent
        raise GraphError(
            429,
            "ErrorExceededMessageLimit",
            f"Mailbox {mailbox} has sent {MESSAGES_PER_MINUTE} messages in the last minute; "
            "Exchange Online allows no more.",
            {"Retry-After": str(wait)},
        )
    ctx.mail_sent[mailbox.lower()] = [*sent, moment]


def _recipients(value: str | None) -> list[dict[str, Any]]:
    return [
        {"emailAddress": {"name": name or address, "address": address}}
        for name, address in getaddresses([value] if value else [])
    ]


def _properties(eml: EmailMessage) -> list[dict[str, str]]:
    return [json.loads(str(value)) for value in eml.get_all(PROPERTY_HEADER) or []]


def message_json(eml: EmailMessage, select: str, expand: str) -> dict[str, Any]:
    sent = iso(parsedate_to_datetime(str(eml["Date"])))
    html = eml.get_body(preferencelist=("html", "plain"))
    content = html.get_content() if html is not None else ""
    body: dict[str, Any] = {
        "id": str(eml[ID_HEADER]),
        "subject": str(eml["Subject"] or ""),
        "internetMessageId": str(eml["Message-ID"]),
        "sentDateTime": sent,
        "receivedDateTime": sent,
        "isDraft": False,
        "from": _recipients(str(eml["From"]))[0],
        "toRecipients": _recipients(eml["To"]),
        "ccRecipients": _recipients(eml["Cc"]),
        "bccRecipients": _recipients(eml["Bcc"]),
        "body": {
            "contentType": "html"
            if html is not None and html.get_content_subtype() == "html"
            else "text",
            "content": content,
        },
    }
    if "internetmessageheaders" in select.lower():
        body["internetMessageHeaders"] = [
            {"name": name, "value": str(value)} for name, value in eml.items()
        ]
    if "singlevalueextendedproperties" in expand.lower():
        body["singleValueExtendedProperties"] = _properties(eml)
    return body


def _matches(eml: EmailMessage, query: str) -> bool:
    if not query.strip():
        return True
    found = _PROPERTY_FILTER.fullmatch(query.strip())
    if found:
        prop_id, value = (part.replace("''", "'") for part in found.group(2, 3))
        return any(
            p["id"].lower() == prop_id.lower() and p["value"] == value for p in _properties(eml)
        )
    found = _MESSAGE_ID_FILTER.fullmatch(query.strip())
    if found:
        return str(eml["Message-ID"]) == found.group(1).replace("''", "'")
    raise GraphError(400, "ErrorInvalidUrlQueryFilter", f"The sandbox cannot filter on: {query}")


async def list_messages(request: web.Request, match: re.Match[str]) -> web.StreamResponse:
    _, sent_items = _mailbox_dir(request, match["user"])
    folder = (match["folder"] or match["quoted"] or "sentitems").lower()
    if folder != "sentitems":
        # Nothing is ever delivered to the sandbox's own mailboxes: other folders are empty.
        return json_ok({"value": []})
    query = request.query
    parser = BytesParser(policy=policy.default)
    found = []
    for path in sorted(sent_items.glob("*.eml"), reverse=True):  # newest first, as Outlook
        eml = parser.parsebytes(path.read_bytes())
        if isinstance(eml, EmailMessage) and _matches(eml, query.get("$filter", "")):
            found.append(eml)
    select, expand = query.get("$select", ""), query.get("$expand", "")
    body = page_of(request, found, lambda eml: message_json(eml, select, expand), default=10)
    return json_ok(body)
