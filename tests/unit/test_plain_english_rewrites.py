"""Drop-in rewrites are English: the form the sentence needs, never inside a name, never a
vague phrase in place of a fact, and never words the checker then reports (issue 18)."""

from __future__ import annotations

import pytest

from comms_assistant.domain.plain_english import Rule, apply_suggestions, check
from comms_assistant.domain.plain_english.jargon import jargon_list
from comms_assistant.domain.plain_english.rules import avoid_list

WORD_RULES = (Rule.JARGON, Rule.WORDS_TO_AVOID, Rule.ACRONYM)


def rewritten(text: str, kind: str = "text") -> str:
    return apply_suggestions(text, check(text, kind=kind))


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        # Tense and participle: "reduce" in place of "mitigated" was not English.
        ("The problem has been mitigated.", "The problem has been reduced."),
        ("We commenced the work at 9am.", "We started the work at 9am."),
        ("We are utilising a spare server.", "We are using a spare server."),
        # "a"/"an" agree with the new word.
        ("We are aware of an issue with sign-in.", "We are aware of a problem with sign-in."),
        # Plurals stay plural; a capital at the start of a sentence stays.
        ("Some people had issues signing in.", "Some people had problems signing in."),
        ("Issues with sign-in are fixed.", "Problems with sign-in are fixed."),
        ("Users see high latency.", "Users see long delays."),
    ],
)
def test_a_replacement_takes_the_form_the_sentence_needs(text: str, wanted: str) -> None:
    assert rewritten(text) == wanted


@pytest.mark.parametrize(
    "text",
    [
        # The old rewrite: "undo the change the change".
        "We rolled back the change at 10am.",
        # Inside a name: "Key" is not "important" here.
        "The Key Management Service is down.",
        "Azure Key Vault could not be reached.",
        # A figure makes it a fact: not "a poor connection of 30-80%".
        "Packet loss of 30-80% hit the office network.",
        "Latency of 300ms made pages load slowly.",
        # A product's name is not "database".
        "The MySQL server restarted.",
        # "issue" the verb, and a ticket in a tracker, are not "problem".
        "We will issue refunds to everyone affected.",
        "Please open an issue on GitHub.",
        # Someone else's words are quoted as they said them.
        'The supplier said: "the impacted region is back".',
        # A phrase cannot stand before a noun: "a DNS switch to the backup procedure".
        "Our failover procedure worked.",
    ],
)
def test_no_replacement_is_made_where_it_would_garble_or_lose_a_fact(text: str) -> None:
    assert rewritten(text) == text


def test_a_verb_rolled_back_to_a_version_is_left_for_a_person() -> None:
    text = "We rolled back to version 2 and the site works."
    assert "the change the change" not in rewritten(text)


def test_words_put_in_are_not_themselves_reported() -> None:
    # "slowness" was suggested for "latency", then reported as an unusual word.
    text = "Users see latency on the website."
    again = check(rewritten(text), kind="text")
    assert not [f for f in again.findings if f.rule in WORD_RULES], again.findings


def every_drop_in() -> list[str]:
    found = set()
    for lexicon in (jargon_list(), avoid_list()):
        for candidates in lexicon._by_first.values():
            for _, entry in candidates:
                drop_in = entry.replacement(entry.term)
                if drop_in:
                    found.update(drop_in.split("/"))
    return sorted(found)


@pytest.mark.parametrize("words", every_drop_in())
def test_every_shipped_drop_in_passes_the_checker(words: str) -> None:
    report = check(f"People saw {words} today.", kind="text")
    assert not [f for f in report.findings if f.rule in WORD_RULES], report.findings


def test_the_suggestion_shown_is_the_word_that_would_be_put_in() -> None:
    [finding] = check("The problem has been mitigated.", kind="text").findings
    assert finding.replacement == "reduced" and finding.suggestion == 'Try "reduced".'


def test_a_word_left_out_takes_its_space_with_it() -> None:
    assert rewritten("The page is basically fine.") == "The page is fine."


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        # A plural the list gives its own drop-in for gets it ("data centres"), not nothing.
        ("Two availability zones are down.", "Two data centres are down."),
        # A count before the term is not a measure that makes it a fact.
        (
            "Servers are not available in at least 2 availability zones.",
            "Servers are not available in at least 2 data centres.",
        ),
        # The listed phrase in capitals is the jargon itself, not a name; after an acronym, or
        # before a code naming it, the plain phrase stands as well.
        (
            "The AWS Availability Zones eu-west-2a had an outage.",
            "The AWS data centres eu-west-2a had an outage.",
        ),
        # A noun phrase in place of a noun phrase may stand before a noun, as the term did.
        (
            "We were applying per Availability Zone instance groups.",
            "We were applying per data centre instance groups.",
        ),
        # "stale" of configuration or data, with the article it needs.
        (
            "The problem was a stale nginx configuration.",
            "The problem was an out-of-date nginx configuration.",
        ),
    ],
)
def test_declared_forms_of_a_phrase_and_its_capitals_get_their_drop_in(
    text: str, wanted: str
) -> None:
    assert rewritten(text) == wanted


@pytest.mark.parametrize(
    "text",
    [
        # A name goes on after the capitals: "Availability Zone Manager" is a name.
        "The Availability Zone Manager restarted.",
        # "kubectl rollout restart" is a command, not a "release restart".
        "We ran a rollout restart of all the containers.",
        # "502 / 503 errors" are codes: the number before is no count of them.
        "People saw intermittent 502 / 503 errors on the website.",
        # A phrase with "to" and "the" still cannot stand after a name or before a noun.
        "The DNS failover procedure worked.",
    ],
)
def test_still_no_replacement_where_a_name_command_or_code_would_be_garbled(text: str) -> None:
    assert rewritten(text) == text
