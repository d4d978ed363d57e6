"""`serve`'s /metrics: its bot turns (how many, how long, how they ended) and the messages the
plain-English check held back, scraped over HTTP from the running bot."""

# ruff: noqa: F811  (pytest fixtures are parameters named like the imported fixture)

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families
from test_bot_harness import Running, running_bot  # noqa: F401  (the fixture)

THREAD = "19:watch@thread.tacv2;messageid=1700000000023"
JARGON = (
    "update Some candidates cannot sign in. The cause is a DNS failover. We are testing a hotfix."
)


def scrape(bot: Running) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    reply = httpx.get(f"{bot.url}/metrics", timeout=30)
    assert reply.status_code == 200
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(reply.text)
        for sample in family.samples
    }


def test_bot_turns_and_held_messages_are_counted(running_bot: Running) -> None:
    bot = running_bot
    before = scrape(bot)
    assert bot.say("open Apply is down p2 impact: Candidates cannot apply", conversation=THREAD)
    held = bot.say(JARGON, conversation=THREAD)
    assert held["text"].startswith("Not sent yet.")
    # "send suggested" shows the final words and waits for the yes: the same hold, not another.
    shown = bot.say("send suggested", conversation=THREAD)
    assert "send these words" in shown["text"]
    refused = bot.say("holding", sender="29:1-visitor", conversation=THREAD)
    assert "not" in refused["text"].lower()
    after = scrape(bot)

    def moved(name: str, **labels: str) -> float:
        key = (name, frozenset(labels.items()))
        return after.get(key, 0.0) - before.get(key, 0.0)

    turns = "comms_assistant_bot_turn_seconds_count"
    assert moved(turns, outcome="answered") == 3
    assert moved(turns, outcome="refused") == 1
    assert moved(turns, outcome="failed") == 0
    assert moved("comms_assistant_bot_turn_seconds_sum", outcome="answered") > 0
    # Each turn falls in a bucket of its time: all of them within the largest.
    assert moved("comms_assistant_bot_turn_seconds_bucket", outcome="answered", le="+Inf") == 3
    assert moved("comms_assistant_messages_held_total") == 1
