"""The real msgraph-sdk against the sandbox: URL encoding, redirects, errors, headers."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest

from comms_assistant.sandbox import SandboxTenant, seed


class SandboxCredential:
    """Just enough of azure-identity's TokenCredential for kiota, fetching from the sandbox."""

    def __init__(self, token_url: str, **form: str) -> None:
        self.token_url = token_url
        self.form = form or {"grant_type": "client_credentials", "client_secret": "s"}
        self.token: Any = None

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        from azure.core.credentials import AccessToken

        if self.token is None:
            reply = httpx.post(
                self.token_url,
                data={"client_id": "sdk", **self.form},
            )
            body = reply.json()
            self.token = AccessToken(body["access_token"], int(time.time()) + body["expires_in"])
        return self.token


def make_client(sandbox: SandboxTenant, **form: str) -> Any:
    from kiota_authentication_azure.azure_identity_authentication_provider import (
        AzureIdentityAuthenticationProvider,
    )
    from msgraph import GraphRequestAdapter, GraphServiceClient

    provider = AzureIdentityAuthenticationProvider(
        SandboxCredential(sandbox.token_url, **form),  # type: ignore[arg-type]
        scopes=["https://graph.microsoft.com/.default"],
        allowed_hosts=["127.0.0.1"],
    )
    adapter = GraphRequestAdapter(provider)
    adapter.base_url = sandbox.graph_url
    return GraphServiceClient(request_adapter=adapter)


def test_sdk_site_upload_download_copy_and_412(sandbox: SandboxTenant) -> None:
    from kiota_abstractions.base_request_configuration import RequestConfiguration
    from kiota_abstractions.headers_collection import HeadersCollection
    from kiota_http.middleware.options.headers_inspection_handler_option import (
        HeadersInspectionHandlerOption,
    )
    from msgraph.generated.drives.item.items.item.copy.copy_post_request_body import (
        CopyPostRequestBody,
    )
    from msgraph.generated.models.item_reference import ItemReference
    from msgraph.generated.models.o_data_errors.o_data_error import ODataError

    async def scenario() -> None:
        client = make_client(sandbox)
        site = await client.sites.by_site_id(f"{seed.SITE_HOSTNAME}:/{seed.SITE_PATH}").get()
        assert site.id.startswith(seed.SITE_HOSTNAME + ",")
        drive = (await client.sites.by_site_id(site.id).drives.get()).value[0]
        items = client.drives.by_drive_id(drive.id).items
        path = f"root:/{seed.TEMPLATES_FOLDER}/Report template.docx:"
        uploaded = await items.by_drive_item_id(path).content.put(b"template bytes")
        assert uploaded.name == "Report template.docx"
        # GET .../content answers 302: kiota's redirect handler must follow it.
        assert await items.by_drive_item_id(uploaded.id).content.get() == b"template bytes"

        folder = await items.by_drive_item_id(f"root:/{seed.REPORTS_FOLDER}:").get()
        body = CopyPostRequestBody(
            parent_reference=ItemReference(drive_id=drive.id, id=folder.id),
            name="2026-11-23 Incident report.docx",
        )
        inspect = HeadersInspectionHandlerOption(inspect_response_headers=True)
        await items.by_drive_item_id(uploaded.id).copy.post(
            body, RequestConfiguration(options=[inspect])
        )
        monitor_url = inspect.response_headers.get("location")
        assert monitor_url, "copy must answer with a Location header"
        first = httpx.get(next(iter(monitor_url))).json()
        second = httpx.get(next(iter(monitor_url))).json()
        assert (first["status"], second["status"]) == ("inProgress", "completed")
        copied = await items.by_drive_item_id(second["resourceId"]).get()
        assert copied.parent_reference.id == folder.id

        stale = HeadersCollection()
        stale.add("If-Match", copied.e_tag)
        await items.by_drive_item_id(copied.id).content.put(b"v2")
        config = RequestConfiguration(headers=stale)
        with pytest.raises(ODataError) as raised:
            await items.by_drive_item_id(copied.id).content.put(b"v3", config)
        assert raised.value.response_status_code == 412
        assert raised.value.error.code == "preconditionFailed"

    asyncio.run(scenario())


def test_sdk_send_mail_and_post_card(sandbox: SandboxTenant) -> None:
    from msgraph.generated.models.body_type import BodyType
    from msgraph.generated.models.chat_message import ChatMessage
    from msgraph.generated.models.chat_message_attachment import ChatMessageAttachment
    from msgraph.generated.models.email_address import EmailAddress
    from msgraph.generated.models.internet_message_header import InternetMessageHeader
    from msgraph.generated.models.item_body import ItemBody
    from msgraph.generated.models.message import Message
    from msgraph.generated.models.o_data_errors.o_data_error import ODataError
    from msgraph.generated.models.recipient import Recipient
    from msgraph.generated.users.item.send_mail.send_mail_post_request_body import (
        SendMailPostRequestBody,
    )

    async def scenario() -> None:
        client = make_client(sandbox)
        message = Message(
            subject="P2 incident update",
            body=ItemBody(content_type=BodyType.Html, content="<p>Hello</p>"),
            to_recipients=[Recipient(email_address=EmailAddress(address="ops@example.org"))],
            internet_message_headers=[InternetMessageHeader(name="X-Delivery-Id", value="d-1")],
        )
        body = SendMailPostRequestBody(message=message, save_to_sent_items=True)
        await client.users.by_user_id(seed.MAILBOXES[0]).send_mail.post(body)

        card = '{"type": "AdaptiveCard", "version": "1.5", "body": []}'
        chat = ChatMessage(
            body=ItemBody(content_type=BodyType.Html, content='<attachment id="c1"></attachment>'),
            attachments=[
                ChatMessageAttachment(
                    id="c1", content_type="application/vnd.microsoft.card.adaptive", content=card
                )
            ],
        )
        channel = client.teams.by_team_id(seed.TEAM_ID).channels.by_channel_id(seed.CHANNEL_ID)
        # An app-only token may not post to a channel, as in Microsoft 365 ...
        with pytest.raises(ODataError) as refused:
            await channel.messages.post(chat)
        assert refused.value.response_status_code == 401
        assert refused.value.error.code == "Unauthorized"
        # ... a delegated one (the sandbox's service account) may.
        delegated = make_client(
            sandbox,
            grant_type="password",
            username=seed.SERVICE_ACCOUNT,
            password=seed.SERVICE_ACCOUNT_PASSWORD,
        )
        channel = delegated.teams.by_team_id(seed.TEAM_ID).channels.by_channel_id(seed.CHANNEL_ID)
        posted = await channel.messages.post(chat)
        assert posted.id and posted.attachments[0].id == "c1"
        assert posted.from_.user.display_name == seed.SERVICE_ACCOUNT_NAME

    asyncio.run(scenario())
    sent = list((sandbox.root / "mail" / seed.MAILBOXES[0] / "Sent Items").glob("*.eml"))
    assert len(sent) == 1
    assert "X-Delivery-Id: d-1" in sent[0].read_text()
    posts = list((sandbox.root / "teams" / seed.TEAM_NAME / seed.CHANNEL_NAME).glob("*.json"))
    assert len(posts) == 1
    paths = [request.path for request in sandbox.requests]
    assert f"/v1.0/users/{seed.MAILBOXES[0]}/sendMail" in paths
