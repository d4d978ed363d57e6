"""Outlook mail through Graph `sendMail`: the `Mailer` port.

sendMail answers 202 with no message id, so each message is stamped with the product's
delivery id twice: an `x-comms-assistant-delivery` internet header (visible to anyone reading
the raw message, useful when tracing) and a single-value extended property, which is what
Graph can `$filter` on, so `was_sent` finds it in Sent Items before a resend.

Body: Graph takes one body, HTML or text, never both as alternatives. The HTML is sent;
Exchange derives a plain-text alternative from it for text-only clients, so our templates' HTML
must read well on its own. `OutgoingMail.text` is used only when there is no HTML.

Sensitivity: Graph's v1.0 `message` has no sensitivity property to send with, so a confidential
message carries the MAPI property PidTagSensitivity ([MS-OXCMSG] 2.2.1.13: PtypInteger32,
0 normal, 1 personal, 2 private, 3 confidential) as a single-value extended property; Outlook
shows "Confidential" and Exchange writes `Sensitivity: Company-Confidential` in MIME.

From: the mailbox itself with `name` as its display name. sendMail refuses any other address
(ErrorSendAsDenied) unless the app is given Send As on it; a display name is the sender's own
choice, though Exchange Online may show the directory's name for the mailbox instead.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from comms_assistant.adapters.graph.client import no_retry_config
from comms_assistant.adapters.graph.errors import translated
from comms_assistant.service import fencing
from comms_assistant.service.ports import DeliveryError, OutgoingMail, Recipient

if TYPE_CHECKING:
    from msgraph import GraphServiceClient

DELIVERY_HEADER = "x-comms-assistant-delivery"
# A fixed property set GUID for this product: changing it would make old messages unfindable.
DELIVERY_PROPERTY_SET = "6e145f59-8d29-48cf-b066-5b9072962b3f"
DELIVERY_PROPERTY_ID = f"String {{{DELIVERY_PROPERTY_SET}}} Name comms-assistant-delivery"

# Exchange Online refuses more than 500 recipients in one message.
MAX_RECIPIENTS = 500

SENSITIVITY_PROPERTY_ID = "Integer 0x0036"  # PidTagSensitivity
CONFIDENTIAL = "3"


class GraphMailer:
    """Sends from one mailbox (application permission Mail.Send, scoped by Exchange RBAC).

    `name`: the mailbox's display name (setting mailbox_name), in From and wherever the mailbox
    is a recipient without a name of its own.
    """

    def __init__(self, client: GraphServiceClient, mailbox: str, *, name: str = "") -> None:
        self._client = client
        self._mailbox = mailbox
        self.name = name

    async def send(self, mail: OutgoingMail) -> None:
        from msgraph.generated.users.item.send_mail.send_mail_post_request_body import (
            SendMailPostRequestBody,
        )

        count = len(mail.to) + len(mail.cc) + len(mail.bcc)
        if count == 0:
            raise DeliveryError(f"mail {mail.delivery_id} has no recipients", retryable=False)
        if count > MAX_RECIPIENTS:
            raise DeliveryError(
                f"mail {mail.delivery_id} has {count} recipients; Exchange allows "
                f"{MAX_RECIPIENTS}: use a distribution list",
                retryable=False,
            )
        # Making 500 recipients' kiota models is ~25 ms of pure Python a message (its backing
        # store); on the event loop that held back the requests of every delivery beside it
        # (the report's copy in the declaration and fan-out benchmarks). A thread lets the loop
        # keep those moving; serialising the body afterwards is ~1 ms.
        body = await asyncio.to_thread(
            lambda: SendMailPostRequestBody(
                message=build_message(mail, sender=Recipient(self._mailbox, self.name)),
                save_to_sent_items=True,
            )
        )
        send_mail = self._client.users.by_user_id(self._mailbox).send_mail
        # Retry OFF: a 503 after Exchange accepted the message would otherwise send it again.
        # The outbox retries after `was_sent` says it did not go.
        fencing.before_sending()
        with translated(f"send mail {mail.delivery_id} from {self._mailbox}"):
            await send_mail.post(body, no_retry_config())

    async def was_sent(self, delivery_id: str) -> bool:
        from msgraph.generated.users.item.mail_folders.item.messages.messages_request_builder import (  # noqa: E501
            MessagesRequestBuilder,
        )

        value = delivery_id.replace("'", "''")  # OData string literal escaping
        query = MessagesRequestBuilder.MessagesRequestBuilderGetQueryParameters(
            filter=(
                "singleValueExtendedProperties/any(ep:ep/id eq "
                f"'{DELIVERY_PROPERTY_ID}' and ep/value eq '{value}')"
            ),
            select=["id"],
            top=1,
        )
        from kiota_abstractions.base_request_configuration import RequestConfiguration

        messages = (
            self._client.users.by_user_id(self._mailbox)
            .mail_folders.by_mail_folder_id("sentitems")
            .messages
        )
        with translated(f"search Sent Items of {self._mailbox}"):
            page = await messages.get(RequestConfiguration(query_parameters=query))
        return bool(page and page.value)


def build_message(mail: OutgoingMail, sender: Recipient | None = None) -> Any:
    """The msgraph `Message` for one audience, stamped with the delivery id.

    `sender`: the sending mailbox and its display name, for From (unset: Exchange's own)."""
    from msgraph.generated.models.body_type import BodyType
    from msgraph.generated.models.internet_message_header import InternetMessageHeader
    from msgraph.generated.models.item_body import ItemBody
    from msgraph.generated.models.message import Message
    from msgraph.generated.models.single_value_legacy_extended_property import (
        SingleValueLegacyExtendedProperty,
    )

    if mail.html:
        body = ItemBody(content_type=BodyType.Html, content=mail.html)
    else:
        body = ItemBody(content_type=BodyType.Text, content=mail.text)
    properties = [
        SingleValueLegacyExtendedProperty(id=DELIVERY_PROPERTY_ID, value=mail.delivery_id)
    ]
    if mail.sensitivity == "confidential":
        properties.append(
            SingleValueLegacyExtendedProperty(id=SENSITIVITY_PROPERTY_ID, value=CONFIDENTIAL)
        )
    message = Message(
        subject=mail.subject,
        body=body,
        to_recipients=_recipients(mail.to, sender),
        cc_recipients=_recipients(mail.cc, sender),
        bcc_recipients=_recipients(mail.bcc, sender),
        internet_message_headers=[
            InternetMessageHeader(name=DELIVERY_HEADER, value=mail.delivery_id)
        ],
        single_value_extended_properties=properties,
    )
    if sender is not None and sender.name:
        message.from_ = _recipients((sender,))[0]
    return message


def _recipients(people: tuple[Recipient, ...], sender: Recipient | None = None) -> list[Any]:
    from msgraph.generated.models.email_address import EmailAddress
    from msgraph.generated.models.recipient import Recipient as GraphRecipient

    def name(person: Recipient) -> str | None:
        # The mailbox in its own To (so readers see where it came from) reads as it does in From.
        if not person.name and sender and person.email.lower() == sender.email.lower():
            return sender.name or None
        return person.name or None

    return [
        GraphRecipient(email_address=EmailAddress(address=p.email, name=name(p))) for p in people
    ]
