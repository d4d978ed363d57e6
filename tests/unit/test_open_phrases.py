"""Declaring an incident in words ("I am declaring a P2 incident because ...") is read
forgivingly where that is safe: capitals, the article, with or without "The impact is that",
a priority or services added after the sentence. What is added after it never becomes part of
the impact, and what cannot be read is answered with the forms that work."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comms_assistant.domain import commands as c
from comms_assistant.domain.incident import Priority
from comms_assistant.domain.phrases import EXAMPLES, FORMS

REASON = "Apply is down"
IMPACT = "candidates cannot submit applications"


@pytest.mark.parametrize(
    ("text", "priority", "services", "impact"),
    [
        # As seen: "p2 services: apply" after the sentence went into the impact, at P3.
        (
            f"I am declaring an incident because {REASON}. The impact is that {IMPACT}. "
            "p2 services: apply",
            Priority.P2,
            ("apply",),
            IMPACT,
        ),
        (f"I am declaring a P2 incident because {REASON}.", Priority.P2, (), ""),
        (f"i am declaring a p2 incident because {REASON}", Priority.P2, (), ""),
        (
            f"I AM DECLARING A P1 INCIDENT BECAUSE {REASON.upper()}. THE IMPACT IS THAT "
            f"{IMPACT.upper()}. SERVICES: APPLY",
            Priority.P1,
            ("apply",),
            IMPACT.upper(),
        ),
        (
            f"I'm declaring a P2 incident because {REASON}, and the impact is {IMPACT}. "
            "services: apply, find.",
            Priority.P2,
            ("apply", "find"),
            IMPACT,
        ),
        (
            f"I am declaring an incident because {REASON}. Candidates cannot apply. priority p3",
            Priority.P3,
            (),
            "",
        ),
        (f"I am declaring an incident because {REASON}. (P4)", Priority.P4, (), ""),
        (
            f"I am declaring a P2 incident because {REASON}. The impact is that {IMPACT}. P2.",
            Priority.P2,
            (),
            IMPACT,
        ),
        (
            f"We are declaring a P2 incident: {REASON}. impact: {IMPACT} services: apply",
            Priority.P2,
            ("apply",),
            IMPACT,
        ),
        (
            f"open I am declaring a P2 incident because {REASON}. services: apply",
            Priority.P2,
            ("apply",),
            "",
        ),
        (
            f"INC-2026-0009 I am declaring a P1 incident because {REASON}.",
            Priority.P1,
            (),
            "",
        ),
    ],
)
def test_variants_of_the_declaring_phrase(
    text: str, priority: Priority, services: tuple[str, ...], impact: str
) -> None:
    command = c.parse(text)
    assert isinstance(command, c.Open), command
    assert command.title.casefold() == REASON.casefold()
    assert command.priority is priority and not command.priority_defaulted
    assert command.services == services
    assert command.impact == impact
    assert command.lead is None  # whoever declares it leads it


def test_no_priority_is_p3_and_says_so() -> None:
    command = c.parse(f"I am declaring a major incident because {REASON}.")
    assert isinstance(command, c.Open)
    assert command.priority is Priority.P3 and command.priority_defaulted


def test_an_organisations_priority_name_in_the_phrase() -> None:
    names = {"Critical": Priority.P1}
    command = c.parse(f"I am declaring a critical incident because {REASON}.", priority_names=names)
    assert isinstance(command, c.Open) and command.priority is Priority.P1
    # "our top priority" is words, not a priority said after the sentence.
    words = c.parse(
        f"I am declaring a P2 incident because {REASON}. The impact is that it is our top "
        "priority now"
    )
    assert isinstance(words, c.Open) and words.impact.endswith("top priority now")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"I am declaring a P1 incident because {REASON}. p2", "not several"),
        (
            f"I am declaring a P2 incident because {REASON}. The impact is that x. impact: y",
            "impact once",
        ),
        (f"I am declaring a P2 incident because {REASON}. security: maybe", "security: yes"),
    ],
)
def test_what_contradicts_itself_is_refused(text: str, expected: str) -> None:
    with pytest.raises(c.ParseError, match=expected):
        c.parse(text)


@pytest.mark.parametrize(
    "text",
    [
        "I am declaring a P2 incident",
        "I am declaring a P2 incident because",
        "I'm declaring an outage, apply is down",
        "We have an incident: apply is down",
        "There is an incident on Apply p2",
        "Incident! Apply is down",
        "The site is down, please help",
    ],
)
def test_a_sentence_that_cannot_be_read_gets_the_forms_that_work(text: str) -> None:
    with pytest.raises(c.ParseError) as refused:
        c.parse(text)
    answer = str(refused.value)
    assert answer == FORMS
    assert "is not a command" not in answer
    # The forms shown are themselves commands that work.
    for example in EXAMPLES:
        assert f"'{example}'" in answer
        assert isinstance(c.parse(example), c.Open), example


def test_open_names_another_lead_or_none() -> None:
    assert c.parse("open Apply is down p2 lead: Tech.Lead@Example.org") == c.Open(
        title="Apply is down", priority=Priority.P2, lead="tech.lead@example.org"
    )
    assert c.parse("open Apply is down p2 lead: me") == c.Open(
        title="Apply is down", priority=Priority.P2
    )
    command = c.parse("open Apply is down p2 impact: x lead: none services: apply")
    assert isinstance(command, c.Open) and command.lead == "" and command.impact == "x"
    phrase = c.parse(f"I am declaring a P2 incident because {REASON}. lead: @sam@example.org")
    assert isinstance(phrase, c.Open) and phrase.lead == "sam@example.org"
    with pytest.raises(c.ParseError, match="lead: none"):
        c.parse("open Apply is down p2 lead: Sam")
    # Elsewhere "lead:" is only words: an update may say "the tech lead: ...".
    assert c.parse("update The tech lead: restarted it") == c.Update("The tech lead: restarted it")


OPENERS = [
    "I am declaring",
    "i am declaring",
    "I AM DECLARING",
    "I'm declaring",
    "We are declaring",
]
REASONS = ["Apply is down", "the sign-in service is failing", "Find is very slow for everyone"]
IMPACTS = ["", "nobody can apply", "candidates cannot submit applications"]
IMPACT_PHRASES = [". The impact is that {}", ". the impact is {}", ", and the impact is that {}"]


@given(
    opener=st.sampled_from(OPENERS),
    priority=st.sampled_from([None, *Priority]),
    in_phrase=st.booleans(),
    trailing=st.sampled_from(["", " {}", ". {}.", " ({})", " priority {}"]),
    in_section=st.booleans(),
    reason=st.sampled_from(REASONS),
    impact=st.sampled_from(IMPACTS),
    impact_phrase=st.sampled_from(IMPACT_PHRASES),
    services=st.sampled_from(["", "apply", "apply, find", "Sign-in"]),
    full_stop=st.booleans(),
)
def test_any_mix_of_the_forgiven_variations_reads_the_same(
    opener: str,
    priority: Priority | None,
    in_phrase: bool,
    trailing: str,
    in_section: bool,
    reason: str,
    impact: str,
    impact_phrase: str,
    services: str,
    full_stop: bool,
) -> None:
    word = f"P{priority.value}" if priority else ""
    said_in_phrase = bool(priority) and in_phrase
    text = f"{opener} {'a ' + word if said_in_phrase else 'an'} incident because {reason}"
    if impact:
        text += impact_phrase.format(impact)
    if full_stop:
        text += "."
    if priority and trailing:
        text += trailing.format(word.lower())
    if services:
        text += f" services: {services}"
    if priority and in_section:
        text += f" priority: {word}"
    command = c.parse(text)
    assert isinstance(command, c.Open), text
    said = said_in_phrase or bool(trailing) or in_section
    assert command.priority is (priority if priority and said else Priority.P3), text
    assert command.priority_defaulted is not (priority and said), text
    assert command.services == tuple(s.strip().lower() for s in services.split(",") if s), text
    assert command.impact.casefold() == impact.casefold(), text
    assert command.title.casefold() == reason.casefold(), text
    for added in ("services", "priority", " p1", " p2", " p3", " p4"):
        assert added not in command.impact.casefold(), text
