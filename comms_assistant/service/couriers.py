"""The dispatcher's messages: mail, Teams cards, the incident's living card and the public status
page, each made from its delivery's payload (delivery_kinds.py names which).

A base of Dispatcher (service/dispatcher.py), which holds the fields named here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from comms_assistant.service import living_card, pacing, status_delivery
from comms_assistant.service.mail_payload import outgoing_mail
from comms_assistant.service.outbox_port import Delivery, Outbox
from comms_assistant.service.ports import DeliveryError, Mailer, TeamsPoster
from comms_assistant.service.status_page_port import StatusPage
from comms_assistant.service.unit_of_work import UnitOfWorkFactory


class MessageCouriers:
    uow: UnitOfWorkFactory
    outbox: Outbox
    mailer: Mailer
    teams: TeamsPoster
    clock: Callable[[], datetime]
    mail_pace: pacing.MailPace
    owner: str
    living: living_card.LivingCards | None
    status_page: StatusPage | None

    async def send_mail(self, delivery: Delivery) -> dict[str, Any]:
        payload = delivery.payload
        # An earlier attempt may have been accepted before it failed: look before sending again.
        if delivery.uncertain and await self.mailer.was_sent(payload["delivery_id"]):
            return {"recipients": len(payload["bcc"]), "found_in_sent_items": True}
        async with self.mail_pace.slot(self.outbox, self.clock, owner=self.owner):
            await self.mailer.send(outgoing_mail(payload))
        return {"recipients": len(payload["bcc"])}

    async def post_card(self, delivery: Delivery) -> dict[str, Any]:
        payload = delivery.payload
        thread = ""
        if payload.get("living"):  # in the incidents channel: a reply to the incident's card
            with self.uow() as uow:
                thread = living_card.thread_for(uow, delivery.id)
        summary, drawn = payload["summary"], payload["card"]
        card = living_card.card_message(delivery, summary, drawn, thread=thread)
        message_id = await self.teams.post_card(card)
        return {"message_id": message_id, **({"thread": thread} if thread else {})}

    async def refresh_card(self, delivery: Delivery) -> dict[str, Any]:
        if self.living is None:
            raise DeliveryError("no card templates to draw the incident's card", retryable=False)
        return await living_card.refresh(self.teams, self.uow, self.living, delivery)

    async def update_status_page(self, delivery: Delivery) -> dict[str, Any]:
        return await status_delivery.deliver(self.status_page, self.uow, delivery)
