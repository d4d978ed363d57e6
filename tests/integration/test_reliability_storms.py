"""The product's real delivery path under throttling, outages and lost answers.

bootstrap → commands → outbox → dispatcher → msgraph-sdk → the sandbox tenant, with faults
switched on through the tenant's control API. Time is simulated (a fake clock shared by the
dispatcher and the tenant), so Retry-After values are honoured without waiting for them.
"""

from __future__ import annotations

from collections import Counter

import httpx
import pytest
from test_reliability_harness import Product, app_token

from comms_assistant.adapters.sql import outbox

# msgraph's generated builders warn about their own deprecated config classes on import.
pytestmark = pytest.mark.filterwarnings("ignore:.*is deprecated:DeprecationWarning")

OPEN = (
    "open Apply for teacher training is down p2 impact: Candidates cannot submit applications "
    "services: apply"
)
UPDATE = "update Candidates can sign in again but still cannot submit"
SEND_MAIL = r"/users/[^/]+/sendMail$"
# The incidents channel (cards also go to people's chats and to teams' own channels): a new
# message there, or a reply in the thread of the incident's card (where updates go).
CHANNEL_POST = r"/teams/[^/]+/channels/19:incidents[^/]*/messages(/[^/]+/replies)?$"


def delivery_ids(product: Product) -> Counter[str]:
    """How many messages in Sent Items carry each delivery id."""
    stamped = (m["x-comms-assistant-delivery"] for m in product.emails())
    return Counter(str(d) for d in stamped if d is not None)


def test_an_update_survives_429_and_503_storms_and_is_delivered_once(product: Product) -> None:
    done = product.deliver(product.run(OPEN))
    assert {r.status for r in done} == {outbox.DONE}
    mails_before, posts_before = len(product.emails()), len(product.channel_posts())
    storm = [
        {"id": "mail-503", "method": "POST", "path": SEND_MAIL, "status": 503,
         "retry_after": 5, "times": 3},
        {"id": "teams-429", "method": "POST", "path": CHANNEL_POST, "status": 429,
         "retry_after": 30, "times": 4},
        {"id": "save-503", "method": "PUT", "path": "/content$", "status": 503, "times": 2},
        # A read of the report fails once: kiota's own retry (1 s, real time) absorbs it.
        {"id": "read-504", "method": "GET", "path": "/items/[^/]+$", "status": 504,
         "retry_after": 1, "times": 1},
    ]  # fmt: skip
    product.control("POST", "faults", json=storm)
    mark = len(product.tenant.requests)

    rows = product.deliver(product.run(UPDATE))

    assert {r.status for r in rows} == {outbox.DONE}, [(r.key, r.last_error) for r in rows]
    fired = {rule["id"]: rule["hits"] for rule in product.control("GET", "faults").json()["value"]}
    assert fired == {"mail-503": 3, "teams-429": 4, "save-503": 2, "read-504": 1}
    mail_rows = [r for r in rows if r.kind == "mail"]
    # Delivered once: one message per audience, one card, despite 3 + 4 failed posts.
    assert len(product.emails()) == mails_before + len(mail_rows)
    assert all(count == 1 for count in delivery_ids(product).values())
    assert len(product.channel_posts()) == posts_before + 1
    assert len(product.calls("POST", CHANNEL_POST, mark)) == 5  # 4 refused + 1 accepted
    # Retry-After was honoured: the card went no sooner than 4 × 30 s of simulated time.
    card = next(r for r in rows if r.kind == "teams.card" and "to" not in r.payload)
    assert (card.done_at - card.created_at).total_seconds() >= 120


@pytest.mark.parametrize(
    "lost_answer",
    [{"status": 503, "retry_after": 2}, {"drop": True}],
    ids=["accepted-then-503", "accepted-then-connection-dropped"],
)
def test_a_send_whose_answer_is_lost_is_found_in_sent_items_not_sent_again(
    product: Product, lost_answer: dict[str, object]
) -> None:
    product.deliver(product.run(OPEN))
    before = delivery_ids(product)
    rule = {"id": "lost", "method": "POST", "path": SEND_MAIL, "after": True, "times": 1}
    product.control("POST", "faults", json={**rule, **lost_answer})
    mark = len(product.tenant.requests)

    rows = product.deliver(product.run(UPDATE))

    assert {r.status for r in rows} == {outbox.DONE}
    mail_rows = [r for r in rows if r.kind == "mail"]
    after = delivery_ids(product)
    new = {key: n for key, n in after.items() if key not in before}
    assert sorted(new) == sorted(r.payload["delivery_id"] for r in mail_rows)
    assert set(new.values()) == {1}  # not one duplicate
    # The uncertain send was looked up in Sent Items, and found there.
    assert any(r.result.get("found_in_sent_items") for r in mail_rows)
    assert product.calls("GET", r"/mailFolders/sentitems/messages$", mark)
    assert len(product.calls("POST", SEND_MAIL, mark)) == len(mail_rows)


def test_a_mailbox_over_30_messages_a_minute_is_throttled_and_the_update_still_arrives(
    product: Product,
) -> None:
    """Exchange's per-mailbox rate limit (30 a minute), with others sending from it too."""
    product.deliver(product.run(OPEN))
    token = app_token(product.tenant)
    busy = {
        "message": {
            "subject": "Another system's notice",
            "body": {"contentType": "text", "content": "x"},
            "toRecipients": [{"emailAddress": {"address": "ops@example.org"}}],
        }
    }
    url = f"{product.tenant.graph_url}/users/{product.app.settings.mailbox}/sendMail"
    for _ in range(29):  # with the product's first mail: 30 in this (simulated) minute
        reply = httpx.post(url, json=busy, headers={"Authorization": f"Bearer {token}"})
        assert reply.status_code == 202
    mark = len(product.tenant.requests)

    rows = product.deliver(product.run(UPDATE))

    assert {r.status for r in rows} == {outbox.DONE}
    sends = [r.status for r in product.calls("POST", SEND_MAIL, mark)]
    assert sends[0] == 429 and sends[-1] == 202 and sends.count(202) == 1
    [mail] = [r for r in rows if r.kind == "mail"]
    assert (mail.done_at - mail.created_at).total_seconds() >= 1  # it waited as told
    assert set(delivery_ids(product).values()) == {1}


def test_a_card_whose_answer_is_lost_is_found_in_the_channel_not_posted_again(
    product: Product,
) -> None:
    product.deliver(product.run(OPEN))
    before = len(product.channel_posts())
    rule = {"method": "POST", "path": CHANNEL_POST, "status": 503, "after": True, "times": 1}
    product.control("POST", "faults", json=rule)

    rows = product.deliver(product.run(UPDATE))

    assert {r.status for r in rows} == {outbox.DONE}
    assert len(product.channel_posts()) == before + 1
    [card] = [r for r in rows if r.kind == "teams.card" and "to" not in r.payload]
    assert card.attempts == 2 and card.result["message_id"] == product.channel_posts()[-1]["id"]
