"""The Teams bot: Bot Connector activities and outgoing webhooks in, answers and cards out.

- server: `comms-assistant serve`, its routes; sdk: the Microsoft 365 Agents SDK host.
- inbox: a request read and checked; queue and jobs: turns run after the 202, kept until done.
- senders, policy, members: who is talking and what they may do.
- message_turn, turns: one command run once and answered; outcome: what its deliveries did.
- invoke, actions: card button presses; cards, forms, fields: what the bot shows and reads back.
- outbound, proactive, channels: messages the bot starts itself; delivery: the outbox's thread.
- auth: tokens in and out.
"""
