"""Thousands of random and hostile messages: the parser and the service never crash, always
answer in a sentence, and change nothing when the input is not a valid command."""

from __future__ import annotations

import dataclasses
import json
import string
import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from world import World

from comms_assistant.adapters.sql.store import IncidentRow, OutboxRow, TimelineRow
from comms_assistant.domain import commands as c
from comms_assistant.entrypoints.bot.policy import MAX_COMMAND, command_text

VERBS = [
    "open",
    "update",
    "priority",
    "lead",
    "comms",
    "tech",
    "support",
    "scribe",
    "log",
    "status",
    "close",
    "review",
    "help",
    "OPEN",
    "Status",
    "i am the",
    "I am declaring",
]
HOSTILE = [
    "<script>alert(1)</script>",
    "<at>Comms</at>",
    "<at>Sam Jones</at>",
    "&lt;b&gt;",
    "&#0;",
    "\x00",
    "\x1b[31m",
    "\u202e",
    "\ufeff",
    "\u200b",
    "\u2066",
    "\u00ad",
    "\x85",
    "\x9b31m",
    "\x1b]8;;https://evil.example/\x07",
    "e\u0301",
    "\r\n",
    "\t",
    "{{ 7*7 }}",
    "{% raw %}",
    "${jndi:x}",
    "p1",
    "p2 p3",
    "impact:",
    "services:",
    "security:",
    "security: maybe",
    "me",
    "@",
    "a@b.c",
    "'; DROP TABLE incidents; --",
    "\\",
    '"',
    "%s%n",
    "..",
    "💥",
    "ｐ１",
    json.dumps({"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock"}]}),
]

words = st.one_of(
    st.sampled_from(VERBS + HOSTILE),
    st.text(alphabet=string.printable, max_size=12),
    st.text(max_size=8),  # any unicode, control characters and surrogate-free oddities
)
messages = st.one_of(
    st.lists(words, max_size=12).map(" ".join),
    st.text(max_size=200),
    st.builds(lambda verb, n: f"{verb} " + "x " * n, st.sampled_from(VERBS), st.integers(0, 40000)),
)


@settings(max_examples=3000, deadline=None)
@given(messages)
def test_the_parser_only_ever_answers_a_command_or_a_sentence(text: str) -> None:
    try:
        command = c.parse(text)
    except c.ParseError as error:
        message = str(error)
        # A sentence, bounded by what was typed (the parser quotes the word it did not expect).
        assert message.rstrip().endswith(".") and len(message) < 300 + len(text)
    else:
        assert isinstance(command, c.Command)


def _texts(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, tuple):
        return [t for item in value for t in _texts(item)]
    if dataclasses.is_dataclass(value):
        return [t for f in dataclasses.fields(value) for t in _texts(getattr(value, f.name))]
    return []


@settings(max_examples=3000, deadline=None)
@given(messages)
def test_no_command_carries_an_invisible_or_control_character(text: str) -> None:
    try:
        command = c.parse(text)
    except c.ParseError as error:
        fields = [str(error)]  # it quotes what was typed back to the sender
    else:
        fields = _texts(command)
        if isinstance(command, c.Open):
            assert unicodedata.is_normalized("NFC", command.title)
    for field in fields:
        hidden = [ch for ch in field if unicodedata.category(ch) in ("Cc", "Cf", "Cs")]
        assert hidden == [], (field, hidden)


@settings(max_examples=1500, deadline=None)
@given(st.lists(words, max_size=10).map(" ".join))
def test_teams_markup_is_flattened_to_plain_text(text: str) -> None:
    cleaned = command_text(f"<at>Comms</at> {text}", ["<at>Comms</at>"])
    assert "<at>" not in cleaned.lower()
    assert not any(ord(ch) < 32 and ch not in "\t\n\r" for ch in cleaned)


def _snapshot(world: World) -> tuple[int, ...]:
    with world.app.engine.connect() as connection:
        counts = [
            connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (IncidentRow.__table__, TimelineRow.__table__, OutboxRow.__table__)
        ]
    return (*counts, len(world.documents.files))


@settings(
    max_examples=800,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(messages.filter(lambda t: len(t) <= MAX_COMMAND))
def test_invalid_input_changes_nothing(world: World, text: str) -> None:
    try:
        c.parse(text)
    except c.ParseError:
        before = _snapshot(world)
        reply = world.run(text)
        assert not reply.ok and reply.text
        assert reply.deliveries == ()
        assert _snapshot(world) == before
    else:
        reply = world.run(text)  # a valid command: it may be refused, but it answers
        assert reply.text
