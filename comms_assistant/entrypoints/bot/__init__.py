"""The Teams bot: Bot Connector activities and outgoing webhooks in, answers and cards out.

server (`comms-assistant serve`: the routes), sdk (the Microsoft 365 Agents SDK host), queue and
jobs (turns run after the 202, kept until done), senders and policy (who is talking and what they
may do), members (the team the bot serves), turns (one command: decide, run, answer), invoke and
actions (card button presses), cards and forms (what the bot shows), outbound, proactive and
channels (messages the bot starts itself), delivery (the outbox on a thread of its own), auth
(tokens in and out).
"""
